"""Menu item, home-page panel, the department's task of identification and the registry card's link to the profile."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from schools import access
from schools.home import Panel
from schools.inbox import TaskSource

from . import permissions
from .models import IdentificationRun, OfficialList


def nav_item(user) -> tuple[str, str, str] | None:
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return None
    return ("Выявление", reverse("identification:dashboard"), "clipboard2-pulse")


def runs_panel(request: HttpRequest) -> Panel | None:
    """Staff see the latest run and the approved lists (what to approve is a task)."""
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
    return Panel(
        "identification/_home_panel.html",
        {
            "latest": latest,
            "lists": lists[:5],
            "can_run": permissions.can_run(user),
        },
        order=20,
    )


def lists_to_approve(user: Any) -> QuerySet[IdentificationRun] | None:
    """
    «Мои задачи» of the department: the latest finished run, while no list
    approved from it is in force.
    """
    if not permissions.can_approve(user):
        return None
    runs = permissions.runs_visible_to(user).filter(status="done")
    # Each municipality approves its own list: the task stays while one of
    # the person's municipalities the run covers has no list from it in force.
    in_force = OfficialList.objects.filter(
        run_id=OuterRef(OuterRef("pk")), superseded_at__isnull=True
    ).values("municipality_id")
    waiting = IdentificationRun.municipalities.through.objects.filter(
        identificationrun_id=OuterRef("pk"),
        municipality_id__in=access.municipalities_visible_to(user).values("pk"),
    ).exclude(municipality_id__in=in_force)
    return runs.filter(pk__in=runs.values("pk")[:1]).filter(Exists(waiting))


LIST_TASK = TaskSource(
    kind="Утвердить список ШНОР/ШНСУ",
    objects=lists_to_approve,
    title=lambda run: f"Список выявления № {run.pk} на {run.target_year}",
)


def related_pages(school: Any, user: Any) -> list[tuple[str, str, str]]:
    """
    The registry card's link to the school's profile. The profile's gate is the
    card's own (access.get_school_for_user): whoever sees the card opens it.
    """
    return [
        (
            "Профиль школы: статусы, показатели, результаты",
            reverse("identification:profile", args=[school.pk]),
            "person-vcard",
        )
    ]
