"""Partnerships on other apps' pages: the menu, profile links and the home page's duties."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from schools import access
from schools.home import Panel

from . import permissions, selectors
from .models import Campaign, GeneralPlan, Partnership


def school_links(school, user) -> list[tuple[str, str, str]]:
    """The profile links to the gradation of the school's municipality (staff)."""
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return []
    return [
        (
            "Градация школ муниципалитета по уровням результативности",
            f"{reverse('partnerships:gradation')}?municipality={school.municipality_id}",
            "bar-chart-steps",
        )
    ]


def nav_item(user) -> tuple[str, str, str] | None:
    if access.role_of(user) is None:
        return None
    return ("Партнёрство", reverse("partnerships:index"), "people-fill")


def duties_panel(request: HttpRequest) -> Panel | None:
    """What partnerships ask of this person now: answers, plans, approvals (current school year only)."""
    user = request.user
    role = access.role_of(user)
    if role is None:
        return None
    pairs = permissions.partnerships_visible_to(user).filter(
        campaign__year__is_current=True
    )
    duties = (
        _operator_duties(user, pairs)
        if role == access.Role.OPERATOR
        else _staff_duties(user, pairs)
    )
    if not duties:
        return None
    return Panel("partnerships/_home_panel.html", {"duties": duties}, order=25)


def _operator_duties(
    user: Any, pairs: QuerySet[Partnership]
) -> list[tuple[str, str, str]]:
    """A school's answers to proposals, its plans to write, its partner to choose."""
    pairs = list(pairs.select_related("school", "partner", "campaign"))
    duties: list[tuple[str, str, str]] = []
    mine = set(access.schools_visible_to(user).values_list("pk", flat=True))
    for p in pairs:
        if p.partner_id in mine and p.status == Partnership.Status.PROPOSED:
            duties.append(
                (
                    "envelope-exclamation",
                    f"{p.school.short_name} предлагает вашей школе партнёрство — ответьте.",
                    p.get_absolute_url(),
                )
            )
        elif p.school_id in mine and p.status in (
            Partnership.Status.ACCEPTED,
            Partnership.Status.RETURNED,
        ):
            what = (
                "План возвращён с замечаниями МИМЦ"
                if p.status == Partnership.Status.RETURNED
                else "Составьте план взаимодействия"
            )
            duties.append(
                (
                    "journal-plus",
                    f"{what} с {p.partner.short_name} и направьте в МИМЦ до {p.campaign.plan_deadline:%d.%m.%Y}.",
                    p.get_absolute_url(),
                )
            )
    chosen = {p.school_id for p in pairs if p.status != Partnership.Status.DECLINED}
    campaigns = Campaign.objects.filter(
        year__is_current=True,
        municipality__in=access.schools_visible_to(user).values("municipality_id"),
    ).select_related("municipality", "year")
    for campaign in campaigns:
        for school, why in selectors.needing_partners(campaign):
            if school.pk in mine and school.pk not in chosen:
                duties.append(
                    (
                        "people",
                        f"{school.short_name} ({why}): выберите школу-партнёра; план взаимодействия — до {campaign.plan_deadline:%d.%m.%Y}.",
                        reverse("partnerships:index"),
                    )
                )
    return duties


def _staff_duties(
    user: Any, pairs: QuerySet[Partnership]
) -> list[tuple[str, str, str]]:
    """
    Plans waiting for МИМЦ and general plans waiting for the department.

    Counted in the database: a region's staff see every pair of the region.
    """
    duties: list[tuple[str, str, str]] = []
    waiting = pairs.filter(status=Partnership.Status.SUBMITTED)
    count = waiting.count()
    first = waiting.select_related("campaign").first() if count else None
    if first is not None and permissions.can_manage(
        user, first.campaign.municipality_id
    ):
        duties.append(
            (
                "journal-check",
                f"Планы взаимодействия на согласовании: {count}.",
                first.get_absolute_url()
                if count == 1
                else reverse("partnerships:index"),
            )
        )
    if not permissions.approves_general_plans(user):
        return duties
    # The campaigns are those of the person's municipalities already, so the
    # approver may approve each of these plans: no check per municipality.
    plans = GeneralPlan.objects.filter(
        status=GeneralPlan.Status.SUBMITTED,
        campaign__in=selectors.campaigns_visible_to(user).filter(year__is_current=True),
    ).select_related("campaign__municipality")
    for plan in plans:
        duties.append(
            (
                "file-earmark-check",
                f"Общий план взаимодействия школ ({plan.campaign.municipality}) ждёт утверждения.",
                reverse("partnerships:general-plan", args=[plan.campaign_id]),
            )
        )
    return duties
