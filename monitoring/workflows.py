"""
The transition table of monitoring reports: the school hands a report in,
МИМЦ accepts it or returns it with a reason, and reopens an accepted one
(schools.workflow). A report's history is its own event table.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from schools import access
from schools.models import Notice
from schools.workflow import Step, Transition, Workflow, for_role

from .models import Campaign, Report, ReportEvent

S = Report.Status


def _school_side(user: Any, report: Report) -> bool:
    return access.can_enter_data(user, report.school)


def _reviewer(user: Any, report: Report) -> bool:
    """An analyst or administrator whose scope holds the report's school."""
    return access.manages_municipality(user, report.school.municipality_id)


def _submit(report: Report, by: Any, step: Step) -> None:
    from .services import _as_validation_error, _check_open, submission_problems

    _check_open(report)
    problems = submission_problems(report)
    if problems:
        raise _as_validation_error(problems)
    report.submitted_at, report.return_reason = timezone.now(), ""


def _with_reason(report: Report, by: Any, step: Step) -> None:
    report.return_reason = step.reason


def _record(
    report: Report, transition: Transition, by: Any, old: str, reason: str
) -> None:
    ReportEvent.objects.create(
        report=report,
        action=ReportEvent.Action(transition.action),
        from_status=old,
        to_status=report.status,
        reason=reason,
        by=by,
    )


def _school(report: Report) -> Any:
    return access.operators_of(report.school_id)


REASON_MISSING = "Напишите причину: школа увидит её в отчёте."


def _visible(user: Any) -> Any:
    from .permissions import reports_visible_to

    return reports_visible_to(user)


def _title(report: Report) -> str:
    return f"«{report.get_kind_display()}» — {report.school.short_name}, {report.year}"


def _due(report: Report) -> Any:
    """The collection's deadline binds the school, until the report is handed in."""
    if report.campaign is None or report.status not in (S.DRAFT, S.RETURNED):
        return None
    return report.campaign.deadline


def _note(report: Report) -> str:
    return f"Возвращён: {report.return_reason}" if report.return_reason else ""


REPORT = Workflow(
    name="report",
    model=Report,
    record=_record,
    visible=_visible,
    related=("school", "year", "campaign"),
    title=_title,
    due=_due,
    note=_note,
    transitions=(
        Transition(
            action="submit",
            label="Сдать на проверку",
            source=(S.DRAFT, S.RETURNED),
            target=S.SUBMITTED,
            allowed=_school_side,
            refusal="Сдаёт отчёт оператор школы или аналитик МИМЦ.",
            done="Отчёт сдан на проверку в МИМЦ.",
            task="Заполнить и сдать",
            # The school's reports of open collections wait for its operator.
            task_for=for_role(access.is_operator, Q(campaign__is_open=True)),
            effect=_submit,
            fields=("submitted_at", "return_reason"),
            style="btn-success",
        ),
        Transition(
            action="accept",
            label="Принять",
            source=(S.SUBMITTED,),
            target=S.ACCEPTED,
            allowed=_reviewer,
            refusal="Принимает отчёт аналитик МИМЦ.",
            done="Отчёт принят.",
            task="Проверить отчёт",
            task_for=for_role(access.is_analyst),
            notify=_school,
            notice=Notice.Kind.ACCEPTED,
            style="btn-success",
        ),
        Transition(
            action="return",
            label="Вернуть на доработку",
            source=(S.SUBMITTED,),
            target=S.RETURNED,
            allowed=_reviewer,
            refusal="Возвращает отчёт аналитик МИМЦ.",
            done="Отчёт возвращён школе на доработку.",
            reason="Причина для школы",
            reason_missing=REASON_MISSING,
            notify=_school,
            notice=Notice.Kind.RETURNED,
            effect=_with_reason,
            fields=("return_reason",),
            style="btn-outline-warning",
        ),
        Transition(
            action="reopen",
            label="Открыть повторно",
            source=(S.ACCEPTED,),
            target=S.RETURNED,
            allowed=_reviewer,
            refusal="Открывает принятый отчёт аналитик МИМЦ.",
            done="Отчёт открыт повторно для исправления.",
            reason="Причина повторного открытия",
            reason_missing=REASON_MISSING,
            notify=_school,
            notice=Notice.Kind.RETURNED,
            told="Открыт повторно для исправления",
            effect=_with_reason,
            fields=("return_reason",),
            style="btn-outline-secondary",
        ),
    ),
)


def _campaign_manager(user: Any, campaign: Campaign) -> bool:
    """МИМЦ of the campaign's municipality."""
    return access.manages_municipality(user, campaign.municipality_id)


# A collection is closed when its reports are in (their figures freeze) and
# opened again for a late correction; each step with its author in history.
CAMPAIGN = Workflow(
    name="campaign",
    model=Campaign,
    state_field="is_open",
    transitions=(
        Transition(
            action="close",
            label="Закрыть сбор",
            source=(True,),
            target=False,
            allowed=_campaign_manager,
            refusal="Сбор данных закрывает аналитик МИМЦ.",
            done="Сбор данных закрыт: отчёты школ больше не изменяются.",
            style="btn-sm btn-outline-secondary",
        ),
        Transition(
            action="open",
            label="Открыть сбор снова",
            source=(False,),
            target=True,
            allowed=_campaign_manager,
            refusal="Сбор данных открывает аналитик МИМЦ.",
            done="Сбор данных снова открыт.",
            # Accepted figures unfreeze: why is part of the record.
            reason="Почему открываете снова",
            reason_missing="Напишите, почему сбор открыт снова: это останется в истории.",
            style="btn-sm btn-outline-success",
        ),
    ),
)
