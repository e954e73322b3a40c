"""One registry of criteria: labels carry the methodology's own numbers on every page."""

from django.urls import reverse

from identification import criteria
from identification.engine import preset
from identification.engine.params import Params, deep_merge
from tests.factories.identification import MethodologyFactory, RunFactory


def test_the_labels_carry_the_default_numbers_without_a_methodology():
    labels = criteria.labels()
    assert labels["R1"].startswith("R1 — правило 30 % (2 процедуры за год")
    assert labels["L4"] == (
        "L4 — участников олимпиад и конкурсов 0,5 % и меньше за 3 года"
    )
    assert labels["N1"] == "N1 — 25 % с самым низким индексом социального благополучия"


def test_the_labels_carry_the_methodologys_own_numbers():
    params = deep_merge(
        preset("combined"),
        {"r1": {"pct": 25, "k1": 3}, "l2": {"threshold": 55}, "n3": {"share": 0.3}},
    )
    labels = criteria.labels(params)
    assert labels["R1"].startswith("R1 — правило 25 % (3 процедуры за год")
    assert labels["L2"] == "L2 — продолжили обучение в 10 классе меньше 55 %"
    assert labels["N3"] == "N3 — 30 % с самой низкой долей новых учебников"


def test_a_run_of_a_25_percent_methodology_never_reads_30_percent(
    client_for, analyst, town, school
):
    own = MethodologyFactory(
        municipality=town.municipality,
        version__params=deep_merge(preset("combined"), {"r1": {"pct": 25}}),
    )
    run = RunFactory(
        target_year=town.years[2021],
        municipalities=[town.municipality],
        version=own.current,
        created_by=analyst,
    )
    client = client_for(analyst)
    for url in (
        reverse("identification:run-detail", args=[run.pk]),
        reverse("identification:run-dashboard", args=[run.pk]),
        reverse("identification:profile", args=[school.pk]) + f"?run={run.pk}",
    ):
        page = client.get(url).content.decode()
        assert "R1 — правило 25 %" in page, url
        assert "правило 30 %" not in page, url


def test_every_criterion_of_the_engine_is_registered_once_in_the_table_order():
    assert list(preset("combined")["criteria"]) == criteria.CODES
    assert [criteria.order(c) for c in criteria.CODES] == list(
        range(len(criteria.CODES))
    )


def test_each_criterion_says_what_its_flag_does_under_the_methodology():
    combined = Params.of(preset("combined"))
    assert criteria.role("R1", combined) == "ШНОР"
    assert criteria.role("N1", combined) == "ШНСУ"
    assert criteria.role("L2", combined) == "риск, на статус не влияет"
    assert criteria.role("R9", combined) == "справочно"
    lesosibirsk = Params.of(preset("lesosibirsk"))
    assert criteria.role("L2", lesosibirsk) == (
        "ШНОР, если отмечено не меньше 2 из L2, L3, L4, L5, L6, L7"
    )
    assert criteria.deciding(combined) == {"R1", "L1", "N1"}


def test_the_approved_lists_reasons_are_only_the_deciding_criteria(
    analyst, approver, town, town_run
):
    from identification import services
    from identification.models import CriterionResult

    flagged = set(
        CriterionResult.objects.filter(run=town_run, state="flagged").values_list(
            "criterion", flat=True
        )
    )
    # The town's run flags risk criteria too (else the check below proves nothing).
    assert flagged - {"R1", "L1", "N1", "R8", "R9"}
    official = services.list_approve(
        run=town_run,
        municipality=town.municipality,
        order_number="12",
        order_date=town_run.created_at.date(),
        by=approver,
        today=town_run.created_at.date(),
    )
    codes = {
        line.split(" ", 1)[0]
        for entry in official.entries.all()
        for line in entry.reasons.splitlines()
    }
    assert codes
    assert codes <= {"R1", "L1", "N1"}
