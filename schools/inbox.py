"""
«Мои задачи»: what waits for a person — to fill, to fix, to review, to
approve — computed from the workflows' transition tables, so the list and the
actions on each page cannot disagree. One query per workflow and task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import notices
from .models import Notice, User
from .workflow import REGISTRY, Workflow

SHOWN = 100  # tasks of one kind listed; the rest are counted


@dataclass(frozen=True)
class Task:
    kind: str  # «Проверить»
    title: str
    url: str
    due: dt.date | None
    overdue: bool
    note: str = ""


@dataclass
class Group:
    kind: str
    tasks: list[Task]
    total: int


def _waiting(workflow: Workflow, user: Any) -> list[tuple[str, Any]]:
    """(task, queryset) for each task of the table that waits for this person."""
    if workflow.visible is None:
        return []
    out = []
    for transition in workflow.transitions:
        if not transition.task or transition.task_for is None:
            continue
        scope = transition.task_for(user)
        if scope is None:
            continue
        objects = (
            workflow.visible(user)
            .filter(scope, **{f"{workflow.state_field}__in": transition.source})
            .select_related(*workflow.related)
        )
        out.append((transition.task, objects))
    return out


def groups_for(user: Any, *, today: dt.date | None = None) -> list[Group]:
    """The person's tasks by kind; overdue ones of every kind in «Просрочено», first."""
    today = today or timezone.localdate()
    overdue: list[Task] = []
    groups: list[Group] = []
    for workflow in REGISTRY.values():
        for kind, objects in _waiting(workflow, user):
            total = objects.count()
            if not total:
                continue
            tasks, late = [], []
            for obj in objects[:SHOWN]:
                due = workflow.due(obj) if workflow.due else None
                task = Task(
                    kind=kind,
                    title=workflow.title(obj),
                    url=obj.get_absolute_url(),
                    due=due,
                    overdue=due is not None and due < today,
                    note=workflow.note(obj) if workflow.note else "",
                )
                (late if task.overdue else tasks).append(task)
            overdue += late
            if total > len(late):
                groups.append(Group(kind, tasks, total - len(late)))
    if overdue:
        overdue.sort(key=lambda t: t.due or today)
        groups.insert(0, Group("Просрочено", overdue, len(overdue)))
    return groups


def counts_for(user: Any) -> list[tuple[str, int]]:
    """
    (task, how many) for each kind of task that waits for the person — one
    query for all of them, worked out once per request (the navbar and the
    home page share it). A table's tasks start from different states, so the
    kinds never count one object twice.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_inbox_counts", None)
    if cached is not None:
        return cached
    kinds: list[str] = []
    counts = {}
    for workflow in REGISTRY.values():
        for kind, objects in _waiting(workflow, user):
            matching = (
                objects.order_by()
                .annotate(one=Value(1))
                .values("one")
                .annotate(n=Count("pk"))
                .values("n")
            )
            counts[f"k{len(kinds)}"] = Coalesce(Subquery(matching), 0)
            kinds.append(kind)
    # The bell's unread notices ride in the same query.
    counts["unread"] = Coalesce(
        Subquery(
            Notice.objects.filter(user=OuterRef("pk"), read_at=None)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )
    row = next(
        iter(User.objects.filter(pk=user.pk).annotate(**counts).values(*counts)), {}
    )
    result = [
        (kind, int(row.get(f"k{i}", 0)))
        for i, kind in enumerate(kinds)
        if row.get(f"k{i}")
    ]
    user._inbox_counts = result
    user._unread_notices = int(row.get("unread", 0))
    return result


def count_for(user: Any) -> int:
    """How many tasks wait for the person: the navbar's badge."""
    return sum(n for _, n in counts_for(user))


def unread_for(user: Any) -> int:
    """The person's unread notices, counted with the tasks: the navbar's bell."""
    counts_for(user)
    return getattr(user, "_unread_notices", 0)


def deadlines_notify(*, today: dt.date | None = None) -> int:
    """
    Daily: tell each person of their tasks due in three days and of those
    overdue — once per task and date, from «Мои задачи».
    """
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=notices.DUE_SOON_DAYS)
    told = 0
    for user in User.objects.filter(is_active=True):
        for group in groups_for(user, today=today):
            for task in group.tasks:
                if task.due is None or not (task.overdue or task.due == soon):
                    continue
                kind = Notice.Kind.OVERDUE if task.overdue else Notice.Kind.DUE_SOON
                when = (
                    f"Срок прошёл {task.due:%d.%m.%Y}."
                    if task.overdue
                    else f"Срок — {task.due:%d.%m.%Y}, через {notices.DUE_SOON_DAYS} дня."
                )
                told += len(
                    notices.notify(
                        [user],
                        kind=kind,
                        title=f"{task.kind}: {task.title}",
                        text=when,
                        url=task.url,
                        key=f"{kind}:{task.url}:{task.due:%Y-%m-%d}"[:200],
                    )
                )
    return told
