"""Reads of campaigns and reports, scoped and prefetched for their pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from schools.access import schools_visible_to
from schools.models import School, User
from schools.selectors import school_search_q

from .models import (
    DATA_MODELS,
    AssessmentResult,
    Campaign,
    MarkComparison,
    Report,
    ReportEvent,
    ReportKind,
)
from .permissions import campaigns_visible_to, reports_visible_to
from .validation import Context

Status = Report.Status
PENDING = (Status.DRAFT, Status.RETURNED)
# What the home page counts: not yet sent (draft or returned), sent, accepted.
STATES = ("pending", "submitted", "accepted")
KIND_ORDER = list(ReportKind.values)


def data_field_names(kind: str) -> list[str]:
    model = DATA_MODELS[kind]
    return [f.name for f in model._meta.concrete_fields if f.name != "report"]


def report_values(report: Report) -> dict[str, Any] | None:
    """Return the figures of a one-row report, or None when nothing is saved yet."""
    model = DATA_MODELS[report.kind]
    names = data_field_names(report.kind)
    row = model.objects.filter(report=report).values(*names).first()
    return row


def previous_report(report: Report) -> Report | None:
    """Return the same school's report of the same kind for the previous school year."""
    return (
        Report.objects.filter(
            school_id=report.school_id,
            kind=report.kind,
            year__start_year=report.year.start_year - 1,
        )
        .select_related("year")
        .first()
    )


def report_context(report: Report) -> Context:
    """Return what the checks need: last year's figures and this year's pupils."""
    context = Context()
    if report.kind == ReportKind.RESULTS:
        return context
    previous = previous_report(report)
    if previous is not None:
        context.previous = report_values(previous)
    if report.kind == ReportKind.STAFFING:
        social = Report.objects.filter(
            school_id=report.school_id, year_id=report.year_id, kind=ReportKind.SOCIAL
        ).first()
        values = report_values(social) if social else None
        context.pupils_total = values and values.get("pupils_total")
    return context


def result_rows(report: Report) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the report's result rows and mark comparisons as plain dicts."""
    rows = [
        {
            "procedure": r.procedure,
            "subject": r.subject,
            "grade": r.grade,
            "level": r.level,
            "participants": r.participants,
            "mark2": r.mark2,
            "mark3": r.mark3,
            "mark4": r.mark4,
            "mark5": r.mark5,
            "failed_minimum": r.failed_minimum,
            "mean_score": r.mean_score,
        }
        for r in report.results.select_related("subject")
    ]
    comparisons = [
        {
            "subject": c.subject,
            "grade": c.grade,
            "lowered": c.lowered,
            "confirmed": c.confirmed,
            "raised": c.raised,
        }
        for c in report.comparisons.select_related("subject")
    ]
    return rows, comparisons


def previous_result_rows(report: Report) -> dict[tuple, dict[str, Any]]:
    """Return last year's result rows keyed by (procedure, subject id, grade, level)."""
    previous = previous_report(report)
    if previous is None:
        return {}
    rows, _ = result_rows(previous)
    return {(r["procedure"], r["subject"].pk, r["grade"], r["level"]): r for r in rows}


# Campaigns and completeness ---------------------------------------------------------------


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    return campaigns_visible_to(user).select_related("created_by")


@dataclass
class MatrixRow:
    school: School
    cells: list[Report | None]


@dataclass
class Matrix:
    kinds: list[str]
    rows: list[MatrixRow]
    totals: dict[str, int] = field(default_factory=dict)


def is_overdue(report: Report, campaign: Campaign, today: dt.date) -> bool:
    return campaign.deadline < today and report.status in PENDING


def completeness_matrix(
    *,
    campaign: Campaign,
    user: User,
    status: str = "",
    overdue_only: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> Matrix:
    """
    Return schools × collected reports of a campaign, with filters.

    Two queries whatever the number of schools: the schools, then their reports.
    """
    today = today or timezone.localdate()
    schools = schools_visible_to(user).filter(municipality_id=campaign.municipality_id)
    if search.strip():
        schools = schools.filter(school_search_q(search))
    schools = schools.order_by("short_name")
    reports = Report.objects.filter(
        campaign=campaign, school__in=schools.values("pk")
    ).only(
        "pk", "school_id", "kind", "status", "version", "submitted_at", "campaign_id"
    )
    by_school: dict[int, dict[str, Report]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for report in reports:
        report.overdue = is_overdue(report, campaign, today)
        report.late = bool(
            report.submitted_at
            and timezone.localdate(report.submitted_at) > campaign.deadline
        )
        by_school[report.school_id][report.kind] = report
        totals[report.status] += 1
        totals["overdue"] += report.overdue
    rows = []
    for school in schools:
        cells = [by_school[school.pk].get(kind) for kind in campaign.kinds]
        present = [c for c in cells if c is not None]
        if status and not any(c.status == status for c in present):
            continue
        if overdue_only and not any(c.overdue for c in present):
            continue
        rows.append(MatrixRow(school=school, cells=cells))
    return Matrix(kinds=list(campaign.kinds), rows=rows, totals=dict(totals))


@dataclass
class OpenCampaigns:
    """The open campaigns a home page shows, and the counts of all of them."""

    shown: list[dict[str, Any]]
    hidden: int
    totals: dict[str, int]


def home_campaigns(
    *,
    user: User,
    limit: int | None = None,
    with_reports: bool = False,
    today: dt.date | None = None,
) -> OpenCampaigns:
    """
    Return the open campaigns with the nearest deadlines (`limit` of them, or
    all), each with its days left and the person's reports counted by state,
    and the totals over every open campaign.

    The counts come from one grouped query, so the page costs the same for a
    school and for a region of 7,500 reports. With `with_reports` (an
    operator's few reports) each campaign also lists the reports themselves.
    """
    today = today or timezone.localdate()
    open_campaigns = (
        campaigns_visible_to(user).filter(is_open=True).order_by("deadline", "pk")
    )
    if limit is None:
        campaigns = list(open_campaigns)
        ids = [c.pk for c in campaigns]
    else:
        # A region's ~100 campaigns are counted, not built, beyond those shown.
        ids = list(open_campaigns.values_list("pk", flat=True))
        campaigns = list(open_campaigns.filter(pk__in=ids[:limit]))
    visible = reports_visible_to(user).filter(campaign__in=ids)
    counts = {
        row.pop("campaign_id"): row
        for row in visible.order_by()
        .values("campaign_id")
        .annotate(
            pending=Count("pk", filter=Q(status__in=PENDING)),
            submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        )
    }
    reports: dict[int, list[Report]] = defaultdict(list)
    if with_reports:
        for report in visible:
            reports[report.campaign_id].append(report)
    shown = []
    for campaign in campaigns:
        listed = sorted(
            reports[campaign.pk],
            key=lambda r: (r.school.short_name, KIND_ORDER.index(r.kind)),
        )
        for report in listed:
            report.overdue = is_overdue(report, campaign, today)
        shown.append(
            {
                "campaign": campaign,
                "reports": listed,
                "days_left": (campaign.deadline - today).days,
                **{
                    state: counts.get(campaign.pk, {}).get(state, 0) for state in STATES
                },
            }
        )
    return OpenCampaigns(
        shown=shown,
        hidden=len(ids) - len(campaigns),
        totals={state: sum(c[state] for c in counts.values()) for state in STATES},
    )


def report_list(*, user: User, school: School | None = None) -> QuerySet[Report]:
    """Return the person's reports (of one school, when given), newest year first."""
    reports = reports_visible_to(user)
    if school is not None:
        reports = reports.filter(school=school)
    return reports.order_by("-year__start_year", "school__short_name", "kind")


# History --------------------------------------------------------------------------


HISTORY_ACTIONS = {"+": "внесено", "~": "изменено", "-": "удалено"}


def _diff(model: type, record: Any, previous: Any) -> list[dict[str, Any]]:
    names = [
        f.name for f in model._meta.concrete_fields if f.name not in ("id", "report")
    ]
    changes = []
    for name in names:
        old = getattr(previous, name, None) if previous is not None else None
        new = getattr(record, name, None)
        if record.history_type == "-":
            old, new = new, None
        if old != new:
            label = str(model._meta.get_field(name).verbose_name)
            changes.append({"field": label, "old": old, "new": new})
    return changes


def report_history(report: Report) -> list[dict[str, Any]]:
    """Return the report's timeline: workflow steps and every changed value, newest first."""
    entries: list[dict[str, Any]] = []
    for event in report.events.select_related("by"):
        entries.append(
            {
                "at": event.at,
                "by": event.by,
                "kind": "event",
                "title": event.get_action_display(),
                "reason": event.reason,
                "changes": [],
            }
        )
    if report.kind == ReportKind.RESULTS:
        sources = [
            (AssessmentResult, AssessmentResult.history.filter(report_id=report.pk)),
            (MarkComparison, MarkComparison.history.filter(report_id=report.pk)),
        ]
    else:
        model = DATA_MODELS[report.kind]
        sources = [(model, model.history.filter(report_id=report.pk))]
    for model, records in sources:
        last_by_row: dict[Any, Any] = {}
        for record in records.select_related("history_user").order_by(
            "history_date", "history_id"
        ):
            row_id = getattr(record, "id", record.report_id)
            previous = last_by_row.get(row_id)
            last_by_row[row_id] = record
            changes = _diff(model, record, previous)
            if not changes:
                continue
            subject = getattr(record, "subject", None)
            row_label = ""
            if model is AssessmentResult:
                row_label = AssessmentResult(
                    procedure=record.procedure,
                    subject=subject,
                    grade=record.grade,
                    level=record.level,
                ).label
            elif model is MarkComparison:
                row_label = f"Сравнение с журналом: {subject.name.lower()}, {record.grade} класс"
            entries.append(
                {
                    "at": record.history_date,
                    "by": record.history_user,
                    "kind": "change",
                    "title": f"{HISTORY_ACTIONS[record.history_type]}{': ' + row_label if row_label else ''}",
                    "reason": "",
                    "changes": [
                        c
                        for c in changes
                        if c["field"]
                        not in ("Процедура", "Предмет", "Класс", "Уровень")
                    ]
                    if row_label
                    else changes,
                }
            )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


def report_events(report: Report) -> QuerySet[ReportEvent]:
    return report.events.select_related("by")
