"""Properties the engine must keep whatever the data (hypothesis)."""

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identification.engine import identify, preset, rank_cut
from identification.engine.rank import FLAG

from .frames import inputs, results, schools

PROCEDURES = [
    ("ВПР", "математика", 5, ""),
    ("ВПР", "русский язык", 5, ""),
    ("ОГЭ", "математика", 9, ""),
    ("ОГЭ", "русский язык", 9, ""),
]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def result_rows(draw, n_schools=5):
    rows = []
    for school in range(1, n_schools + 1):
        for year in (2019, 2020):
            for proc, subj, grade, level in PROCEDURES:
                if draw(st.booleans()):
                    n = draw(st.integers(1, 60))
                    rows.append(
                        (
                            school,
                            year,
                            proc,
                            subj,
                            grade,
                            level,
                            n,
                            draw(st.integers(0, n)),
                            draw(st.floats(2, 5)),
                        )
                    )
    return rows


@SETTINGS
@given(rows=result_rows(), school=st.integers(1, 5), extra=st.integers(0, 30))
def test_worsening_results_never_removes_an_r1_flag(rows, school, extra):
    before = identify(
        inputs(schools(*range(1, 6)), result_frame=results(*rows)),
        preset("kaltan"),
        2021,
    )
    worse = [
        (s, y, p, sub, g, lv, n, min(n, f + extra) if s == school else f, m)
        for s, y, p, sub, g, lv, n, f, m in rows
    ]
    after = identify(
        inputs(schools(*range(1, 6)), result_frame=results(*worse)),
        preset("kaltan"),
        2021,
    )
    was = before.flags.query("school_id == @school and criterion == 'R1'").iloc[0].state
    now = after.flags.query("school_id == @school and criterion == 'R1'").iloc[0].state
    if was == "flagged":
        assert now == "flagged"


@SETTINGS
@given(rows=result_rows(), seed=st.integers(0, 10_000))
def test_permuting_rows_never_changes_results(rows, seed):
    frame = results(*rows)
    shuffled = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    school_frame = schools(*range(1, 6))
    params = preset("combined")
    a = identify(inputs(school_frame, result_frame=frame), params, 2021)
    b = identify(
        inputs(school_frame.sample(frac=1, random_state=seed), result_frame=shuffled),
        params,
        2021,
    )
    pd.testing.assert_frame_equal(a.statuses, b.statuses)
    pd.testing.assert_frame_equal(
        a.flags.drop(columns=["components"]), b.flags.drop(columns=["components"])
    )


@SETTINGS
@given(
    values=st.lists(
        st.floats(-100, 100, allow_nan=False), min_size=4, max_size=60, unique=True
    )
)
def test_quarter_cut_of_distinct_values_flags_ceil_quarter(values):
    rounded = pd.Series(values).round(6)
    if rounded.nunique() != len(values):
        return  # distinct only after the engine's 6-decimal rounding
    series = pd.Series(values)
    cut = rank_cut(series, pd.Series(1, index=series.index), share=0.25, min_schools=4)
    assert cut[FLAG].sum() == math.ceil(0.25 * len(values))


@SETTINGS
@given(
    counts=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)),
        min_size=4,
        max_size=12,
    ),
    factor=st.sampled_from([0.5, 2.0, 3.0]),
)
def test_scaling_every_social_share_keeps_the_n1_order(counts, factor):
    params = preset("lesosibirsk")
    params["criteria"] = ["N1"]
    params["n1"]["indicators"] = [
        {"field": "both_parents_higher_ed", "sign": 1, "label": "a"},
        {"field": "incomplete_families", "sign": -1, "label": "b"},
        {"field": "low_income", "sign": -1, "label": "c"},
    ]
    ids = list(range(1, len(counts) + 1))

    def social(scale):
        return pd.DataFrame(
            [
                {
                    "school_id": i,
                    "year": 2020,
                    "pupils_total": 200.0,
                    "both_parents_higher_ed": a * scale,
                    "incomplete_families": b * scale,
                    "low_income": c * scale,
                }
                for i, (a, b, c) in zip(ids, counts, strict=True)
            ]
        )

    base = identify(
        inputs(schools(*ids), social=social(1.0)), params, 2021
    ).flags.set_index("school_id")["value"]
    scaled = identify(
        inputs(schools(*ids), social=social(factor)), params, 2021
    ).flags.set_index("school_id")["value"]
    assert (
        base.rank(method="min").fillna(-1).tolist()
        == scaled.rank(method="min").fillna(-1).tolist()
    )
