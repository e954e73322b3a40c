"""
Options of methodology.md the editor offers, each with a worked example
computed by hand in the comments.
"""

import pandas as pd
import pytest

from identification.engine import identify, preset
from identification.engine.params import deep_merge

from .frames import inputs, results, schools
from .test_engine_edges import TARGET, Y, flags, outcomes


def _quality(rows):
    """Outcomes with only «Аттестовано» and «на 4 и 5» (quality, L6) filled."""
    return outcomes(
        [(i, Y, None, None, None, a, good, None, None) for i, a, good in rows]
    )


# School 1: 40 of 100 attested on «4 и 5» (40 %); schools 2 and 3: 9 and 8 of 10
# (90 % and 80 %). Pooled: (40 + 9 + 8) / 120 = 47,5 %; mean of the schools'
# shares: (40 + 90 + 80) / 3 = 70 %.
QUALITY = [(1, 100, 40), (2, 10, 9), (3, 10, 8)]


def _l6(params, school_frame, frame):
    return flags(identify(inputs(school_frame, outcomes=frame), params, TARGET), "L6")


def test_l6_against_the_pooled_share_of_the_municipality():
    l6 = _l6(preset("lesosibirsk"), schools(1, 2, 3), _quality(QUALITY))
    # 47,5 − 40 = 7,5 p. p. < 10: not flagged.
    assert l6.loc[1, "state"] == "not_flagged"
    assert "при среднем по муниципалитету 47,5 %" in l6.loc[1, "explanation"]


def test_l6_against_the_mean_of_the_schools_when_the_methodology_says_so():
    params = deep_merge(preset("lesosibirsk"), {"l6": {"reference": "schools"}})
    l6 = _l6(params, schools(1, 2, 3), _quality(QUALITY))
    # 70 − 40 = 30 p. p. ≥ 10: flagged; school 3 (80 %) is above the mean.
    assert l6.loc[1, "state"] == "flagged"
    assert l6.loc[3, "state"] == "not_flagged"
    assert "при среднем значении школ муниципалитета 70 %" in l6.loc[1, "explanation"]


def test_l6_and_l7_compare_with_the_municipality_even_when_the_cuts_are_regional():
    # Municipality 1: schools 1–2 at 40 %; municipality 2: schools 3–4 at 80 %.
    # Over the region the pooled share is 60 % and schools 1–2 would be 20 p. p.
    # below it; against their own municipality they are at its mean.
    both = pd.concat(
        [schools(1, 2, municipality=1), schools(3, 4, municipality=2)],
        ignore_index=True,
    )
    frame = _quality([(1, 10, 4), (2, 10, 4), (3, 10, 8), (4, 10, 8)])
    params = deep_merge(preset("lesosibirsk"), {"comparison_set": "region"})
    l6 = _l6(params, both, frame)
    assert list(l6["state"]) == ["not_flagged"] * 4
    assert "при среднем по муниципалитету 40 %" in l6.loc[1, "explanation"]


def test_the_editor_saves_the_l6_mean_as_a_new_version(client_for, analyst):
    from django.urls import reverse

    from identification.models import Methodology, MethodologyVersion

    own = Methodology.objects.create(
        code="own", name="Своя", municipality=analyst.municipality
    )
    MethodologyVersion.objects.create(
        methodology=own, number=1, params=preset("lesosibirsk")
    )
    client = client_for(analyst)
    url = reverse("identification:methodology-edit", args=[own.pk])
    form = client.get(url).context["form"]
    assert form.fields["l6__reference"].initial == "pooled"
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial not in (None, False)
    }
    data |= {"l6__reference": "schools", "comment": "Среднее школ"}
    assert client.post(url, data).status_code == 302
    stored = own.versions.get(number=2).params
    assert (stored["l6"]["reference"], stored["l7"]["reference"]) == (
        "schools",
        "pooled",
    )


def _vpr_case():
    # School 1 in 2020/2021: ВПР математика 5 — «2» у 4 из 10 (40 %), ВПР русский
    # язык 5 — у 3 из 10 (30 %): two low procedures in one year, R1 flags it.
    # Its mathematics marks were lowered in the journal for 12 of 20 pupils
    # (60 % ≥ 50 %): the objectivity check flags that ВПР.
    result_frame = results(
        (1, Y, "ВПР", "математика", 5, "", 10, 4, None),
        (1, Y, "ВПР", "русский язык", 5, "", 10, 3, None),
    )
    comparisons = pd.DataFrame(
        [
            {
                "school_id": 1,
                "year": Y,
                "subject": "математика",
                "grade": 5,
                "lowered": 12,
                "confirmed": 8,
                "raised": 0,
            }
        ]
    )
    return inputs(schools(1), result_frame=result_frame, comparisons=comparisons)


def test_r1_counts_a_flagged_vpr_unless_the_methodology_leaves_it_out():
    assert (
        flags(identify(_vpr_case(), preset("kaltan"), TARGET), "R1").loc[1, "state"]
        == "flagged"
    )


def test_a_vpr_with_signs_of_unobjective_marks_is_left_out_of_r1_and_said():
    params = deep_merge(preset("kaltan"), {"r9": {"exclude_flagged": True}})
    r1 = flags(identify(_vpr_case(), params, TARGET), "R1")
    # Only русский язык is left: one low procedure in one year is not enough.
    assert r1.loc[1, "state"] == "not_flagged"
    assert (
        "Не учтены из-за признаков необъективности: ВПР, математика, 5 класс (2020/2021)."
        in r1.loc[1, "explanation"]
    )


def test_nothing_is_left_out_when_the_objectivity_check_is_off():
    params = deep_merge(
        preset("kaltan"), {"r9": {"exclude_flagged": True, "policy": "ignore"}}
    )
    assert (
        flags(identify(_vpr_case(), params, TARGET), "R1").loc[1, "state"] == "flagged"
    )


def _l1(normalization):
    # ЕГЭ, русский язык in 2020/2021, mean scores 50, 60, 70 and 90 at four
    # schools: min-max gives 0, 25, 50 and 100; percentiles 25, 50, 75 and 100.
    frame = results(
        *(
            (s, Y, "ЕГЭ", "русский язык", 11, "", 20, 0, m)
            for s, m in ((1, 50), (2, 60), (3, 70), (4, 90))
        )
    )
    params = deep_merge(preset("lesosibirsk"), {"l1": {"normalization": normalization}})
    output = identify(inputs(schools(1, 2, 3, 4), result_frame=frame), params, TARGET)
    return flags(output, "L1")


def test_l1_on_the_min_max_scale():
    l1 = _l1("minmax")
    assert list(l1["value"]) == [0, 25, 50, 100]
    assert l1.loc[1, "state"] == "flagged"
    assert (
        "Индекс результатов (среднее по шкале мин-макс, 0–100): 0,00 — 1-е место"
        in (l1.loc[1, "explanation"])
    )


def test_l1_on_percentiles():
    l1 = _l1("percentile")
    assert list(l1["value"]) == [25, 50, 75, 100]
    assert list(l1["state"]) == ["flagged"] + ["not_flagged"] * 3
    assert "средний процентиль" in l1.loc[2, "explanation"]


def _social(**shares):
    return pd.DataFrame(
        [
            {"school_id": s, "year": Y, "pupils_total": 100.0}
            | {field: values[s - 1] for field, values in shares.items()}
            for s in (1, 2, 3, 4)
        ]
    )


def test_n1_on_percentiles_with_the_direction_of_each_indicator():
    # Both parents with higher education (+): 10, 20, 30, 40 % → 25, 50, 75, 100;
    # low income (−): 40, 30, 20, 10 % → the same percentiles once turned.
    params = deep_merge(preset("lesosibirsk"), {"n1": {"normalization": "percentile"}})
    params["n1"]["indicators"] = [
        i
        for i in params["n1"]["indicators"]
        if i["field"] in ("both_parents_higher_ed", "low_income")
    ]
    social = _social(
        both_parents_higher_ed=[10.0, 20.0, 30.0, 40.0],
        low_income=[40.0, 30.0, 20.0, 10.0],
    )
    n1 = flags(
        identify(inputs(schools(1, 2, 3, 4), social=social), params, TARGET), "N1"
    )
    assert list(n1["value"]) == [25, 50, 75, 100]
    assert n1.loc[1, "state"] == "flagged"


def _resources(normalization):
    # Recent textbooks: 10, 20, 30 and 60 of 100 at four schools.
    resources = pd.DataFrame(
        [
            {"school_id": s, "year": Y, "textbook_fund": 100.0, "textbooks_recent": r}
            for s, r in ((1, 10.0), (2, 20.0), (3, 30.0), (4, 60.0))
        ]
    )
    params = deep_merge(preset("lesosibirsk"), {"n3": {"normalization": normalization}})
    output = identify(inputs(schools(1, 2, 3, 4), resources=resources), params, TARGET)
    return flags(output, "N3")


def test_n3_ranks_the_share_itself_by_default():
    n3 = _resources("share")
    assert list(n3["value"]) == [10, 20, 30, 60]
    assert (
        "Доля учебников не старше 3 лет (ИКОП): 10 % — 1-е место"
        in n3.loc[1, "explanation"]
    )


def test_n3_on_the_min_max_scale_says_the_share_too():
    n3 = _resources("minmax")
    # (10 − 10) / 50, (20 − 10) / 50 … ×100: 0, 20, 40, 100; the same school is lowest.
    assert list(n3["value"]) == [0, 20, 40, 100]
    assert n3.loc[1, "state"] == "flagged"
    assert "Доля учебников не старше 3 лет — 10 %." in n3.loc[1, "explanation"]


def _context_case(**r8):
    # Eight schools; both parents with higher education 10, 20 … 80 % (the only
    # ИСБ indicator), so schools 1 and 2 are the 25 % with the hardest context.
    # ЕГЭ русский язык means follow 40 + 0,5·share for schools 3–8 (55 … 80);
    # school 1 scores 60 and school 2 40. The median mean is 62,5: school 1 is
    # below it, but far above what its context predicts (the largest residual).
    means = {1: 60, 2: 40, **{s: 40 + 0.5 * 10 * s for s in range(3, 9)}}
    frame = results(
        *((s, Y, "ЕГЭ", "русский язык", 11, "", 20, 0, m) for s, m in means.items())
    )
    ids = tuple(range(1, 9))
    social = pd.DataFrame(
        [
            {"school_id": s, "year": Y, "pupils_total": 100.0}
            | {"both_parents_higher_ed": 10.0 * s}
            for s in ids
        ]
    )
    params = deep_merge(preset("lesosibirsk"), {"r8": r8})
    params["n1"]["indicators"] = [
        i for i in params["n1"]["indicators"] if i["field"] == "both_parents_higher_ed"
    ]
    output = identify(
        inputs(schools(*ids), result_frame=frame, social=social), params, TARGET
    )
    return flags(output, "R8")


def test_resilience_by_the_regression_when_it_can_be_fitted():
    r8 = _context_case(min_per_predictor=2)
    assert r8.loc[1, "state"] == "flagged"
    assert "результаты с учётом контекста — в 25 % лучших" in r8.loc[1, "explanation"]
    assert r8.loc[2, "state"] == "not_flagged"
    assert r8.loc[8, "state"] == "not_flagged"  # an easy context is never resilient


def test_resilience_by_the_median_when_the_regression_cannot_be_fitted():
    r8 = _context_case(min_per_predictor=10)  # 8 schools < 10
    assert r8.loc[1, "state"] == "not_flagged"
    explanation = r8.loc[1, "explanation"]
    assert "результаты ниже медианы (регрессия не рассчитана)" in explanation
    assert "нужно не меньше 10 школ с обоими индексами" in explanation


def test_the_regression_on_the_indicators_needs_ten_schools_per_indicator():
    on_index = _context_case(min_per_predictor=2)
    on_indicators = _context_case(min_per_predictor=2, model="indicators")
    # One indicator: ИСБ is its z-score, a linear function of it, so the fit is the same.
    assert list(on_indicators["value"]) == pytest.approx(list(on_index["value"]))
    assert list(on_indicators["state"]) == list(on_index["state"])
    too_few = _context_case(min_per_predictor=9, model="indicators")
    assert (
        "нужно не меньше 9 школ с индексом результатов и всеми показателями ИСБ"
        in too_few.loc[1, "explanation"]
    )
