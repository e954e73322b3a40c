"""
The transition tables of partnerships (the partner's answer, the interaction
plan's review) and of the general interaction plan (schools.workflow).
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
from .models import GeneralPlan, Partnership

P = Partnership.Status
G = GeneralPlan.Status


def _partner(user: Any, partnership: Partnership) -> bool:
    return permissions.side(user, partnership) == "partner"


def _mimc(user: Any, obj: Partnership | GeneralPlan) -> bool:
    """МИМЦ of the campaign's municipality (a partnership's or a general plan's)."""
    return permissions.can_manage(user, obj.campaign.municipality_id)


def _decline(partnership: Partnership, by: Any, step: Step) -> None:
    partnership.decline_reason = step.reason


def _submit(partnership: Partnership, by: Any, step: Step) -> None:
    if not partnership.activities.exists():
        raise ValidationError("В плане нет ни одного мероприятия.")
    now = step.data.get("now") or timezone.now()
    partnership.submitted_at = now
    partnership.is_late = (
        timezone.localtime(now).date() > partnership.campaign.plan_deadline
    )
    partnership.return_comment = ""


def _approve(partnership: Partnership, by: Any, step: Step) -> None:
    partnership.approved_by, partnership.approved_at = by, timezone.now()
    audit.record(
        None,
        audit.Event.APPROVAL,
        by=by,
        target=partnership,
        detail="план взаимодействия согласован",
    )


def _return(partnership: Partnership, by: Any, step: Step) -> None:
    partnership.return_comment = step.reason


def _own_schools(user: Any) -> Any:
    return access.schools_visible_to(user).values("pk")


def _partner_operator(user: Any) -> Q | None:
    return Q(partner__in=_own_schools(user)) if access.is_operator(user) else None


def _weak_school_operator(user: Any) -> Q | None:
    return Q(school__in=_own_schools(user)) if access.is_operator(user) else None


def _weak_school(partnership: Partnership) -> Any:
    return access.operators_of(partnership.school_id)


def _both_schools(partnership: Partnership) -> Any:
    return access.operators_of(partnership.school_id, partnership.partner_id)


def _analysts(plan: GeneralPlan) -> Any:
    return access.staff_of(plan.campaign.municipality_id, User.Role.ANALYST)


def _plan_due(partnership: Partnership) -> Any:
    if partnership.status in (P.ACCEPTED, P.RETURNED):
        return partnership.campaign.plan_deadline
    return None


PARTNERSHIP = Workflow(
    name="partnership",
    model=Partnership,
    visible=permissions.partnerships_visible_to,
    related=("school", "partner", "campaign__year"),
    # A school may pair with the same partner in two years: the year tells them apart.
    title=lambda p: f"{p} ({p.campaign.year})",
    due=_plan_due,
    note=lambda p: f"Замечания МИМЦ: {p.return_comment}" if p.return_comment else "",
    transitions=(
        Transition(
            action="accept",
            label="Согласиться",
            source=(P.PROPOSED,),
            target=P.ACCEPTED,
            allowed=_partner,
            refusal="Ответить может только школа-партнёр.",
            done="Вы согласились: составьте с школой план взаимодействия.",
            task="Ответить на предложение",
            task_for=_partner_operator,
            notify=_weak_school,
            notice=Notice.Kind.ACCEPTED,
            told="Партнёр согласен",
            style="btn-success",
        ),
        Transition(
            action="decline",
            label="Отказаться",
            source=(P.PROPOSED,),
            target=P.DECLINED,
            allowed=_partner,
            refusal="Ответить может только школа-партнёр.",
            done="Отказ отправлен школе.",
            reason="Причина отказа",
            reason_missing="Укажите причину отказа — школа выберет другого партнёра.",
            notify=_weak_school,
            notice=Notice.Kind.RETURNED,
            effect=_decline,
            fields=("decline_reason",),
            style="btn-outline-danger",
        ),
        Transition(
            action="submit",
            label="Направить план в МИМЦ",
            source=(P.ACCEPTED, P.RETURNED),
            target=P.SUBMITTED,
            allowed=permissions.can_edit_plan,  # either school
            refusal="План направляет одна из двух школ.",
            done="План направлен в МИМЦ{obj.late_note}.",
            task="Составить и направить план взаимодействия",
            task_for=_weak_school_operator,
            effect=_submit,
            fields=("submitted_at", "is_late", "return_comment"),
            style="btn-success",
        ),
        Transition(
            action="approve",
            label="Согласовать план",
            source=(P.SUBMITTED,),
            target=P.APPROVED,
            allowed=_mimc,
            refusal="План согласует МИМЦ.",
            done="План согласован.",
            task="Согласовать план взаимодействия",
            task_for=for_role(access.is_analyst),
            notify=_both_schools,
            notice=Notice.Kind.APPROVED,
            effect=_approve,
            fields=("approved_by", "approved_at"),
            style="btn-success",
        ),
        Transition(
            action="return",
            label="Вернуть с замечаниями",
            source=(P.SUBMITTED,),
            target=P.RETURNED,
            allowed=_mimc,
            refusal="План согласует МИМЦ.",
            done="План возвращён школам с замечаниями.",
            reason="Замечания",
            reason_missing="Напишите замечания к плану.",
            notify=_both_schools,
            notice=Notice.Kind.RETURNED,
            effect=_return,
            fields=("return_comment",),
            style="btn-outline-danger",
        ),
    ),
)


def _plan_approver(user: Any, plan: GeneralPlan) -> bool:
    return permissions.can_approve_general(user, plan.campaign.municipality_id)


def _plan_submit(plan: GeneralPlan, by: Any, step: Step) -> None:
    plan.submitted_at = timezone.now()


def _plan_approve(plan: GeneralPlan, by: Any, step: Step) -> None:
    assert step.today is not None
    number, date = check_order(
        number=step.data.get("order_number", ""),
        date=step.data.get("order_date"),
        submitted=timezone.localdate(plan.submitted_at) if plan.submitted_at else None,
        today=step.today,
    )
    used = (
        GeneralPlan.objects.filter(
            campaign__municipality_id=plan.campaign.municipality_id,
            order_number=number,
            order_date__year=date.year,
        )
        .exclude(pk=plan.pk)
        .first()
    )
    confirm_order_reuse(used, number=number, date=date, step=step)
    plan.order_number, plan.order_date, plan.approved_by = number, date, by
    audit.record(
        None,
        audit.Event.APPROVAL,
        by=by,
        target=plan,
        municipality=plan.campaign.municipality_id,
        detail=f"общий план взаимодействия, {plan.order_label}",
    )


def _general_plans(user: Any) -> Any:
    if not access.is_staff(user):
        return GeneralPlan.objects.none()
    return GeneralPlan.objects.filter(
        campaign__municipality__in=access.municipalities_visible_to(user).values("pk")
    )


GENERAL_PLAN = Workflow(
    name="general-plan",
    model=GeneralPlan,
    visible=_general_plans,
    related=("campaign__municipality", "campaign__year"),
    transitions=(
        Transition(
            action="submit",
            label="Направить в управление образования",
            source=(G.COMPILED,),
            target=G.SUBMITTED,
            allowed=_mimc,
            refusal="Общий план направляет МИМЦ.",
            done="Общий план направлен в управление образования.",
            task="Направить общий план в управление образования",
            task_for=for_role(access.is_analyst),
            effect=_plan_submit,
            fields=("submitted_at",),
            style="btn-success",
        ),
        Transition(
            action="approve",
            label="Утвердить общий план",
            source=(G.SUBMITTED,),
            target=G.APPROVED,
            allowed=_plan_approver,
            refusal="Общий план утверждает управление образования.",
            done="Общий план утверждён: {obj.order_label}.",
            task="Утвердить общий план взаимодействия",
            task_for=for_role(access.is_approver),
            notify=_analysts,
            notice=Notice.Kind.APPROVED,
            effect=_plan_approve,
            fields=("order_number", "order_date", "approved_by"),
            style="btn-success",
            order=True,
        ),
        Transition(
            action="return",
            label="Вернуть на доработку",
            source=(G.SUBMITTED,),
            target=G.COMPILED,
            allowed=_plan_approver,
            refusal="Вернуть общий план может управление образования.",
            done="Общий план возвращён МИМЦ на доработку.",
            reason="Что исправить",
            reason_missing="Напишите, что исправить в общем плане.",
            notify=_analysts,
            notice=Notice.Kind.RETURNED,
            told="Возвращён на доработку",
            style="btn-outline-danger",
        ),
        Transition(
            action="recall",
            label="Отозвать для изменения",
            source=(G.SUBMITTED,),
            target=G.COMPILED,
            allowed=_mimc,
            refusal="Отозвать общий план может МИМЦ.",
            done="Общий план отозван: составьте его заново и направьте ещё раз.",
            reason="Почему отзываете",
            reason_missing="Напишите, почему план отозван: управление увидит это.",
            style="btn-outline-secondary",
        ),
    ),
)
