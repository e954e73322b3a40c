"""Menu item, home panel and profile links of roadmaps."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from schools.home import Panel

from . import permissions
from .models import Roadmap


def nav_item(user) -> tuple[str, str, str] | None:
    if not user.is_authenticated:
        return None
    return ("Дорожные карты", reverse("roadmaps:list"), "signpost-split")


def duties_panel(request: HttpRequest) -> Panel | None:
    """The person's own overdue items and those due within a month."""
    today = timezone.localdate()
    items = list(
        permissions.items_visible_to(request.user)
        .filter(
            roadmap__status__in=[Roadmap.Status.APPROVED, Roadmap.Status.IN_EXECUTION],
            done_at__isnull=True,
            cancelled_reason="",
            end__lte=today + dt.timedelta(days=31),
        )
        .select_related("roadmap")
        .order_by("end")[:8]
    )
    if not items:
        return None
    for item in items:
        item.current_state = item.state_on(today)
    return Panel("roadmaps/_home_panel.html", {"items": items}, order=30)


def school_links(school, user) -> list[tuple[str, str, str]]:
    roadmaps = permissions.roadmaps_visible_to(user).filter(school=school)
    return [
        (
            f"Программа школы: {r.title} ({r.year})",
            r.get_absolute_url(),
            "signpost-split",
        )
        for r in roadmaps
    ]
