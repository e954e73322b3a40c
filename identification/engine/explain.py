"""
The Russian explanation and the components of one school's criterion,
worded from its facts (the numbers the rules computed and the run stores).

`render(criterion, row, items, context)`: `row` is the school's facts as a
dict, `items` its item rows (R1 results, L1 cells, L3 procedures) as dicts,
`context` the run's context (years used, thresholds, legends). Pure.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import pandas as pd

from ..columns import (
    FLAGGED,
    MARGIN,
    NO_DATA,
    NOT_APPLICABLE,
    RANK,
    SCHOOL_ID,
    STATE,
    THRESHOLD,
    VALUE,
    YEAR,
)
from .rules import L3_PERCENT
from .text import count_ru, num, pct, procedure_label, share, year_name

Row = dict[str, Any]


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _int(value: Any) -> int | None:
    return None if missing(value) else int(value)


def _year(value: Any) -> str:
    return year_name(int(value)) if not missing(value) else "—"


def render(
    criterion: str, row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    text, components = WORDING[criterion](row, items, context)
    excluded = context.get(criterion, {}).get("excluded")
    left_out = excluded.get(str(row[SCHOOL_ID])) if excluded else None
    if left_out:
        text = (
            f"{text} Не учтены из-за признаков необъективности: {'; '.join(left_out)}."
        )
        components = {**components, "excluded": left_out}
    return str(text), dict(components)


def word_all(
    facts: dict[str, pd.DataFrame],
    items: dict[str, pd.DataFrame],
    context: dict[str, Any],
) -> dict[int, dict[str, list[Any]]]:
    """Return {school: {criterion: [explanation, components]}} of facts and items frames with a school column."""
    out: dict[int, dict[str, list[Any]]] = {}
    for criterion, frame in facts.items():
        entries = items.get(criterion)
        by_school = (
            {
                int(s): group.to_dict("records")
                for s, group in entries.groupby(SCHOOL_ID, sort=False)
            }
            if entries is not None and not entries.empty
            else {}
        )
        for row in frame.to_dict("records"):
            school = int(row[SCHOOL_ID])
            out.setdefault(school, {})[criterion] = list(
                render(criterion, row, by_school.get(school, []), context)
            )
    return out


def _cell_label(cell: Any, context: dict[str, Any]) -> tuple[str, str, str]:
    """The label of a result cell, its procedure and level."""
    procedure, subject, grade, level = context["cells"][int(cell)]
    return procedure_label(procedure, subject, int(grade), level), procedure, level


def _ranked(
    row: Row, what: str, components: dict[str, Any], places: int = 2, unit: str = ""
) -> tuple[str, dict[str, Any]]:
    """The wording of a rank-cut criterion: rank, cut and margin."""
    v = row[VALUE]
    if row["too_few"]:
        return (
            f"Слишком мало школ для ранжирования ({int(row['n'])}); {what}: {num(v, places)}{unit}.",
            components,
        )
    rank, n, cut = int(row[RANK]), int(row["n"]), row[THRESHOLD]
    components = components | {
        "rank": rank,
        "ranked": n,
        "tie_expanded": bool(row["tie_expanded"]),
    }
    title = what[0].upper() + what[1:]
    if row[STATE] == FLAGGED:
        tie = (
            " (на границе несколько школ с одинаковым значением — отмечены все)"
            if row["tie_expanded"]
            else ""
        )
        return (
            f"{title}: {num(v, places)}{unit} — {rank}-е место снизу из {n}; входит в 25 % школ с самыми низкими значениями (граница {num(cut, places)}{unit}){tie}.",
            components,
        )
    return (
        f"{title}: {num(v, places)}{unit} — {rank}-е место снизу из {n}; выше границы 25 % худших ({num(cut, places)}{unit}) на {num(row[MARGIN], places)}.",
        components,
    )


# R1 ------------------------------------------------------------------------------


def r1(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["R1"]
    if row[STATE] == NOT_APPLICABLE:
        return "Начальная школа: ОГЭ, ЕГЭ и ВПР 5–6 классов в ней не проводятся.", {}
    if not row["has_y"] and not row["has_prev"]:
        return "Нет результатов оценочных процедур правила 30 % за выбранные годы.", {}
    y, y_prev, k1, pct_, small = p["y"], p["y_prev"], p["k1"], p["pct"], p["small"]
    entries = [
        ProcedureResult(
            int(i[YEAR]),
            *_cell_label(i["cell"], context),
            participants=int(i["participants"]),
            fail=int(i["fail"]),
            low=bool(i["low"]),
        )
        for i in items
    ]
    low_y = [e for e in entries if e.year == y and e.low]
    low_prev = [e for e in entries if e.year == y_prev and e.low]
    c1, c2 = bool(row["c1"]), bool(row["c2"])
    parts = []
    if c1:
        parts.append(
            f"Низкие результаты (не менее {pct_} %) по {count_ru(len(low_y), 'процедуре,процедурам,процедурам')} в {year_name(y)} — не менее {k1}: "
            + "; ".join(_describe_low(e) for e in low_y)
            + "."
        )
    if c2 and not c1:
        rule = (
            "по одной и той же процедуре" if p["same"] else "хотя бы по одной процедуре"
        )
        parts.append(
            f"Низкие результаты {rule} в каждом из двух лет ({year_name(y)} и {year_name(y_prev)}): "
            + "; ".join(_describe_low(e) for e in low_y + low_prev)
            + "."
        )
    if not parts:
        gap = ""
        if not row["has_y"]:
            gap = f" Нет данных за {year_name(y)}."
        elif y_prev is not None and not row["has_prev"]:
            gap = (
                f" Нет данных за {year_name(y_prev)} — второе условие проверить нельзя."
            )
        prev = (
            f", в {year_name(y_prev)} — {len(low_prev)}" if y_prev is not None else ""
        )
        parts.append(
            f"Доля «2» не достигает {pct_} % ни в {k1} процедурах одного года, ни в обоих годах: "
            f"низких результатов в {year_name(y)} — {len(low_y)}{prev}.{gap}"
        )
    text = " ".join(parts)
    components: dict[str, Any] = {}
    if low_y or low_prev:
        components["low"] = [
            [e.label, year_name(e.year), e.fail, e.participants]
            for e in low_y + low_prev
        ]
    small_samples = sorted(
        {f"{e.label} ({e.participants} уч.)" for e in entries if e.participants < small}
    )
    if small_samples:
        components["small_samples"] = small_samples
        text += (
            " Малая выборка (меньше 10 участников): " + "; ".join(small_samples) + "."
        )
    return text, components


class ProcedureResult(NamedTuple):
    """One procedure of R1 in one year, as its explanation tells it."""

    year: int
    label: str
    procedure: str
    level: str
    participants: int
    fail: int
    low: bool


def _describe_low(e: ProcedureResult) -> str:
    word = (
        "«2» получили"
        if e.procedure != "ЕГЭ" or e.level == "базовый"
        else "не преодолели минимальный порог"
    )
    return (
        f"{e.label}, {year_name(e.year)}: {word} {e.fail} из {e.participants} "
        f"участников ({share(e.fail, e.participants)})"
    )


# L1–L7 ------------------------------------------------------------------------------


def l1(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    components = {
        "cells": [[int(i["at"]), round(i["mean"], 2), round(i["z"], 3)] for i in items],
        "coverage": round(float(row["coverage"]), 3),
    }
    if not row["applicable"]:
        return (
            "Нет результатов ЕГЭ, ОГЭ (и ВПР по настройке) за последние 3 года для сравнения.",
            components,
        )
    if missing(row[VALUE]):
        return (
            f"Недостаточно данных для индекса: есть {int(row['available'])} из {int(row['applicable'])} результатов (нужно не меньше {pct(100 * context['L1']['coverage'], 0)}).",
            components,
        )
    how = L1_MEANS[context["L1"].get("normalization", "zscore")]
    return _ranked(row, f"индекс результатов ({how})", components)


def l2(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["L2"]
    if row[STATE] == NOT_APPLICABLE:
        if row.get("graduates") == 0:
            year = year_name(p["y"])
            text = f"В {year} учебном году выпускников 9 классов не было: критерий не применяется."
            return text, {}
        return "В школе нет 10–11 классов: критерий не применяется.", {}
    if row[STATE] == NO_DATA:
        return f"Нет данных о выпускниках 9 классов за {_year(p['y'])}.", {}
    grads, cont = int(row["graduates"]), int(row["continued"])
    flagged = row[STATE] == FLAGGED
    small = " Малая выборка (меньше 10 выпускников)." if grads < p["small_n"] else ""
    text = f"Продолжили обучение в 10 классе {cont} из {grads} выпускников 9 классов ({pct(100 * cont / grads)}) в {year_name(p['y'])} — {'меньше' if flagged else 'не меньше'} {p['threshold']} %.{small}"
    return text, {"graduates": grads, "continued": cont}


# How L3 compared a procedure (components "scale", and the wording).
L3_SCALES = {
    "percent": "в % от максимального первичного балла",
    "mark": "по средней отметке × 20",
    "test": "в тестовых баллах",
}


def _l3_scale(item: Row, procedure: str, level: str) -> str:
    """The scale of an L3 item; runs stored before the % of the maximum have no flag."""
    if not missing(item.get(L3_PERCENT)) and item[L3_PERCENT]:
        return "percent"
    return "test" if procedure == "ЕГЭ" and level != "базовый" else "mark"


def l3(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["L3"]
    if row[STATE] == NO_DATA:
        return (
            f"Нет результатов школы или средних по региону за {_year(p['y'])} для сравнения.",
            {},
        )
    listed = []
    for i in items:
        label, procedure, level = _cell_label(i["cell"], context)
        listed.append(
            {
                "procedure": label,
                "scale": _l3_scale(i, procedure, level),
                "school": round(i["school"], 2),
                "region": round(i["region"], 2),
                "gap": round(i["gap"], 2),
            }
        )
    listing = "; ".join(
        f"{i['procedure']}, {L3_SCALES[i['scale']]}: школа {_l3_value(i, 'school')}, "
        f"регион {_l3_value(i, 'region')}, разница {num(i['gap'])}"
        + (" п. п." if i["scale"] == "percent" else "")
        for i in listed
    )
    scales = {i["scale"] == "percent" for i in listed}
    unit = (
        "баллов или п. п."
        if len(scales) > 1
        else ("п. п." if True in scales else "баллов")
    )
    verdict = "больше" if row[STATE] == FLAGGED else "не больше"
    end = "" if listing.endswith(".") else "."
    return (
        f"Отставание от среднего по региону в {year_name(p['y'])} {verdict} {p['gap']} {unit}: {listing}{end}",
        {"procedures": listed},
    )


def _l3_value(item: Row, key: str) -> str:
    value = num(item[key], 2)
    return f"{value} %" if item["scale"] == "percent" else value


def l4(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["L4"]
    span = ", ".join(p["years"])
    if row[STATE] == NO_DATA:
        had = int(row.get("years") or 0)
        if not p["years"] or had >= len(p["years"]):
            return f"Нет данных о числе обучающихся за {span or 'эти годы'}.", {}
        need = len(p["years"])
        text = f"Число участников олимпиад нужно за каждый из {need} лет ({span}); у школы оно есть за {had}."
        return text, {}
    total, mean_pupils = int(row["participants"]), float(row["mean_pupils"])
    value = 100 * total / mean_pupils
    flagged = row[STATE] == FLAGGED
    text = (
        f"Участников региональных и всероссийских олимпиад и конкурсов за {span}: {total} "
        f"при среднем числе обучающихся {num(mean_pupils)} — {pct(value, 2)}, {'не больше' if flagged else 'больше'} {num(p['threshold'])} % (приближённо: участия, а не разные ученики)."
    )
    return text, {
        "participants": total,
        "mean_pupils": round(mean_pupils, 1),
        "years": p["years"],
    }


def l5(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["L5"]
    if row[STATE] == NOT_APPLICABLE:
        return (
            f"Независимая оценка качества (НОКО) за последние {p['max_age']} года не проводилась.",
            {},
        )
    flagged = row[STATE] == FLAGGED
    year = year_name(int(row["year"]))
    return (
        f"Удовлетворённость качеством по НОКО ({year}): {pct(row[VALUE])} — {'не больше' if flagged else 'больше'} {p['threshold']} %.",
        {"year": year},
    )


L1_MEANS = {
    "zscore": "среднее z-оценок",
    "minmax": "среднее по шкале мин-макс, 0–100",
    "percentile": "средний процентиль",
}
N3_SCALES = {
    "zscore": "z-оценка доли новых учебников",
    "minmax": "доля новых учебников по шкале мин-макс, 0–100",
    "percentile": "процентиль доли новых учебников",
}


def _l6_l7(criterion: str, label: str, lacking: str) -> Any:
    def word(
        row: Row, items: list[Row], context: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        p = context[criterion]
        if row[STATE] == NO_DATA:
            if row.get("reported"):
                # The marks are there; only this criterion's own count is not.
                return f"Не указано число {lacking} за {_year(p['y'])}.", {}
            return f"Нет годовых отметок за {_year(p['y'])}.", {}
        value, reference, gap = row["school"], row["municipality"], row["gap"]
        if row[STATE] == FLAGGED:
            verdict = f"ниже на {num(gap)} п. п., это не меньше {p['gap']}"
        elif gap >= 0.05:
            verdict = f"ниже на {num(gap)} п. п., меньше {p['gap']}"
        else:
            verdict = "не ниже среднего"
        mean = (
            "при среднем значении школ муниципалитета"
            if p.get("reference") == "schools"
            else "при среднем по муниципалитету"
        )
        text = f"{label[0].upper() + label[1:]} в {year_name(p['y'])}: {pct(value)} {mean} {pct(reference)} — {verdict}."
        return text, {
            "school": round(value, 2),
            "municipality": round(reference, 2),
            "gap": round(gap, 2),
            "attested": int(row["attested"]),
        }

    return word


# N1–N3, R8, R9 ------------------------------------------------------------------------------


def _indicators(row: Row) -> tuple[list[float | None], list[float | None]]:
    count = sum(1 for key in row if key.startswith("v") and key[1:].isdigit())
    values = [
        None if missing(row[f"v{i}"]) else round(row[f"v{i}"], 2) for i in range(count)
    ]
    scores = [
        None if missing(row[f"s{i}"]) else round(row[f"s{i}"], 3) for i in range(count)
    ]
    return values, scores


def n1(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["N1"]
    values, scores = _indicators(row)
    components: dict[str, Any] = {"values": values, "scores": scores}
    dropped = (
        p["dropped"].get(str(_int(row["group"])), [])
        if not missing(row["group"])
        else []
    )
    if dropped:
        components["dropped"] = dropped
    if not row["passport"]:
        return (
            f"Нет социального паспорта за {_year(p['y'])}: индекс не рассчитан, школа не ранжируется.",
            components,
        )
    if missing(row[VALUE]):
        return (
            "Недостаточно показателей социального паспорта (нужно не меньше 2/3): индекс не рассчитан.",
            components,
        )
    text, components = _ranked(row, "индекс социального благополучия (ИСБ)", components)
    if dropped:
        text += " Не учтены (у всех школ одинаковы): " + ", ".join(dropped) + "."
    return text, components


def n2(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["N2"]
    values, scores = _indicators(row)
    teachers = _int(row["teachers"])
    components = {"values": values, "scores": scores, "teachers": teachers}
    if missing(row[VALUE]):
        return (
            f"Нет данных о кадрах за {_year(p['y'])}: индекс не рассчитан.",
            components,
        )
    text, components = _ranked(
        row, "индекс качества кадрового потенциала (ИККП)", components
    )
    if teachers is not None and teachers < p["small_teachers"]:
        text += f" Малая выборка: учителей {teachers}."
    return text, components


def n3(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    if missing(row[VALUE]):
        return f"Нет данных о библиотечном фонде за {_year(context['N3']['y'])}.", {}
    components = {"recent": int(row["recent"]), "fund": int(row["fund"])}
    mode = context["N3"].get("normalization", "share")
    if mode == "share":
        return _ranked(
            row,
            "доля учебников не старше 3 лет (ИКОП)",
            components,
            places=1,
            unit=" %",
        )
    text, components = _ranked(row, f"ИКОП ({N3_SCALES[mode]})", components)
    share_ = row.get("recent_share")
    if not missing(share_):
        text += f" Доля учебников не старше 3 лет — {pct(share_)}."
    return text, components


def r8(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["R8"]
    if row[STATE] == NO_DATA:
        return "Нужны и индекс результатов, и индекс социального благополучия.", {}
    hard, resilient = bool(row["hard"]), row[STATE] == FLAGGED
    by_regression = bool(row.get("by_regression"))
    components = {
        "composite": round(row["composite"], 3),
        "wellbeing": round(row["wellbeing"], 3),
        "median": round(row["median"], 3),
        "rule": "regression" if by_regression else "median",
    }
    if not hard:
        text = "Социальный контекст не относится к 25 % самых сложных."
    elif by_regression:
        text = (
            "Резильентная школа: сложный социальный контекст (25 % с низким ИСБ), а результаты с учётом контекста — в 25 % лучших; кандидат в школы-партнёры."
            if resilient
            else "Сложный социальный контекст, результаты с учётом контекста не входят в 25 % лучших."
        )
    else:
        text = (
            "Резильентная школа: сложный социальный контекст (25 % с низким ИСБ), а результаты не ниже медианы (регрессия не рассчитана); кандидат в школы-партнёры."
            if resilient
            else "Сложный социальный контекст, результаты ниже медианы (регрессия не рассчитана)."
        )
    if p["fit"]:
        z = row["z"]
        components |= {
            "expected": None if missing(row["expected"]) else round(row["expected"], 3),
            "z_residual": None if missing(z) else round(z, 3),
        }
        if "slope" in p:
            components["slope"] = p["slope"]
        if missing(z):
            text += " Нет всех показателей ИСБ для сравнения с ожидаемым."
        elif z >= p["z_effective"]:
            text += f" Результаты выше ожидаемых при таком контексте (отклонение {num(z, 2)} σ)."
        elif z <= -p["z_effective"]:
            text += f" Результаты ниже ожидаемых при таком контексте (отклонение {num(z, 2)} σ)."
        else:
            text += " Результаты соответствуют ожидаемым при таком контексте."
    else:
        needed = p.get("needed", p["min_per_predictor"])
        basis = (
            "индексом результатов и всеми показателями ИСБ"
            if p.get("model") == "indicators"
            else "обоими индексами"
        )
        text += f" Контекстуализация не рассчитана: нужно не меньше {needed} школ с {basis}."
    return text, components


def r9(
    row: Row, items: list[Row], context: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    p = context["R9"]
    if row[STATE] == NOT_APPLICABLE:
        return "Объективность не учитывается (настройка методики).", {}
    if row[STATE] == NO_DATA:
        return f"Нет сравнения отметок ВПР с журналом за {_year(p['y'])}.", {}
    low, same, high = int(row["lowered"]), int(row["confirmed"]), int(row["raised"])
    total = low + same + high
    down, up = 100 * low / total, 100 * high / total
    notes = []
    if down >= p["t_down"]:
        notes.append(
            f"возможное завышение текущих отметок (понизили {pct(down)} ≥ {p['t_down']} %)"
        )
    if up >= p["t_up"]:
        notes.append(
            f"возможное завышение результатов ВПР (повысили {pct(up)} ≥ {p['t_up']} %)"
        )
    text = f"ВПР {year_name(p['y'])}: понизили {low} ({pct(down)}), подтвердили {same} ({pct(100 * same / total)}), повысили {high} ({pct(up)}) из {total}."
    if notes:
        text += " Признаки: " + "; ".join(notes) + "."
    return text, {
        "lowered": low,
        "confirmed": same,
        "raised": high,
        "lowered_pct": round(down, 2),
        "raised_pct": round(up, 2),
    }


WORDING = {
    "R1": r1,
    "L1": l1,
    "L2": l2,
    "L3": l3,
    "L4": l4,
    "L5": l5,
    "L6": _l6_l7(
        "L6", "качество обученности (на «4» и «5»)", "аттестованных на «4» и «5»"
    ),
    "L7": _l6_l7("L7", "успеваемость (стандарт обученности)", "неуспевающих"),
    "N1": n1,
    "N2": n2,
    "N3": n3,
    "R8": r8,
    "R9": r9,
}
