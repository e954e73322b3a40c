"""
Result rules: R1 (the 30 % rule) and L1–L7 (SEED-003), computed set-based.

Each rule returns its facts: a frame indexed by school with the criterion's
state, value, threshold, rank and margin and the numbers its explanation is
made from (explain.py words them on demand), and, where a school has several
entries (R1's low results, L1's cells, L3's procedures), a long frame of items.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..columns import (
    CELL,
    FAIL,
    FLAGGED,
    GRADE,
    LEVEL,
    MARGIN,
    MEAN,
    MEAN_PERCENT,
    MUNICIPALITY_ID,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_FLAGGED,
    PARTICIPANTS,
    PROCEDURE,
    RANK,
    SCHOOL_ID,
    SCHOOL_TYPE,
    STATE,
    SUBJECT,
    THRESHOLD,
    TOO_FEW_SCHOOLS,
    VALUE,
    YEAR,
)
from .params import Params
from .rank import CUT, FLAG, TIE_EXPANDED, TOO_FEW, N, normalized_within, rank_cut
from .text import procedure_label, year_name

KEY = [PROCEDURE, SUBJECT, GRADE, LEVEL]
# One assessment cell: procedure, subject, grade, level ("" when none).
ProcedureKey = tuple[str, str, int, str]
SENIOR_TYPES_EXCLUDED = {"НОШ", "ООШ"}
Facts = tuple[pd.DataFrame, pd.DataFrame]  # a criterion's facts and its items


def facts(
    index: pd.Index,
    state: Any,
    value: Any = np.nan,
    threshold: Any = np.nan,
    rank: Any = np.nan,
    margin: Any = np.nan,
    **extra: Any,
) -> pd.DataFrame:
    """A criterion's facts per school: state and numbers first, then what its explanation needs (all numeric)."""
    frame = pd.DataFrame(
        {
            STATE: state,
            VALUE: value,
            THRESHOLD: threshold,
            RANK: rank,
            MARGIN: margin,
            **extra,
        },
        index=index,
    )
    frame.index.name = SCHOOL_ID
    numeric = [name for name in frame.columns if name != STATE]
    frame[numeric] = frame[numeric].astype(float)
    return frame


def ranked(value: pd.Series, cut: pd.DataFrame) -> dict[str, Any]:
    """
    State and numbers of a rank-cut criterion (R2) where the value exists; a
    group too small to rank has its own state (the value is still shown).
    """
    has = value.notna()
    ok = has & ~cut[TOO_FEW]
    return {
        "state": np.where(
            ok,
            np.where(cut[FLAG], FLAGGED, NOT_FLAGGED),
            np.where(has, TOO_FEW_SCHOOLS, NO_DATA),
        ),
        "value": value.where(~ok, value.round(6)),
        "threshold": cut[CUT].round(6).where(ok),
        "rank": cut[RANK].where(ok),
        "margin": (value - cut[CUT]).round(6).where(ok),
        "n": cut[N],
        "tie_expanded": cut[TIE_EXPANDED] & ok,
        "too_few": cut[TOO_FEW] & has,
    }


def applicable(procedure: str, grade: int, school_type: str) -> bool:
    """Return whether a procedure is sat at a school of this type."""
    if school_type == "НОШ":
        return procedure == "ВПР" and grade == 4
    if procedure == "ЕГЭ":
        return school_type not in SENIOR_TYPES_EXCLUDED
    return True


def _keys(items: list[list[Any]]) -> set[ProcedureKey]:
    return {(p, s, int(g), lv or "") for p, s, g, lv in items}


def _filter(results: pd.DataFrame, procedures: set[ProcedureKey]) -> pd.DataFrame:
    """Return the rows of the given (procedure, subject, grade, level) keys."""
    if results.empty or not procedures:
        return results.iloc[0:0]
    # Compare the few distinct keys, then select the rows by their code (set by engine.prepare).
    distinct = results.drop_duplicates(CELL)[[CELL, *KEY]].itertuples(
        index=False, name=None
    )
    wanted = [cell for cell, *key in distinct if _key(*key) in procedures]
    return results.loc[results[CELL].isin(wanted)]


def _key(procedure: str, subject: str, grade: Any, level: Any) -> ProcedureKey:
    return procedure, subject, int(grade), level if isinstance(level, str) else ""


def held_years(rows: pd.DataFrame, target: int) -> list[int]:
    """Return the years before `target` in which any school has results among `rows`, newest first."""
    rows = rows.loc[(rows[YEAR] < target) & (rows[PARTICIPANTS] > 0)]
    return sorted(rows[YEAR].unique().tolist(), reverse=True)


def _count(rows: pd.DataFrame, mask: Any, index: pd.Index) -> pd.Series:
    return rows.loc[mask].groupby(SCHOOL_ID).size().reindex(index, fill_value=0)


def without_vpr(
    results: pd.DataFrame, flagged: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """
    The results without the flagged ВПР rows, and what was left out per school
    (as «ВПР, математика, 5 класс (2020/2021)», for the explanations).
    """
    if results.empty or flagged.empty:
        return results, {}
    # The few distinct ВПР cells by (subject, grade), then one integer key per
    # (school, year, cell) on both sides: a set test, not a merge of strings.
    cells = results.drop_duplicates(CELL)
    cells = cells.loc[cells[PROCEDURE] == "ВПР"]
    cell_of = {
        (subject, int(grade)): int(cell)
        for cell, subject, grade in zip(
            cells[CELL], cells[SUBJECT], cells[GRADE], strict=True
        )
    }
    wanted = [
        (int(school), int(year), cell_of[(subject, int(grade))])
        for school, year, subject, grade in zip(
            flagged[SCHOOL_ID],
            flagged[YEAR],
            flagged[SUBJECT],
            flagged[GRADE],
            strict=True,
        )
        if (subject, int(grade)) in cell_of
    ]
    if not wanted:
        return results, {}
    span = int(results[CELL].max()) + 1
    years = int(results[YEAR].max()) + 1

    def code(school: Any, year: Any, cell: Any) -> Any:
        return (school * years + year) * span + cell

    mask = np.isin(
        code(
            results[SCHOOL_ID].to_numpy(np.int64),
            results[YEAR].to_numpy(np.int64),
            results[CELL].to_numpy(np.int64),
        ),
        np.array([code(*key) for key in wanted], dtype=np.int64),
    )
    hit = results.loc[mask, [SCHOOL_ID, YEAR, SUBJECT, GRADE]].reset_index()
    # One label per distinct (subject, grade, year), then joined per school.
    keys = list(zip(hit[SUBJECT], hit[GRADE], hit[YEAR], strict=True))
    labels = {
        key: f"{procedure_label('ВПР', key[0], int(key[1]), '')} ({year_name(int(key[2]))})"
        for key in set(keys)
    }
    excluded: dict[str, list[str]] = {}
    for school, key in zip(hit[SCHOOL_ID].tolist(), keys, strict=True):
        excluded.setdefault(str(school), []).append(labels[key])
    return results.drop(index=hit["index"]), excluded


# R1 ------------------------------------------------------------------------------


def r1(
    results: pd.DataFrame,
    schools: pd.DataFrame,
    params: Params,
    years: list[int],
) -> Facts:
    """The 30 % rule: low results in ≥ k1 procedures in Y, or in each of Y and Y−1."""
    p = params.r1
    pct_, k1, min_n, small = p.pct, p.k1, p.min_n, p.small_n
    index = pd.Index(schools[SCHOOL_ID])
    rows = _filter(results, set(p.procedures))
    rows = rows.loc[
        rows[YEAR].isin(years) & rows[PARTICIPANTS].notna() & rows[FAIL].notna()
    ]
    low = (rows[PARTICIPANTS] >= min_n) & (
        100 * rows[FAIL] >= pct_ * rows[PARTICIPANTS]
    )
    y = years[0] if years else None
    y_prev = years[1] if len(years) > 1 else None
    in_y, in_prev = rows[YEAR].eq(y), rows[YEAR].eq(y_prev)
    has_y, has_prev = _count(rows, in_y, index) > 0, _count(rows, in_prev, index) > 0
    low_y, low_prev = (
        _count(rows, low & in_y, index),
        _count(rows, low & in_prev, index),
    )
    c1 = low_y >= k1
    if p.mode == "same_procedure_both_years":
        both = rows.loc[low & in_y, [SCHOOL_ID, CELL]].merge(
            rows.loc[low & in_prev, [SCHOOL_ID, CELL]].drop_duplicates()
        )
        c2 = both.groupby(SCHOOL_ID).size().reindex(index, fill_value=0) > 0
    else:
        c2 = (low_y > 0) & (low_prev > 0)
    primary = (schools[SCHOOL_TYPE] == "НОШ").to_numpy()
    absent = ~(has_y | has_prev).to_numpy()
    state = np.select(
        [primary, absent, (c1 | c2).to_numpy()],
        [NOT_APPLICABLE, NO_DATA, FLAGGED],
        NOT_FLAGGED,
    )
    counted = low_y.where(~(primary | absent))
    frame = facts(
        index,
        state,
        counted,
        k1,
        margin=counted - k1,
        has_y=has_y,
        has_prev=has_prev,
        c1=c1,
        c2=c2,
        low_prev=low_prev,
    )
    # Only low results and small samples are named in explanations.
    notable = low | (rows[PARTICIPANTS] < small)
    items = rows.loc[notable, [SCHOOL_ID, YEAR, CELL, PARTICIPANTS, FAIL]].assign(
        low=low[notable]
    )
    return frame, items


# L1 ------------------------------------------------------------------------------


def l1(
    results: pd.DataFrame,
    schools: pd.DataFrame,
    groups: pd.Series,
    params: Params,
    target: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, list[str]]:
    """Composite result index over three years (mean of z-scores) and the 25 % cut.

    Returns the facts, the cells (items), the index per school and the legend
    of the cells that the items refer to by position.
    """
    p = params.l1
    procedures = set(p.procedures) | (_keys(_vpr_l1()) if p.include_vpr else set())
    rows = _filter(results, procedures)
    years = held_years(rows, target)[: p.years]
    rows = rows.loc[
        rows[YEAR].isin(years) & rows[MEAN].notna() & (rows[PARTICIPANTS] > 0)
    ]
    rows = rows.assign(group=rows[SCHOOL_ID].map(groups))
    grouped = rows.groupby([CELL, YEAR, "group"], dropna=False)[MEAN]
    rows = rows.assign(
        mu=grouped.transform("mean"), sd=grouped.transform("std", ddof=0)
    )
    if p.normalization != "zscore":
        # «z» holds the cell's normalised score, whichever the normalisation;
        # a cell whose schools all score alike (sd = 0) is dropped below either way.
        rows = rows.assign(z=normalized_within(rows[MEAN], grouped, p.normalization))
    rows = rows.loc[rows["sd"] > 0]
    if p.normalization == "zscore":
        rows = rows.assign(z=(rows[MEAN] - rows["mu"]) / rows["sd"])
    index = pd.Index(schools[SCHOOL_ID])
    school_groups = index.map(groups)
    composite = rows.groupby(SCHOOL_ID)["z"].mean()
    available = rows.groupby(SCHOOL_ID)["z"].size().reindex(index, fill_value=0)
    # The cells held in a group that a school of each type sits (the same for every school of the type).
    held = rows[["group", PROCEDURE, GRADE, CELL, YEAR]].drop_duplicates()
    # A school without a recorded type is looked up as "" (NaN never equals
    # itself, so it would find no count); `applicable` treats both alike.
    types = schools[SCHOOL_TYPE].fillna("").to_numpy()
    pairs = pd.DataFrame({"group": school_groups, "type": types}).drop_duplicates()
    counts = _applicable_counts(held, pairs)
    cells_applicable = pd.Series(
        [counts[g, t] for g, t in zip(school_groups, types, strict=True)],
        index=index,
        dtype=float,
    )
    coverage = (available / cells_applicable.where(cells_applicable > 0)).fillna(0.0)
    value = composite.reindex(index).where(coverage >= p.coverage)
    cut = rank_cut(
        value,
        pd.Series(school_groups, index=index),
        share=p.share,
        min_schools=params.min_schools,
    )
    numbers = ranked(value, cut)
    frame = facts(
        index,
        **numbers,
        coverage=coverage,
        available=available,
        applicable=cells_applicable,
    )
    frame.loc[cells_applicable == 0, STATE] = NO_DATA
    # Items as [school, position in the legend, mean, z].
    position = rows.groupby(
        [YEAR, *KEY], sort=True, dropna=False, observed=True
    ).ngroup()
    cell_keys = (
        rows[[YEAR, *KEY]]
        .drop_duplicates()
        .sort_values([YEAR, *KEY])
        .itertuples(index=False, name=None)
    )
    legend = [
        f"{procedure_label(p_, s_, int(g_), lv_)}, {year_name(int(y_))}"
        for y_, p_, s_, g_, lv_ in cell_keys
    ]
    items = pd.DataFrame(
        {
            SCHOOL_ID: rows[SCHOOL_ID].to_numpy(),
            "at": position.to_numpy(),
            "mean": rows[MEAN].to_numpy(),
            "z": rows["z"].to_numpy(),
        }
    )
    return frame, items, value, legend


def _applicable_counts(
    held: pd.DataFrame, pairs: pd.DataFrame
) -> dict[tuple[Any, ...], int]:
    """Per (group, school type): how many of the group's held cells a school of the type sits."""
    code = held.groupby([PROCEDURE, GRADE], observed=True, sort=False).ngroup()
    kinds = held[[PROCEDURE, GRADE]].assign(code=code).drop_duplicates("code")
    out: dict[tuple[Any, ...], int] = {}
    for kind in pairs["type"].unique():
        sat = [
            c
            for p, g, c in kinds.itertuples(index=False, name=None)
            if applicable(p, g, kind)
        ]
        per_group = held.loc[code.isin(sat)].groupby("group").size()
        for group in pairs.loc[pairs["type"] == kind, "group"]:
            out[group, kind] = int(per_group.get(group, 0))
    return out


def _vpr_l1() -> list[list[Any]]:
    from .params import VPR_L1

    return VPR_L1


# L2–L7 ------------------------------------------------------------------------------


def l2(
    outcomes: pd.DataFrame, schools: pd.DataFrame, params: Params, y: int | None
) -> pd.DataFrame:
    """Continuation to grade 10 below 60 %."""
    p = params.l2
    index = pd.Index(schools[SCHOOL_ID])
    rows = (
        (outcomes.loc[outcomes[YEAR] == y] if y is not None else outcomes.iloc[0:0])
        .drop_duplicates(SCHOOL_ID, keep="last")
        .set_index(SCHOOL_ID)
    )
    grads = (
        rows["grade9_graduates"].reindex(index)
        if "grade9_graduates" in rows
        else pd.Series(np.nan, index=index)
    )
    cont = (
        rows["continued_grade10"].reindex(index)
        if "continued_grade10" in rows
        else pd.Series(np.nan, index=index)
    )
    known = grads.notna() & cont.notna() & grads.gt(0)
    value = (100 * cont / grads).where(known)
    senior_less = schools[SCHOOL_TYPE].isin(SENIOR_TYPES_EXCLUDED).to_numpy()
    # No graduates of grade 9 that year: nobody could continue, so the
    # criterion does not apply (§9) — it is not missing data.
    no_graduates = grads.eq(0).to_numpy()
    state = np.select(
        [
            senior_less,
            no_graduates,
            ~known.to_numpy(),
            (100 * cont < p.threshold * grads).to_numpy(),
        ],
        [NOT_APPLICABLE, NOT_APPLICABLE, NO_DATA, FLAGGED],
        NOT_FLAGGED,
    )
    real = known & ~senior_less
    return facts(
        index,
        state,
        value.round(4).where(real),
        p.threshold,
        margin=(value - p.threshold).round(4).where(real),
        graduates=grads.where(real | grads.eq(0)),
        continued=cont.where(real),
    )


# L3 compares ОГЭ and ВПР in % of the maximum primary score when the school and
# the region both have it; other marks (and these without it) as mark × 20.
PERCENT_PROCEDURES = ("ОГЭ", "ВПР")
MARK_AS_PERCENT = 20.0  # a 5-point mark as % of the maximum: the fallback
L3_PERCENT = "percent"  # item column: 1.0 when the gap is in p. p. of % of max


def _with_percent(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with MEAN_PERCENT, empty where the data does not carry it."""
    return frame if MEAN_PERCENT in frame else frame.assign(**{MEAN_PERCENT: np.nan})


def l3(
    results: pd.DataFrame,
    means: pd.DataFrame,
    schools: pd.DataFrame,
    params: Params,
    y: int | None,
) -> Facts:
    """
    Gap of more than 20 below the regional mean of the same procedure and year
    (methodology §9 R3): ЕГЭ (not базовый) in test points; ОГЭ and ВПР in
    p. p. of the mean % of the maximum primary score when the school and the
    region both have it, else — the documented fallback — as the mean mark
    × 20 (a 5-point mark as % of the maximum), as ЕГЭ базовый always is.

    Reads SCHOOL_ID, YEAR, the KEY columns, CELL, PARTICIPANTS, MEAN and, when
    present, MEAN_PERCENT of the results; region_id, YEAR, KEY, MEAN and, when
    present, MEAN_PERCENT of the means. Items: SCHOOL_ID, CELL, school, region
    (the values compared), gap and L3_PERCENT (1.0 for % of the maximum).
    """
    p = params.l3
    index = pd.Index(schools[SCHOOL_ID])
    rows = _with_percent(_filter(results, set(p.procedures)))
    rows = rows.loc[
        (rows[YEAR] == y)
        & (rows[MEAN].notna() | rows[MEAN_PERCENT].notna())
        & (rows[PARTICIPANTS] > 0)
    ]
    reference = _with_percent(
        means.loc[means[YEAR] == y] if y is not None else means.iloc[0:0]
    )
    reference = reference.assign(
        **{
            PROCEDURE: reference[PROCEDURE].astype(object),
            SUBJECT: reference[SUBJECT].astype(object),
            LEVEL: reference[LEVEL].astype(object).fillna(""),
            GRADE: reference[GRADE].astype(int),
        }
    )
    reference = reference.drop_duplicates([*KEY, "region_id"], keep="last")[
        [*KEY, "region_id", MEAN, MEAN_PERCENT]
    ].rename(columns={MEAN: "region", MEAN_PERCENT: "region_percent"})
    region = schools.set_index(SCHOOL_ID)["region_id"]
    rows = rows.assign(
        **{
            "region_id": rows[SCHOOL_ID].map(region),
            PROCEDURE: rows[PROCEDURE].astype(object),
            SUBJECT: rows[SUBJECT].astype(object),
            LEVEL: rows[LEVEL].astype(object).fillna(""),
            GRADE: rows[GRADE].astype(int),
        }
    )
    rows = rows.merge(reference, on=[*KEY, "region_id"], how="left")
    percent = (
        rows[PROCEDURE].isin(PERCENT_PROCEDURES)
        & rows[MEAN_PERCENT].notna()
        & rows["region_percent"].notna()
    ).to_numpy()
    test_points = ((rows[PROCEDURE] == "ЕГЭ") & (rows[LEVEL] != "базовый")).to_numpy()
    school = np.where(percent, rows[MEAN_PERCENT], rows[MEAN]).astype(float)
    reference_value = np.where(percent, rows["region_percent"], rows["region"]).astype(
        float
    )
    scale = np.where(percent | test_points, 1.0, MARK_AS_PERCENT)
    gap = (reference_value - school) * scale
    known = ~np.isnan(gap)
    items = pd.DataFrame(
        {
            SCHOOL_ID: rows[SCHOOL_ID].to_numpy()[known],
            CELL: rows[CELL].to_numpy()[known],
            "school": school[known],
            "region": reference_value[known],
            "gap": gap[known],
            L3_PERCENT: percent[known].astype(float),
        }
    )
    worst = (
        items.assign(gap=items["gap"].round(2))
        .groupby(SCHOOL_ID)["gap"]
        .max()
        .reindex(index)
    )
    state = np.where(
        worst.isna(), NO_DATA, np.where(worst.round(6) > p.gap, FLAGGED, NOT_FLAGGED)
    )
    return facts(index, state, worst, p.gap, margin=(worst - p.gap).round(4)), items


def l4(
    outcomes: pd.DataFrame,
    social: pd.DataFrame,
    schools: pd.DataFrame,
    params: Params,
    y: int | None,
) -> pd.DataFrame:
    """
    Olympiad and contest participants over three years: 0.5 % of pupils or
    fewer. The window is the calendar Y−2…Y; a year without a figure is
    missing, not zero, and a school without every year of it has no data.
    """
    p = params.l4
    index = pd.Index(schools[SCHOOL_ID])
    span = l4_years(y, p.years)
    grouped = (
        outcomes.loc[outcomes[YEAR].isin(span)]
        .dropna(subset=["olympiad_participants"])
        .drop_duplicates([SCHOOL_ID, YEAR], keep="last")
        .groupby(SCHOOL_ID)["olympiad_participants"]
        .agg(["sum", "count"])
        .reindex(index)
    )
    pupils = (
        social.loc[social[YEAR].isin(span)]
        .groupby(SCHOOL_ID)["pupils_total"]
        .mean()
        .reindex(index)
    )
    counted = grouped["count"].fillna(0)
    known = counted.ge(max(len(span), 1)) & pupils.notna() & pupils.ne(0)
    value = (100 * grouped["sum"].fillna(0) / pupils).where(known)
    state = np.where(
        known, np.where(value.round(6) <= p.threshold, FLAGGED, NOT_FLAGGED), NO_DATA
    )
    return facts(
        index,
        state,
        value.round(4),
        p.threshold,
        margin=(value - p.threshold).round(4),
        participants=grouped["sum"].where(known),
        mean_pupils=pupils.where(known),
        years=counted,
    )


def l4_years(y: int | None, years: int) -> list[int]:
    """L4's window: the calendar years Y−2…Y (for three years), latest first."""
    return [] if y is None else [y - back for back in range(years)]


def l5(
    outcomes: pd.DataFrame, schools: pd.DataFrame, params: Params, y: int | None
) -> pd.DataFrame:
    """НОКО satisfaction of 40 % or less (the latest result not older than 3 years)."""
    p = params.l5
    index = pd.Index(schools[SCHOOL_ID])
    data = outcomes.loc[
        outcomes["noko_satisfaction"].notna()
        & (outcomes[YEAR] <= (y if y is not None else -1))
        & (outcomes[YEAR] > (y if y is not None else 0) - p.max_age)
    ]
    latest = (
        data.sort_values(YEAR, kind="stable").groupby(SCHOOL_ID).last().reindex(index)
    )
    value = latest["noko_satisfaction"]
    state = np.where(
        value.isna(),
        NOT_APPLICABLE,
        np.where(value <= p.threshold, FLAGGED, NOT_FLAGGED),
    )
    return facts(
        index,
        state,
        value,
        p.threshold,
        margin=(value - p.threshold).round(4),
        year=latest[YEAR],
    )


def l6_l7(
    outcomes: pd.DataFrame,
    schools: pd.DataFrame,
    params: Params,
    y: int | None,
) -> dict[str, pd.DataFrame]:
    """
    Quality (L6) and success rate (L7) below the municipal mean by 10 and 5
    p.p. Each needs only its own count beside «Аттестовано»: a school that gave
    the «4 и 5» count but not the failing one is judged on L6, and counts in
    L6's municipal mean. Seed 003 compares with the municipality, so the
    region-wide comparison set of the 25 % cuts does not apply here. The mean
    is the municipality's share of all its attested pupils, or (parameter) the
    mean of its schools' shares.
    """
    index = pd.Index(schools[SCHOOL_ID])
    groups = schools.set_index(SCHOOL_ID)[MUNICIPALITY_ID]
    year = (
        outcomes.loc[(outcomes[YEAR] == y) & outcomes["attested"].fillna(0).gt(0)]
        if y is not None
        else outcomes.iloc[0:0]
    )
    reported = index.isin(year[SCHOOL_ID]).astype(float)
    out = {}
    for criterion, column, share in (
        ("L6", "attested_good", _good_share),
        ("L7", "attested_failing", _success_share),
    ):
        data = year.dropna(subset=[column]).drop_duplicates(SCHOOL_ID, keep="last")
        data = data.assign(group=data[SCHOOL_ID].map(groups))
        pooled = data.groupby("group")[["attested", column]].transform("sum")
        data = data.set_index(SCHOOL_ID)
        pooled.index = data.index
        a, n = (data[name].reindex(index) for name in ("attested", column))
        pa, pn = (pooled[name].reindex(index) for name in ("attested", column))
        value = share(a, n)
        rule = params.mean_gap(criterion)
        limit = rule.gap
        if rule.reference == "schools":
            reference = value.groupby(groups.reindex(index)).transform("mean")
        else:
            reference = share(pa, pn)
        gap = reference - value
        state = np.where(
            value.isna(), NO_DATA, np.where(gap.round(6) >= limit, FLAGGED, NOT_FLAGGED)
        )
        out[criterion] = facts(
            index,
            state,
            value.round(4),
            limit,
            margin=(gap - limit).round(4),
            school=value,
            municipality=reference,
            gap=gap,
            attested=a,
            reported=reported,
        )
    return out


def _good_share(attested: pd.Series, good: pd.Series) -> pd.Series:
    return 100 * good / attested


def _success_share(attested: pd.Series, failing: pd.Series) -> pd.Series:
    return 100 * (attested - failing) / attested


def municipality_groups(schools: pd.DataFrame, params: Params) -> pd.Series:
    """Return the comparison group of every school (its municipality, or its region)."""
    column = "region_id" if params.comparison_set == "region" else MUNICIPALITY_ID
    return schools.set_index(SCHOOL_ID)[column]
