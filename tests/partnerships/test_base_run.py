"""Gradation and partner suggestions say which run they read, and let the analyst choose another."""

from django.urls import reverse

from identification.models import IdentificationRun
from tests.factories.partnerships import Grade, graded_run


def _runs(lesosibirsk):
    official = IdentificationRun.objects.get(
        official_lists__isnull=False, target_year=lesosibirsk.this_year.year
    )
    older = IdentificationRun.objects.get(target_year=lesosibirsk.last_year.year)
    return official, older


def test_gradation_reads_the_official_lists_run_and_offers_the_others(
    client, lesosibirsk, analyst
):
    official, older = _runs(lesosibirsk)
    client.force_login(analyst)
    url = reverse("partnerships:gradation")
    page = client.get(url)
    assert page.context["run"] == official
    assert {r.pk for r in page.context["runs"]} == {official.pk, older.pk}
    body = page.content.decode()
    assert f"по индексу результатов расчёта {official.choice_label}" in body
    assert "Сравнить с расчётом" in body
    chosen = client.get(url, {"run": older.pk})
    assert chosen.context["run"] == older
    # Last year's run graded СОШ № 6 alone: its band table is that run's.
    graded = [r["school"] for r in chosen.context["rows"] if r["value"] is not None]
    assert graded == ["МБОУ «СОШ № 6»"]


def test_gradation_never_reads_a_run_of_another_municipality(
    client, lesosibirsk, analyst, other_municipality, region
):
    official, _ = _runs(lesosibirsk)
    from tests.factories import SchoolFactory

    foreign = graded_run(
        municipality=other_municipality,
        year=lesosibirsk.this_year.year,
        grades={SchoolFactory(municipality=other_municipality): Grade(1.0)},
    )
    client.force_login(analyst)
    page = client.get(reverse("partnerships:gradation"), {"run": foreign.pk})
    assert page.context["run"] == official
    assert foreign not in page.context["runs"]


def test_suggestions_solve_by_the_run_the_analyst_chose(client, lesosibirsk, analyst):
    official, older = _runs(lesosibirsk)
    client.force_login(analyst)
    url = reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk])
    page = client.get(url)
    assert page.context["run"] == official
    assert f"по расчёту {official.choice_label}" in page.content.decode()
    chosen = client.get(url, {"run": older.pk})
    assert chosen.context["run"] == older
    body = chosen.content.decode()
    assert f'name="run" value="{older.pk}"' in body
    # This year's run gives СОШ № 4 (ШНСУ on the list) three high-band partners;
    # last year's graded СОШ № 6 alone, so nobody is a candidate by it.
    options = {
        row["pair"].school.name: [o.partner.name for o in row["options"]]
        for row in page.context["rows"]
    }
    assert options == {
        "МБОУ «СОШ № 4»": ["МБОУ «СОШ № 2»", "МБОУ «Лицей»", "МБОУ «Гимназия»"]
    }
    assert [
        (row["pair"].school.name, row["pair"].partner, row["options"])
        for row in chosen.context["rows"]
    ] == [("МБОУ «СОШ № 4»", None, [])]
