"""
«Мои задачи»: what waits for a person — to fill, to fix, to review, to
approve, to carry out — computed from the workflows' transition tables and
the task sources the apps declare, so the list, the navbar's count and the
actions on each page cannot disagree. The counts are one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import notices
from .models import Notice, User
from .workflow import REGISTRY, Transition, Workflow

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


@dataclass(frozen=True)
class TaskSource:
    """
    A kind of task that is not a workflow transition — an item of a roadmap
    the person answers for, a list to approve, a partner to choose — declared
    by its app the same way: the waiting objects as a query, so the navbar's
    count, the home page and «Мои задачи» read the same thing.
    """

    kind: str
    objects: Callable[[Any], Any]  # user → QuerySet of what waits, or None
    title: Callable[[Any], str] = str
    due: Callable[[Any], dt.date | None] | None = None
    note: Callable[[Any], str] | None = None
    url: Callable[[Any], str] = lambda obj: obj.get_absolute_url()
    remind: bool = True  # told of its deadlines (False: the app reminds itself)


# Registered by the apps in their ready(), after the workflows' tasks.
SOURCES: list[TaskSource] = []


def register(source: TaskSource) -> TaskSource:
    if all(s.kind != source.kind for s in SOURCES):
        SOURCES.append(source)
    return source


def _from_table(workflow: Workflow) -> list[TaskSource]:
    """The tasks a transition table declares, as sources."""
    if workflow.visible is None:
        return []
    visible = workflow.visible

    def objects_of(transition: Transition) -> Callable[[Any], Any]:
        task_for = transition.task_for
        assert task_for is not None

        def objects(user: Any) -> Any:
            scope = task_for(user)
            if scope is None:
                return None
            return (
                visible(user)
                .filter(scope, **{f"{workflow.state_field}__in": transition.source})
                .select_related(*workflow.related)
            )

        return objects

    return [
        TaskSource(
            kind=t.task,
            objects=objects_of(t),
            title=workflow.title,
            due=workflow.due,
            note=workflow.note,
        )
        for t in workflow.transitions
        if t.task and t.task_for is not None
    ]


def _waiting(user: Any) -> list[tuple[TaskSource, Any]]:
    """(source, queryset) for each kind of task that waits for this person."""
    sources = [s for w in REGISTRY.values() for s in _from_table(w)] + SOURCES
    waiting = []
    for source in sources:
        objects = source.objects(user)
        if objects is not None:
            waiting.append((source, objects))
    return waiting


def groups_for(
    user: Any,
    *,
    today: dt.date | None = None,
    shown: int = SHOWN,
    overdue_first: bool = True,
) -> list[Group]:
    """
    The person's tasks by kind, `shown` of each; overdue ones of every kind in
    «Просрочено», first (the full list), or marked where they are (the home
    page's few of each kind).
    """
    today = today or timezone.localdate()
    overdue: list[Task] = []
    groups: list[Group] = []
    for source, objects in _waiting(user):
        total = objects.count()
        if not total:
            continue
        tasks, late = [], []
        for obj in objects[:shown]:
            due = source.due(obj) if source.due else None
            task = Task(
                kind=source.kind,
                title=source.title(obj),
                url=source.url(obj),
                due=due,
                overdue=due is not None and due < today,
                note=source.note(obj) if source.note else "",
            )
            (late if task.overdue and overdue_first else tasks).append(task)
        overdue += late
        if total > len(late):
            groups.append(Group(source.kind, tasks, total - len(late)))
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
    for source, objects in _waiting(user):
        matching = (
            objects.order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(n=Count("pk"))
            .values("n")
        )
        counts[f"k{len(kinds)}"] = Coalesce(Subquery(matching), 0)
        kinds.append(source.kind)
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
    Daily: tell each person of their tasks due within three days and of those
    overdue — once per task and date, from the same sources as «Мои задачи»
    (every task, not only the ones a page lists). Sources that send their own
    reminders (roadmap items) are left to them: one letter, not two.
    """
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=notices.DUE_SOON_DAYS)
    told = 0
    for user in User.objects.filter(is_active=True):
        for source, objects in _waiting(user):
            if source.due is None or not source.remind:
                continue
            for obj in objects.iterator():
                due = source.due(obj)
                if due is None or due > soon:
                    continue
                late = due < today
                kind = Notice.Kind.OVERDUE if late else Notice.Kind.DUE_SOON
                when = (
                    f"Срок прошёл {due:%d.%m.%Y}."
                    if late
                    else f"Срок — {due:%d.%m.%Y}."
                )
                url = source.url(obj)
                told += len(
                    notices.notify(
                        [user],
                        kind=kind,
                        title=f"{source.kind}: {source.title(obj)}",
                        text=when,
                        url=url,
                        key=f"{kind}:{url}:{due:%Y-%m-%d}"[:200],
                    )
                )
    return told
