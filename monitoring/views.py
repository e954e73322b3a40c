"""Pages of monitoring: campaigns, the completeness matrix, reports and their workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schools import access
from schools.xlsx import wants_xlsx, xlsx_response

from . import exports, permissions, selectors, services
from .forms import (
    CampaignForm,
    ResultsForm,
    comparisons_initial,
    form_config,
    report_form_class,
    results_initial,
)
from .models import Report, ReportKind
from .package_export import SHEET_OF_KIND

MATRIX_PAGE = 100


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """
    Campaigns for staff; the school's own reports for operators; one school's
    reports with ?school=<pk> (the link of its registry card), for anyone who
    sees the school — 404 for a school outside the person's scope.
    """
    school = None
    if "school" in request.GET:
        pk = access.requested_pk(request.GET["school"])
        if pk is None:
            raise Http404("Школа не найдена.")
        school = access.get_school_for_user(request.user, pk)
    if school is not None or access.is_operator(request.user):
        reports = selectors.report_list(user=request.user, school=school)
        if wants_xlsx(request):
            return xlsx_response(
                request, exports.report_workbook(reports), "отчёты-школы.xlsx"
            )
        page = Paginator(reports, 50).get_page(request.GET.get("page"))
        return render(request, "monitoring/report_list.html", {"page": page})
    campaigns = selectors.campaign_list(user=request.user)
    if wants_xlsx(request):
        return xlsx_response(
            request, exports.campaign_workbook(campaigns), "кампании-мониторинга.xlsx"
        )
    page = Paginator(campaigns, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/campaign_list.html",
        {"page": page, "can_manage": permissions.can_manage_campaigns(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_campaigns(request.user):
        raise PermissionDenied("Открывать сбор данных может аналитик МИМЦ.")
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Сбор данных открыт: «{campaign}».")
            return redirect(campaign)
    return render(request, "monitoring/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The completeness matrix: schools × reports, overdue in red."""
    campaign = permissions.get_campaign_for_user(request.user, pk)
    matrix = selectors.completeness_matrix(
        campaign=campaign,
        user=request.user,
        status=request.GET.get("status", ""),
        overdue_only=request.GET.get("overdue") == "1",
        search=request.GET.get("q", ""),
    )
    if wants_xlsx(request):
        return xlsx_response(
            request,
            exports.matrix_workbook(campaign, matrix, request.GET),
            "полнота-сдачи.xlsx",
        )
    page = Paginator(matrix.rows, MATRIX_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/campaign_detail.html",
        {
            "campaign": campaign,
            "matrix": matrix,
            "page": page,
            "kind_labels": [ReportKind(k).label for k in matrix.kinds],
            "statuses": Report.Status.choices,
            "can_manage": permissions.can_manage_campaigns(request.user),
            "days_left": (campaign.deadline - timezone.localdate()).days,
        },
    )


def _campaign_reports(request: HttpRequest, pk: int) -> tuple[Any, list[Report]]:
    campaign = permissions.get_campaign_for_user(request.user, pk, write=True)
    ids = [
        pk
        for pk in map(access.requested_pk, request.POST.getlist("reports"))
        if pk is not None
    ]
    reports = list(
        permissions.reports_visible_to(request.user).filter(
            campaign=campaign, pk__in=ids
        )
    )
    return campaign, reports


@login_required
@require_POST
def campaign_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept the chosen submitted reports at once."""
    campaign, reports = _campaign_reports(request, pk)
    accepted = services.reports_accept(reports=reports, by=request.user)
    if accepted:
        messages.success(request, f"Принято отчётов: {accepted}.")
    else:
        messages.warning(request, "Не выбрано ни одного отчёта, сданного на проверку.")
    return redirect(campaign)


@login_required
@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the operators of the chosen schools about their unsubmitted reports."""
    campaign, reports = _campaign_reports(request, pk)
    sent = services.reports_remind(reports=reports, by=request.user)
    if sent:
        messages.success(request, f"Напоминания отправлены школам: {sent}.")
    else:
        messages.warning(
            request, "Выберите несданные отчёты — по ним и отправится напоминание."
        )
    return redirect(campaign)


# Reports ------------------------------------------------------------------------------


def _report_page(
    request: HttpRequest, report: Report, form: Any, **extra: Any
) -> HttpResponse:
    user = request.user
    context = {
        "report": report,
        "form": form,
        "can_edit": permissions.can_edit_report(user, report),
        "can_submit": permissions.can_submit_report(user, report),
        "can_review": permissions.can_review_report(user, report),
        "can_reopen": permissions.can_reopen_report(user, report),
        "closed": permissions.collection_closed(report),
        "events": selectors.report_events(report)[:5],
        **extra,
    }
    context["template_sheet"] = (
        "Результаты"
        if report.kind == ReportKind.RESULTS
        else SHEET_OF_KIND.get(report.kind)
    )
    if report.campaign_id:
        context["days_left"] = (report.campaign.deadline - timezone.localdate()).days
    if report.kind == ReportKind.RESULTS:
        previous = selectors.previous_result_rows(report)
        for row_form in form.results.forms:
            initial = row_form.initial
            subject = initial.get("subject")
            key = (
                initial.get("procedure"),
                getattr(subject, "pk", None),
                initial.get("grade"),
                initial.get("level") or "",
            )
            row_form.previous = previous.get(key)
        template = "monitoring/report_results.html"
    else:
        previous = selectors.previous_report(report)
        context["previous"] = previous and selectors.report_values(previous)
        context["previous_year"] = previous and previous.year
        context["config"] = form_config(report.kind)
        template = "monitoring/report_form.html"
    return render(request, template, context)


def _build_form(report: Report, data: Any = None, *, submitting: bool = False) -> Any:
    """The report's form; `submitting` also marks what submission needs and is empty."""
    initial = {"version": report.version}
    if report.kind == ReportKind.RESULTS:
        rows, comparisons = selectors.result_rows(report)
        return ResultsForm(
            data,
            rows=results_initial(report.school, rows),
            comparisons=comparisons_initial(report.school, comparisons),
            initial=initial,
            submitting=submitting,
        )
    form_class = report_form_class(report.kind)
    initial |= selectors.report_values(report) or {}
    return form_class(
        data,
        initial=initial,
        context=selectors.report_context(report),
        submitting=submitting,
    )


def _save(report: Report, form: Any, by: Any) -> None:
    version = form.cleaned_data["version"]
    confirmed = bool(form.cleaned_data.get("confirm_warnings"))
    if report.kind == ReportKind.RESULTS:
        services.report_save_results(
            report=report,
            rows=form.rows,
            comparisons=form.comparison_rows,
            expected_version=version,
            by=by,
            warnings_confirmed=confirmed,
        )
    else:
        services.report_save_figures(
            report=report,
            values=form.figures(),
            expected_version=version,
            by=by,
            warnings_confirmed=confirmed,
        )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a report; the people who may edit it now get the form, which saves a draft."""
    if request.method == "GET":
        report = permissions.get_report_for_user(request.user, pk)
        return _report_page(request, report, _build_form(report))
    report, refused = _save_posted(request, pk)
    if refused is not None:
        return refused
    messages.success(request, "Данные сохранены.")
    return redirect(report)


@login_required
@require_POST
def report_save_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """
    The form's «Сохранить и сдать»: save what was typed, then submit the report.

    Empty required figures are form errors here, named above the form and marked
    at each field: nothing is saved, and the typed values stay in the fields.
    """
    report, refused = _save_posted(request, pk, submitting=True)
    if refused is not None:
        return refused
    try:
        services.report_submit(report=report, by=request.user)
    except ValidationError as error:
        messages.error(
            request, "Данные сохранены, но отчёт не сдан: " + " ".join(error.messages)
        )
    else:
        messages.success(request, "Отчёт сдан на проверку в МИМЦ.")
    return redirect(report)


def _save_posted(
    request: HttpRequest, pk: int, *, submitting: bool = False
) -> tuple[Report, HttpResponse | None]:
    """Save the posted form; on a refusal return the page (or redirect) to show instead."""
    report = permissions.get_report_for_user(request.user, pk, write=True)
    if permissions.collection_closed(report):
        messages.error(request, services.CLOSED.format(campaign=report.campaign))
        return report, redirect(report)
    if not permissions.can_edit_report(request.user, report):
        raise PermissionDenied("Этот отчёт сейчас нельзя изменить: он сдан или принят.")
    form = _build_form(report, request.POST, submitting=submitting)
    if not form.is_valid():
        return report, _report_page(request, report, form)
    try:
        _save(report, form, request.user)
    except services.ConcurrentEditError:
        current = permissions.get_report_for_user(request.user, pk)
        data = request.POST.copy()
        data["version"] = str(current.version)
        fresh = _build_form(current, data, submitting=submitting)
        fresh.is_valid()
        values = (
            None
            if current.kind == ReportKind.RESULTS
            else selectors.report_values(current)
        )
        return report, _report_page(
            request, current, fresh, conflict=current, current_values=values
        )
    except (ValidationError, services.WarningsNotConfirmed) as error:
        form.add_error(
            None,
            str(error) if isinstance(error, services.WarningsNotConfirmed) else error,
        )
        return report, _report_page(request, report, form)
    return report, None


@login_required
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for_user(request.user, pk)
    return render(
        request,
        "monitoring/report_history.html",
        {"report": report, "entries": selectors.report_history(report)},
    )
