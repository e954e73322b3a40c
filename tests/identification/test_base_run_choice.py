"""What-if says which run it compares with, and lets the analyst choose another."""

from django.urls import reverse

from identification.models import IdentificationRun
from tests.factories.identification import RunFactory
from tests.identification.test_methodology_access import _as_shown as _params


def _older_run(town, combined, analyst):
    return RunFactory(
        target_year=town.years[2020],
        municipalities=[town.municipality],
        version=combined.current,
        created_by=analyst,
    )


def test_whatif_offers_every_visible_finished_run_latest_first(
    client_for, analyst, town, town_run, combined
):
    older = _older_run(town, combined, analyst)
    client = client_for(analyst)
    page = client.get(reverse("identification:methodology-edit", args=[combined.pk]))
    body = page.content.decode()
    assert "Сравнить с расчётом" in body
    assert [r.pk for r in page.context["runs"]] == [older.pk, town_run.pk]
    assert page.context["base"] == older
    assert older.choice_label in body
    assert f"№ {town_run.pk} на 2021/2022 — «" in town_run.choice_label


def test_whatif_compares_with_the_run_the_analyst_chose(
    client_for, analyst, town, town_run, combined
):
    older = _older_run(town, combined, analyst)
    client = client_for(analyst)
    data = {**_params(client, combined), "base": str(town_run.pk)}
    page = client.post(
        reverse("identification:methodology-preview", args=[combined.pk]), data
    )
    assert page.status_code == 200
    assert page.context["preview"]["base"] == town_run
    assert f"сравнение с расчётом {town_run.choice_label}" in page.content.decode()
    # The choice stays selected on the page that shows the answer.
    assert page.context["base"] == town_run
    data["base"] = str(older.pk)
    page = client.post(
        reverse("identification:methodology-preview", args=[combined.pk]), data
    )
    assert page.context["preview"]["base"] == older


def test_whatif_never_reads_a_run_of_another_municipality(
    client_for, analyst, town, town_run, combined, other_municipality
):
    foreign = RunFactory(
        target_year=town.years[2021],
        municipalities=[other_municipality],
        version=combined.current,
    )
    assert foreign.status == IdentificationRun.Status.DONE
    client = client_for(analyst)
    data = {**_params(client, combined), "base": str(foreign.pk)}
    page = client.post(
        reverse("identification:methodology-preview", args=[combined.pk]), data
    )
    assert page.context["preview"]["base"] == town_run
    assert foreign.pk not in [r.pk for r in page.context["runs"]]


def test_whatif_over_a_run_spanning_municipalities_names_only_the_viewers_schools(
    client_for, analyst, region_analyst, town, combined, other_municipality
):
    from tests.factories import SchoolFactory

    theirs = SchoolFactory.create_batch(2, municipality=other_municipality)
    both = RunFactory(
        target_year=town.years[2021],
        municipalities=[town.municipality, other_municipality],
        version=combined.current,
    )
    url = reverse("identification:methodology-preview", args=[combined.pk])
    seen = {}
    for person in (analyst, region_analyst):
        client = client_for(person)
        data = {**_params(client, combined), "base": str(both.pk), "r1__pct": "20"}
        page = client.post(url, data)
        assert page.context["preview"]["base"] == both
        seen[person] = page
    # The run is computed whole; the town's analyst is told only of the town's six.
    mine = seen[analyst].context["preview"]
    assert sum(mine["counts_before"].values()) == 6
    assert sum(mine["counts_after"].values()) == 6
    region = seen[region_analyst].context["preview"]
    assert sum(region["counts_before"].values()) == 8
    assert mine["enter"]
    for school in theirs:
        assert school.short_name not in seen[analyst].content.decode()
