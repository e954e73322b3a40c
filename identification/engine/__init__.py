"""
The identification engine: pure functions from pandas frames to a result frame.

No Django, no database, no settings: `identify(inputs, params, target_year)`
takes plain frames (see identification/columns.py) and the methodology
parameters, and returns every school's status and every criterion's flag
with its value, threshold, rank, margin and the facts its components and
Russian explanation are worded from (explain.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..columns import (
    CELL,
    COMPONENTS,
    CRITERION,
    EXPLANATION,
    FLAGGED,
    MARGIN,
    NO_DATA,
    NOT_APPLICABLE,
    RANK,
    SCHOOL_ID,
    SHNOR,
    SHNSU,
    STATE,
    STATUS,
    STATUS_BOTH,
    STATUS_NO_DATA,
    STATUS_NONE,
    STATUS_SHNOR,
    STATUS_SHNSU,
    THRESHOLD,
    TOO_FEW_SCHOOLS,
    VALUE,
    YEAR,
)
from . import context as context_rules
from . import explain, rules
from .params import DEFAULTS, PRESET_NAMES, PRESETS, Params, StatusRule, merged, preset
from .rank import rank_cut
from .text import year_name

__all__ = [
    "DEFAULTS",
    "PRESETS",
    "PRESET_NAMES",
    "Inputs",
    "Output",
    "identify",
    "merged",
    "prepare",
    "prepare_results",
    "preset",
    "rank_cut",
]

FLAG_COLUMNS = [
    "school_id",
    "criterion",
    "state",
    "value",
    "threshold",
    "rank",
    "margin",
    "components",
    "explanation",
]
NUMBER_COLUMNS = [SCHOOL_ID, CRITERION, STATE, VALUE, THRESHOLD, RANK, MARGIN]


@dataclass
class Inputs:
    """The frames the engine reads; empty frames mean "no such data"."""

    schools: pd.DataFrame
    results: pd.DataFrame
    comparisons: pd.DataFrame
    staffing: pd.DataFrame
    social: pd.DataFrame
    resources: pd.DataFrame
    outcomes: pd.DataFrame
    regional_means: pd.DataFrame


@dataclass
class Output:
    """
    A run's results. `facts` holds, per criterion, a frame indexed by school:
    state, value, threshold, rank, margin and the numbers its explanation is
    worded from; `items` the criteria's several entries per school; `context`
    the years and thresholds the wording needs. `numbers` is the narrow table
    of every school and criterion; `flags` adds the components and the Russian
    explanation of each (worded on first use: a run stores the facts).
    """

    statuses: pd.DataFrame  # SCHOOL_ID, STATUS, SHNOR, SHNSU
    facts: dict[str, pd.DataFrame]
    items: dict[str, pd.DataFrame] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    years: dict[str, list[str]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    legend: dict[str, list[str]] = field(
        default_factory=dict
    )  # what component positions mean

    @property
    def numbers(self) -> pd.DataFrame:
        frames = [
            frame[[STATE, VALUE, THRESHOLD, RANK, MARGIN]]
            .reset_index()
            .assign(**{CRITERION: code})
            for code, frame in self.facts.items()
        ]
        if not frames:
            return pd.DataFrame(
                {name: pd.Series(dtype=object) for name in NUMBER_COLUMNS}
            )
        return (
            pd.concat(frames, ignore_index=True)[NUMBER_COLUMNS]
            .sort_values([SCHOOL_ID, CRITERION], kind="stable")
            .reset_index(drop=True)
        )

    @functools.cached_property
    def flags(self) -> pd.DataFrame:
        numbers = self.numbers
        worded = explain.word_all(
            {code: frame.reset_index() for code, frame in self.facts.items()},
            self.items,
            self.context,
        )
        texts = [
            worded[int(s)][k]
            for s, k in zip(numbers[SCHOOL_ID], numbers[CRITERION], strict=True)
        ]
        numbers[RANK] = numbers[RANK].astype(object).where(numbers[RANK].notna(), None)
        return numbers.assign(
            **{COMPONENTS: [t[1] for t in texts], EXPLANATION: [t[0] for t in texts]}
        )[FLAG_COLUMNS]


def latest_year(frame: pd.DataFrame, target: int) -> int | None:
    """Return the latest year before the target that the frame has data for."""
    years = (
        frame.loc[frame[YEAR] < target, YEAR]
        if not frame.empty
        else pd.Series(dtype=int)
    )
    return int(years.max()) if not years.empty else None


def identify(
    inputs: Inputs,
    params: Params | Mapping[str, Any],
    target_year: int,
    *,
    prepared: bool = False,
) -> Output:
    """
    Run every criterion of the methodology for the target school year.

    Results come from the years before the target (R1: the two latest years in
    which the procedures were held, or the years set in the parameters; L1: the
    three latest).
    """
    p = Params.of(params)
    if not prepared:
        inputs = prepare(inputs)
    criteria = set(p.criteria)
    schools = inputs.schools.sort_values(SCHOOL_ID).reset_index(drop=True)
    groups = rules.municipality_groups(schools, p)
    messages: list[str] = []
    found: dict[str, pd.DataFrame] = {}
    items: dict[str, pd.DataFrame] = {}

    used = years_used(inputs, p, target_year)
    r1_years = used["r1"]
    expected = range(
        target_year - 1, (min(r1_years) if r1_years else target_year) - 1, -1
    )
    skipped = [v for v in expected if v not in r1_years]
    if skipped and not p.r1.years:
        messages.append(
            "Пропущены годы без результатов оценочных процедур: "
            + ", ".join(year_name(y) for y in skipped)
            + "."
        )
    y, y_social, y_staff, y_resources, y_results, y_comparisons = (
        used[k]
        for k in (
            "outcomes",
            "social",
            "staffing",
            "resources",
            "results",
            "comparisons",
        )
    )
    context: dict[str, Any] = {
        "cells": _cells(inputs.results),
        "R1": {
            "y": r1_years[0] if r1_years else None,
            "y_prev": r1_years[1] if len(r1_years) > 1 else None,
            "k1": p.r1.k1,
            "pct": p.r1.pct,
            "small": p.r1.small_n,
            "same": p.r1.mode == "same_procedure_both_years",
        },
        "L1": {"coverage": p.l1.coverage, "normalization": p.l1.normalization},
        "L2": {
            "y": y,
            "threshold": p.l2.threshold,
            "small_n": p.l2.small_n,
        },
        "L3": {"y": y_results, "gap": p.l3.gap},
        "L4": {
            "threshold": p.l4.threshold,
            "years": [year_name(v) for v in reversed(rules.l4_years(y, p.l4.years))],
        },
        "L5": {"threshold": p.l5.threshold, "max_age": p.l5.max_age},
        "L6": {"y": y, "gap": p.l6.gap, "reference": p.l6.reference},
        "L7": {"y": y, "gap": p.l7.gap, "reference": p.l7.reference},
        "N1": {"y": y_social, "dropped": {}},
        "N2": {"y": y_staff, "small_teachers": p.n2.small_teachers},
        "N3": {"y": y_resources, "normalization": p.n3.normalization},
        "R9": {
            "y": y_comparisons,
            "policy": p.r9.policy,
            "t_down": p.r9.t_down,
            "t_up": p.r9.t_up,
        },
    }

    composite = pd.Series(dtype=float)
    wellbeing = pd.Series(dtype=float)
    results = inputs.results
    if p.r9.exclude_flagged and p.r9.policy != "ignore":
        results, excluded = rules.without_vpr(
            results, context_rules.unobjective_vpr(inputs.comparisons, p)
        )
        context["R1"]["excluded"] = context["L1"]["excluded"] = excluded
    if "R1" in criteria:
        found["R1"], items["R1"] = rules.r1(results, schools, p, r1_years)
    legend: dict[str, list[str]] = {
        "N1": [i.label for i in p.n1.indicators],
        "N2": [i.label for i in p.n2.indicators],
    }
    if "L1" in criteria or "R8" in criteria:
        l1_facts, l1_items, composite, legend["L1"] = rules.l1(
            results, schools, groups, p, target_year
        )
        if "L1" in criteria:
            found["L1"], items["L1"] = l1_facts, l1_items
    if "L2" in criteria:
        found["L2"] = rules.l2(inputs.outcomes, schools, p, y)
    if "L3" in criteria:
        found["L3"], items["L3"] = rules.l3(
            inputs.results, inputs.regional_means, schools, p, y_results
        )
    if "L4" in criteria:
        found["L4"] = rules.l4(inputs.outcomes, inputs.social, schools, p, y)
    if "L5" in criteria:
        found["L5"] = rules.l5(inputs.outcomes, schools, p, y)
    if "L6" in criteria or "L7" in criteria:
        found |= {
            code: frame
            for code, frame in rules.l6_l7(inputs.outcomes, schools, p, y).items()
            if code in criteria
        }
    n1_facts = pd.DataFrame()
    if "N1" in criteria or "R8" in criteria:
        n1_facts, wellbeing, context["N1"]["dropped"] = context_rules.n1(
            inputs.social, schools, groups, p, y_social
        )
        if "N1" in criteria:
            found["N1"] = n1_facts
    if "N2" in criteria:
        found["N2"] = context_rules.n2(inputs.staffing, schools, groups, p, y_staff)
    if "N3" in criteria:
        found["N3"] = context_rules.n3(
            inputs.resources, schools, groups, p, y_resources
        )
    if "R8" in criteria:
        found["R8"], context["R8"] = context_rules.r8(
            composite, wellbeing, n1_facts, groups, schools, p
        )
    if "R9" in criteria:
        found["R9"] = context_rules.r9(inputs.comparisons, schools, p, y_comparisons)

    found = dict(sorted(found.items()))
    statuses = combine(found, schools, p.status)
    years = {
        "R1": [year_name(v) for v in r1_years],
        "data": [
            year_name(v)
            for v in sorted(
                {
                    v
                    for v in (y, y_social, y_staff, y_resources, y_results)
                    if v is not None
                }
            )
        ],
    }
    return Output(
        statuses=statuses,
        facts=found,
        items=items,
        context=context,
        years=years,
        messages=messages,
        legend=legend,
    )


def years_used(
    inputs: Inputs, params: Params | Mapping[str, Any], target_year: int
) -> dict[str, Any]:
    """
    The years a run reads (inputs prepared): R1's two — the latest in which its
    procedures were held, or those set in the parameters — and the latest
    year before the target of each kind of data.
    """
    p = Params.of(params)
    r1_years = (
        list(p.r1.years)
        or rules.held_years(
            rules._filter(inputs.results, set(p.r1.procedures)), target_year
        )[:2]
    )
    return {"r1": r1_years} | {
        name: latest_year(getattr(inputs, name), target_year)
        for name in (
            "outcomes",
            "social",
            "staffing",
            "resources",
            "results",
            "comparisons",
        )
    }


def years_read(
    inputs: Inputs, params: Params | Mapping[str, Any], target_year: int
) -> list[int]:
    """Every year whose data a run uses, for the readiness of the reports."""
    used = years_used(inputs, params, target_year)
    return sorted(
        {
            *used["r1"],
            *(
                used[k]
                for k in ("outcomes", "social", "staffing", "resources", "results")
                if used[k] is not None
            ),
        }
    )


def _cells(results: pd.DataFrame) -> list[list[Any]]:
    """(procedure, subject, grade, level) of every result cell code, for the wording."""
    if results.empty or CELL not in results:
        return []
    distinct = results.drop_duplicates(CELL).sort_values(CELL)
    cells: list[list[Any]] = [["", "", 0, ""]] * (int(distinct[CELL].max()) + 1)
    for cell, *key in distinct[[CELL, *rules.KEY]].itertuples(index=False, name=None):
        cells[int(cell)] = list(rules._key(*key))
    return cells


def prepare(inputs: Inputs) -> Inputs:
    """Return the inputs in a fixed order: the output never depends on row order (results already prepared stay)."""
    return Inputs(
        schools=_order(inputs.schools, [SCHOOL_ID]),
        results=inputs.results
        if CELL in inputs.results
        else prepare_results(inputs.results),
        comparisons=_order(inputs.comparisons, [SCHOOL_ID, YEAR, "subject", "grade"]),
        staffing=_order(inputs.staffing, [SCHOOL_ID, YEAR]),
        social=_order(inputs.social, [SCHOOL_ID, YEAR]),
        resources=_order(inputs.resources, [SCHOOL_ID, YEAR]),
        outcomes=_order(inputs.outcomes, [SCHOOL_ID, YEAR]),
        regional_means=_order(
            inputs.regional_means,
            ["region_id", YEAR, "procedure", "subject", "grade", "level"],
        ),
    )


def _order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    present = [k for k in keys if k in frame.columns]
    if not present or frame.empty:
        return frame
    if all(pd.api.types.is_integer_dtype(frame[k]) for k in present):
        return _by_integer_keys(frame, present)
    return frame.sort_values(present, kind="stable").reset_index(drop=True)


def prepare_results(results: pd.DataFrame) -> pd.DataFrame:
    """
    The results with a code per (procedure, subject, grade, level), numbered in
    the keys' order — sorting by it orders as the keys do, and rules select
    procedures by it —, in the order of school, year and code.
    """
    results = results.assign(
        **{
            CELL: results.groupby(
                rules.KEY, sort=True, dropna=False, observed=True
            ).ngroup()
        }
    )
    return _order(results, [SCHOOL_ID, YEAR, CELL])


def _by_integer_keys(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sort by integer keys as one number: the rows usually come nearly in order, often exactly."""
    key = np.zeros(len(frame), dtype=np.int64)
    for name in keys:
        values = frame[name].to_numpy(dtype=np.int64)
        low = int(values.min())
        key = key * (int(values.max()) - low + 1) + (values - low)
    if len(key) < 2 or (key[1:] >= key[:-1]).all():
        return frame.reset_index(drop=True)
    return frame.take(np.argsort(key, kind="stable")).reset_index(drop=True)


def combine(
    found: dict[str, pd.DataFrame], schools: pd.DataFrame, rule: StatusRule
) -> pd.DataFrame:
    """R10: each school's status from its flags, by the methodology's combination."""
    table = pd.DataFrame(
        {code: frame[STATE] for code, frame in found.items()},
        index=pd.Index(schools[SCHOOL_ID]),
    )

    def flagged(codes: tuple[str, ...]) -> pd.Series:
        present = [c for c in codes if c in table]
        if not present:
            return pd.Series(False, index=table.index)
        return (table[present] == FLAGGED).any(axis=1)

    count_codes = [c for c in rule.shnor_count if c in table]
    counted = (
        (table[count_codes] == FLAGGED).sum(axis=1)
        if count_codes
        else pd.Series(0, index=table.index)
    )
    shnor = flagged(rule.shnor_any) | (counted >= rule.shnor_min_flags) & bool(
        count_codes
    )
    shnsu = flagged(rule.shnsu_any)
    deciding = [
        c for c in {*rule.shnor_any, *count_codes, *rule.shnsu_any} if c in table
    ]
    unknown = (
        (
            table[deciding].isin([NO_DATA, NOT_APPLICABLE, TOO_FEW_SCHOOLS])
            | table[deciding].isna()
        ).all(axis=1)
        if deciding
        else pd.Series(True, index=table.index)
    )
    status = pd.Series(STATUS_NONE, index=table.index)
    status[unknown] = STATUS_NO_DATA
    status[shnor] = STATUS_SHNOR
    status[shnsu] = STATUS_SHNSU
    status[shnor & shnsu] = STATUS_BOTH
    return pd.DataFrame(
        {
            SCHOOL_ID: table.index,
            STATUS: status.to_numpy(),
            SHNOR: shnor.to_numpy(),
            SHNSU: shnsu.to_numpy(),
        }
    ).reset_index(drop=True)
