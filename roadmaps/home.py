"""Menu item, the items to carry out («Мои задачи»), profile links and the registry card's link of roadmaps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from schools.inbox import TaskSource

from . import permissions
from .models import Item, Roadmap


def nav_item(user) -> tuple[str, str, str] | None:
    if not user.is_authenticated:
        return None
    return ("Дорожные карты", reverse("roadmaps:list"), "signpost-split")


DUE_WITHIN_DAYS = 31


def items_due(user: Any) -> QuerySet[Item] | None:
    """
    «Мои задачи»: the items of approved roadmaps the person answers for — as
    themselves, through their school, or as МИМЦ or the department — not yet
    done, overdue or due within a month.
    """
    duty = permissions.duties_of(user)
    if duty is None:
        return None
    return (
        permissions.items_visible_to(user)
        .filter(
            pk__in=Item.objects.filter(duty).values("pk"),
            roadmap__status__in=[Roadmap.Status.APPROVED, Roadmap.Status.IN_EXECUTION],
            done_at__isnull=True,
            cancelled_reason="",
            end__lte=timezone.localdate() + dt.timedelta(days=DUE_WITHIN_DAYS),
        )
        .select_related("roadmap")
        .order_by("end", "pk")
    )


ITEM_TASK = TaskSource(
    kind="Исполнить мероприятие дорожной карты",
    objects=items_due,
    title=lambda item: f"{item.number}. {Truncator(item.title).chars(90)}",
    due=lambda item: item.end,
    note=lambda item: str(item.roadmap),
    # Items have their own reminders (7 days ahead and overdue, one letter).
    remind=False,
)


def _programme_link(roadmap: Roadmap) -> tuple[str, str, str]:
    return (
        f"Программа школы: {roadmap.title} ({roadmap.year})",
        roadmap.get_absolute_url(),
        "signpost-split",
    )


def school_links(school, user) -> list[tuple[str, str, str]]:
    roadmaps = permissions.roadmaps_visible_to(user).filter(school=school)
    return [_programme_link(r) for r in roadmaps]


def related_pages(school: Any, user: Any) -> list[tuple[str, str, str]]:
    """The registry card's link to the school's latest programme that the person sees."""
    programme = (
        permissions.roadmaps_visible_to(user)
        .filter(level=Roadmap.Level.SCHOOL, school=school)
        .select_related("year")
        .order_by("-year__start_year", "-pk")
        .first()
    )
    return [_programme_link(programme)] if programme else []
