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

GRADES = {
    "НОШ": 4,
    "ООШ": 9,
    "СОШ": 11,
    "Гимназия": 11,
    "Лицей": 11,
    "Школа-интернат": 11,
    "Другое": 11,
}
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
    lat1, lon1, lat2, lon2 = map(
        math.radians, (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def pair_cost(
    school: SchoolInfo, partner: SchoolInfo, *, allow_outside: bool = False
) -> tuple[float | None, list[str]]:
    """The cost of one pair and why, or None when the pair is not allowed."""
    if school.id == partner.id:
        return None, ["школа не может быть партнёром самой себе"]
    if school.municipality_id != partner.municipality_id and not allow_outside:
        return None, ["партнёр из другого муниципалитета не разрешён"]
    reasons = []
    mine, theirs = (
        GRADES.get(school.school_type, 11),
        GRADES.get(partner.school_type, 11),
    )
    if school.school_type == partner.school_type:
        level = 0.0
        reasons.append(f"тот же тип школы ({partner.school_type})")
    elif theirs >= mine:
        level = 0.3
        reasons.append(
            f"ведёт те же классы (1–{mine})" + (" и старшие" if theirs > mine else "")
        )
    else:
        level = 1.0
        reasons.append(f"не ведёт старших классов школы: только 1–{theirs}")
    if school.wellbeing is not None and partner.wellbeing is not None:
        social = min(abs(school.wellbeing - partner.wellbeing) / 2, 1.0)
        if social <= 0.25:
            reasons.append(
                f"похожий социальный контекст (ИСБ {_number(school.wellbeing)} и {_number(partner.wellbeing)})"
            )
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
        reasons.append(
            f"тот же населённый пункт ({partner.settlement})"
            if distance == 0
            else f"другой населённый пункт ({partner.settlement})"
        )
    else:
        distance = min(abs(school.distance_km - partner.distance_km) / 50, 1.0)
    index = partner.index if partner.index is not None else 0.0
    strength = min(max((1.5 - index) / 3, 0.0), 1.0)
    if partner.index is not None:
        reasons.insert(0, f"высокие результаты (индекс {_number(partner.index)})")
    if partner.resilient:
        reasons.insert(
            1, "резильентная школа: высокие результаты в сложном социальном контексте"
        )
        if school.hard_context:
            strength = max(strength - 0.3, 0.0)
    cost = (
        WEIGHTS["level"] * level
        + WEIGHTS["social"] * social
        + WEIGHTS["distance"] * distance
        + WEIGHTS["strength"] * strength
    )
    return round(cost, 6), reasons


def ranked(
    school: SchoolInfo, candidates: list[SchoolInfo], *, allow_outside: bool = False
) -> list[Pair]:
    """The candidates for one school, best first (not allowed ones left out)."""
    pairs = []
    for partner in candidates:
        cost, reasons = pair_cost(school, partner, allow_outside=allow_outside)
        if cost is not None:
            pairs.append(Pair(school, partner, cost, reasons))
    return sorted(pairs, key=lambda p: (p.cost, p.partner.name))


def cost_matrix(
    needy: list[SchoolInfo],
    candidates: list[SchoolInfo],
    *,
    allow_outside: bool = False,
) -> np.ndarray:
    """
    `pair_cost` for every pair at once (INFEASIBLE where not allowed): a
    region's 375 × 375 pairs in milliseconds instead of a Python loop.
    """

    def column(
        schools: list[SchoolInfo], name: str, missing: float = np.nan
    ) -> np.ndarray:
        return np.array(
            [
                missing if getattr(s, name) is None else getattr(s, name)
                for s in schools
            ],
            dtype=float,
        )

    a, b = needy, candidates
    ids_a, ids_b = np.array([s.id for s in a]), np.array([s.id for s in b])
    mun_a, mun_b = (
        np.array([s.municipality_id for s in a]),
        np.array([s.municipality_id for s in b]),
    )
    same_municipality = mun_a[:, None] == mun_b[None, :]

    types_a, types_b = (
        np.array([s.school_type for s in a], dtype=object),
        np.array([s.school_type for s in b], dtype=object),
    )
    grades_a = np.array([GRADES.get(s.school_type, 11) for s in a])[:, None]
    grades_b = np.array([GRADES.get(s.school_type, 11) for s in b])[None, :]
    level = np.where(
        types_a[:, None] == types_b[None, :],
        0.0,
        np.where(grades_b >= grades_a, 0.3, 1.0),
    )

    well_a, well_b = column(a, "wellbeing")[:, None], column(b, "wellbeing")[None, :]
    social = np.minimum(np.abs(well_a - well_b) / 2, 1.0)
    social = np.where(np.isnan(social), 0.5, social)

    lat_a, lon_a = (
        np.radians(column(a, "latitude"))[:, None],
        np.radians(column(a, "longitude"))[:, None],
    )
    lat_b, lon_b = (
        np.radians(column(b, "latitude"))[None, :],
        np.radians(column(b, "longitude"))[None, :],
    )
    h = (
        np.sin((lat_b - lat_a) / 2) ** 2
        + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2) ** 2
    )
    km = 2 * 6371 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    place_a, place_b = (
        np.array([s.settlement for s in a], dtype=object)[:, None],
        np.array([s.settlement for s in b], dtype=object)[None, :],
    )
    both_places = (place_a != "") & (place_b != "")
    by_place = np.where(place_a == place_b, 0.0, 0.6)
    by_centre = np.minimum(
        np.abs(column(a, "distance_km")[:, None] - column(b, "distance_km")[None, :])
        / 50,
        1.0,
    )
    distance = np.where(
        ~np.isnan(km),
        np.minimum(km / 50, 1.0),
        np.where(both_places, by_place, by_centre),
    )
    distance = np.where(same_municipality, distance, 1.0)

    index = np.nan_to_num(column(b, "index"), nan=0.0)
    strength = np.clip((1.5 - index) / 3, 0.0, 1.0)[None, :]
    helps = (
        np.array([s.hard_context for s in a])[:, None]
        & np.array([s.resilient for s in b])[None, :]
    )
    strength = np.where(helps, np.maximum(strength - 0.3, 0.0), strength)

    cost = (
        WEIGHTS["level"] * level
        + WEIGHTS["social"] * social
        + WEIGHTS["distance"] * distance
        + WEIGHTS["strength"] * strength
    )
    cost = np.round(cost, 6)
    allowed = ids_a[:, None] != ids_b[None, :]
    if not allow_outside:
        allowed &= same_municipality
    return np.where(allowed, cost, INFEASIBLE)


def solve(
    needy: list[SchoolInfo],
    candidates: list[SchoolInfo],
    *,
    capacity: dict[int, int],
    allow_outside: bool = False,
) -> list[Pair]:
    """
    Assign partners to every school at the least total cost; a partner takes
    at most `capacity[partner]` schools (its remaining places). Schools left
    without a place come back with partner None.
    """
    columns = [
        j
        for j, p in enumerate(candidates)
        for _ in range(max(capacity.get(p.id, 0), 0))
    ]
    if not needy or not columns:
        return [Pair(s, None, None, ["нет свободных школ-партнёров"]) for s in needy]
    costs = cost_matrix(needy, candidates, allow_outside=allow_outside)
    matrix = costs[:, columns]
    rows, cols = linear_sum_assignment(matrix)
    chosen = {
        r: columns[c]
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        if matrix[r, c] < INFEASIBLE
    }
    out = []
    for i, school in enumerate(needy):
        if i in chosen:
            partner = candidates[chosen[i]]
            cost, reasons = pair_cost(school, partner, allow_outside=allow_outside)
            out.append(Pair(school, partner, cost, reasons))
        else:
            out.append(
                Pair(
                    school,
                    None,
                    None,
                    ["не хватило свободных мест у подходящих партнёров"],
                )
            )
    return out
