"""R2: the «25 % of schools with the lowest …» cut, shared by L1 and N1–N3."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..columns import RANK

CUT = "cut"
N = "n"
FLAG = "flag"
TIE_EXPANDED = "tie_expanded"
TOO_FEW = "too_few"


def rank_cut(
    values: pd.Series, groups: pd.Series, *, share: float, min_schools: int
) -> pd.DataFrame:
    """
    Rank each school's value within its comparison group and flag the lowest share.

    Requires `values` (NaN = not ranked) and `groups` on the same index.
    Returns, on that index: RANK (1 = lowest), CUT (the k-th smallest value),
    N (schools ranked in the group), FLAG, TIE_EXPANDED and TOO_FEW.
    Ties at the cut are all flagged (TIE_EXPANDED marks those at the cut when
    the tie flagged more than the share); groups below `min_schools` flag nobody.
    """
    frame = pd.DataFrame({"v": values.round(6), "g": groups}, index=values.index)
    ranked = frame.dropna(subset=["v"])
    n = ranked.groupby("g")["v"].transform("size")
    k = np.maximum(1, np.ceil((share * n).round(9))).astype(int)
    position = ranked.sort_values(["g", "v"]).groupby("g").cumcount() + 1
    ordered = ranked.assign(position=position, k=k)
    cut_by_group = (
        ordered.loc[ordered["position"] == ordered["k"]].groupby("g")["v"].first()
    )
    out = pd.DataFrame(index=values.index)
    out[RANK] = ranked.groupby("g")["v"].rank(method="min").reindex(values.index)
    out[N] = n.reindex(values.index)
    out[CUT] = frame["g"].map(cut_by_group).where(frame["v"].notna())
    too_few = out[N] < min_schools
    out[TOO_FEW] = too_few.fillna(False).astype(bool)
    out[FLAG] = (frame["v"] <= out[CUT]) & ~out[TOO_FEW] & frame["v"].notna()
    flagged_per_group = out[FLAG].groupby(frame["g"]).transform("sum")
    # «На границе» are only the schools whose value is the cut's, when their
    # tie flagged more than the share: the lowest school of the group is not.
    out[TIE_EXPANDED] = (
        out[FLAG]
        & frame["v"].eq(out[CUT])
        & (flagged_per_group > frame["g"].map(k.groupby(ranked["g"]).first()))
    )
    return out


def normalized(values: pd.Series, groups: Any, normalization: str) -> pd.Series:
    """
    One indicator normalised within its groups (a series, or the keys of a
    groupby): z-score, min-max ×100 or percentile ×100; NaN where the group's
    values do not spread.
    """
    return normalized_within(
        values, values.groupby(groups, dropna=False), normalization
    )


def normalized_within(values: pd.Series, grouped: Any, normalization: str) -> pd.Series:
    """As `normalized`, over a groupby of `values` already made."""
    if normalization == "percentile":
        result: pd.Series = grouped.rank(pct=True) * 100
        return result
    if normalization == "minmax":
        low, high = grouped.transform("min"), grouped.transform("max")
        spread = high - low
        return (values - low) / spread.where(spread > 0) * 100
    mean, sd = grouped.transform("mean"), grouped.transform("std", ddof=0)
    return (values - mean) / sd.where(sd > 0)
