"""Writes to campaigns and reports: figures, workflow steps and reminders."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from schools import mail
from schools.models import School, User
from schools.workflow import perform

from . import selectors
from .models import (
    DATA_MODELS,
    AssessmentResult,
    Campaign,
    MarkComparison,
    ReminderLog,
    Report,
    ReportEvent,
    ReportKind,
)
from .validation import (
    NO_RESULTS,
    Problem,
    check_complete,
    check_report,
    check_results,
    errors,
    missing_summary,
    result_key,
    warnings,
)
from .workflows import CAMPAIGN, REPORT

logger = logging.getLogger(__name__)
Status = Report.Status
Action = ReportEvent.Action


class ConcurrentEditError(Exception):
    """Someone else saved the report after this person opened it."""

    def __init__(self, current: Report) -> None:
        super().__init__("Отчёт уже изменён другим пользователем.")
        self.current = current


class WarningsNotConfirmed(Exception):
    """The figures are valid but implausible; the person must confirm them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Подтвердите необычные значения.")
        self.problems = problems


def _as_validation_error(problems: Iterable[Problem]) -> ValidationError:
    by_field: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        by_field[problem.field or "__all__"].append(problem.message)
    return ValidationError(dict(by_field))


def _claim_version(report: Report, expected_version: int, by: User) -> None:
    """Take the next version of the report, or fail if someone saved in between."""
    now = timezone.now()
    updated = Report.objects.filter(
        pk=report.pk, version=expected_version, status=report.status
    ).update(version=F("version") + 1, updated_at=now, updated_by=by)
    if not updated:
        raise ConcurrentEditError(
            Report.objects.select_related("updated_by").get(pk=report.pk)
        )
    report.version, report.updated_at, report.updated_by = expected_version + 1, now, by


CLOSED = (
    "Сбор данных «{campaign}» закрыт: отчёты этой кампании больше не изменяют и не "
    "сдают. Если нужно что-то исправить, обратитесь в МИМЦ — аналитик может "
    "открыть сбор снова."
)


def _check_open(report: Report) -> None:
    if report.campaign_id is not None and not report.campaign.is_open:
        raise ValidationError(CLOSED.format(campaign=report.campaign))


def _check_editable(report: Report) -> None:
    _check_open(report)
    if report.is_locked:
        raise ValidationError(
            "Отчёт принят и закрыт для изменений. Если нужно исправить данные, "
            "попросите аналитика МИМЦ открыть его повторно."
        )


# Figures ---------------------------------------------------------------------------


@transaction.atomic
def report_save_figures(
    *,
    report: Report,
    values: Mapping[str, Any],
    expected_version: int,
    by: User,
    warnings_confirmed: bool = False,
) -> Report:
    """
    Save the figures of a one-row report (staffing, social, resources, outcomes).

    Refuse invalid figures, unconfirmed warnings and stale versions; the old
    values stay in the data's history.
    """
    _check_editable(report)
    problems = check_report(
        report.kind, values, context=selectors.report_context(report)
    )
    if errors(problems):
        raise _as_validation_error(errors(problems))
    if warnings(problems) and not warnings_confirmed:
        raise WarningsNotConfirmed(warnings(problems))
    _claim_version(report, expected_version, by)
    model = DATA_MODELS[report.kind]
    data = model.objects.filter(report=report).first() or model(report=report)
    names = [f.name for f in model._meta.concrete_fields if f.name != "report"]
    changed = data._state.adding or any(
        getattr(data, n) != values.get(n) for n in names
    )
    if changed:
        for name in names:
            setattr(data, name, values.get(name))
        data._history_user = by
        data.save()
    report.warnings_confirmed = bool(warnings(problems))
    report.save(update_fields=["warnings_confirmed"])
    return report


@transaction.atomic
def report_save_results(
    *,
    report: Report,
    rows: Sequence[Mapping[str, Any]],
    comparisons: Sequence[Mapping[str, Any]],
    expected_version: int,
    by: User,
    warnings_confirmed: bool = False,
) -> Report:
    """
    Save the result rows and mark comparisons of an assessment report.

    Rows are matched by (procedure, subject, grade, level); rows left out are
    deleted, and every change is kept in the rows' history.
    """
    _check_editable(report)
    problems = check_results(rows, comparisons)
    if errors(problems):
        raise _as_validation_error(errors(problems))
    if warnings(problems) and not warnings_confirmed:
        raise WarningsNotConfirmed(warnings(problems))
    _claim_version(report, expected_version, by)
    _sync_rows(
        AssessmentResult,
        report.results.all(),
        rows,
        by,
        report=report,
        key=lambda row: result_key(row),
    )
    _sync_rows(
        MarkComparison,
        report.comparisons.all(),
        comparisons,
        by,
        report=report,
        key=lambda row: (
            getattr(row.get("subject"), "pk", row.get("subject")),
            row.get("grade"),
        ),
    )
    report.warnings_confirmed = bool(warnings(problems))
    report.save(update_fields=["warnings_confirmed"])
    return report


def _row_values(obj: Any) -> dict[str, Any]:
    return {
        f.name: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in ("id", "report")
    }


def _sync_rows(
    model: type,
    existing: QuerySet,
    rows: Sequence[Mapping[str, Any]],
    by: User,
    *,
    report: Report,
    key: Any,
) -> None:
    current = {
        key({**_row_values(obj), "subject": obj.subject_id}): obj for obj in existing
    }
    wanted = {}
    for row in rows:
        values = {
            k: (v.pk if k == "subject" and hasattr(v, "pk") else v)
            for k, v in row.items()
        }
        wanted[key(values)] = values
    for k, obj in current.items():
        if k not in wanted:
            obj._history_user = by
            obj.delete()
    for k, values in wanted.items():
        obj = current.get(k) or model(report=report)
        fields = {("subject_id" if n == "subject" else n): v for n, v in values.items()}
        if obj.pk and all(getattr(obj, n) == v for n, v in fields.items()):
            continue
        for name, value in fields.items():
            setattr(obj, name, value)
        obj._history_user = by
        obj.save()


# Workflow -------------------------------------------------------------------------


def submission_problems(report: Report) -> list[Problem]:
    """Return what stops the report from being submitted (empty: it may go)."""
    if report.kind == ReportKind.RESULTS:
        rows, comparisons = selectors.result_rows(report)
        if not rows:
            return [Problem(None, NO_RESULTS)]
        return errors(check_results(rows, comparisons))
    values = selectors.report_values(report)
    if values is None:
        return [Problem(None, "Отчёт ещё не заполнен.")]
    missing = [p.field for p in check_complete(report.kind, values) if p.field]
    problems = [Problem(None, missing_summary(report.kind, missing))] if missing else []
    problems += errors(
        check_report(report.kind, values, context=selectors.report_context(report))
    )
    return problems


def report_submit(
    *, report: Report, by: User, reason: str = "", today: dt.date | None = None
) -> Report:
    """Hand the report in for review (draft or returned → submitted)."""
    return perform(REPORT, "submit", obj=report, by=by, reason=reason, today=today)


def report_accept(
    *, report: Report, by: User, reason: str = "", today: dt.date | None = None
) -> Report:
    """Accept a submitted report; it becomes read-only."""
    return perform(REPORT, "accept", obj=report, by=by, reason=reason, today=today)


def reports_accept(*, reports: Iterable[Report], by: User) -> int:
    """Accept every submitted report among `reports`; return how many were accepted."""
    accepted = 0
    for report in reports:
        if report.status == Status.SUBMITTED:
            report_accept(report=report, by=by)
            accepted += 1
    return accepted


def report_return(
    *, report: Report, reason: str, by: User, today: dt.date | None = None
) -> Report:
    """Send a submitted report back to the school with a written reason."""
    return perform(REPORT, "return", obj=report, by=by, reason=reason, today=today)


def report_reopen(
    *, report: Report, reason: str, by: User, today: dt.date | None = None
) -> Report:
    """Reopen an accepted report for correction, with a recorded reason."""
    return perform(REPORT, "reopen", obj=report, by=by, reason=reason, today=today)


def _portal_url(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def _operator_emails(school: School) -> list[str]:
    return list(
        school.operators.filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


# Campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, data: Mapping[str, Any], by: User) -> Campaign:
    """
    Open a campaign and a draft report for every active school × collected report.

    Reports that already exist for the year (e.g. imported) join the campaign;
    a report already collected by another open campaign is an error.
    """
    campaign = Campaign(created_by=by, **data)
    campaign.full_clean()
    campaign.save()
    schools = School.objects.filter(municipality=campaign.municipality, is_active=True)
    existing = Report.objects.filter(
        school__in=schools, year=campaign.year, kind__in=campaign.kinds
    )
    taken = existing.filter(campaign__is_open=True).exclude(campaign=campaign)
    if taken.exists():
        clash = taken.select_related("campaign").first()
        raise ValidationError(
            {
                "kinds": f"Отчёт «{clash.get_kind_display()}» за {campaign.year} уже "
                f"собирается в кампании «{clash.campaign}»."
            }
        )
    existing.update(campaign=campaign)
    have = set(existing.values_list("school_id", "kind"))
    Report.objects.bulk_create(
        Report(school=school, year=campaign.year, kind=kind, campaign=campaign)
        for school in schools
        for kind in campaign.kinds
        if (school.pk, kind) not in have
    )
    return campaign


def campaign_close(
    *, obj: Campaign, by: User, reason: str = "", today: dt.date | None = None
) -> Campaign:
    """Close the collection: its reports' figures freeze."""
    return perform(CAMPAIGN, "close", obj=obj, by=by, reason=reason, today=today)


def campaign_open(
    *, obj: Campaign, by: User, reason: str, today: dt.date | None = None
) -> Campaign:
    """Open a closed collection again for corrections."""
    return perform(CAMPAIGN, "open", obj=obj, by=by, reason=reason, today=today)


# Reminders ------------------------------------------------------------------------


def _remind(
    reports: Sequence[Report], kind: str, today: dt.date, *, by: User | None = None
) -> int:
    """
    E-mail each school's operators one letter listing their unsubmitted reports.

    A school's reminder is logged in the same transaction as it is sent: the
    log row claims it (an automatic reminder once per report, even with two
    schedulers), and it is kept only when the letter went out. One school that
    cannot be written to never stops the others.
    """
    by_school: dict[int, list[Report]] = defaultdict(list)
    for report in reports:
        by_school[report.school_id].append(report)
    sent = 0
    for school_reports in by_school.values():
        school = school_reports[0].school
        recipients = _operator_emails(school)
        logs = [
            ReminderLog(
                report=report,
                kind=kind,
                recipients=", ".join(recipients),
                sent_by=by,
            )
            for report in school_reports
        ]
        try:
            with transaction.atomic():
                ReminderLog.objects.bulk_create(logs)
                if recipients:
                    _send_reminder(school, school_reports, recipients, today)
        except IntegrityError:
            continue  # another worker sent this automatic reminder already
        except Exception:
            logger.exception("Reminder to school %s not sent", school.pk)
            continue
        sent += bool(recipients)
    return sent


def _send_reminder(
    school: School, reports: Sequence[Report], recipients: list[str], today: dt.date
) -> None:
    campaign = reports[0].campaign
    days = (campaign.deadline - today).days
    when = (
        f"Срок сдачи — {campaign.deadline:%d.%m.%Y} (осталось дней: {days})."
        if days >= 0
        else f"Срок сдачи ({campaign.deadline:%d.%m.%Y}) прошёл {-days} дн. назад."
    )
    lines = "\n".join(
        f"— {r.get_kind_display()}: {r.get_status_display()} — "
        f"{_portal_url(r.get_absolute_url())}"
        for r in reports
    )
    mail.send(
        f"Мониторинг: не сданы отчёты школы {school}",
        f"Здравствуйте!\n\nПо кампании «{campaign}» ({campaign.order_label}) "
        f"не сданы отчёты школы {mail.one_line(str(school))} за {campaign.year}:\n"
        f"{lines}\n\n{when}\n\n"
        "Это письмо отправлено автоматически порталом мониторинга качества образования.",
        recipients,
    )


def reports_remind(
    *, reports: Iterable[Report], by: User, today: dt.date | None = None
) -> int:
    """Remind the schools of the given reports that are not yet submitted."""
    pending = [
        r
        for r in reports
        if r.status in (Status.DRAFT, Status.RETURNED) and r.campaign_id
    ]
    return _remind(
        pending, ReminderLog.Kind.MANUAL, today or timezone.localdate(), by=by
    )


def reminders_send_due(*, today: dt.date) -> int:
    """
    Send the automatic reminders of the day, once per report each.

    Three days before a campaign's deadline, and on the day after it, every
    school with reports still in draft or returned gets one letter.
    """
    sent = 0
    plan = {
        today + dt.timedelta(days=3): ReminderLog.Kind.BEFORE,
        today - dt.timedelta(days=1): ReminderLog.Kind.AFTER,
    }
    for campaign in Campaign.objects.filter(is_open=True, deadline__in=list(plan)):
        kind = plan[campaign.deadline]
        reports = list(
            campaign.reports.filter(status__in=[Status.DRAFT, Status.RETURNED])
            .exclude(reminders__kind=kind)
            .select_related("school", "campaign")
        )
        sent += _remind(reports, kind, today)
    return sent
