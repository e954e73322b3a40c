"""
Result rules: R1 (the 30 % rule) and L1–L7 (SEED-003).

Each function takes the input frames and returns a list of flag records —
one dict per school — with the criterion's state, value, threshold, margin,
components and a Russian explanation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pandas as pd

from ..columns import (
    CELL,
    FAIL,
    FLAGGED,
    GRADE,
    LEVEL,
    MEAN,
    MUNICIPALITY_ID,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_FLAGGED,
    PARTICIPANTS,
    PROCEDURE,
    SCHOOL_ID,
    SCHOOL_TYPE,
    SUBJECT,
    YEAR,
)
from .rank import CUT, FLAG, TIE_EXPANDED, TOO_FEW, N, rank_cut
from .text import count_ru, num, pct, procedure_label, share, year_name

KEY = [PROCEDURE, SUBJECT, GRADE, LEVEL]
SENIOR_TYPES_EXCLUDED = {"НОШ", "ООШ"}


def flag(school: int, criterion: str, state: str, explanation: str, **extra: Any) -> dict[str, Any]:
    return {"school_id": school, "criterion": criterion, "state": state, "explanation": explanation,
            "value": extra.get("value"), "threshold": extra.get("threshold"), "rank": extra.get("rank"),
            "margin": extra.get("margin"), "components": extra.get("components") or {}}


def applicable(procedure: str, grade: int, school_type: str) -> bool:
    """Return whether a procedure is sat at a school of this type."""
    if school_type == "НОШ":
        return procedure == "ВПР" and grade == 4
    if procedure == "ЕГЭ":
        return school_type not in SENIOR_TYPES_EXCLUDED
    return True


def _keys(items: list[list[Any]]) -> set[tuple]:
    return {(p, s, int(g), lv or "") for p, s, g, lv in items}


def _filter(results: pd.DataFrame, procedures: set[tuple]) -> pd.DataFrame:
    """Return the rows of the given (procedure, subject, grade, level) keys."""
    if results.empty or not procedures:
        return results.iloc[0:0]
    # Compare the few distinct keys, then select the rows by their code (set by engine.prepare).
    distinct = results.drop_duplicates(CELL)[[CELL, *KEY]].itertuples(index=False, name=None)
    wanted = [cell for cell, *key in distinct if _key(*key) in procedures]
    return results.loc[results[CELL].isin(wanted)]


def _key(procedure: str, subject: str, grade: Any, level: Any) -> tuple:
    return procedure, subject, int(grade), level if isinstance(level, str) else ""


def held_years(rows: pd.DataFrame, target: int) -> list[int]:
    """Return the years before `target` in which any school has results among `rows`, newest first."""
    rows = rows.loc[(rows[YEAR] < target) & (rows[PARTICIPANTS] > 0)]
    return sorted(rows[YEAR].unique().tolist(), reverse=True)


# R1 ------------------------------------------------------------------------------


def r1(results: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any], years: list[int]) -> tuple[list[dict], list[str]]:
    """The 30 % rule: low results in ≥ k1 procedures in Y, or in each of Y and Y−1."""
    p = params["r1"]
    pct_, k1, min_n, small = p["pct"], p["k1"], p["min_n"], p["small_n"]
    same = p["mode"] == "same_procedure_both_years"
    rows = _filter(results, _keys(p["procedures"]))
    rows = rows.loc[rows[YEAR].isin(years) & rows[PARTICIPANTS].notna() & rows[FAIL].notna()]
    rows = rows.assign(low=(rows[PARTICIPANTS] >= min_n) & (100 * rows[FAIL] >= pct_ * rows[PARTICIPANTS]))
    presence: dict[int, set[int]] = defaultdict(set)
    for school, year in rows[[SCHOOL_ID, YEAR]].drop_duplicates().itertuples(index=False):
        presence[school].add(year)
    # Only low results and small samples are named in explanations: keep just those rows per school.
    notable = rows.loc[rows["low"] | (rows[PARTICIPANTS] < small)]
    by_school: dict[int, list[tuple]] = defaultdict(list)
    for school, year, proc, subj, grade, level, n, fail, low in notable[[SCHOOL_ID, YEAR, PROCEDURE, SUBJECT, GRADE, LEVEL, PARTICIPANTS, FAIL, "low"]].itertuples(index=False):
        by_school[school].append((year, proc, subj, int(grade), level, int(n), int(fail), bool(low)))
    y = years[0] if years else None
    y_prev = years[1] if len(years) > 1 else None
    out = []
    for school, school_type in schools[[SCHOOL_ID, SCHOOL_TYPE]].itertuples(index=False):
        if school_type == "НОШ":
            out.append(flag(school, "R1", NOT_APPLICABLE, "Начальная школа: ОГЭ, ЕГЭ и ВПР 5–6 классов в ней не проводятся.", threshold=k1))
            continue
        present = presence.get(school)
        if y is None or not present:
            out.append(flag(school, "R1", NO_DATA, "Нет результатов оценочных процедур правила 30 % за выбранные годы.", threshold=k1))
            continue
        entries = by_school.get(school, [])
        low_y = [e for e in entries if e[0] == y and e[7]]
        low_prev = [e for e in entries if e[0] == y_prev and e[7]]
        has_y = y in present
        has_prev = y_prev in present
        c1 = len(low_y) >= k1
        if same:
            keys_prev = {e[1:5] for e in low_prev}
            both = [e for e in low_y if e[1:5] in keys_prev]
            c2 = bool(both)
        else:
            c2 = bool(low_y) and bool(low_prev)
        small_samples = sorted({procedure_label(*e[1:5]) + f" ({e[5]} уч.)" for e in entries if e[5] < small})
        components: dict[str, Any] = {}
        if low_y or low_prev:
            components["low"] = [_low_item(e) for e in low_y + low_prev]
        if small_samples:
            components["small_samples"] = small_samples
        text = _r1_text(low_y, low_prev, y, y_prev, c1, c2, k1, pct_, same, has_y, has_prev)
        if small_samples:
            text += " Малая выборка (меньше 10 участников): " + "; ".join(small_samples) + "."
        state = FLAGGED if c1 or c2 else (NO_DATA if not has_y and not has_prev else NOT_FLAGGED)
        out.append(flag(school, "R1", state, text, value=len(low_y), threshold=k1, margin=len(low_y) - k1, components=components))
    messages = []
    return out, messages


def _low_item(e: tuple) -> list[Any]:
    """[procedure, year, fail, participants] of a low result."""
    year, proc, subj, grade, level, n, fail, _ = e
    return [procedure_label(proc, subj, grade, level), year_name(year), fail, n]


def _describe_low(e: tuple) -> str:
    year, proc, subj, grade, level, n, fail, _ = e
    word = "«2» получили" if proc != "ЕГЭ" or level == "базовый" else "не преодолели минимальный порог"
    return f"{procedure_label(proc, subj, grade, level)}, {year_name(year)}: {word} {fail} из {n} участников ({share(fail, n)})"


def _r1_text(low_y: list, low_prev: list, y: int, y_prev: int | None, c1: bool, c2: bool, k1: int, pct_: int, same: bool, has_y: bool, has_prev: bool) -> str:
    parts = []
    if c1:
        parts.append(f"Низкие результаты (не менее {pct_} %) по {count_ru(len(low_y), 'процедуре,процедурам,процедурам')} в {year_name(y)} — не менее {k1}: " + "; ".join(_describe_low(e) for e in low_y) + ".")
    if c2 and not c1:
        rule = "по одной и той же процедуре" if same else "хотя бы по одной процедуре"
        parts.append(f"Низкие результаты {rule} в каждом из двух лет ({year_name(y)} и {year_name(y_prev)}): " + "; ".join(_describe_low(e) for e in low_y + low_prev) + ".")
    if not parts:
        gap = ""
        if not has_y:
            gap = f" Нет данных за {year_name(y)}."
        elif y_prev is not None and not has_prev:
            gap = f" Нет данных за {year_name(y_prev)} — второе условие проверить нельзя."
        prev = f", в {year_name(y_prev)} — {len(low_prev)}" if y_prev is not None else ""
        parts.append(f"Доля «2» не достигает {pct_} % ни в {k1} процедурах одного года, ни в обоих годах: "
                     f"низких результатов в {year_name(y)} — {len(low_y)}{prev}.{gap}")
    return " ".join(parts)


# L1 ------------------------------------------------------------------------------


def l1(results: pd.DataFrame, schools: pd.DataFrame, groups: pd.Series, params: dict[str, Any], target: int) -> tuple[list[dict], pd.Series, list[str]]:
    """Composite result index over three years (mean of z-scores) and the 25 % cut.

    Returns the flags, the index per school and the legend of the cells that
    the components refer to by position.
    """
    p = params["l1"]
    procedures = _keys(p["procedures"]) | (_keys(_vpr_l1()) if p["include_vpr"] else set())
    rows = _filter(results, procedures)
    years = held_years(rows, target)[: p["years"]]
    rows = rows.loc[rows[YEAR].isin(years) & rows[MEAN].notna() & (rows[PARTICIPANTS] > 0)]
    rows = rows.assign(group=rows[SCHOOL_ID].map(groups))
    grouped = rows.groupby([CELL, YEAR, "group"], dropna=False)[MEAN]
    rows = rows.assign(mu=grouped.transform("mean"), sd=grouped.transform("std", ddof=0))
    rows = rows.loc[rows["sd"] > 0]
    rows = rows.assign(z=(rows[MEAN] - rows["mu"]) / rows["sd"])
    composite = rows.groupby(SCHOOL_ID)["z"].mean()
    available = rows.groupby(SCHOOL_ID)["z"].size()
    held: dict[Any, set[tuple]] = defaultdict(set)
    for group, proc, grade, _, year in rows[["group", PROCEDURE, GRADE, CELL, YEAR]].drop_duplicates().itertuples(index=False, name=None):
        held[group].add((proc, grade, _, year))
    index = schools.set_index(SCHOOL_ID)
    applicable_cells: dict[Any, int] = {}
    by_type: dict[tuple, int] = {}  # schools of one type in one group have the same cells
    for school, school_type, group in zip(index.index, index[SCHOOL_TYPE], index.index.map(groups), strict=True):
        if (group, school_type) not in by_type:
            by_type[group, school_type] = sum(applicable(proc, grade, school_type) for proc, grade, *_ in held.get(group, ()))
        applicable_cells[school] = by_type[group, school_type]
    coverage = pd.Series({s: (available.get(s, 0) / a if a else 0.0) for s, a in applicable_cells.items()})
    value = composite.reindex(index.index).where(coverage.reindex(index.index) >= p["coverage"])
    cut = rank_cut(value, index.index.to_series().map(groups), share=p["share"], min_schools=params["min_schools"])
    # Components as [cell, mean, z], the cells named once in the run's legend.
    position = rows.groupby([YEAR, *KEY], sort=True, dropna=False).ngroup()
    cell_keys = rows[[YEAR, *KEY]].drop_duplicates().sort_values([YEAR, *KEY]).itertuples(index=False, name=None)
    legend = [f"{procedure_label(p_, s_, int(g_), lv_)}, {year_name(int(y_))}" for y_, p_, s_, g_, lv_ in cell_keys]
    components: dict[int, list[list[Any]]] = defaultdict(list)
    for school, at, mean, z in zip(rows[SCHOOL_ID].tolist(), position.tolist(), rows[MEAN].round(2).tolist(), rows["z"].round(3).tolist(), strict=True):
        components[school].append([at, mean, z])
    cut_rows, values, coverages = cut.to_dict("index"), value.to_dict(), coverage.to_dict()
    out = []
    for school in index.index:
        v, row = values.get(school), cut_rows[school]
        comp = {"cells": components.get(school, []), "coverage": round(float(coverages.get(school, 0)), 3)}
        if applicable_cells.get(school, 0) == 0:
            out.append(flag(school, "L1", NO_DATA, "Нет результатов ЕГЭ, ОГЭ (и ВПР по настройке) за последние 3 года для сравнения.", components=comp))
            continue
        if v is None or math.isnan(v):
            out.append(flag(school, "L1", NO_DATA, f"Недостаточно данных для индекса: есть {available.get(school, 0)} из {applicable_cells[school]} результатов (нужно не меньше {pct(100 * p['coverage'], 0)}).", components=comp))
            continue
        out.append(_ranked_flag(school, "L1", float(v), row, "индекс результатов (среднее z-оценок)", comp, places=2))
    return out, value, legend


def _vpr_l1() -> list[list[Any]]:
    from .params import VPR_L1

    return VPR_L1


def _ranked_flag(school: int, criterion: str, v: float, row: dict[str, Any], what: str, components: dict, places: int = 2, unit: str = "") -> dict[str, Any]:
    """Flag record of a rank-cut criterion, with rank, cut and margin explained."""
    if row[TOO_FEW]:
        return flag(school, criterion, NO_DATA, f"Слишком мало школ для ранжирования ({int(row[N])}); {what}: {num(v, places)}{unit}.", value=v, components=components)
    rank, n, cut = int(row["rank"]), int(row[N]), float(row[CUT])
    margin = v - cut
    comp = components | {"rank": rank, "ranked": n, "tie_expanded": bool(row[TIE_EXPANDED])}
    if row[FLAG]:
        tie = " (на границе несколько школ с одинаковым значением — отмечены все)" if row[TIE_EXPANDED] else ""
        text = f"{what[0].upper() + what[1:]}: {num(v, places)}{unit} — {rank}-е место снизу из {n}; входит в 25 % школ с самыми низкими значениями (граница {num(cut, places)}{unit}){tie}."
        state = FLAGGED
    else:
        text = f"{what[0].upper() + what[1:]}: {num(v, places)}{unit} — {rank}-е место снизу из {n}; выше границы 25 % худших ({num(cut, places)}{unit}) на {num(margin, places)}."
        state = NOT_FLAGGED
    return flag(school, criterion, state, text, value=round(v, 6), threshold=round(cut, 6), rank=rank, margin=round(margin, 6), components=comp)


# L2–L7 ------------------------------------------------------------------------------


def l2(outcomes: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any], y: int | None) -> list[dict]:
    """Continuation to grade 10 below 60 %."""
    p = params["l2"]
    rows = outcomes.loc[outcomes[YEAR] == y] if y is not None else outcomes.iloc[0:0]
    data = dict(zip(rows[SCHOOL_ID], zip(rows["grade9_graduates"], rows["continued_grade10"], strict=True), strict=True))
    out = []
    for school, school_type in schools[[SCHOOL_ID, SCHOOL_TYPE]].itertuples(index=False):
        if school_type in SENIOR_TYPES_EXCLUDED:
            out.append(flag(school, "L2", NOT_APPLICABLE, "В школе нет 10–11 классов: критерий не применяется.", threshold=p["threshold"]))
            continue
        grads, cont = data.get(school, (None, None))
        if pd.isna(grads) or pd.isna(cont) or not grads:
            out.append(flag(school, "L2", NO_DATA, f"Нет данных о выпускниках 9 классов за {year_name(y) if y else '—'}.", threshold=p["threshold"]))
            continue
        grads, cont = int(grads), int(cont)
        value = 100 * cont / grads
        flagged = 100 * cont < p["threshold"] * grads
        small = " Малая выборка (меньше 10 выпускников)." if grads < p["small_n"] else ""
        text = f"Продолжили обучение в 10 классе {cont} из {grads} выпускников 9 классов ({pct(value)}) в {year_name(y)} — {'меньше' if flagged else 'не меньше'} {p['threshold']} %.{small}"
        out.append(flag(school, "L2", FLAGGED if flagged else NOT_FLAGGED, text, value=round(value, 4), threshold=p["threshold"], margin=round(value - p["threshold"], 4), components={"graduates": grads, "continued": cont}))
    return out


def l3(results: pd.DataFrame, means: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any], y: int | None) -> list[dict]:
    """Gap of more than 20 points below the regional mean (ЕГЭ in test points; marks as % of 5)."""
    p = params["l3"]
    keys = _keys(p["procedures"])
    rows = _filter(results, keys)
    rows = rows.loc[(rows[YEAR] == y) & rows[MEAN].notna() & (rows[PARTICIPANTS] > 0)]
    reference = {(r[PROCEDURE], r[SUBJECT], int(r[GRADE]), r[LEVEL] or "", r.get("region_id")): float(r[MEAN]) for _, r in means.loc[means[YEAR] == y].iterrows()} if y is not None else {}
    region = schools.set_index(SCHOOL_ID)["region_id"]
    by_school = defaultdict(list)
    for school, proc, subj, grade, level, mean in rows[[SCHOOL_ID, PROCEDURE, SUBJECT, GRADE, LEVEL, MEAN]].itertuples(index=False):
        ref = reference.get((proc, subj, int(grade), level or "", region.get(school)))
        if ref is None:
            continue
        scale = 1.0 if proc == "ЕГЭ" and level != "базовый" else 20.0  # a 5-point mark as % of the maximum
        gap = (ref - float(mean)) * scale
        by_school[school].append({"procedure": procedure_label(proc, subj, int(grade), level), "school": round(float(mean), 2), "region": round(ref, 2), "gap": round(gap, 2)})
    out = []
    for school in schools[SCHOOL_ID]:
        items = by_school.get(school)
        if not items:
            out.append(flag(school, "L3", NO_DATA, f"Нет результатов школы или средних по региону за {year_name(y) if y else '—'} для сравнения.", threshold=p["gap"]))
            continue
        worst = max(items, key=lambda i: i["gap"])
        flagged = [i for i in items if round(i["gap"], 6) > p["gap"]]
        listing = "; ".join(f"{i['procedure']}: школа {num(i['school'], 2)}, регион {num(i['region'], 2)}, разница {num(i['gap'])}" for i in items)
        verdict = "больше" if flagged else "не больше"
        text = f"Отставание от среднего по региону в {year_name(y)} {verdict} {p['gap']} баллов: {listing}."
        out.append(flag(school, "L3", FLAGGED if flagged else NOT_FLAGGED, text, value=worst["gap"], threshold=p["gap"], margin=round(worst["gap"] - p["gap"], 4), components={"procedures": items}))
    return out


def l4(outcomes: pd.DataFrame, social: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any], years: list[int]) -> list[dict]:
    """Olympiad and contest participants over three years: 0.5 % of pupils or fewer."""
    p = params["l4"]
    span = years[: p["years"]]
    grouped = outcomes.loc[outcomes[YEAR].isin(span)].groupby(SCHOOL_ID)["olympiad_participants"].agg(["sum", "count"])
    olymp = dict(zip(grouped.index, zip(grouped["sum"], grouped["count"], strict=True), strict=True))
    pupils = social.loc[social[YEAR].isin(span)].groupby(SCHOOL_ID)["pupils_total"].mean().to_dict()
    out = []
    for school in schools[SCHOOL_ID]:
        total, counted = olymp.get(school, (0, 0))
        mean_pupils = pupils.get(school)
        if not counted or not mean_pupils or pd.isna(mean_pupils):
            out.append(flag(school, "L4", NO_DATA, "Нет данных об участниках олимпиад или о числе обучающихся за последние годы.", threshold=p["threshold"]))
            continue
        total, mean_pupils = int(total), float(mean_pupils)
        value = 100 * total / mean_pupils
        flagged = round(value, 6) <= p["threshold"]
        text = (f"Участников региональных и всероссийских олимпиад и конкурсов за {count_ru(int(counted), 'год,года,лет')}: {total} "
                f"при среднем числе обучающихся {num(mean_pupils)} — {pct(value, 2)}, {'не больше' if flagged else 'больше'} {num(p['threshold'])} % (приближённо: участия, а не разные ученики).")
        out.append(flag(school, "L4", FLAGGED if flagged else NOT_FLAGGED, text, value=round(value, 4), threshold=p["threshold"], margin=round(value - p["threshold"], 4), components={"participants": total, "mean_pupils": round(mean_pupils, 1), "years": [year_name(v) for v in span]}))
    return out


def l5(outcomes: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any], y: int | None) -> list[dict]:
    """НОКО satisfaction of 40 % or less (the latest result not older than 3 years)."""
    p = params["l5"]
    data = outcomes.loc[outcomes["noko_satisfaction"].notna() & (outcomes[YEAR] <= (y if y is not None else -1)) & (outcomes[YEAR] > (y if y is not None else 0) - p["max_age"])]
    latest = data.sort_values(YEAR).groupby(SCHOOL_ID).last()
    noko = dict(zip(latest.index, zip(latest["noko_satisfaction"], latest[YEAR], strict=True), strict=True))
    out = []
    for school in schools[SCHOOL_ID]:
        if school not in noko:
            out.append(flag(school, "L5", NOT_APPLICABLE, f"Независимая оценка качества (НОКО) за последние {p['max_age']} года не проводилась.", threshold=p["threshold"]))
            continue
        value, year = float(noko[school][0]), int(noko[school][1])
        flagged = value <= p["threshold"]
        text = f"Удовлетворённость качеством по НОКО ({year_name(year)}): {pct(value)} — {'не больше' if flagged else 'больше'} {p['threshold']} %."
        out.append(flag(school, "L5", FLAGGED if flagged else NOT_FLAGGED, text, value=value, threshold=p["threshold"], margin=round(value - p["threshold"], 4), components={"year": year_name(year)}))
    return out


def l6_l7(outcomes: pd.DataFrame, schools: pd.DataFrame, groups: pd.Series, params: dict[str, Any], y: int | None) -> list[dict]:
    """Quality (L6) and success rate (L7) below the municipal pooled mean by 10 and 5 p.p."""
    data = outcomes.loc[(outcomes[YEAR] == y) & outcomes["attested"].fillna(0).gt(0)].copy() if y is not None else outcomes.iloc[0:0].copy()
    data = data.dropna(subset=["attested_good", "attested_failing"])
    data["group"] = data[SCHOOL_ID].map(groups)
    pooled_frame = data.groupby("group")[["attested", "attested_good", "attested_failing"]].sum()
    pooled = dict(zip(pooled_frame.index, pooled_frame.itertuples(index=False, name=None), strict=True))
    rows = dict(zip(data[SCHOOL_ID], zip(data["attested"], data["attested_good"], data["attested_failing"], data["group"], strict=True), strict=True))
    out = []
    specs = (
        ("L6", "качество обученности (на «4» и «5»)", lambda a, g, f: g / a),
        ("L7", "успеваемость (стандарт обученности)", lambda a, g, f: (a - f) / a),
    )
    for criterion, label, measure in specs:
        gap_limit = params[criterion.lower()]["gap"]
        for school in schools[SCHOOL_ID]:
            row = rows.get(school)
            if row is None:
                out.append(flag(school, criterion, NO_DATA, f"Нет годовых отметок за {year_name(y) if y else '—'}.", threshold=gap_limit))
                continue
            attested, good, failing, group = row
            value = 100 * measure(attested, good, failing)
            reference = 100 * measure(*pooled[group])
            gap = reference - value
            flagged = round(gap, 6) >= gap_limit
            if flagged:
                verdict = f"ниже на {num(gap)} п. п., это не меньше {gap_limit}"
            elif gap >= 0.05:
                verdict = f"ниже на {num(gap)} п. п., меньше {gap_limit}"
            else:
                verdict = "не ниже среднего"
            text = f"{label[0].upper() + label[1:]} в {year_name(y)}: {pct(value)} при среднем по муниципалитету {pct(reference)} — {verdict}."
            out.append(flag(school, criterion, FLAGGED if flagged else NOT_FLAGGED, text, value=round(value, 4), threshold=gap_limit, margin=round(gap - gap_limit, 4), components={"school": round(value, 2), "municipality": round(reference, 2), "gap": round(gap, 2), "attested": int(attested)}))
    return out


def municipality_groups(schools: pd.DataFrame, params: dict[str, Any]) -> pd.Series:
    """Return the comparison group of every school (its municipality, or its region)."""
    column = "region_id" if params.get("comparison_set") == "region" else MUNICIPALITY_ID
    return schools.set_index(SCHOOL_ID)[column]
