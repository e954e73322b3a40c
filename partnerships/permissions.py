"""
Who sees and does what in partnerships, built on schools.access: only the two
schools' operators edit their plan; МИМЦ sets the campaign, suggests partners
and approves plans; the department approves the general plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from schools import access

from .models import GeneralPlan, Partnership

if TYPE_CHECKING:
    from schools.access import AnyUser


def partnerships_visible_to(user: AnyUser) -> QuerySet[Partnership]:
    if access.is_staff(user):
        return Partnership.objects.filter(
            campaign__municipality__in=access.municipalities_visible_to(user).values(
                "pk"
            )
        )
    schools = access.schools_visible_to(user).values("pk")
    return Partnership.objects.filter(Q(school__in=schools) | Q(partner__in=schools))


def get_partnership_for_user(user: AnyUser, pk: int) -> Partnership:
    try:
        return (
            partnerships_visible_to(user)
            .select_related(
                "campaign__municipality", "campaign__year", "school", "partner"
            )
            .get(pk=pk)
        )
    except Partnership.DoesNotExist:
        raise Http404("Партнёрство не найдено.") from None


def side(user: AnyUser, partnership: Partnership) -> str | None:
    """«school» or «partner» for an operator of one of the two schools, else None."""
    if access.role_of(user) != access.Role.OPERATOR:
        return None
    mine = set(access.schools_visible_to(user).values_list("pk", flat=True))
    if partnership.school_id in mine:
        return "school"
    if partnership.partner_id in mine:
        return "partner"
    return None


def can_edit_plan(user: AnyUser, partnership: Partnership) -> bool:
    return side(user, partnership) is not None


def takes_part(user: AnyUser, partnership: Partnership) -> bool:
    """One of the two schools, or МИМЦ: they record events and the agreement."""
    return side(user, partnership) is not None or can_manage(
        user, partnership.campaign.municipality_id
    )


def can_manage(user: AnyUser, municipality_id: int) -> bool:
    """МИМЦ (and administrators): the campaign, suggestions, plan approval, the general plan."""
    return access.manages_municipality(user, municipality_id)


def approves_general_plans(user: AnyUser) -> bool:
    """The department (and administrators) approve general plans, in their municipalities."""
    return access.is_approver(user) or access.is_administrator(user)


def can_approve_general(user: AnyUser, municipality_id: int) -> bool:
    return (
        approves_general_plans(user)
        and access.municipalities_visible_to(user).filter(pk=municipality_id).exists()
    )


def get_general_plan_for_user(user: AnyUser, pk: int) -> GeneralPlan:
    """The general plan of a campaign the person sees, for МИМЦ and the department; 404 otherwise."""
    from . import selectors

    if not access.is_staff(user):
        raise Http404("План не найден.")
    try:
        return GeneralPlan.objects.select_related("campaign").get(
            pk=pk, campaign__in=selectors.campaigns_visible_to(user).values("pk")
        )
    except GeneralPlan.DoesNotExist:
        raise Http404("План не найден.") from None
