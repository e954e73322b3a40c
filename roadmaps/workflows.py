"""
The transition table of roadmaps and school programmes: who prepares, who
approves, and what each step writes. Services, views, buttons and the
generated transition test are built from it (schools.workflow).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from schools import access, audit
from schools.models import Notice, User
from schools.workflow import (
    Step,
    Transition,
    Workflow,
    check_order,
    confirm_order_reuse,
    for_role,
)

from . import permissions
from .models import Roadmap

S = Roadmap.Status


def _may_start(user: Any, roadmap: Roadmap) -> bool:
    return permissions.can_prepare(user, roadmap) or permissions.can_approve(
        user, roadmap
    )


def _may_close(user: Any, roadmap: Roadmap) -> bool:
    return permissions.can_approve(user, roadmap) or (
        permissions.can_prepare(user, roadmap) and not access.is_operator(user)
    )


def _submit(roadmap: Roadmap, by: Any, step: Step) -> None:
    if not roadmap.items.exists():
        raise ValidationError("В карте нет ни одного мероприятия.")
    roadmap.return_comment = ""


def _return(roadmap: Roadmap, by: Any, step: Step) -> None:
    roadmap.return_comment = step.reason


def submitted_on(roadmap: Roadmap) -> Any:
    """The day the roadmap was last sent for approval (from its history)."""
    moment = (
        roadmap.history.filter(status=S.ON_APPROVAL)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return timezone.localdate(moment) if moment else None


def _approve(roadmap: Roadmap, by: Any, step: Step) -> None:
    assert step.today is not None
    number, date = check_order(
        number=step.data.get("order_number", ""),
        date=step.data.get("order_date"),
        submitted=submitted_on(roadmap),
        today=step.today,
    )
    used = (
        Roadmap.objects.filter(
            municipality_id=roadmap.municipality_id,
            order_number=number,
            order_date__year=date.year,
        )
        .exclude(pk=roadmap.pk)
        .first()
    )
    confirm_order_reuse(used, number=number, date=date, step=step)
    roadmap.order_number, roadmap.order_date = number, date
    roadmap.approved_by, roadmap.approved_at = by, timezone.now()
    audit.record(
        None,
        audit.Event.APPROVAL,
        by=by,
        target=roadmap,
        detail=f"{roadmap.get_level_display()}, {roadmap.order_label}",
    )


def _close(roadmap: Roadmap, by: Any, step: Step) -> None:
    roadmap.summary = step.reason


def _authors(roadmap: Roadmap) -> Any:
    """Who prepares the roadmap: МИМЦ for a municipal one, the school for its programme."""
    if roadmap.level == Roadmap.Level.SCHOOL:
        return access.operators_of(roadmap.school_id)
    return access.staff_of(roadmap.municipality_id, User.Role.ANALYST)


def _preparers(user: Any) -> Q | None:
    """Municipal drafts wait for МИМЦ; a school's programme for its operator."""
    if access.is_analyst(user):
        return Q(level=Roadmap.Level.MUNICIPAL)
    if access.is_operator(user):
        return Q(
            level=Roadmap.Level.SCHOOL,
            school__in=access.schools_visible_to(user).values("pk"),
        )
    return None


ROADMAP = Workflow(
    name="roadmap",
    model=Roadmap,
    visible=permissions.roadmaps_visible_to,
    note=lambda roadmap: (
        f"Возвращена: {roadmap.return_comment}" if roadmap.return_comment else ""
    ),
    transitions=(
        Transition(
            action="submit",
            label="Отправить на утверждение",
            source=(S.DRAFT,),
            target=S.ON_APPROVAL,
            allowed=permissions.can_prepare,
            refusal="Отправляет на утверждение тот, кто готовит карту.",
            done="Карта отправлена на утверждение.",
            task="Направить на утверждение",
            task_for=_preparers,
            effect=_submit,
            fields=("return_comment",),
            style="btn-success",
        ),
        Transition(
            action="return",
            label="Вернуть на доработку",
            source=(S.ON_APPROVAL,),
            target=S.DRAFT,
            allowed=permissions.can_approve,
            refusal="Вернуть на доработку может управление образования.",
            done="Карта возвращена на доработку.",
            reason="Что исправить",
            reason_missing="Напишите, что исправить.",
            notify=_authors,
            notice=Notice.Kind.RETURNED,
            told="Возвращена на доработку",
            effect=_return,
            fields=("return_comment",),
            style="btn-outline-danger",
        ),
        Transition(
            action="approve",
            label="Утвердить",
            source=(S.ON_APPROVAL,),
            target=S.APPROVED,
            allowed=permissions.can_approve,
            refusal="Утверждает управление образования.",
            done="Карта утверждена: {obj.order_label}.",
            task="Утвердить",
            task_for=for_role(access.is_approver),
            notify=_authors,
            notice=Notice.Kind.APPROVED,
            effect=_approve,
            fields=("order_number", "order_date", "approved_by", "approved_at"),
            style="btn-success",
            order=True,
        ),
        Transition(
            action="start",
            label="Начать исполнение",
            source=(S.APPROVED,),
            target=S.IN_EXECUTION,
            allowed=_may_start,
            refusal="Это действие — для МИМЦ и управления образования.",
            done="Карта исполняется.",
        ),
        Transition(
            action="close",
            label="Закрыть карту",
            source=(S.APPROVED, S.IN_EXECUTION),
            target=S.CLOSED,
            allowed=_may_close,
            refusal="Закрывает карту МИМЦ или управление образования.",
            done="Карта закрыта, итоги записаны.",
            reason="Итоги",
            reason_missing="Подведите итоги: что выполнено и что перенесено.",
            effect=_close,
            fields=("summary",),
            style="btn-outline-dark",
        ),
    ),
)
