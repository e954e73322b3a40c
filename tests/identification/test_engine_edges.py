"""methodology.md §9 edge cases, each on its own."""

import pandas as pd
import pytest

from identification.engine import identify, preset
from identification.engine.params import N1_INDICATORS, N1_OPTIONAL

from .frames import inputs, results, schools

TARGET = 2021
Y = 2020


def flags(output, criterion):
    return output.flags.loc[output.flags["criterion"] == criterion].set_index(
        "school_id"
    )


def test_r1_boundary_exactly_30_percent_is_low():
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 30, 9, None),
        (1, Y, "ОГЭ", "русский язык", 9, "", 10, 3, None),
    )
    assert (
        flags(
            identify(inputs(schools(1), result_frame=frame), preset("kaltan"), TARGET),
            "R1",
        ).loc[1, "state"]
        == "flagged"
    )


def test_r1_just_below_30_percent_is_not_low():
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 1000, 299, None),
        (1, Y, "ОГЭ", "русский язык", 9, "", 10, 3, None),
    )
    assert (
        flags(
            identify(inputs(schools(1), result_frame=frame), preset("kaltan"), TARGET),
            "R1",
        ).loc[1, "value"]
        == 1
    )


def test_r1_zero_participants_is_neither_low_nor_counted():
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 0, 0, None),
        (1, Y, "ОГЭ", "русский язык", 9, "", 10, 3, None),
        (1, Y - 1, "ВПР", "математика", 5, "", 20, 1, None),
    )
    row = flags(
        identify(inputs(schools(1), result_frame=frame), preset("kaltan"), TARGET), "R1"
    ).loc[1]
    assert row.value == 1
    assert row.state == "not_flagged"


def test_r1_procedure_not_held_is_absent_not_ok():
    """A school with no results in the second year: C2 cannot hold and the gap is said."""
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 20, 7, None),
        (2, Y - 1, "ВПР", "математика", 5, "", 20, 1, None),
    )
    row = flags(
        identify(inputs(schools(1, 2), result_frame=frame), preset("kaltan"), TARGET),
        "R1",
    ).loc[1]
    assert row.state == "not_flagged"
    assert (
        "Нет данных за 2019/2020 — второе условие проверить нельзя." in row.explanation
    )


def test_r1_small_cohort_counts_with_a_warning():
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 3, 1, None),
        (1, Y, "ОГЭ", "математика", 9, "", 4, 2, None),
    )
    row = flags(
        identify(inputs(schools(1), result_frame=frame), preset("kaltan"), TARGET), "R1"
    ).loc[1]
    assert row.state == "flagged"
    assert (
        "Малая выборка (меньше 10 участников): ВПР, математика, 5 класс (3 уч.); ОГЭ, математика (4 уч.)."
        in row.explanation
    )


def test_r1_min_n_drops_tiny_cohorts():
    params = preset("kaltan")
    params["r1"]["min_n"] = 5
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 3, 1, None),
        (1, Y, "ОГЭ", "математика", 9, "", 4, 2, None),
    )
    assert (
        flags(
            identify(inputs(schools(1), result_frame=frame), params, TARGET), "R1"
        ).loc[1, "state"]
        == "not_flagged"
    )


def test_r1_primary_school_is_not_applicable_and_missing_data_is_no_data():
    frame = results((1, Y, "ВПР", "математика", 4, "", 20, 10, None))
    output = identify(
        inputs(schools(1, 2, types={1: "НОШ"}), result_frame=frame),
        preset("kaltan"),
        TARGET,
    )
    r1 = flags(output, "R1")
    assert r1.loc[1, "state"] == "not_applicable"
    assert r1.loc[2, "state"] == "no_data"
    assert set(output.statuses["status"]) == {"нет данных"}


def test_r1_ege_counts_failed_minimum_for_oosh_only_what_exists():
    """An ООШ has no ЕГЭ: its R1 rests on ВПР and ОГЭ."""
    frame = results(
        (1, Y, "ВПР", "математика", 5, "", 20, 7, None),
        (1, Y, "ОГЭ", "математика", 9, "", 20, 6, None),
    )
    row = flags(
        identify(
            inputs(schools(1, types={1: "ООШ"}), result_frame=frame),
            preset("kaltan"),
            TARGET,
        ),
        "R1",
    ).loc[1]
    assert row.state == "flagged"


def ege_ru(school, year, mean):
    return (school, year, "ЕГЭ", "русский язык", 11, "", 20, 0, mean)


def test_l1_oosh_is_judged_on_what_it_sits_not_on_ege():
    rows = []
    for year in (2018, 2019, 2020):
        for school, base in ((1, 50), (2, 60), (3, 70), (4, 80)):
            rows.append(ege_ru(school, year, base + year - 2018))
            rows.append(
                (school, year, "ОГЭ", "русский язык", 9, "", 20, 1, 3.0 + school / 10)
            )
        rows.append((5, year, "ОГЭ", "русский язык", 9, "", 20, 1, 2.9))
    output = identify(
        inputs(schools(1, 2, 3, 4, 5, types={5: "ООШ"}), result_frame=results(*rows)),
        preset("lesosibirsk"),
        TARGET,
    )
    l1 = flags(output, "L1")
    assert (
        l1.loc[5, "state"] == "flagged"
    )  # lowest ОГЭ; coverage counts only ОГЭ cells for an ООШ
    assert l1.loc[5, "components"]["coverage"] == 1.0
    assert l1.loc[1, "state"] == "flagged"


def test_l1_low_coverage_is_no_data():
    rows = (
        [ege_ru(s, 2020, 50 + s) for s in (1, 2, 3, 4)]
        + [ege_ru(s, 2019, 50 + s) for s in (1, 2, 3)]
        + [ege_ru(s, 2018, 50 + s) for s in (1, 2, 3)]
    )
    rows += [
        (s, y, "ОГЭ", "русский язык", 9, "", 20, 1, 3.5 + s / 10)
        for s in (1, 2, 3)
        for y in (2018, 2019, 2020)
    ]
    l1 = flags(
        identify(
            inputs(schools(1, 2, 3, 4), result_frame=results(*rows)),
            preset("lesosibirsk"),
            TARGET,
        ),
        "L1",
    )
    assert l1.loc[4, "state"] == "no_data"
    assert "Недостаточно данных для индекса: есть 1 из" in l1.loc[4, "explanation"]


def outcomes(rows):
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


def test_l2_continuation_below_60_with_small_cohort_warning_and_oosh_not_applicable():
    frame = outcomes(
        [
            (1, Y, 8, 4, 0, 100, 40, 1, None),
            (2, Y, 50, 30, 0, 100, 40, 1, None),
            (3, Y, 20, 5, 0, 100, 40, 1, None),
        ]
    )
    l2 = flags(
        identify(
            inputs(schools(1, 2, 3, types={3: "ООШ"}), outcomes=frame),
            preset("lesosibirsk"),
            TARGET,
        ),
        "L2",
    )
    assert l2.loc[1, "state"] == "flagged"
    assert "Малая выборка" in l2.loc[1, "explanation"]
    assert l2.loc[2, "state"] == "not_flagged"  # exactly 60 % is not below
    assert l2.loc[3, "state"] == "not_applicable"


def test_l5_old_noko_is_not_applicable_and_40_is_flagged():
    frame = outcomes(
        [(1, 2016, 10, 8, 0, 100, 40, 1, 30), (2, Y, 10, 8, 0, 100, 40, 1, 40)]
    )
    l5 = flags(
        identify(inputs(schools(1, 2), outcomes=frame), preset("lesosibirsk"), TARGET),
        "L5",
    )
    assert l5.loc[1, "state"] == "not_applicable"
    assert l5.loc[2, "state"] == "flagged"


def test_l3_gap_must_be_more_than_20_points():
    means = pd.DataFrame(
        [
            {
                "region_id": 1,
                "year": Y,
                "procedure": "ЕГЭ",
                "subject": "русский язык",
                "grade": 11,
                "level": "",
                "mean_score": 70.0,
            }
        ]
    )
    frame = results(ege_ru(1, Y, 50.0), ege_ru(2, Y, 49.9))
    l3 = flags(
        identify(
            inputs(schools(1, 2), result_frame=frame, means=means),
            preset("lesosibirsk"),
            TARGET,
        ),
        "L3",
    )
    assert l3.loc[1, "state"] == "not_flagged"
    assert l3.loc[2, "state"] == "flagged"
    assert "школа 49,90, регион 70,00, разница 20,1" in l3.loc[2, "explanation"]


def test_l4_olympiads_over_three_years():
    frame = outcomes(
        [
            (1, y, 10, 8, o, 100, 40, 1, None)
            for y, o in ((2018, 1), (2019, 1), (2020, 0))
        ]
    )
    social = pd.DataFrame(
        [{"school_id": 1, "year": y, "pupils_total": 400.0} for y in (2018, 2019, 2020)]
    )
    l4 = flags(
        identify(
            inputs(schools(1), outcomes=frame, social=social),
            preset("lesosibirsk"),
            TARGET,
        ),
        "L4",
    )
    assert l4.loc[1, "state"] == "flagged"  # 2 / 400 = 0.5 % — «0,5 % и ниже»
    assert l4.loc[1, "value"] == pytest.approx(0.5)


def test_l4_takes_the_calendar_window_and_a_missing_year_is_not_zero():
    """
    Issue 18: Y = 2020/2021, so the window is 2018/2019–2020/2021. School 1
    gave the count for 2018 and 2020 only: its 2019 is missing, not zero, and
    with two years of three L4 has no data (it would read 2 / 400 = 0,5 %,
    flagged, if the gap counted as 0). School 2's 2017 is outside the window.
    """
    rows = [
        (1, 2018, 10, 8, 1, 100, 40, 1, None),
        (1, 2019, 10, 8, None, 100, 40, 1, None),
    ]
    rows += [(1, 2020, 10, 8, 1, 100, 40, 1, None)]
    rows += [(2, y, 10, 8, 3, 100, 40, 1, None) for y in (2017, 2018, 2019, 2020)]
    social = pd.DataFrame(
        [
            {"school_id": s, "year": y, "pupils_total": 400.0}
            for s in (1, 2)
            for y in (2018, 2019, 2020)
        ]
    )
    l4 = flags(
        identify(
            inputs(schools(1, 2), outcomes=outcomes(rows), social=social),
            preset("lesosibirsk"),
            2021,
        ),
        "L4",
    )
    assert l4.loc[1, "state"] == "no_data"
    assert l4.loc[1, "explanation"] == (
        "Число участников олимпиад нужно за каждый из 3 лет "
        "(2018/2019, 2019/2020, 2020/2021); у школы оно есть за 2."
    )
    assert l4.loc[2, "state"] == "not_flagged"  # 9 / 400 = 2,25 %, 2017 not counted
    assert l4.loc[2, "value"] == pytest.approx(2.25)
    assert "за 2018/2019, 2019/2020, 2020/2021: 9" in l4.loc[2, "explanation"]


TWO_INDICATORS = [
    i
    for i in [*N1_INDICATORS, *N1_OPTIONAL]
    if i["field"] in ("both_parents_higher_ed", "incomplete_families")
]


def test_missing_social_passport_is_no_data_for_n1():
    social = pd.DataFrame(
        [
            {
                "school_id": s,
                "year": Y,
                "pupils_total": 100.0,
                "both_parents_higher_ed": 10.0 * s,
                "incomplete_families": 5.0 * s,
            }
            for s in (1, 2, 3, 4)
        ]
    )
    params = preset("lesosibirsk")
    params["n1"]["indicators"] = TWO_INDICATORS
    n1 = flags(
        identify(inputs(schools(1, 2, 3, 4, 5), social=social), params, TARGET), "N1"
    )
    assert n1.loc[5, "state"] == "no_data"
    assert n1.loc[5, "explanation"].startswith("Нет социального паспорта за 2020/2021")


def test_constant_indicator_is_dropped_and_said():
    social = pd.DataFrame(
        [
            {
                "school_id": s,
                "year": Y,
                "pupils_total": 100.0,
                "both_parents_higher_ed": 10.0 * s,
                "incomplete_families": 20.0,
            }
            for s in (1, 2, 3, 4)
        ]
    )
    params = preset("lesosibirsk")
    params["n1"]["indicators"] = TWO_INDICATORS
    n1 = flags(
        identify(inputs(schools(1, 2, 3, 4), social=social), params, TARGET), "N1"
    )
    assert n1.loc[1, "state"] == "flagged"
    assert (
        "Не учтены (у всех школ одинаковы): из неполных семей."
        in n1.loc[1, "explanation"]
    )


def test_n3_ties_at_zero_all_flagged():
    shares = (
        (1, 0.0),
        (2, 0.0),
        (3, 0.0),
        (4, 400.0),
        (5, 500.0),
        (6, 600.0),
        (7, 700.0),
        (8, 800.0),
    )
    resources = pd.DataFrame(
        [
            {"school_id": s, "year": Y, "textbook_fund": 1000.0, "textbooks_recent": r}
            for s, r in shares
        ]
    )
    n3 = flags(
        identify(
            inputs(schools(*range(1, 9)), resources=resources),
            preset("lesosibirsk"),
            TARGET,
        ),
        "N3",
    )
    assert (
        list(n3["state"]) == ["flagged"] * 3 + ["not_flagged"] * 5
    )  # k = ceil(2) = 2, three tied at 0 %
    assert "отмечены все" in n3.loc[1, "explanation"]


def test_lesosibirsk_status_needs_two_of_l2_to_l7():
    frame = outcomes(
        [
            (1, Y, 20, 5, 0, 100, 10, 30, 20),
            (2, Y, 20, 5, 0, 100, 60, 1, 90),
            (3, Y, 20, 18, 0, 100, 60, 1, 90),
            (4, Y, 20, 18, 0, 100, 60, 1, 90),
        ]
    )
    status = identify(
        inputs(schools(1, 2, 3, 4), outcomes=frame), preset("lesosibirsk"), TARGET
    ).statuses.set_index("school_id")["status"]
    assert status[1] == "ШНОР"  # L2, L5, L6, L7
    assert status[2] == "нет"  # only L2


def test_combined_preset_shows_risk_flags_without_changing_status():
    frame = outcomes(
        [(1, Y, 20, 5, 0, 100, 10, 30, 20)]
        + [(s, Y, 20, 18, 0, 100, 60, 1, 90) for s in (2, 3, 4)]
    )
    output = identify(
        inputs(schools(1, 2, 3, 4), outcomes=frame), preset("combined"), TARGET
    )
    assert flags(output, "L6").loc[1, "state"] == "flagged"
    assert output.statuses.set_index("school_id").loc[1, "status"] == "нет данных"


def test_objectivity_annotations():
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
            },
            {
                "school_id": 2,
                "year": Y,
                "subject": "математика",
                "grade": 5,
                "lowered": 2,
                "confirmed": 14,
                "raised": 4,
            },
        ]
    )
    r9 = flags(
        identify(
            inputs(schools(1, 2), comparisons=comparisons), preset("combined"), TARGET
        ),
        "R9",
    )
    assert (
        "возможное завышение текущих отметок (понизили 60 % ≥ 50 %)"
        in r9.loc[1, "explanation"]
    )
    assert (
        "возможное завышение результатов ВПР (повысили 20 % ≥ 15 %)"
        in r9.loc[2, "explanation"]
    )
