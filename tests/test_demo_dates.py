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


# Loaded with no school year set, as `make run` does: the whole demo moves to
# the school year of the day it is loaded in.
@pytest.fixture(params=[dt.date(2026, 11, 30), dt.date(2027, 3, 31)], ids=str)
def loaded_for_its_year(request, time_machine, settings):
    settings.DEMO_SCHOOL_YEAR = None
    day = request.param
    time_machine.move_to(
        dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)),
        tick=False,
    )
    call_command("load_demo")
    return day


def test_the_demo_loaded_on_any_day_is_in_that_school_year(loaded_for_its_year):
    from schools.models import AcademicYear

    day = loaded_for_its_year
    current = AcademicYear.objects.get(is_current=True)
    assert current.start_date <= day <= current.end_date
    years = sorted(AcademicYear.objects.values_list("start_year", flat=True))
    assert years == list(range(current.start_year - 4, current.start_year + 1))
    # The figures are those of the years before; the open collection is this year's.
    from monitoring.models import Report

    assert Report.objects.filter(year__start_year=current.start_year - 1).exists()
    collection = Campaign.objects.get(year=current)
    assert collection.is_open
    assert collection.deadline > day
    assert str(current) in collection.title


def test_the_demo_partnership_round_is_under_way_on_the_day_it_is_loaded(
    loaded_for_its_year,
):
    from partnerships.models import Campaign as Round
    from partnerships.models import Event, Partnership
    from partnerships.selectors import board

    day = loaded_for_its_year
    this_round = Round.objects.get(year__is_current=True)
    pairs = board(this_round, Partnership.objects.filter(campaign=this_round), day)
    assert len(pairs) == 3
    assert all(p.status == Partnership.Status.APPROVED for p in pairs)
    assert sum(p.held for p in pairs) >= 3  # something was held already …
    planned = this_round.partnerships.values_list("activities__end", flat=True)
    assert any(end > day for end in planned)  # … and something is still to do
    # СОШ № 6 holds every event when due, the other pairs one only.
    held = {p.school.code: p.held for p in pairs}
    assert held["sch242706"] > max(n for code, n in held.items() if code != "sch242706")
    # Nothing happened after the day the demo was loaded.
    assert not Event.objects.filter(date__gt=day).exists()
    assert all(p.approved_at.date() <= day for p in pairs)
    # Last year's round is over, its every event held within its own year.
    last = Round.objects.get(year__start_year=this_round.year.start_year - 1)
    held = Event.objects.filter(partnership__campaign=last)
    assert held.exists()
    assert all(last.year.start_date <= e.date <= last.year.end_date for e in held)


def test_the_demo_list_and_roadmaps_move_with_their_years(loaded_for_its_year):
    from identification.models import OfficialList

    day = loaded_for_its_year
    official = OfficialList.objects.get(year__is_current=True, superseded_at=None)
    assert official.order_date <= day
    municipal = Roadmap.objects.get(level=Roadmap.Level.MUNICIPAL)
    year = municipal.year
    assert year.start_year == official.year.start_year - 1
    assert f"{year.start_year}-{year.start_year + 1}" in municipal.title
    # Seed 004's periods («июль - август 2020 года» …) moved with its year.
    items = list(municipal.items.all())
    assert len(items) == 14
    for item in items:
        assert item.start.year in (year.start_year, year.start_year + 1), item.period
        assert "2020" not in item.period, item.period
    assert municipal.order_date < year.start_date
    programme = Roadmap.objects.get(level=Roadmap.Level.SCHOOL)
    assert programme.year == official.year


def test_loading_the_demo_again_a_year_later_adds_nothing(time_machine, settings):
    from schools.models import AcademicYear

    settings.DEMO_SCHOOL_YEAR = None
    zone = ZoneInfo(settings.TIME_ZONE)
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, tzinfo=zone), tick=False)
    call_command("load_demo")
    before = sorted(AcademicYear.objects.values_list("start_year", flat=True))
    time_machine.move_to(dt.datetime(2027, 11, 30, 12, tzinfo=zone), tick=False)
    call_command("load_demo")
    assert sorted(AcademicYear.objects.values_list("start_year", flat=True)) == before
    assert AcademicYear.objects.get(is_current=True).start_year == 2026
