"""
Context rules (facts per school, as in rules.py): N1 social well-being (ИСБ → ШНСУ), N2 staff potential (ИККП),
N3 educational potential (ИКОП); R8 resilience and contextualised results;
R9 objectivity annotations. R8 and R9 never decide a status by themselves.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..columns import (
    FLAGGED,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_FLAGGED,
    SCHOOL_ID,
    STATE,
    YEAR,
)
from .params import Indicator, Params
from .rank import normalized, rank_cut
from .rules import facts, ranked

SMALL_SCHOOL = 100


def index_scores(
    shares: pd.DataFrame,
    indicators: tuple[Indicator, ...],
    groups: pd.Series,
    *,
    normalization: str,
    coverage: float,
) -> tuple[pd.Series, pd.DataFrame, dict[Any, list[str]]]:
    """
    Return the index per school (mean of signed z-scores, min-max ×100 or
    percentiles within the group),
    the signed component of every indicator, and the indicators dropped per
    group because every school had the same value (sd = 0).
    """
    groups = groups.reindex(shares.index)
    fields = [item.field for item in indicators]
    x = shares[fields].astype(float)
    grouped = x.groupby(groups)  # every indicator's group statistics at once
    low, high = grouped.transform("min"), grouped.transform("max")
    if normalization == "minmax":
        spread = high - low
        scaled = (x - low) / spread.where(spread > 0)
        values = {
            item.field: (
                scaled[item.field] if item.sign > 0 else 1 - scaled[item.field]
            )
            * 100
            for item in indicators
        }
    elif normalization == "percentile":
        signed = x * pd.Series({item.field: item.sign for item in indicators})
        ranks = signed.groupby(groups).rank(pct=True) * 100
        values = {item.field: ranks[item.field] for item in indicators}
    else:
        mean, sd = grouped.transform("mean"), grouped.transform("std", ddof=0)
        z = (x - mean) / sd.where(sd > 0)
        values = {item.field: item.sign * z[item.field] for item in indicators}
    flat = ((high - low) == 0).fillna(False).astype(bool)
    parts = {}
    dropped: dict[Any, list[str]] = {}
    for item in indicators:
        field = item.field
        for group in groups[flat[field]].unique():
            dropped.setdefault(group, []).append(item.label)
        parts[field] = values[field].where(~flat[field])
    components = pd.DataFrame(parts, index=shares.index)
    usable = components.notna().sum(axis=1)
    possible = pd.Series(len(parts), index=shares.index) - groups.map(
        lambda g: len(dropped.get(g, []))
    )
    score = (
        components.mean(axis=1)
        .where(usable >= np.ceil(coverage * possible - 1e-9))
        .where(possible > 0)
    )
    return score, components, dropped


def _latest(frame: pd.DataFrame, y: int | None) -> pd.DataFrame:
    if y is None:
        return frame.iloc[0:0].set_index(SCHOOL_ID)
    return (
        frame.loc[frame[YEAR] == y]
        .drop_duplicates(SCHOOL_ID, keep="last")
        .set_index(SCHOOL_ID)
    )


def _indicator_columns(
    shares: pd.DataFrame, components: pd.DataFrame
) -> dict[str, pd.Series]:
    """The shares and scores of the indicators as v0…, s0… in the order of the legend."""
    return {
        **{f"v{i}": shares[name] for i, name in enumerate(components.columns)},
        **{f"s{i}": components[name] for i, name in enumerate(components.columns)},
    }


def n1(
    social: pd.DataFrame,
    schools: pd.DataFrame,
    groups: pd.Series,
    params: Params,
    y: int | None,
) -> tuple[pd.DataFrame, pd.Series, dict[str, list[str]]]:
    """ИСБ, the social well-being index, and ШНСУ: the 25 % of schools with the lowest.

    Returns the facts, the index per school and the indicators dropped per group.
    """
    p = params.n1
    data = _latest(social, y)
    school_index = schools.set_index(SCHOOL_ID)
    index = school_index.index
    pupils = (
        data["pupils_total"].astype(float).where(data["pupils_total"] > 0)
        if "pupils_total" in data
        else pd.Series(dtype=float)
    ).reindex(index)
    shares = pd.DataFrame(index=index)
    for item in p.indicators:
        field = item.field
        if field == "distance_km":
            shares[field] = school_index["distance_km"].astype(float)
        elif field == "small_school":
            shares[field] = (pupils < SMALL_SCHOOL).astype(float).where(pupils.notna())
        elif field == "registered" and {"school_register", "pdn_kdn_register"} <= set(
            data.columns
        ):
            shares[field] = (
                100
                * (data["school_register"] + data["pdn_kdn_register"]).reindex(index)
                / pupils
            )
        elif field in data:
            shares[field] = 100 * data[field].reindex(index) / pupils
        else:
            shares[field] = (
                np.nan
            )  # not collected: the column stays so the legend matches
    shares.loc[pupils.isna(), [c for c in shares.columns if c != "distance_km"]] = (
        np.nan
    )
    has_passport = pupils.notna()
    score, components, dropped = index_scores(
        shares,
        p.indicators,
        groups,
        normalization=p.normalization,
        coverage=p.coverage,
    )
    score = score.where(has_passport)
    group = groups.reindex(index)
    cut = rank_cut(score, group, share=p.share, min_schools=params.min_schools)
    frame = facts(
        index,
        **ranked(score, cut),
        group=group,
        passport=has_passport,
        **_indicator_columns(shares, components),
    )
    return frame, score, {str(g): labels for g, labels in dropped.items()}


def n2(
    staffing: pd.DataFrame,
    schools: pd.DataFrame,
    groups: pd.Series,
    params: Params,
    y: int | None,
) -> pd.DataFrame:
    """ИККП, the staff potential index: the 25 % lowest are «кадровый дефицит»."""
    p = params.n2
    data = _latest(staffing, y)
    index = schools.set_index(SCHOOL_ID).index
    teachers = (
        data["teachers_total"]
        .astype(float)
        .where(data["teachers_total"] > 0)
        .reindex(index)
        if "teachers_total" in data
        else pd.Series(np.nan, index=index)
    )
    shares = pd.DataFrame(
        {
            i.field: (100 * data[i.field].reindex(index) / teachers)
            if i.field in data
            else np.nan
            for i in p.indicators
        },
        index=index,
    )
    score, components, _ = index_scores(
        shares,
        p.indicators,
        groups,
        normalization=p.normalization,
        coverage=p.coverage,
    )
    score = score.where(teachers.notna())
    cut = rank_cut(
        score,
        groups.reindex(index),
        share=p.share,
        min_schools=params.min_schools,
    )
    return facts(
        index,
        **ranked(score, cut),
        teachers=teachers,
        **_indicator_columns(shares, components),
    )


def n3(
    resources: pd.DataFrame,
    schools: pd.DataFrame,
    groups: pd.Series,
    params: Params,
    y: int | None,
) -> pd.DataFrame:
    """ИКОП: the share of textbooks not older than 3 years; the 25 % lowest."""
    data = _latest(resources, y)
    index = schools.set_index(SCHOOL_ID).index
    fund = (
        data["textbook_fund"]
        .astype(float)
        .where(data["textbook_fund"] > 0)
        .reindex(index)
        if "textbook_fund" in data
        else pd.Series(np.nan, index=index)
    )
    recent = (
        data["textbooks_recent"].reindex(index)
        if "textbooks_recent" in data
        else pd.Series(np.nan, index=index)
    )
    recent_share = 100 * recent / fund
    group = groups.reindex(index)
    value = (
        recent_share
        if params.n3.normalization == "share"
        else normalized(recent_share, group, params.n3.normalization)
    )
    cut = rank_cut(value, group, share=params.n3.share, min_schools=params.min_schools)
    return facts(
        index,
        **ranked(value, cut),
        recent=recent.where(value.notna()),
        fund=fund.where(value.notna()),
        recent_share=recent_share.where(value.notna()),
    )


def r8(
    composite: pd.Series,
    wellbeing: pd.Series,
    n1_facts: pd.DataFrame,
    groups: pd.Series,
    schools: pd.DataFrame,
    params: Params,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """
    Results against context (§4.4) and resilient schools (§4.3): a hard
    context (N1) with a contextual result in the top 25 % of the comparison
    set when the regression can be fitted, else results at or above the median.
    """
    p = params.r8
    index = schools.set_index(SCHOOL_ID).index
    composite, wellbeing = composite.reindex(index), wellbeing.reindex(index)
    group = groups.reindex(index)
    median = composite.groupby(group).transform("median")
    both = composite.notna() & wellbeing.notna()
    hard = (
        (n1_facts[STATE] == FLAGGED).reindex(index, fill_value=False)
        if not n1_facts.empty
        else pd.Series(False, index=index)
    )
    predictors = _predictors(p.model, wellbeing, n1_facts, index, both)
    usable = both & predictors.notna().all(axis=1)
    needed = p.min_per_predictor * max(predictors.shape[1], 1)
    expected = z = pd.Series(np.nan, index=index)
    fit: dict[str, Any] = {
        "fit": False,
        "model": p.model,
        "z_effective": p.z_effective,
        "min_per_predictor": p.min_per_predictor,
        "needed": needed,
    }
    if predictors.shape[1] and usable.sum() >= needed:
        if p.model == "index":
            slope, intercept = np.polyfit(wellbeing[usable], composite[usable], 1)
            expected = intercept + slope * wellbeing
            fit["slope"] = round(float(slope), 3)
        else:
            x = predictors[usable].to_numpy()
            design = np.column_stack([np.ones(len(x)), x])
            coef = np.linalg.lstsq(design, composite[usable].to_numpy(), rcond=None)[0]
            expected = pd.Series(
                coef[0] + predictors.to_numpy() @ coef[1:], index=index
            ).where(usable)
            fit["predictors"] = predictors.shape[1]
        residual = composite - expected
        spread = residual[usable].std(ddof=0)
        z = (residual / spread if spread > 0 else residual * np.nan).where(usable)
        fit["fit"] = True
    known_z = z.notna()
    by_group = z.groupby(group)
    top = by_group.rank(ascending=False, method="min") <= np.ceil(
        0.25 * by_group.transform("count")
    )
    resilient = hard & np.where(known_z, top, composite >= median)
    state = np.where(both, np.where(resilient, FLAGGED, NOT_FLAGGED), NO_DATA)
    known = both.to_numpy()
    frame = facts(
        index,
        state,
        z.round(3).where(known),
        composite=composite.where(known),
        wellbeing=wellbeing.where(known),
        median=median.where(known),
        hard=hard,
        expected=expected.where(known),
        z=z.where(known),
        by_regression=known_z & both,
    )
    return frame, fit


def _predictors(
    model: str,
    wellbeing: pd.Series,
    n1_facts: pd.DataFrame,
    index: pd.Index,
    both: pd.Series,
) -> pd.DataFrame:
    """ИСБ, or the shares of its indicators that vary between the schools."""
    if model == "index":
        shares = wellbeing.to_frame("wellbeing")
    else:
        columns = [c for c in n1_facts.columns if re.fullmatch(r"v\d+", c)]
        shares = n1_facts[columns].reindex(index).astype(float)
    shares = shares.where(both, np.nan)
    return shares.loc[:, shares.std(ddof=0) > 0]


def unobjective_vpr(comparisons: pd.DataFrame, params: Params) -> pd.DataFrame:
    """
    The (school, year, subject, grade) of every ВПР whose marks the objectivity
    check flags (understated journal marks or raised ВПР marks, R9's thresholds).
    """
    p = params.r9
    total = comparisons[["lowered", "confirmed", "raised"]].sum(axis=1)
    known = total > 0
    down = 100 * comparisons["lowered"] / total.where(known)
    up = 100 * comparisons["raised"] / total.where(known)
    flagged = known & ((down >= p.t_down) | (up >= p.t_up))
    return comparisons.loc[flagged, [SCHOOL_ID, YEAR, "subject", "grade"]]


def r9(
    comparisons: pd.DataFrame,
    schools: pd.DataFrame,
    params: Params,
    y: int | None,
) -> pd.DataFrame:
    """Objectivity: ВПР marks against journal marks (понизили / подтвердили / повысили)."""
    p = params.r9
    index = schools.set_index(SCHOOL_ID).index
    data = (
        comparisons.loc[comparisons[YEAR] == y]
        if y is not None
        else comparisons.iloc[0:0]
    )
    sums = (
        data.groupby(SCHOOL_ID)[["lowered", "confirmed", "raised"]].sum().reindex(index)
    )
    total = sums.sum(axis=1, min_count=1)
    known = total.gt(0)
    down, up = (
        (100 * sums["lowered"] / total).where(known),
        (100 * sums["raised"] / total).where(known),
    )
    noted = (down >= p.t_down) | (up >= p.t_up)
    if p.policy == "ignore":
        state = np.full(len(index), NOT_APPLICABLE, dtype=object)
        known[:] = False
    else:
        state = np.where(known, np.where(noted, FLAGGED, NOT_FLAGGED), NO_DATA)
    return facts(
        index,
        state,
        down.round(2).where(known),
        lowered=sums["lowered"].where(known),
        confirmed=sums["confirmed"].where(known),
        raised=sums["raised"].where(known),
    )
