"""Literal frames for engine tests (no database)."""

import pandas as pd

from identification.engine import Inputs

RESULT_COLUMNS = [
    "school_id",
    "year",
    "procedure",
    "subject",
    "grade",
    "level",
    "participants",
    "fail",
    "mean_score",
]


def schools(*ids, school_type="СОШ", municipality=1, distance=0.0, types=None):
    types = types or {}
    return pd.DataFrame(
        {
            "school_id": list(ids),
            "municipality_id": municipality,
            "region_id": 1,
            "school_type": [types.get(i, school_type) for i in ids],
            "is_rural": False,
            "distance_km": distance,
            "code": [f"sch24{i:04d}" for i in ids],
            "name": [f"Школа {i}" for i in ids],
        }
    )


def results(*rows):
    return pd.DataFrame(
        [dict(zip(RESULT_COLUMNS, r, strict=True)) for r in rows],
        columns=RESULT_COLUMNS,
    ).astype({"participants": float, "fail": float, "mean_score": float})


def empty(columns):
    return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})


def inputs(
    school_frame,
    *,
    result_frame=None,
    social=None,
    staffing=None,
    resources=None,
    outcomes=None,
    comparisons=None,
    means=None,
):
    return Inputs(
        schools=school_frame,
        results=result_frame if result_frame is not None else results(),
        comparisons=comparisons
        if comparisons is not None
        else empty(
            ["school_id", "year", "subject", "grade", "lowered", "confirmed", "raised"]
        ),
        staffing=staffing
        if staffing is not None
        else empty(["school_id", "year", "teachers_total"]),
        social=social
        if social is not None
        else empty(["school_id", "year", "pupils_total"]),
        resources=resources
        if resources is not None
        else empty(["school_id", "year", "textbook_fund", "textbooks_recent"]),
        outcomes=outcomes
        if outcomes is not None
        else empty(
            [
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
        ),
        regional_means=means
        if means is not None
        else empty(
            [
                "region_id",
                "year",
                "procedure",
                "subject",
                "grade",
                "level",
                "mean_score",
            ]
        ),
    )
