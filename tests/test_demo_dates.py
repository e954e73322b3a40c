"""
The demo's current work is dated around the day it is loaded, not in 2021/2022:
whenever `load_demo` runs, the open collection's deadline is ahead and the
school programme is under way — some items done, a few overdue, more ahead.
The data years stay 2018/19–2021/22; only the dates of the current work move.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from monitoring.models import Campaign
from roadmaps import periods
from roadmaps.models import Item, Roadmap
from roadmaps.selectors import item_state_counts

pytestmark = pytest.mark.django_db

State = Item.State


# A year apart, and one on the last day of a month: the programme's months are
# counted from today's month, so the day within it must not change the picture.
@pytest.fixture(params=[dt.date(2026, 3, 31), dt.date(2027, 3, 31)], ids=str)
def loaded_on(request, time_machine):
    day = request.param
    time_machine.move_to(
        dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)),
        tick=False,
    )
    call_command("load_demo")
    assert timezone.localdate() == day
    return day


def _programme() -> Roadmap:
    return Roadmap.objects.get(
        level=Roadmap.Level.SCHOOL, school__code="sch242706", year__start_year=2021
    )


def test_on_any_day_the_demo_has_a_collection_due_ahead_and_a_programme_under_way(
    loaded_on,
):
    current = Campaign.objects.get(year__start_year=2021)
    assert current.is_open
    assert current.deadline > loaded_on

    programme = _programme()
    items = list(programme.items.all())
    states = {item.number: item.state_on(loaded_on) for item in items}
    overdue = [n for n, s in states.items() if s == State.OVERDUE]
    ahead = [n for n, s in states.items() if s in (State.PLANNED, State.IN_PROGRESS)]
    assert 2 <= len(overdue) <= 3
    assert len(ahead) > len(overdue)
    assert {State.DONE, State.IN_PROGRESS, State.PLANNED} <= set(states.values())
    assert all(item.done_at <= loaded_on for item in items if item.done_at)
    # The list and the tracking page count states in SQL: they see the same.
    counts = item_state_counts(Item.objects.filter(roadmap=programme), day=loaded_on)
    assert counts[programme.pk] == {
        state: sum(s == state for s in states.values())
        for state in set(states.values())
    }
    # The dates moved with the day, not only the states.
    assert any(item.start.year == loaded_on.year for item in items)
    assert all(item.end > loaded_on - dt.timedelta(days=366) for item in items)
    # Approved before its first item began, by an order not dated in the future.
    assert programme.status == Roadmap.Status.APPROVED
    assert programme.order_date <= min(item.start for item in items)
    # The periods are the documents' Russian phrases and read back to the dates.
    for item in items:
        period = periods.parse(item.period_label, school_year=2021)
        assert (period.start, period.end) == (item.start, item.end)
        assert item.period_label.endswith("года")
