"""The methodology's parameters as the engine reads them: frozen and typed, built from the stored dict."""

import dataclasses

import pytest

from identification.engine.params import (
    PRESETS,
    Gap,
    Indicator,
    Params,
    deep_merge,
    merged,
    preset,
)


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_every_preset_reads_as_typed_parameters_and_back(code):
    stored = preset(code)
    params = Params.of(stored)
    assert list(params.criteria) == stored["criteria"]
    assert params.status.shnor_any == tuple(stored["status"]["shnor_any"])
    assert params.r1.pct == stored["r1"]["pct"]
    assert params.r1.procedures[0] == tuple(stored["r1"]["procedures"][0])
    assert params.n1.indicators[0] == Indicator(**stored["n1"]["indicators"][0])


def test_an_older_version_without_a_newer_key_gets_the_default():
    stored = merged({})
    del stored["r9"]
    stored["l2"] = {"threshold": 55}
    params = Params.of(stored)
    assert params.r9.policy == "annotate"
    assert (params.l2.threshold, params.l2.small_n) == (55, 10)


def test_numbers_keep_their_stored_form_for_the_explanations():
    params = Params.of(deep_merge(preset("combined"), {"l2": {"threshold": 60}}))
    assert str(params.l2.threshold) == "60"


def test_the_parameters_cannot_be_changed_in_place():
    params = Params.of(preset("combined"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.r1.pct = 5  # type: ignore[misc]


def test_a_value_outside_the_choices_is_refused_in_russian():
    stored = deep_merge(preset("combined"), {"r1": {"mode": "every_other_year"}})
    with pytest.raises(ValueError, match=r"r1\.mode: недопустимое значение"):
        Params.of(stored)


def test_a_procedure_without_a_level_reads_with_an_empty_level():
    stored = deep_merge(
        preset("combined"), {"r1": {"procedures": [["ОГЭ", "математика", "9", None]]}}
    )
    assert Params.of(stored).r1.procedures == (("ОГЭ", "математика", 9, ""),)


def test_the_rules_of_l6_and_l7_are_read_by_criterion():
    stored = deep_merge(preset("combined"), {"l6": {"gap": 12, "reference": "schools"}})
    params = Params.of(stored)
    assert params.mean_gap("L6") == Gap(gap=12, reference="schools")
    assert params.mean_gap("L7") == Gap(gap=5, reference="pooled")


def test_the_default_well_being_indicators_are_seed_003s():
    fields = {i.field for i in Params.of(preset("lesosibirsk")).n1.indicators}
    # Families' socio-economic and cultural-educational level, deviant behaviour,
    # no motivation, weak Russian, remoteness, малокомплектность.
    assert fields == {
        "low_income",
        "both_parents_unemployed",
        "both_parents_higher_ed",
        "registered",
        "low_motivation",
        "weak_russian",
        "distance_km",
        "small_school",
    }
