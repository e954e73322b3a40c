"""
The identification engine: pure functions from pandas frames to a result frame.

No Django, no database, no settings: `identify(inputs, params, target_year)`
takes plain frames (see identification/columns.py) and the methodology
parameters, and returns every school's status and every criterion's flag
with its value, threshold, rank, margin, components and a Russian explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..columns import (
    CELL,
    CRITERION,
    FLAGGED,
    NO_DATA,
    NOT_APPLICABLE,
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
    YEAR,
)
from . import context, rules
from .params import DEFAULTS, PRESET_NAMES, PRESETS, merged, preset
from .rank import rank_cut
from .text import year_name

__all__ = [
    "DEFAULTS", "PRESETS", "PRESET_NAMES", "Inputs", "Output", "identify", "merged", "prepare", "preset", "rank_cut",
]

FLAG_COLUMNS = ["school_id", "criterion", "state", "value", "threshold", "rank", "margin", "components", "explanation"]


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
    statuses: pd.DataFrame  # SCHOOL_ID, STATUS, SHNOR, SHNSU
    flags: pd.DataFrame  # FLAG_COLUMNS, one row per school and criterion
    years: dict[str, list[str]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    legend: dict[str, list[str]] = field(default_factory=dict)  # what component positions mean


def latest_year(frame: pd.DataFrame, target: int) -> int | None:
    """Return the latest year before the target that the frame has data for."""
    years = frame.loc[frame[YEAR] < target, YEAR] if not frame.empty else pd.Series(dtype=int)
    return int(years.max()) if not years.empty else None


def identify(inputs: Inputs, params: dict[str, Any], target_year: int, *, prepared: bool = False) -> Output:
    """
    Run every criterion of the methodology for the target school year.

    Results come from the years before the target (R1: the two latest years in
    which the procedures were held, or the years set in the parameters; L1: the
    three latest). Returns an Output sorted by school and criterion.
    """
    params = merged(params)
    if not prepared:
        inputs = prepare(inputs)
    criteria = set(params["criteria"])
    schools = inputs.schools.sort_values(SCHOOL_ID).reset_index(drop=True)
    groups = rules.municipality_groups(schools, params)
    messages: list[str] = []
    records: list[dict[str, Any]] = []

    r1_procedures = rules._keys(params["r1"]["procedures"])
    r1_years = [int(y) for y in params["r1"]["years"]] or rules.held_years(rules._filter(inputs.results, r1_procedures), target_year)[:2]
    expected = range(target_year - 1, (min(r1_years) if r1_years else target_year) - 1, -1)
    skipped = [v for v in expected if v not in r1_years]
    if skipped and not params["r1"]["years"]:
        messages.append("Пропущены годы без результатов оценочных процедур: " + ", ".join(year_name(y) for y in skipped) + ".")
    y = latest_year(inputs.outcomes, target_year)
    y_social = latest_year(inputs.social, target_year)
    y_staff = latest_year(inputs.staffing, target_year)
    y_resources = latest_year(inputs.resources, target_year)
    y_results = latest_year(inputs.results, target_year)
    outcome_years = sorted(inputs.outcomes.loc[inputs.outcomes[YEAR] < target_year, YEAR].unique().tolist(), reverse=True) if not inputs.outcomes.empty else []

    composite = pd.Series(dtype=float)
    wellbeing = pd.Series(dtype=float)
    if "R1" in criteria:
        found, notes = rules.r1(inputs.results, schools, params, r1_years)
        records += found
        messages += notes
    legend: dict[str, list[str]] = {
        "N1": [i["label"] for i in params["n1"]["indicators"]],
        "N2": [i["label"] for i in params["n2"]["indicators"]],
    }
    if "L1" in criteria or "R8" in criteria:
        found, composite, legend["L1"] = rules.l1(inputs.results, schools, groups, params, target_year)
        if "L1" in criteria:
            records += found
    if "L2" in criteria:
        records += rules.l2(inputs.outcomes, schools, params, y)
    if "L3" in criteria:
        records += rules.l3(inputs.results, inputs.regional_means, schools, params, y_results)
    if "L4" in criteria:
        records += rules.l4(inputs.outcomes, inputs.social, schools, params, outcome_years)
    if "L5" in criteria:
        records += rules.l5(inputs.outcomes, schools, params, y)
    if "L6" in criteria or "L7" in criteria:
        records += [r for r in rules.l6_l7(inputs.outcomes, schools, groups, params, y) if r["criterion"] in criteria]
    n1_flags = pd.Series(dtype=bool)
    if "N1" in criteria or "R8" in criteria:
        found, wellbeing = context.n1(inputs.social, schools, groups, params, y_social)
        n1_flags = pd.Series({r["school_id"]: r["state"] == FLAGGED for r in found})
        if "N1" in criteria:
            records += found
    if "N2" in criteria:
        records += context.n2(inputs.staffing, schools, groups, params, y_staff)
    if "N3" in criteria:
        records += context.n3(inputs.resources, schools, groups, params, y_resources)
    if "R8" in criteria:
        records += context.r8(composite, wellbeing, n1_flags, groups, schools, params)
    if "R9" in criteria:
        records += context.r9(inputs.comparisons, schools, params, latest_year(inputs.comparisons, target_year))

    flags = pd.DataFrame.from_records(records, columns=FLAG_COLUMNS)
    flags = flags.sort_values([SCHOOL_ID, CRITERION], kind="stable").reset_index(drop=True)
    statuses = combine(flags, schools, params)
    years = {
        "R1": [year_name(v) for v in r1_years],
        "data": [year_name(v) for v in sorted({v for v in (y, y_social, y_staff, y_resources, y_results) if v is not None})],
    }
    return Output(statuses=statuses, flags=flags, years=years, messages=messages, legend=legend)


def prepare(inputs: Inputs) -> Inputs:
    """Return the inputs in a fixed order: the output never depends on row order."""
    def order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        present = [k for k in keys if k in frame.columns]
        return frame.sort_values(present, kind="stable").reset_index(drop=True) if present and not frame.empty else frame

    # One code per (procedure, subject, grade, level), numbered in the keys' order:
    # sorting by it orders as the keys do, and rules select procedures by it.
    results = inputs.results.assign(**{CELL: inputs.results.groupby(rules.KEY, sort=True, dropna=False).ngroup()})
    return Inputs(
        schools=order(inputs.schools, [SCHOOL_ID]),
        results=order(results, [SCHOOL_ID, YEAR, CELL]),
        comparisons=order(inputs.comparisons, [SCHOOL_ID, YEAR, "subject", "grade"]),
        staffing=order(inputs.staffing, [SCHOOL_ID, YEAR]),
        social=order(inputs.social, [SCHOOL_ID, YEAR]),
        resources=order(inputs.resources, [SCHOOL_ID, YEAR]),
        outcomes=order(inputs.outcomes, [SCHOOL_ID, YEAR]),
        regional_means=order(inputs.regional_means, ["region_id", YEAR, "procedure", "subject", "grade", "level"]),
    )


def combine(flags: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """R10: each school's status from its flags, by the methodology's combination."""
    rule = params["status"]
    table = flags.pivot_table(index=SCHOOL_ID, columns=CRITERION, values=STATE, aggfunc="first")
    table = table.reindex(schools[SCHOOL_ID])

    def flagged(codes: list[str]) -> pd.Series:
        present = [c for c in codes if c in table]
        if not present:
            return pd.Series(False, index=table.index)
        return (table[present] == FLAGGED).any(axis=1)

    count_codes = [c for c in rule.get("shnor_count", []) if c in table]
    counted = (table[count_codes] == FLAGGED).sum(axis=1) if count_codes else pd.Series(0, index=table.index)
    shnor = flagged(rule["shnor_any"]) | (counted >= rule["shnor_min_flags"]) & bool(count_codes)
    shnsu = flagged(rule["shnsu_any"])
    deciding = [c for c in {*rule["shnor_any"], *count_codes, *rule["shnsu_any"]} if c in table]
    unknown = (table[deciding].isin([NO_DATA, NOT_APPLICABLE]) | table[deciding].isna()).all(axis=1) if deciding else pd.Series(True, index=table.index)
    status = pd.Series(STATUS_NONE, index=table.index)
    status[unknown] = STATUS_NO_DATA
    status[shnor] = STATUS_SHNOR
    status[shnsu] = STATUS_SHNSU
    status[shnor & shnsu] = STATUS_BOTH
    return pd.DataFrame({SCHOOL_ID: table.index, STATUS: status.to_numpy(), SHNOR: shnor.to_numpy(), SHNSU: shnsu.to_numpy()}).reset_index(drop=True)
