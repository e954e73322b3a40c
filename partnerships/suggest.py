"""
Partner suggestions: for every school that needs a partner, the best partner
among schools with high positions — solved for the whole municipality at once
as an assignment problem, each partner taking at most its remaining capacity.

Pure (numpy and scipy): schools in, pairs with their reasons out. The cost of
a pair, from 0 (ideal) to about 1, weighs four things the seeds ask for:
- level: a partner that teaches the same grades (an ООШ is helped best by an
  ООШ, then by a school with more grades; a partner without the school's
  senior grades is a poor match);
- social context: similar social well-being index (ИСБ);
- distance: kilometres between schools when both have coordinates, else the
  same settlement or not, else the distance to the municipal centre;
- strength: a higher result index; a resilient partner (good results in a hard
  context) counts as stronger for a school in hard social conditions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

GRADES = {"НОШ": 4, "ООШ": 9, "СОШ": 11, "Гимназия": 11, "Лицей": 11, "Школа-интернат": 11, "Другое": 11}
WEIGHTS = {"level": 0.35, "social": 0.2, "distance": 0.25, "strength": 0.2}
INFEASIBLE = 1e6


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    name: str
    school_type: str
    municipality_id: int
    settlement: str = ""
    latitude: float | None = None
    longitude: float | None = None
    distance_km: float = 0.0
    index: float | None = None  # composite result index (L1)
    wellbeing: float | None = None  # social well-being index (N1)
    resilient: bool = False
    hard_context: bool = False  # flagged by N1 (ШНСУ)


@dataclass
class Pair:
    school: SchoolInfo
    partner: SchoolInfo | None
    cost: float | None
    reasons: list[str] = field(default_factory=list)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",").replace("-", "−")


def _km(a: SchoolInfo, b: SchoolInfo) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def pair_cost(school: SchoolInfo, partner: SchoolInfo, *, allow_outside: bool = False) -> tuple[float | None, list[str]]:
    """The cost of one pair and why, or None when the pair is not allowed."""
    if school.id == partner.id:
        return None, ["школа не может быть партнёром самой себе"]
    if school.municipality_id != partner.municipality_id and not allow_outside:
        return None, ["партнёр из другого муниципалитета не разрешён"]
    reasons = []
    mine, theirs = GRADES.get(school.school_type, 11), GRADES.get(partner.school_type, 11)
    if school.school_type == partner.school_type:
        level = 0.0
        reasons.append(f"тот же тип школы ({partner.school_type})")
    elif theirs >= mine:
        level = 0.3
        reasons.append(f"ведёт те же классы (1–{mine})" + (" и старшие" if theirs > mine else ""))
    else:
        level = 1.0
        reasons.append(f"не ведёт старших классов школы: только 1–{theirs}")
    if school.wellbeing is not None and partner.wellbeing is not None:
        social = min(abs(school.wellbeing - partner.wellbeing) / 2, 1.0)
        if social <= 0.25:
            reasons.append(f"похожий социальный контекст (ИСБ {_number(school.wellbeing)} и {_number(partner.wellbeing)})")
    else:
        social = 0.5
    km = _km(school, partner)
    if school.municipality_id != partner.municipality_id:
        distance = 1.0
        reasons.append("другой муниципалитет")
    elif km is not None:
        distance = min(km / 50, 1.0)
        reasons.append(f"{_number(km)} км")
    elif school.settlement and partner.settlement:
        distance = 0.0 if school.settlement == partner.settlement else 0.6
        reasons.append(f"тот же населённый пункт ({partner.settlement})" if distance == 0 else f"другой населённый пункт ({partner.settlement})")
    else:
        distance = min(abs(school.distance_km - partner.distance_km) / 50, 1.0)
    index = partner.index if partner.index is not None else 0.0
    strength = min(max((1.5 - index) / 3, 0.0), 1.0)
    if partner.index is not None:
        reasons.insert(0, f"высокие результаты (индекс {_number(partner.index)})")
    if partner.resilient:
        reasons.insert(1, "резильентная школа: высокие результаты в сложном социальном контексте")
        if school.hard_context:
            strength = max(strength - 0.3, 0.0)
    cost = WEIGHTS["level"] * level + WEIGHTS["social"] * social + WEIGHTS["distance"] * distance + WEIGHTS["strength"] * strength
    return round(cost, 6), reasons


def ranked(school: SchoolInfo, candidates: list[SchoolInfo], *, allow_outside: bool = False) -> list[Pair]:
    """The candidates for one school, best first (not allowed ones left out)."""
    pairs = []
    for partner in candidates:
        cost, reasons = pair_cost(school, partner, allow_outside=allow_outside)
        if cost is not None:
            pairs.append(Pair(school, partner, cost, reasons))
    return sorted(pairs, key=lambda p: (p.cost, p.partner.name))


def solve(needy: list[SchoolInfo], candidates: list[SchoolInfo], *, capacity: dict[int, int], allow_outside: bool = False) -> list[Pair]:
    """
    Assign partners to every school at the least total cost; a partner takes
    at most `capacity[partner]` schools (its remaining places). Schools left
    without a place come back with partner None.
    """
    slots = [p for p in candidates for _ in range(max(capacity.get(p.id, 0), 0))]
    if not needy or not slots:
        return [Pair(s, None, None, ["нет свободных школ-партнёров"]) for s in needy]
    costs = np.full((len(needy), len(candidates)), INFEASIBLE)
    reasons: dict[tuple[int, int], list[str]] = {}
    for i, school in enumerate(needy):
        for j, partner in enumerate(candidates):
            cost, why = pair_cost(school, partner, allow_outside=allow_outside)
            if cost is not None:
                costs[i, j] = cost
                reasons[i, j] = why
    column_of = {p.id: j for j, p in enumerate(candidates)}
    matrix = costs[:, [column_of[p.id] for p in slots]]
    rows, cols = linear_sum_assignment(matrix)
    chosen = {r: c for r, c in zip(rows.tolist(), cols.tolist(), strict=True) if matrix[r, c] < INFEASIBLE}
    out = []
    for i, school in enumerate(needy):
        if i in chosen:
            partner = slots[chosen[i]]
            j = column_of[partner.id]
            out.append(Pair(school, partner, float(costs[i, j]), reasons[i, j]))
        else:
            out.append(Pair(school, None, None, ["не хватило свободных мест у подходящих партнёров"]))
    return out
