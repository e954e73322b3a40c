"""Target indicators follow the items' rules: a reason and a trace after approval, none when closed."""

import pytest
from django.core.exceptions import ValidationError

from roadmaps import services
from roadmaps.models import Roadmap
from roadmaps.permissions import revisions_visible_to


@pytest.fixture
def approved(db, world):
    place = world.places["A"]
    return place, place.get("roadmap")


def test_adding_an_indicator_to_an_approved_roadmap_needs_a_reason(approved):
    place, roadmap = approved
    before = roadmap.indicators.count()
    with pytest.raises(ValidationError, match="только с основанием"):
        services.indicator_add(
            roadmap=roadmap,
            source="manual",
            title="Охват",
            unit="%",
            planned=50,
            by=place.analyst,
        )
    assert roadmap.indicators.count() == before
    services.indicator_add(
        roadmap=roadmap,
        source="manual",
        title="Охват",
        unit="%",
        planned=50,
        by=place.analyst,
        reason="решение совещания от 12.01.2022",
    )
    revision = revisions_visible_to(place.analyst, roadmap)[0]
    assert revision.reason == "решение совещания от 12.01.2022"
    assert revision.by == place.analyst
    assert "Охват" in revision.changes[0]["after"]


def test_an_unknown_source_is_refused(approved):
    place, roadmap = approved
    with pytest.raises(ValidationError, match="Такого показателя нет"):
        services.indicator_add(
            roadmap=roadmap,
            source="<script>",
            title="",
            unit="",
            planned=None,
            by=place.analyst,
            reason="x",
        )


def test_a_fact_is_entered_freely_and_changed_only_with_a_reason(approved):
    place, roadmap = approved
    indicator = place.get("indicator")
    services.indicator_set_actual(
        roadmap=roadmap,
        indicator=indicator,
        value=7,
        evidence="протокол № 1",
        by=place.analyst,
    )
    first = revisions_visible_to(place.analyst, roadmap)[0]
    assert first.changes[0]["after"] == "7"
    with pytest.raises(ValidationError, match="только с основанием"):
        services.indicator_set_actual(
            roadmap=roadmap,
            indicator=indicator,
            value=9,
            evidence="протокол № 2",
            by=place.analyst,
        )
    indicator.refresh_from_db()
    assert indicator.actual["2021"] == 7
    services.indicator_set_actual(
        roadmap=roadmap,
        indicator=indicator,
        value=9,
        evidence="протокол № 2",
        by=place.analyst,
        reason="уточнённые данные",
    )
    indicator.refresh_from_db()
    assert indicator.actual["2021"] == 9
    last = revisions_visible_to(place.analyst, roadmap)[0]
    assert (last.changes[0]["before"], last.changes[0]["after"]) == ("7", "9")


def test_a_closed_roadmap_keeps_its_results(approved):
    place, roadmap = approved
    indicator = place.get("indicator")
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.CLOSED)
    roadmap.refresh_from_db()
    with pytest.raises(ValidationError, match="закрыта"):
        services.indicator_set_actual(
            roadmap=roadmap,
            indicator=indicator,
            value=1,
            evidence="x",
            by=place.analyst,
            reason="перезапись",
        )
    with pytest.raises(ValidationError, match="закрыта"):
        services.indicator_add(
            roadmap=roadmap,
            source="manual",
            title="x",
            unit="",
            planned=1,
            by=place.analyst,
            reason="x",
        )


def test_the_fact_form_refuses_without_reason_in_the_browser(client, approved):
    from django.urls import reverse

    place, roadmap = approved
    indicator = place.get("indicator")
    client.force_login(place.analyst)
    url = reverse("roadmaps:indicator-actual", args=[roadmap.pk, indicator.pk])
    client.post(url, {"actual": "3,5", "evidence": "акт"})
    indicator.refresh_from_db()
    assert indicator.actual["2021"] == 3.5
    response = client.post(url, {"actual": "4", "evidence": "акт"}, follow=True)
    assert "только с основанием" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.actual["2021"] == 3.5


def test_the_history_shows_an_operator_only_the_items_they_see(client, approved):
    """The municipal roadmap's second item is not the school's: its change stays hidden."""
    from roadmaps.models import Item

    place, roadmap = approved
    hidden = Item.objects.get(roadmap=roadmap, title__startswith="Совещание")
    services.item_save(
        roadmap=roadmap,
        item=hidden,
        data={
            "title": "Совещание руководителей — секретно",
            "period": "ноябрь 2021 года",
        },
        responsible="Отдел образования",
        by=place.analyst,
        reason="перенос",
    )
    services.item_save(
        roadmap=roadmap,
        item=place.get("item"),
        data={"title": "Семинар для школы", "period": "октябрь 2021 года"},
        responsible=f"МИМЦ, {place.schools[0].short_name}",
        by=place.analyst,
        reason="уточнение",
    )
    client.force_login(place.operators[0])
    page = client.get(roadmap.get_absolute_url()).content.decode()
    assert "Семинар для школы" in page
    assert "секретно" not in page
    assert "перенос" not in page
    client.force_login(place.analyst)
    assert "секретно" in client.get(roadmap.get_absolute_url()).content.decode()
