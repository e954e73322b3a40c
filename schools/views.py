"""Pages of the registry: home, schools, school years and people."""

from __future__ import annotations

import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, exports, inbox, selectors, services
from .filters import AuditFilter, SchoolFilter
from .forms import AcademicYearForm, MunicipalitySettingsForm, SchoolForm, UserForm
from .home import panels_for, related_pages_for
from .models import AcademicYear, User
from .xlsx import wants_xlsx, xlsx_response

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show each role what it must do next."""
    user = request.user
    context = {
        "role": access.role_of(user),
        "current_year": selectors.current_year(),
        "schools": selectors.school_list(user=user, operator_counts=False)[:10],
        "panels": [
            render_to_string(p.template, p.context, request=request)
            for p in panels_for(request)
        ],
    }
    if access.can_manage_registry(user) or access.is_approver(user):
        context["summary"] = selectors.registry_summary(user=user)
    # «Что сделать» is «Мои задачи»: what the workflows' tables and the apps'
    # task sources say waits for the person, so it cannot contradict the pages
    # it links to, the navbar's count or itself.
    context["groups"] = inbox.groups_for(user, shown=3, overdue_first=False)
    return render(request, "schools/home.html", context)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """«Мои задачи»: what waits for the person, from the workflows' tables."""
    return render(
        request, "schools/my_tasks.html", {"groups": inbox.groups_for(request.user)}
    )


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    """List the person's schools with search and filters."""
    schools = SchoolFilter(
        request.GET or None,
        queryset=selectors.school_list(user=request.user),
        user=request.user,
    )
    if wants_xlsx(request):
        return xlsx_response(request, exports.school_workbook(schools), "школы.xlsx")
    page = Paginator(schools.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "schools/school_list.html",
        {
            "filter": schools,
            "page": page,
            "can_manage": access.can_manage_registry(request.user),
        },
    )


@login_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, pk)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "operators": selectors.school_operators(school=school),
            "can_edit": access.can_edit_school(request.user, school),
            "history": selectors.school_history(school=school),
            "related": related_pages_for(school, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_registry(request.user):
        raise PermissionDenied("Добавлять школы может аналитик МИМЦ.")
    form = SchoolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        school = services.school_create(data=form.cleaned_data, by=request.user)
        messages.success(request, f"Школа «{school}» добавлена.")
        return redirect(school)
    return render(request, "schools/school_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, pk, write=True)
    form = SchoolForm(request.POST or None, instance=school, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.school_update(school=school, data=form.cleaned_data, by=request.user)
        messages.success(request, "Изменения сохранены.")
        return redirect(school)
    return render(request, "schools/school_form.html", {"form": form, "school": school})


@login_required
@require_POST
def school_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or restore a school; nothing is deleted."""
    school = access.get_school_for_user(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    services.school_set_active(school=school, active=active, by=request.user)
    if active:
        messages.success(request, f"Школа «{school}» снова действующая.")
    else:
        messages.success(
            request, f"Школа «{school}» отключена. Её данные и история сохранены."
        )
    return redirect(school)


# School years ----------------------------------------------------------------


@login_required
def year_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "schools/year_list.html",
        {
            "years": AcademicYear.objects.all(),
            "can_edit": access.is_administrator(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.is_administrator(request.user):
        raise PermissionDenied("Учебные годы ведёт администратор.")
    year = get_object_or_404(AcademicYear, pk=pk) if pk else None
    form = AcademicYearForm(request.POST or None, instance=year)
    if request.method == "POST" and form.is_valid():
        services.academic_year_save(year=form.instance, by=request.user)
        messages.success(request, f"Учебный год {form.instance} сохранён.")
        return redirect("schools:year-list")
    return render(request, "schools/year_form.html", {"form": form, "year": year})


@login_required
@require_POST
def year_make_current(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.is_administrator(request.user):
        raise PermissionDenied("Учебные годы ведёт администратор.")
    year = get_object_or_404(AcademicYear, pk=pk)
    services.academic_year_make_current(year=year, by=request.user)
    messages.success(request, f"Текущий учебный год — {year}.")
    return redirect("schools:year-list")


# People ----------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_users(request.user):
        raise PermissionDenied(
            "Список пользователей доступен аналитику и администратору."
        )
    people = selectors.user_list(user=request.user)
    if wants_xlsx(request):
        return xlsx_response(
            request, exports.user_workbook(people), "пользователи.xlsx"
        )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page.object_list:
        person.can_change = access.can_change_person(request.user, person)
    return render(request, "schools/user_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a person or change their role and scope (within what one may grant)."""
    if not access.can_manage_users(request.user):
        raise PermissionDenied(
            "Создавать пользователей может аналитик или администратор."
        )
    person = access.get_user_for_user(request.user, pk, write=True) if pk else User()
    new = person.pk is None
    form = UserForm(request.POST or None, instance=person, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_save(
                person=form.instance,
                schools=form.cleaned_data["schools"],
                password=form.chosen_password,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.cleaned_data["send_invite"]:
                services.user_send_password_link(
                    person=form.instance,
                    by=request.user,
                    base_url=request.build_absolute_uri("/")[:-1],
                    new=new,
                )
                messages.info(
                    request, f"Письмо со ссылкой отправлено на {form.instance.email}."
                )
            messages.success(request, f"Пользователь {form.instance} сохранён.")
            return redirect("schools:user-list")
    return render(
        request,
        "schools/user_form.html",
        {
            "form": form,
            "person": person,
            "is_self": person.pk == request.user.pk,
            **selectors.sign_in_state(person=person, viewer=request.user),
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log: administrators all of it, analysts their municipality's."""
    if not access.manages(request.user):
        raise PermissionDenied("Журнал действий доступен администратору и МИМЦ.")
    events = AuditFilter(
        request.GET or None,
        queryset=access.audit_events_visible_to(request.user).select_related(
            "municipality"
        ),
        user=request.user,
    )
    if wants_xlsx(request):
        return xlsx_response(
            request, exports.audit_workbook(events), "журнал-действий.xlsx"
        )
    page = Paginator(events.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "schools/audit_log.html", {"filter": events, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def municipality_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """A municipality's own rules: for now, whether small-sample shares are hidden from other schools."""
    if not access.can_manage_registry(request.user):
        raise PermissionDenied("Настройки муниципалитета меняет аналитик МИМЦ.")
    municipality = get_object_or_404(
        access.municipalities_visible_to(request.user), pk=pk
    )
    form = MunicipalitySettingsForm(request.POST or None, instance=municipality)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Настройки муниципалитета сохранены.")
        return redirect("schools:municipality-settings", pk=municipality.pk)
    return render(
        request,
        "schools/municipality_settings.html",
        {"form": form, "municipality": municipality},
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """
    The 500 handler. A lost database connection (PostgreSQL restarting, a
    failover) is a 503 that says nothing was saved and the form can be sent
    again; the page touches neither the database nor the session.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
