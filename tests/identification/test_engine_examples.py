"""methodology.md §10: every worked example, with literal frames."""

import math

import pandas as pd
import pytest

from identification.engine import identify, preset, rank_cut
from identification.engine.rank import FLAG, TIE_EXPANDED

from .frames import inputs, results, schools

# Years: «Y = 2019» (spring 2019) is school year 2018/2019, start year 2018.
Y, Y_PREV, TARGET = 2018, 2017, 2019


def r1_flag(output, school):
    row = output.flags.query("school_id == @school and criterion == 'R1'").iloc[0]
    return row


def run_r1(result_frame, school_frame, mode="any_procedure_each_year"):
    params = preset("kaltan")
    params["r1"]["mode"] = mode
    return identify(inputs(school_frame, result_frame=result_frame), params, TARGET)


# Example 1: the 30 % rule ------------------------------------------------------------

SCHOOL_A = results(
    (1, Y, "ВПР", "математика", 5, "", 20, 7, None),  # 35 % → low
    (1, Y, "ВПР", "русский язык", 5, "", 20, 5, None),  # 25 % → not low
    (1, Y, "ОГЭ", "математика", 9, "", 12, 4, None),  # 33.3 % → low
    (1, Y_PREV, "ВПР", "математика", 6, "", 20, 1, None),
)
SCHOOL_B = results(
    (2, Y_PREV, "ВПР", "русский язык", 6, "", 10, 3, None),  # 30 % exactly → low
    (2, Y, "ЕГЭ", "математика", 11, "профильный", 5, 2, None),  # 40 %, small sample
    (2, Y, "ВПР", "математика", 5, "", 20, 1, None),
)


@pytest.mark.parametrize(
    "mode", ["any_procedure_each_year", "same_procedure_both_years"]
)
def test_example_1_school_a_is_low_in_two_procedures_under_both_modes(mode):
    row = r1_flag(run_r1(SCHOOL_A, schools(1), mode), 1)
    assert row.state == "flagged"
    assert row.value == 2
    assert (
        "ВПР, математика, 5 класс, 2018/2019: «2» получили 7 из 20 участников (35 %)"
        in row.explanation
    )
    assert (
        "ОГЭ, математика, 2018/2019: «2» получили 4 из 12 участников (33,3 %)"
        in row.explanation
    )


def test_example_1_school_b_seed_002_mode_flags_by_two_years_with_boundary():
    output = run_r1(SCHOOL_B, schools(2))
    row = r1_flag(output, 2)
    assert row.state == "flagged"
    assert row.value == 1  # C1 false: one low procedure in Y
    assert (
        "ВПР, русский язык, 6 класс, 2017/2018: «2» получили 3 из 10 участников (30 %)"
        in row.explanation
    )
    assert "Малая выборка" in row.explanation
    assert output.statuses.iloc[0].status == "ШНОР"


def test_example_1_school_b_same_procedure_mode_does_not_flag():
    row = r1_flag(run_r1(SCHOOL_B, schools(2), "same_procedure_both_years"), 2)
    assert row.state == "not_flagged"


def test_example_1_school_c_takes_the_latest_years_that_had_procedures():
    """2020 had no ОГЭ: with no results at all in a year, R1 uses the two latest years with results."""
    frame = results(
        (3, 2020, "ВПР", "математика", 5, "", 30, 10, None),
        (3, 2018, "ВПР", "математика", 5, "", 30, 9, None),
    )
    output = identify(inputs(schools(3), result_frame=frame), preset("kaltan"), 2021)
    assert output.years["R1"] == ["2020/2021", "2018/2019"]
    assert output.messages == [
        "Пропущены годы без результатов оценочных процедур: 2019/2020."
    ]
    assert r1_flag(output, 3).state == "flagged"


def test_r1_explicit_years_override_the_choice():
    params = preset("kaltan")
    params["r1"]["years"] = [2018, 2017]
    frame = results(
        (1, 2018, "ВПР", "математика", 5, "", 20, 7, None),
        (1, 2017, "ВПР", "математика", 5, "", 20, 7, None),
        (1, 2020, "ВПР", "математика", 5, "", 20, 0, None),
    )
    output = identify(inputs(schools(1), result_frame=frame), params, 2021)
    assert output.years["R1"] == ["2018/2019", "2017/2018"]
    assert r1_flag(output, 1).state == "flagged"


# Example 2: §5 formulas and L6/L7 ----------------------------------------------------


def outcomes_frame(rows):
    columns = [
        "school_id",
        "year",
        "grade9_graduates",
        "continued_grade10",
        "olympiad_participants",
        "attested",
        "attested_good",
        "attested_failing",
        "noko_satisfaction",
    ]
    return (
        pd.DataFrame(
            [dict(zip(columns, r, strict=True)) for r in rows], columns=columns
        )
        .astype(float)
        .astype({"school_id": int, "year": int})
    )


def test_example_2_quality_gap_flags_l6_and_success_gap_does_not_flag_l7():
    # School 1: n5=5, n4=8, n3=9, n2=3 and one «н/а» (N = 26): качество 50 %, успеваемость 84.62 %.
    # School 2 makes the municipal pooled values 62.5 % and 88.0 % (200 attested in all).
    frame = outcomes_frame(
        [
            (1, Y, None, None, None, 26, 13, 4, None),
            (2, Y, None, None, None, 174, 112, 20, None),
        ]
    )
    output = identify(
        inputs(schools(1, 2), outcomes=frame), preset("lesosibirsk"), TARGET
    )
    flags = output.flags.set_index(["school_id", "criterion"])
    l6, l7 = flags.loc[(1, "L6")], flags.loc[(1, "L7")]
    assert l6.state == "flagged"
    assert l6.value == pytest.approx(50.0)
    assert l6.components["municipality"] == pytest.approx(62.5)
    assert "ниже на 12,5 п. п." in l6.explanation
    assert l7.state == "not_flagged"
    assert l7.value == pytest.approx(84.6154, abs=1e-4)
    assert l7.components["gap"] == pytest.approx(3.38, abs=0.01)


def test_a_school_without_the_failing_count_is_judged_on_quality_and_counts_in_its_mean():
    """
    Issue 18: L6 needs «Аттестовано» and «на 4 и 5» only. School 3 left «Из них
    неуспевающих» empty: L6 is computed for it and its 100 attested pupils, 40
    of them good, enter L6's municipal mean (pooled (13 + 112 + 40) / 300 = 55 %);
    only L7 lacks data, and says which count.
    """
    frame = outcomes_frame(
        [
            (1, Y, None, None, None, 26, 13, 4, None),
            (2, Y, None, None, None, 174, 112, 20, None),
            (3, Y, None, None, None, 100, 40, None, None),
        ]
    )
    output = identify(
        inputs(schools(1, 2, 3), outcomes=frame), preset("lesosibirsk"), TARGET
    )
    flags = output.flags.set_index(["school_id", "criterion"])
    l6, l7 = flags.loc[(3, "L6")], flags.loc[(3, "L7")]
    assert l6.state == "flagged"
    assert l6.value == pytest.approx(40.0)
    assert l6.components["municipality"] == pytest.approx(55.0)
    assert flags.loc[(1, "L6")].components["municipality"] == pytest.approx(55.0)
    assert l7.state == "no_data"
    assert l7.explanation == "Не указано число неуспевающих за 2018/2019."
    # L7's mean is that of the schools that gave the count: (200 - 24) / 200.
    assert flags.loc[(1, "L7")].components["municipality"] == pytest.approx(88.0)


def test_l2_does_not_apply_to_a_year_without_graduates_of_grade_9():
    """§9: no graduates — nobody could continue; «не применяется», not «нет данных»."""
    frame = outcomes_frame(
        [
            (1, Y, 0, 0, None, None, None, None, None),
            (2, Y, 20, 10, None, None, None, None, None),
            (3, Y, None, None, None, None, None, None, None),
        ]
    )
    output = identify(
        inputs(schools(1, 2, 3), outcomes=frame), preset("lesosibirsk"), TARGET
    )
    flags = output.flags.set_index(["school_id", "criterion"])
    none = flags.loc[(1, "L2")]
    assert none.state == "not_applicable"
    assert none.explanation == (
        "В 2018/2019 учебном году выпускников 9 классов не было: критерий не применяется."
    )
    assert flags.loc[(2, "L2")].state == "flagged"  # 50 % < 60 %
    assert flags.loc[(3, "L2")].state == "no_data"


# Example 3: ИСБ z-scores, the 25 % cut, ties and small sets -------------------------------


def social_frame(rows):
    columns = [
        "school_id",
        "year",
        "pupils_total",
        "both_parents_higher_ed",
        "incomplete_families",
    ]
    return (
        pd.DataFrame(
            [dict(zip(columns, r, strict=True)) for r in rows], columns=columns
        )
        .astype(float)
        .astype({"school_id": int, "year": int})
    )


EXAMPLE_3 = social_frame(
    [(1, Y, 100, 40, 20), (2, Y, 100, 20, 40), (3, Y, 100, 30, 30), (4, Y, 100, 10, 30)]
)
TWO_INDICATORS = [
    {"field": "both_parents_higher_ed", "sign": 1, "label": "оба с высшим"},
    {"field": "incomplete_families", "sign": -1, "label": "неполные"},
]


def n1_params(normalization="zscore"):
    params = preset("lesosibirsk")
    params["criteria"] = ["N1"]
    params["n1"]["indicators"] = TWO_INDICATORS
    params["n1"]["normalization"] = normalization
    return params


def test_example_3_isb_z_scores_and_the_cut():
    output = identify(
        inputs(schools(1, 2, 3, 4), social=EXAMPLE_3), n1_params(), TARGET
    )
    n1 = output.flags.set_index("school_id")
    assert [round(v, 4) for v in n1["value"]] == [1.3779, -0.9307, 0.2236, -0.6708]
    assert n1.loc[2, "state"] == "flagged"
    assert list(n1["state"]) == ["not_flagged", "flagged", "not_flagged", "not_flagged"]
    assert n1.loc[2, "threshold"] == pytest.approx(-0.9307, abs=1e-4)
    assert output.legend["N1"] == ["оба с высшим", "неполные"]
    assert n1.loc[1, "components"]["scores"] == [
        pytest.approx(1.342, abs=1e-3),
        pytest.approx(1.414, abs=1e-3),
    ]
    assert n1.loc[1, "components"]["values"] == [40.0, 20.0]
    assert output.statuses.set_index("school_id").loc[2, "status"] == "ШНСУ"


def test_example_3_min_max_mode_keeps_s2_lowest():
    output = identify(
        inputs(schools(1, 2, 3, 4), social=EXAMPLE_3), n1_params("minmax"), TARGET
    )
    values = output.flags.set_index("school_id")["value"]
    assert [round(v, 2) for v in values] == [100.0, 16.67, 58.33, 25.0]
    assert output.flags.set_index("school_id").loc[2, "state"] == "flagged"


def test_example_3_tie_at_the_cut_flags_every_tied_school():
    values = pd.Series([-0.93, -0.67, -0.67, -0.10, 0.05, 0.22, 0.50, 1.38])
    cut = rank_cut(values, pd.Series(1, index=values.index), share=0.25, min_schools=4)
    assert cut[FLAG].tolist() == [True, True, True, False, False, False, False, False]
    # Only the tied schools at the cut are «на границе»; the lowest one is not.
    assert cut[TIE_EXPANDED].tolist() == [
        False,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_example_3_small_set_flags_nobody():
    output = identify(
        inputs(schools(1, 2, 3), social=EXAMPLE_3.iloc[:3]), n1_params(), TARGET
    )
    n1 = output.flags.set_index("school_id")
    # Its own state, not «нет данных»: the index is known, the set is too small.
    assert set(n1["state"]) == {"too_few"}
    assert n1["value"].notna().all()
    assert set(output.statuses["status"]) == {"нет данных"}
    assert all(
        text.startswith("Слишком мало школ для ранжирования (3)")
        for text in n1["explanation"]
    )


def test_rank_cut_count_is_ceil_of_quarter():
    values = pd.Series(range(10), dtype=float)
    assert rank_cut(
        values, pd.Series(1, index=values.index), share=0.25, min_schools=4
    )[FLAG].sum() == math.ceil(2.5)
