"""
Context rules: N1 social well-being (ИСБ → ШНСУ), N2 staff potential (ИККП),
N3 educational potential (ИКОП); R8 resilience and contextualised results;
R9 objectivity annotations. R8 and R9 never decide a status by themselves.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..columns import FLAGGED, NO_DATA, NOT_APPLICABLE, NOT_FLAGGED, SCHOOL_ID, YEAR
from .rank import rank_cut
from .rules import _ranked_flag, flag
from .text import num, pct, year_name

SMALL_SCHOOL = 100


def index_scores(shares: pd.DataFrame, indicators: list[dict[str, Any]], groups: pd.Series, *, normalization: str, coverage: float) -> tuple[pd.Series, pd.DataFrame, dict[Any, list[str]]]:
    """
    Return the index per school (mean of signed z-scores, or min-max ×100),
    the signed component of every indicator, and the indicators dropped per
    group because every school had the same value (sd = 0).
    """
    groups = groups.reindex(shares.index)
    parts = {}
    dropped: dict[Any, list[str]] = {}
    for item in indicators:
        field, sign = item["field"], item["sign"]
        x = shares[field].astype(float)
        grouped = x.groupby(groups)
        if normalization == "minmax":
            low, high = grouped.transform("min"), grouped.transform("max")
            spread = high - low
            scaled = (x - low) / spread.where(spread > 0)
            value = (scaled if sign > 0 else 1 - scaled) * 100
        else:
            mean, sd = grouped.transform("mean"), grouped.transform("std", ddof=0)
            value = sign * (x - mean) / sd.where(sd > 0)
        spread_ = grouped.transform("max") - grouped.transform("min")
        flat = (spread_ == 0).fillna(False).astype(bool)
        for group in groups[flat].unique():
            dropped.setdefault(group, []).append(item["label"])
        parts[field] = value.where(~flat)
    components = pd.DataFrame(parts, index=shares.index)
    usable = components.notna().sum(axis=1)
    possible = pd.Series(len(parts), index=shares.index) - groups.map(lambda g: len(dropped.get(g, [])))
    score = components.mean(axis=1).where(usable >= np.ceil(coverage * possible - 1e-9)).where(possible > 0)
    return score, components, dropped


def _row_lists(frame: pd.DataFrame, places: int) -> dict[Any, list[float | None]]:
    """Return each row as a list of rounded numbers (None for missing), set-based."""
    rounded = frame.round(places).astype(object).where(frame.notna(), None)
    return dict(zip(frame.index, rounded.to_numpy().tolist(), strict=True))


def _latest(frame: pd.DataFrame, y: int | None) -> pd.DataFrame:
    if y is None:
        return frame.iloc[0:0].set_index(SCHOOL_ID)
    return frame.loc[frame[YEAR] == y].set_index(SCHOOL_ID)


def n1(social: pd.DataFrame, schools: pd.DataFrame, groups: pd.Series, params: dict[str, Any], y: int | None) -> tuple[list[dict], pd.Series]:
    """ИСБ, the social well-being index, and ШНСУ: the 25 % of schools with the lowest."""
    p = params["n1"]
    data = _latest(social, y)
    school_index = schools.set_index(SCHOOL_ID)
    pupils = data["pupils_total"].astype(float).where(data["pupils_total"] > 0) if "pupils_total" in data else pd.Series(dtype=float)
    shares = pd.DataFrame(index=school_index.index)
    for item in p["indicators"]:
        field = item["field"]
        if field == "distance_km":
            shares[field] = school_index["distance_km"].astype(float)
        elif field == "small_school":
            shares[field] = (pupils.reindex(shares.index) < SMALL_SCHOOL).astype(float).where(pupils.reindex(shares.index).notna())
        elif field == "registered" and {"school_register", "pdn_kdn_register"} <= set(data.columns):
            shares[field] = 100 * (data["school_register"] + data["pdn_kdn_register"]).reindex(shares.index) / pupils.reindex(shares.index)
        elif field in data:
            shares[field] = 100 * data[field].reindex(shares.index) / pupils.reindex(shares.index)
        else:
            shares[field] = np.nan  # not collected: the column stays so the legend matches
    shares.loc[pupils.reindex(shares.index).isna(), [c for c in shares.columns if c != "distance_km"]] = np.nan
    has_passport = pupils.reindex(shares.index).notna()
    score, components, dropped = index_scores(shares, p["indicators"], groups, normalization=p["normalization"], coverage=p["coverage"])
    score = score.where(has_passport)
    cut = rank_cut(score, groups.reindex(shares.index), share=p["share"], min_schools=params["min_schools"])
    cut_rows = cut.to_dict("index")
    fields = list(components.columns)
    share_rows = _row_lists(shares[fields], 2)
    score_rows = _row_lists(components, 3)
    out = []
    passports, scores, group_of = has_passport.to_dict(), score.to_dict(), groups.to_dict()
    for school in shares.index:
        # Components as [values], [scores] in the order of the run's legend for N1.
        comp: dict[str, Any] = {"values": share_rows[school], "scores": score_rows[school]}
        if dropped.get(group_of.get(school)):
            comp["dropped"] = dropped[group_of[school]]
        if not passports.get(school, False):
            out.append(flag(school, "N1", NO_DATA, f"Нет социального паспорта за {year_name(y) if y is not None else '—'}: индекс не рассчитан, школа не ранжируется.", components=comp))
            continue
        v = scores.get(school)
        if v is None or math.isnan(v):
            out.append(flag(school, "N1", NO_DATA, "Недостаточно показателей социального паспорта (нужно не меньше 2/3): индекс не рассчитан.", components=comp))
            continue
        record = _ranked_flag(school, "N1", float(v), cut_rows[school], "индекс социального благополучия (ИСБ)", comp, places=2)
        if comp.get("dropped"):
            record["explanation"] += " Не учтены (у всех школ одинаковы): " + ", ".join(comp["dropped"]) + "."
        out.append(record)
    return out, score


def n2(staffing: pd.DataFrame, schools: pd.DataFrame, groups: pd.Series, params: dict[str, Any], y: int | None) -> list[dict]:
    """ИККП, the staff potential index: the 25 % lowest are «кадровый дефицит»."""
    p = params["n2"]
    data = _latest(staffing, y)
    index = schools.set_index(SCHOOL_ID).index
    teachers = data["teachers_total"].astype(float).where(data["teachers_total"] > 0).reindex(index) if "teachers_total" in data else pd.Series(np.nan, index=index)
    shares = pd.DataFrame({i["field"]: (100 * data[i["field"]].reindex(index) / teachers) if i["field"] in data else np.nan for i in p["indicators"]}, index=index)
    score, components, _ = index_scores(shares, p["indicators"], groups, normalization="zscore", coverage=p["coverage"])
    score = score.where(teachers.notna())
    cut = rank_cut(score, groups.reindex(index), share=p["share"], min_schools=params["min_schools"])
    cut_rows = cut.to_dict("index")
    fields = list(components.columns)
    share_rows = _row_lists(shares[fields], 2)
    score_rows = _row_lists(components, 3)
    teacher_counts, scores = teachers.to_dict(), score.to_dict()
    out = []
    for school in index:
        count = teacher_counts.get(school)
        comp = {"values": share_rows[school], "scores": score_rows[school], "teachers": None if count is None or math.isnan(count) else int(count)}
        v = scores.get(school)
        if v is None or math.isnan(v):
            out.append(flag(school, "N2", NO_DATA, f"Нет данных о кадрах за {year_name(y) if y is not None else '—'}: индекс не рассчитан.", components=comp))
            continue
        record = _ranked_flag(school, "N2", float(v), cut_rows[school], "индекс качества кадрового потенциала (ИККП)", comp, places=2)
        if comp["teachers"] is not None and comp["teachers"] < p["small_teachers"]:
            record["explanation"] += f" Малая выборка: учителей {comp['teachers']}."
        out.append(record)
    return out


def n3(resources: pd.DataFrame, schools: pd.DataFrame, groups: pd.Series, params: dict[str, Any], y: int | None) -> list[dict]:
    """ИКОП: the share of textbooks not older than 3 years; the 25 % lowest."""
    data = _latest(resources, y)
    index = schools.set_index(SCHOOL_ID).index
    fund = data["textbook_fund"].astype(float).where(data["textbook_fund"] > 0).reindex(index) if "textbook_fund" in data else pd.Series(np.nan, index=index)
    recent = data["textbooks_recent"].reindex(index) if "textbooks_recent" in data else pd.Series(np.nan, index=index)
    value = 100 * recent / fund
    cut = rank_cut(value, groups.reindex(index), share=params["n3"]["share"], min_schools=params["min_schools"])
    cut_rows = cut.to_dict("index")
    recent_counts, funds = recent.to_dict(), fund.to_dict()
    values = value.to_dict()
    out = []
    for school in index:
        v = values.get(school)
        if v is None or math.isnan(v):
            out.append(flag(school, "N3", NO_DATA, f"Нет данных о библиотечном фонде за {year_name(y) if y is not None else '—'}."))
            continue
        comp = {"recent": int(recent_counts[school]), "fund": int(funds[school])}
        out.append(_ranked_flag(school, "N3", float(v), cut_rows[school], "доля учебников не старше 3 лет (ИКОП)", comp, places=1, unit=" %"))
    return out


def r8(composite: pd.Series, wellbeing: pd.Series, n1_flags: pd.Series, groups: pd.Series, schools: pd.DataFrame, params: dict[str, Any]) -> list[dict]:
    """Resilient schools (hard context, results at or above the median) and results against context."""
    p = params["r8"]
    index = schools.set_index(SCHOOL_ID).index
    composite, wellbeing = composite.reindex(index), wellbeing.reindex(index)
    median = composite.groupby(groups.reindex(index)).transform("median")
    both = composite.notna() & wellbeing.notna()
    fit = None
    if both.sum() >= p["min_per_predictor"] and wellbeing[both].std(ddof=0) > 0:
        slope, intercept = np.polyfit(wellbeing[both], composite[both], 1)
        expected = intercept + slope * wellbeing
        residual = composite - expected
        spread = residual[both].std(ddof=0)
        fit = (expected, residual / spread if spread > 0 else residual * np.nan, slope)
    composite_d, wellbeing_d, median_d, both_d = composite.to_dict(), wellbeing.to_dict(), median.to_dict(), both.to_dict()
    expected_d, z_d = (fit[0].to_dict(), fit[1].to_dict()) if fit is not None else ({}, {})
    hard_d = n1_flags.to_dict()
    out = []
    for school in index:
        if not both_d.get(school, False):
            out.append(flag(school, "R8", NO_DATA, "Нужны и индекс результатов, и индекс социального благополучия."))
            continue
        hard = bool(hard_d.get(school, False))
        resilient = hard and composite_d[school] >= median_d[school]
        comp = {"composite": round(float(composite_d[school]), 3), "wellbeing": round(float(wellbeing_d[school]), 3), "median": round(float(median_d[school]), 3)}
        text = "Резильентная школа: сложный социальный контекст (25 % с низким ИСБ), а результаты не ниже медианы — кандидат в школы-партнёры." if resilient else (
            "Сложный социальный контекст, результаты ниже медианы." if hard else "Социальный контекст не относится к 25 % самых сложных.")
        if fit is not None:
            z = z_d[school]
            comp |= {"expected": round(float(expected_d[school]), 3), "z_residual": round(float(z), 3), "slope": round(float(fit[2]), 3)}
            if z >= p["z_effective"]:
                text += f" Результаты выше ожидаемых при таком контексте (отклонение {num(float(z), 2)} σ)."
            elif z <= -p["z_effective"]:
                text += f" Результаты ниже ожидаемых при таком контексте (отклонение {num(float(z), 2)} σ)."
            else:
                text += " Результаты соответствуют ожидаемым при таком контексте."
        else:
            text += f" Контекстуализация не рассчитана: нужно не меньше {p['min_per_predictor']} школ с обоими индексами."
        out.append(flag(school, "R8", FLAGGED if resilient else NOT_FLAGGED, text, value=comp.get("z_residual"), components=comp))
    return out


def r9(comparisons: pd.DataFrame, schools: pd.DataFrame, params: dict[str, Any], y: int | None) -> list[dict]:
    """Objectivity: ВПР marks against journal marks (понизили / подтвердили / повысили)."""
    p = params["r9"]
    data = comparisons.loc[comparisons[YEAR] == y] if y is not None else comparisons.iloc[0:0]
    grouped = data.groupby(SCHOOL_ID)[["lowered", "confirmed", "raised"]].sum()
    sums = dict(zip(grouped.index, grouped.itertuples(index=False, name=None), strict=True))
    out = []
    for school in schools[SCHOOL_ID]:
        if p["policy"] == "ignore":
            out.append(flag(school, "R9", NOT_APPLICABLE, "Объективность не учитывается (настройка методики)."))
            continue
        if school not in sums or not sum(sums[school]):
            out.append(flag(school, "R9", NO_DATA, f"Нет сравнения отметок ВПР с журналом за {year_name(y) if y is not None else '—'}."))
            continue
        low, same, high = (int(v) for v in sums[school])
        total = low + same + high
        down, up = 100 * low / total, 100 * high / total
        notes = []
        if down >= p["t_down"]:
            notes.append(f"возможное завышение текущих отметок (понизили {pct(down)} ≥ {p['t_down']} %)")
        if up >= p["t_up"]:
            notes.append(f"возможное завышение результатов ВПР (повысили {pct(up)} ≥ {p['t_up']} %)")
        text = f"ВПР {year_name(y)}: понизили {low} ({pct(down)}), подтвердили {same} ({pct(100 * same / total)}), повысили {high} ({pct(up)}) из {total}."
        if notes:
            text += " Признаки: " + "; ".join(notes) + "."
        out.append(flag(school, "R9", FLAGGED if notes else NOT_FLAGGED, text, value=round(down, 2),
                        components={"lowered": low, "confirmed": same, "raised": high, "lowered_pct": round(down, 2), "raised_pct": round(up, 2)}))
    return out
