"""Execution counted in the database agrees with Item.state_on, item by item."""

import datetime as dt

import pytest

from roadmaps import selectors, services
from roadmaps.models import Item, Responsible, Roadmap
from tests.factories import AcademicYearFactory

D = dt.date
DAY = D(2021, 3, 15)
# (number, start, end, done_at, cancelled_reason) → the state on DAY
ITEMS = [
    ("1", D(2021, 1, 1), D(2021, 1, 31), None, "", "overdue"),
    ("2", D(2021, 3, 1), D(2021, 3, 14), None, "", "overdue"),
    ("3", D(2021, 3, 1), D(2021, 3, 15), None, "", "in_progress"),
    ("4", D(2021, 3, 15), D(2021, 3, 31), None, "", "in_progress"),
    ("5", D(2021, 3, 16), D(2021, 3, 31), None, "", "planned"),
    ("6", D(2021, 4, 1), D(2021, 4, 30), None, "", "planned"),
    ("7", D(2021, 1, 1), D(2021, 1, 31), D(2021, 2, 1), "", "done"),
    ("8", D(2021, 1, 1), D(2021, 1, 31), D(2021, 2, 1), "отменено", "cancelled"),
    ("9", D(2021, 1, 1), D(2021, 1, 31), None, "отменено", "cancelled"),
]


@pytest.fixture
def roadmap(analyst, municipality):
    roadmap = services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=municipality,
        school=None,
        year=AcademicYearFactory(start_year=2020),
        title="Карта",
        by=analyst,
    )
    for position, (number, start, end, done_at, cancelled, _) in enumerate(ITEMS):
        item = Item.objects.create(
            roadmap=roadmap,
            number=number,
            title=f"Мероприятие {number}",
            start=start,
            end=end,
            period_label="",
            done_at=done_at,
            cancelled_reason=cancelled,
            position=position,
        )
        Responsible.objects.create(item=item, kind="mimc", name="МИМЦ")
        if int(number) % 2:
            Responsible.objects.create(item=item, kind="other", name="Школы")
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.APPROVED)
    return roadmap


def test_item_state_is_state_on_in_sql(roadmap):
    """Each boundary (the first and last day, done, cancelled) gives the same state."""
    states = dict(
        Item.objects.annotate(s=selectors.item_state(DAY)).values_list("number", "s")
    )
    assert states == {number: state for number, *_, state in ITEMS}
    for item in Item.objects.all():
        assert states[item.number] == item.state_on(DAY)


def test_roadmaps_with_progress_counts_by_state(roadmap):
    """Done of the not cancelled items, in one grouped query."""
    roadmaps = [roadmap]
    selectors.roadmaps_with_progress(roadmaps, day=DAY)
    assert dict(roadmap.counts) == {
        "overdue": 2,
        "in_progress": 2,
        "planned": 2,
        "done": 1,
        "cancelled": 2,
    }
    assert roadmap.percent == round(100 * 1 / 7)


def test_tracking_lists_and_counts(roadmap, django_assert_max_num_queries):
    """Overdue and this month's items listed; execution per roadmap and per responsible."""
    # The shown items, their responsible, the two counts and the roadmaps.
    with django_assert_max_num_queries(5):
        shown = selectors.tracking(Item.objects.all(), day=DAY)
    assert [i.number for i in shown["overdue"]] == ["1", "2"]
    assert [i.number for i in shown["due"]] == ["3", "4", "5"]
    assert shown["per_roadmap"] == [
        {
            "label": "Карта",
            "total": 7,
            "done": 1,
            "overdue": 2,
            "percent": 14,
            "roadmap": roadmap,
        }
    ]
    # «Школы» answer for the odd items: 1, 3, 5, 7 (9 is cancelled).
    assert shown["per_person"] == [
        {"label": "МИМЦ", "total": 7, "done": 1, "overdue": 2, "percent": 14},
        {"label": "Школы", "total": 4, "done": 1, "overdue": 1, "percent": 25},
    ]
