"""Pages of identification: methodologies, runs, decisions and the official list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from schools import access, jobs, word
from schools.workflow import NeedsConfirmation
from schools.workflow_views import confirm_page
from schools.xlsx import wants_xlsx, xlsx_response

from . import criteria, permissions, report, selectors, services
from .forms import ApproveForm, MethodologyForm, OverrideForm, RunForm
from .models import Methodology, StatusOverride


def _staff_only(request: HttpRequest) -> None:
    if access.role_of(request.user) in (None, access.Role.OPERATOR):
        raise PermissionDenied("Раздел доступен МИМЦ и управлению образования.")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    runs = Paginator(permissions.runs_visible_to(request.user), 20).get_page(
        request.GET.get("page")
    )
    lists = permissions.lists_visible_to(request.user).filter(
        superseded_at__isnull=True
    )
    return render(
        request,
        "identification/index.html",
        {"page": runs, "lists": lists, "can_run": permissions.can_run(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_run(request.user):
        raise PermissionDenied("Выявление запускает аналитик МИМЦ.")
    services.ensure_presets()
    form = RunForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.run_create(
                target_year=data["target_year"],
                municipalities=data["municipalities"],
                version=data["methodology"].current,
                only_accepted=data["only_accepted"],
                by=request.user,
            )
        except jobs.BackgroundUnavailable as unavailable:
            form.add_error(None, str(unavailable))
        else:
            return redirect(run)
    return render(request, "identification/run_form.html", {"form": form})


@login_required
@require_POST
def run_restart(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again a run whose computation was interrupted."""
    if not permissions.can_run(request.user):
        raise PermissionDenied("Выявление запускает аналитик МИМЦ.")
    run = permissions.get_run_for_user(request.user, pk)
    try:
        services.run_restart(run=run, by=request.user)
    except jobs.BackgroundUnavailable as unavailable:
        messages.error(request, str(unavailable))
    return redirect(run)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: progress while it computes, then statuses, criteria, readiness and what changed."""
    run = permissions.get_run_for_user(request.user, pk)
    if request.htmx and not run.is_running:
        return HttpResponseClientRefresh()
    if request.htmx:
        return render(request, "identification/run_detail.html#progress", {"run": run})
    schools = access.schools_visible_to(request.user)
    rows = selectors.run_table(run, schools=schools)
    status = request.GET.get("status", "")
    if status == "listed":
        rows = [r for r in rows if r["result"].status in criteria.LISTED]
    elif status:
        rows = [r for r in rows if r["result"].status == status]
    for row in rows:
        row["readiness"] = run.readiness.get(str(row["school"].pk), [])
    overrides = {
        o.school_id: o
        for o in StatusOverride.objects.filter(
            year=run.target_year, is_active=True, school__in=schools
        )
    }
    previous = selectors.previous_run(run)
    municipalities = run.municipalities.filter(
        pk__in=access.municipalities_visible_to(request.user).values("pk")
    )
    return render(
        request,
        "identification/run_detail.html",
        {
            "run": run,
            "rows": rows,
            "criteria": criteria.used(run.parameters),
            "labels": criteria.labels(run.parameters),
            "overrides": overrides,
            "previous": previous,
            "diff": selectors.run_diff(run, previous) if previous else [],
            "can_run": permissions.can_run(request.user),
            "can_approve": permissions.can_approve(request.user),
            "approve_form": ApproveForm(
                municipalities=municipalities,
                initial={"municipality": municipalities.first()},
            ),
            "status_filter": status,
        },
    )


@login_required
def run_school(request: HttpRequest, pk: int, school_id: int) -> HttpResponse:
    """Why a school is (or is not) on the list: every criterion with its numbers."""
    run = permissions.get_run_for_user(request.user, pk)
    school = access.get_school_for_user(request.user, school_id)
    result = get_object_or_404(run.school_results, school=school)
    results = sorted(
        run.criterion_results.filter(school=school),
        key=lambda r: criteria.order(r.criterion),
    )
    details = selectors.run_details(run, municipalities=[school.municipality_id])
    for item in results:
        item.role = criteria.role(item.criterion, run.parameters)
        item.explanation, item.components = details.get(school.pk, {}).get(
            item.criterion, ["", {}]
        )
    override = StatusOverride.objects.filter(
        school=school, year=run.target_year, is_active=True
    ).first()
    history = StatusOverride.objects.filter(
        school=school, year=run.target_year
    ).select_related("created_by")
    return render(
        request,
        "identification/run_school.html",
        {
            "run": run,
            "school": school,
            "result": result,
            "criteria": results,
            "labels": criteria.labels(run.parameters),
            "override": override,
            "override_history": history,
            "form": OverrideForm(),
            "can_run": permissions.can_run(request.user),
            "readiness": run.readiness.get(str(school.pk), []),
        },
    )


@login_required
@require_POST
def override_set(request: HttpRequest, pk: int, school_id: int) -> HttpResponse:
    run = permissions.get_run_for_user(request.user, pk, write=True)
    school = access.get_school_for_user(request.user, school_id)
    if request.POST.get("cancel"):
        services.override_cancel(school=school, year=run.target_year, by=request.user)
        messages.success(request, "Решение отменено: действует рассчитанный статус.")
        return redirect("identification:run-school", pk=run.pk, school_id=school.pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_set(
                school=school,
                year=run.target_year,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Статус «{form.cleaned_data['status']}» по решению сохранён."
            )
    else:
        messages.error(request, "Укажите статус и основание решения.")
    return redirect("identification:run-school", pk=run.pk, school_id=school.pk)


@login_required
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = permissions.get_run_for_user(request.user, pk)
    if not permissions.can_approve(request.user):
        raise PermissionDenied("Список утверждает управление образования.")
    municipalities = run.municipalities.filter(
        pk__in=access.municipalities_visible_to(request.user).values("pk")
    )
    form = ApproveForm(request.POST, municipalities=municipalities)
    if not form.is_valid():
        messages.error(
            request,
            "Проверьте форму утверждения: "
            + " ".join(e for errors in form.errors.values() for e in errors),
        )
        return redirect(run)
    try:
        official = services.list_approve(
            run=run,
            municipality=form.cleaned_data["municipality"],
            order_number=form.cleaned_data["order_number"],
            order_date=form.cleaned_data["order_date"],
            by=request.user,
            confirmed=request.POST.get("confirmed") == "1",
        )
    except NeedsConfirmation as question:
        return confirm_page(
            request,
            title="Утвердить список",
            question=" ".join(question.messages),
            back=run.get_absolute_url(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(run)
    messages.success(
        request,
        f"Список утверждён ({official.order_label}). Он стал официальным списком на {official.year}.",
    )
    return redirect(official)


@login_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An approved list: the page, its .xlsx, its .docx (the order's annex)."""
    official = permissions.get_list_for_user(request.user, pk)
    schools = access.schools_visible_to(request.user)
    entries = official.entries.filter(school__in=schools).select_related("school")
    name = f"список-шнор-шнсу-{official.municipality}-{official.year}"
    if wants_xlsx(request):
        return xlsx_response(
            request, report.list_workbook(official, entries), f"{name}.xlsx"
        )
    if word.wants_docx(request):
        # A school sees its own line only: its download says it is an extract.
        extract = not access.is_staff(request.user)
        return word.docx_response(
            request,
            report.list_document(official, entries, extract=extract),
            f"{name}.docx",
        )
    history = permissions.lists_visible_to(request.user).filter(
        municipality=official.municipality, year=official.year
    )
    return render(
        request,
        "identification/list_detail.html",
        {
            "official": official,
            "entries": entries,
            "history": history,
            "listed": criteria.LISTED,
            "print": request.GET.get("print") == "1",
        },
    )


# Methodologies --------------------------------------------------------------------------


@login_required
def methodology_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    services.ensure_presets()
    owners = permissions.methodology_owners(request.user)
    return render(
        request,
        "identification/methodology_list.html",
        {
            "methodologies": selectors.methodology_list(user=request.user),
            "can_copy": bool(owners),
            "owners": owners,
        },
    )


@login_required
def methodology_detail(request: HttpRequest, pk: int) -> HttpResponse:
    methodology = permissions.get_methodology_for_user(request.user, pk)
    versions = methodology.versions.select_related("created_by")
    form = MethodologyForm(params=methodology.current.params)
    return render(
        request,
        "identification/methodology_detail.html",
        {
            "methodology": methodology,
            "versions": versions,
            "form": form,
            "can_edit": permissions.can_edit_methodology(request.user, methodology),
            "owners": permissions.methodology_owners(request.user),
            "readonly": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def methodology_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit parameters and save them as a new version (the owner's analysts)."""
    methodology, form = _methodology_form(request, pk)
    if request.method == "POST" and form.is_valid():
        if not permissions.can_edit_methodology(request.user, methodology):
            form.add_error(
                None,
                "Готовую методику изменить нельзя: создайте свою на её основе "
                "(кнопка «Создать на основе»)."
                if methodology.is_preset
                else "Эту методику меняет МИМЦ, которому она принадлежит: создайте "
                "свою на её основе.",
            )
        else:
            try:
                version = services.methodology_version_create(
                    methodology=methodology,
                    params=form.params(),
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error("comment", error.messages[0])
            else:
                messages.success(request, f"Сохранена версия {version.number}.")
                return redirect(methodology)
    return _methodology_page(request, methodology, form)


@login_required
@require_POST
def methodology_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """«What if»: the typed parameters over a finished run the analyst chooses (the latest by default), saving nothing (any analyst who sees the methodology, presets included)."""
    methodology, form = _methodology_form(request, pk)
    preview = None
    if form.is_valid():
        _, base = selectors.base_run_choice(request.user, request.POST.get("base"))
        if base is None:
            messages.warning(
                request,
                "Для проверки «что если» нужно хотя бы одно завершённое выявление.",
            )
        else:
            preview = {
                "base": base,
                **services.whatif(
                    base=base,
                    params=form.params(),
                    shown=access.schools_visible_to(request.user).values_list(
                        "pk", flat=True
                    ),
                ),
            }
    return _methodology_page(request, methodology, form, preview)


def _methodology_form(
    request: HttpRequest, pk: int
) -> tuple[Methodology, MethodologyForm]:
    if not permissions.can_run(request.user):
        raise PermissionDenied("Методику меняет аналитик МИМЦ.")
    methodology = permissions.get_methodology_for_user(request.user, pk)
    return methodology, MethodologyForm(
        request.POST or None, params=methodology.current.params
    )


def _methodology_page(
    request: HttpRequest,
    methodology: Methodology,
    form: MethodologyForm,
    preview: dict[str, object] | None = None,
) -> HttpResponse:
    # The base of a what-if stays chosen on the page that answers it.
    runs, base = selectors.base_run_choice(request.user, request.POST.get("base"))
    return render(
        request,
        "identification/methodology_edit.html",
        {
            "methodology": methodology,
            "form": form,
            "preview": preview,
            "runs": runs,
            "base": base,
        },
    )


@login_required
@require_POST
def methodology_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Make an own methodology from a visible one, owned where the person may."""
    if not permissions.can_run(request.user):
        raise PermissionDenied("Методику создаёт аналитик МИМЦ.")
    source = permissions.get_methodology_for_user(request.user, pk)
    owner = request.POST.get("owner", "")
    name = (request.POST.get("name") or "").strip() or f"{source.name} — своя"
    methodology = services.methodology_copy(
        source=source, name=name, owner=owner, by=request.user
    )
    messages.success(
        request,
        f"Создана методика «{methodology}». Измените параметры и сохраните версию.",
    )
    return redirect("identification:methodology-edit", pk=methodology.pk)
