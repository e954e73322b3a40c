"""
Who may see and change campaigns and reports; built on schools.access.

Figures are edited by the school's operator while the report is a draft or
returned, and by an analyst of the school's municipality until it is accepted.
Accepted reports are read-only for everyone; an analyst reopens one with a reason.
Approvers (the education department) read only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from schools import access

from .models import Campaign, Report

if TYPE_CHECKING:
    from schools.access import AnyUser

Status = Report.Status
OPERATOR_EDITABLE = {Status.DRAFT, Status.RETURNED}
ANALYST_EDITABLE = {Status.DRAFT, Status.RETURNED, Status.SUBMITTED}


def reports_visible_to(user: AnyUser) -> QuerySet[Report]:
    """Return the reports of the schools the person may see."""
    return Report.objects.filter(
        school__in=access.schools_visible_to(user).values("pk")
    ).select_related("school", "year", "campaign")


def campaigns_visible_to(user: AnyUser) -> QuerySet[Campaign]:
    """Return the campaigns of the person's municipalities."""
    return Campaign.objects.filter(
        municipality__in=access.municipalities_visible_to(user).values("pk")
    ).select_related("municipality", "year")


def can_manage_campaigns(user: AnyUser) -> bool:
    return access.manages(user)


def is_reviewer(user: AnyUser) -> bool:
    """Return whether the person checks and accepts reports (analyst, administrator)."""
    return access.manages(user)


def collection_closed(report: Report) -> bool:
    """Whether the report's data collection is closed (its figures are frozen)."""
    return report.campaign_id is not None and not report.campaign.is_open


def can_edit_report(user: AnyUser, report: Report) -> bool:
    """Return whether the person may change the report's figures now."""
    if collection_closed(report) or not access.can_enter_data(user, report.school):
        return False
    editable = ANALYST_EDITABLE if is_reviewer(user) else OPERATOR_EDITABLE
    return report.status in editable


def can_submit_report(user: AnyUser, report: Report) -> bool:
    return (
        report.status in OPERATOR_EDITABLE
        and not collection_closed(report)
        and access.can_enter_data(user, report.school)
    )


def can_review_report(user: AnyUser, report: Report) -> bool:
    """Return whether the person may accept or return the report."""
    return report.status == Status.SUBMITTED and is_reviewer(user)


def can_reopen_report(user: AnyUser, report: Report) -> bool:
    return report.status == Status.ACCEPTED and is_reviewer(user)


def get_report_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Report:
    """Return a visible report; 404 when outside scope, 403 when read-only for the person."""
    try:
        report = reports_visible_to(user).get(pk=pk)
    except Report.DoesNotExist:
        raise Http404("Отчёт не найден.") from None
    if write and not access.can_enter_data(user, report.school):
        raise PermissionDenied(
            "Изменять отчёты может оператор школы или аналитик МИМЦ."
        )
    return report


def get_campaign_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Campaign:
    try:
        campaign = campaigns_visible_to(user).get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404("Кампания не найдена.") from None
    if write and not can_manage_campaigns(user):
        raise PermissionDenied("Кампании ведёт аналитик МИМЦ.")
    return campaign


def imports_visible_to(user: AnyUser) -> QuerySet:
    """Return the import jobs of the person and of the staff they see."""
    from .models import ImportJob

    jobs = ImportJob.objects.select_related("uploaded_by")
    if access.is_administrator(user):
        return jobs
    if not access.is_analyst(user):
        return jobs.none()
    return jobs.filter(uploaded_by__in=access.users_visible_to(user).values("pk"))


def get_import_for_user(user: AnyUser, pk: int) -> Any:
    try:
        return imports_visible_to(user).get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404("Загрузка не найдена.") from None
