"""Partnerships on other apps' pages: the menu, profile links, the registry card's links and the school's task of choosing a partner."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from identification.criteria import LISTED
from identification.models import OfficialEntry
from schools import access
from schools.home import Panel
from schools.inbox import TaskSource
from schools.models import School

from . import permissions
from .models import Campaign, Partnership


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


def related_pages(school: Any, user: Any) -> list[tuple[str, str, str]]:
    """
    The registry card's links to the school's partnerships that the person sees,
    of the latest school year it takes part in — as the school with weak
    positions or as the partner; declined proposals left out. One query.
    """
    mine = (
        permissions.partnerships_visible_to(user)
        .filter(Q(school=school) | Q(partner=school))
        .exclude(status=Partnership.Status.DECLINED)
    )
    latest = mine.order_by("-campaign__year__start_year").values("campaign__year")[:1]
    links = []
    for p in (
        mine.filter(campaign__year=Subquery(latest))
        .select_related("school", "partner", "campaign__year")
        .order_by("pk")
    ):
        whom = (
            f"школа-партнёр {p.partner.short_name}"
            if p.school_id == school.pk
            else f"школа поддерживает {p.school.short_name}"
        )
        links.append(
            (
                f"Партнёрство {p.campaign.year}: {whom}",
                p.get_absolute_url(),
                "people-fill",
            )
        )
    return links


def nav_item(user) -> tuple[str, str, str] | None:
    if access.role_of(user) is None:
        return None
    return ("Партнёрство", reverse("partnerships:index"), "people-fill")


def schools_to_pair(user: Any) -> QuerySet[School] | None:
    """
    «Мои задачи» of a school on the approved list of ШНОР/ШНСУ: while its
    municipality's partnership round of the year is open and the school has
    no partner (or only one who declined), it chooses one.
    """
    if not access.is_operator(user):
        return None
    listed = OfficialEntry.objects.filter(
        official_list__superseded_at__isnull=True,
        official_list__year__is_current=True,
        status__in=LISTED,
    ).values("school_id")
    paired = (
        Partnership.objects.filter(campaign__year__is_current=True)
        .exclude(status=Partnership.Status.DECLINED)
        .values("school_id")
    )
    rounds = Campaign.objects.filter(
        year__is_current=True, municipality=OuterRef("municipality")
    )
    return (
        access.schools_visible_to(user)
        .filter(pk__in=listed, is_active=True)
        .filter(Exists(rounds))
        .exclude(pk__in=paired)
    )


PARTNER_TASK = TaskSource(
    kind="Выбрать школу-партнёра",
    objects=schools_to_pair,
    title=lambda school: school.short_name,
    note=lambda school: (
        "Школа в утверждённом списке ШНОР/ШНСУ: выберите партнёра "
        "и составьте с ним план взаимодействия."
    ),
    url=lambda school: reverse("partnerships:index"),
)


def partnerships_panel(request: HttpRequest) -> Panel | None:
    """
    An operator's home: the partnerships of the current school year their
    school takes part in — as the school with weak positions or as the partner
    — with the plan's state, the events held and the next one. One query.
    """
    user = request.user
    if not access.is_operator(user):
        return None
    today = timezone.localdate()
    schools = access.schools_visible_to(user).values("pk")
    pairs = list(
        permissions.partnerships_visible_to(user)
        .filter(campaign__year__is_current=True)
        .exclude(status=Partnership.Status.DECLINED)
        .select_related("school", "partner", "campaign__year")
        .annotate(
            planned=Count("activities", distinct=True),
            held=Count("events", distinct=True),
            next_start=Min("activities__start", filter=Q(activities__end__gte=today)),
            ours=Exists(School.objects.filter(pk=OuterRef("school"), pk__in=schools)),
        )
        .order_by("school__short_name", "pk")
    )
    if not pairs:
        return None
    return Panel(
        "partnerships/_home_panel.html",
        {"pairs": pairs, "year": pairs[0].campaign.year, "today": today},
        order=20,
    )
