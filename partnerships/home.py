"""Partnerships on other apps' pages: the menu, profile links and the home page's duties."""

from __future__ import annotations

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
    pairs = (
        permissions.partnerships_visible_to(user)
        .filter(campaign__year__is_current=True)
        .select_related("school", "partner", "campaign")
    )
    duties: list[tuple[str, str, str]] = []
    if role == access.Role.OPERATOR:
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
    else:
        waiting = [p for p in pairs if p.status == Partnership.Status.SUBMITTED]
        if waiting and (
            permissions.can_manage(user, waiting[0].campaign.municipality_id)
        ):
            duties.append(
                (
                    "journal-check",
                    f"Планы взаимодействия на согласовании: {len(waiting)}.",
                    waiting[0].get_absolute_url()
                    if len(waiting) == 1
                    else reverse("partnerships:index"),
                )
            )
        plans = GeneralPlan.objects.filter(
            campaign__in=selectors.campaigns_visible_to(user).filter(
                year__is_current=True
            )
        ).select_related("campaign")
        for plan in plans:
            if (
                plan.status == GeneralPlan.Status.SUBMITTED
                and permissions.can_approve_general(user, plan.campaign.municipality_id)
            ):
                duties.append(
                    (
                        "file-earmark-check",
                        f"Общий план взаимодействия школ ({plan.campaign.municipality}) ждёт утверждения.",
                        reverse("partnerships:general-plan", args=[plan.campaign_id]),
                    )
                )
    if not duties:
        return None
    return Panel("partnerships/_home_panel.html", {"duties": duties}, order=25)
