"""
The recorded changes of approved documents, kept in django-simple-history.

An approved roadmap or interaction plan changes only with a reason; the
history record of what changed carries its author, the reason and the list of
changed fields (label, before, after), so the document's page can show «кто,
когда, что и почему» without a table of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import User

# One changed field: {"field": label, "before": text, "after": text}.
Changes = list[dict[str, str]]


def note_change(obj: Any, *, by: User, reason: str, changes: Changes) -> None:
    """Have the object's next save recorded with its author, reason and changes."""
    obj._history_user = by
    obj._change_reason = reason
    obj._history_changes = changes


def copy_changes(
    sender: Any, instance: Any, history_instance: Any, **kwargs: Any
) -> None:
    """simple-history's pre_create_historical_record: the noted changes go along."""
    if hasattr(history_instance, "changes"):
        history_instance.changes = getattr(instance, "_history_changes", None) or []
        # Noted for one save only: a later save without a reason records no changes.
        instance._history_changes = []


@dataclass(frozen=True)
class Revision:
    """One recorded change of an approved document, as its page shows it."""

    at: dt.datetime
    by: User | None
    reason: str
    changes: Changes
    subject: str  # «мероприятие 2.1», «целевой показатель «…»» or ""


def revisions(*sources: tuple[QuerySet[Any], Any], limit: int = 50) -> list[Revision]:
    """
    The latest changes recorded in the given histories, newest first; each
    source is (historical queryset, record → what it is about).
    """
    found: list[Revision] = []
    for records, subject in sources:
        for record in (
            records.exclude(changes=[])
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        ):
            found.append(
                Revision(
                    at=record.history_date,
                    by=record.history_user,
                    reason=record.history_change_reason or "",
                    changes=record.changes,
                    subject=subject(record),
                )
            )
    found.sort(key=lambda r: r.at, reverse=True)
    return found[:limit]
