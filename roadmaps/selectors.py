"""Reads of roadmaps for their pages: execution counted in the database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Value, When

from .models import Item, Responsible, Roadmap

State = Item.State


def item_state(day: dt.date, prefix: str = "") -> Case:
    """
    Return Item.state_on(day) as a database expression, so that pages count
    items by state in SQL rather than loading them; `prefix` reaches the item
    from another model ("item__"). Keep the two in step: the tests compare them.
    """

    def field(name: str) -> str:
        return f"{prefix}{name}"

    return Case(
        When(~Q(**{field("cancelled_reason"): ""}), then=Value(State.CANCELLED)),
        When(Q(**{f"{field('done_at')}__isnull": False}), then=Value(State.DONE)),
        When(Q(**{f"{field('end')}__lt": day}), then=Value(State.OVERDUE)),
        When(Q(**{f"{field('start')}__lte": day}), then=Value(State.IN_PROGRESS)),
        default=Value(State.PLANNED),
        output_field=CharField(),
    )


def item_state_counts(
    rows: QuerySet[Any], *, day: dt.date, by: str = "roadmap_id", prefix: str = ""
) -> dict[Any, dict[str, int]]:
    """
    Return {value of `by`: {state: number}} of items (or of rows reaching an
    item through `prefix`) in one grouped query.
    """
    grouped = (
        rows.order_by()
        .annotate(current_state=item_state(day, prefix))
        .values(by, "current_state")
        .annotate(n=Count("pk"))
    )
    counts: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in grouped:
        counts[row[by]][row["current_state"]] += row["n"]
    return counts


def roadmaps_with_progress(roadmaps: Iterable[Roadmap], *, day: dt.date) -> None:
    """Set `counts` (items by state) and `percent` (done of the not cancelled) on each roadmap."""
    roadmaps = list(roadmaps)
    counts = item_state_counts(
        Item.objects.filter(roadmap__in=[r.pk for r in roadmaps]), day=day
    )
    for roadmap in roadmaps:
        roadmap.counts = counts[roadmap.pk]
        roadmap.percent = _percent(roadmap.counts)


def _percent(counts: dict[str, int]) -> int:
    active = sum(n for state, n in counts.items() if state != State.CANCELLED)
    return round(100 * counts.get(State.DONE, 0) / active) if active else 0


def _progress_row(label: str, counts: dict[str, int], **extra: Any) -> dict[str, Any]:
    total = sum(n for state, n in counts.items() if state != State.CANCELLED)
    return {
        "label": label,
        "total": total,
        "done": counts.get(State.DONE, 0),
        "overdue": counts.get(State.OVERDUE, 0),
        "percent": _percent(counts),
        **extra,
    }


def tracking(items: QuerySet[Item], *, day: dt.date) -> dict[str, Any]:
    """
    Return what the tracking page shows of `items` on `day`: the overdue items,
    those due this month, and the execution per roadmap and per responsible.

    The lists load only the items they show; the execution is counted in the
    database, so a region's thousands of items cost the same few queries.
    """
    month_start = day.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    shown = list(
        items.annotate(current_state=item_state(day))
        .filter(
            Q(current_state=State.OVERDUE)
            | Q(
                current_state__in=[State.PLANNED, State.IN_PROGRESS],
                end__gte=month_start,
                end__lt=next_month,
            )
        )
        .select_related("roadmap")
        .prefetch_related(Prefetch("responsible", queryset=Responsible.objects.all()))
        .order_by("position", "pk")
    )
    per_roadmap = item_state_counts(items, day=day)
    roadmaps = Roadmap.objects.in_bulk(list(per_roadmap))
    per_person = item_state_counts(
        Responsible.objects.filter(item__in=items.values("pk")),
        day=day,
        by="name",
        prefix="item__",
    )
    return {
        "due": [i for i in shown if i.current_state != State.OVERDUE],
        "overdue": [i for i in shown if i.current_state == State.OVERDUE],
        "per_roadmap": sorted(
            (
                _progress_row(str(roadmaps[pk]), counts, roadmap=roadmaps[pk])
                for pk, counts in per_roadmap.items()
                if _has_active(counts)
            ),
            key=lambda row: row["label"],
        ),
        "per_person": sorted(
            (
                _progress_row(name, counts)
                for name, counts in per_person.items()
                if _has_active(counts)
            ),
            key=lambda row: (-row["overdue"], row["label"]),
        ),
    }


def _has_active(counts: dict[str, int]) -> bool:
    return any(n for state, n in counts.items() if state != State.CANCELLED)
