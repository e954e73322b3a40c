"""Menu item and home-page panel of identification."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from schools import access
from schools.home import Panel

from . import permissions


def nav_item(user) -> tuple[str, str, str] | None:
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return None
    return ("Выявление", reverse("identification:dashboard"), "clipboard2-pulse")


def runs_panel(request: HttpRequest) -> Panel | None:
    """Staff see the latest run and, for approvers, the lists waiting for approval."""
    user = request.user
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return None
    # The panel shows years and summaries only: no joins to methodologies,
    # authors or runs, which cost a region's home page a few milliseconds.
    runs = permissions.runs_visible_to(user).filter(status="done")
    latest = runs.select_related(None).select_related("target_year").first()
    lists = (
        permissions.lists_visible_to(user)
        .filter(superseded_at__isnull=True)
        .select_related(None)
        .select_related("municipality", "year")
    )
    waiting = []
    if (
        permissions.can_approve(user)
        and latest is not None
        and not lists.filter(run=latest).exists()
    ):
        waiting = [latest]
    return Panel(
        "identification/_home_panel.html",
        {
            "latest": latest,
            "waiting": waiting,
            "lists": lists[:5],
            "can_run": permissions.can_run(user),
        },
        order=20,
    )
