"""
Methodology parameters: every threshold of methodology.md is one of these.

The three presets of §0.2 differ in which criteria run and how they combine;
their numbers are the defaults of §9. A methodology version stores a full
parameter dict (JSON); `merged` fills what an older version did not have, and
`Params.of` turns it into the frozen, typed parameters the engine reads.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal, get_args, get_origin, get_type_hints

# Procedures are (procedure, subject, grade, level).
SEED_002_PROCEDURES = [
    ["ВПР", "математика", 5, ""],
    ["ВПР", "математика", 6, ""],
    ["ВПР", "русский язык", 5, ""],
    ["ВПР", "русский язык", 6, ""],
    ["ОГЭ", "математика", 9, ""],
    ["ОГЭ", "русский язык", 9, ""],
    ["ЕГЭ", "математика", 11, "базовый"],
    ["ЕГЭ", "математика", 11, "профильный"],
    ["ЕГЭ", "русский язык", 11, ""],
]
L1_PROCEDURES = [
    ["ЕГЭ", "русский язык", 11, ""],
    ["ЕГЭ", "математика", 11, "профильный"],
    ["ОГЭ", "русский язык", 9, ""],
    ["ОГЭ", "математика", 9, ""],
]
VPR_L1 = [["ВПР", "русский язык", g, ""] for g in range(4, 9)] + [
    ["ВПР", "математика", g, ""] for g in range(4, 9)
]

# Social well-being (N1): field of the social passport (share of pupils) or of
# the school card, and its direction (+1: more is better). The default set is
# seed 003's definition of ИСБ: families' low socio-economic and
# cultural-educational level, deviant behaviour, no learning motivation, weak
# Russian, remoteness and малокомплектность; the others stay selectable.
N1_INDICATORS = [
    {
        "field": "both_parents_higher_ed",
        "sign": 1,
        "label": "оба родителя с высшим образованием",
    },
    {"field": "low_income", "sign": -1, "label": "из малообеспеченных семей"},
    {
        "field": "both_parents_unemployed",
        "sign": -1,
        "label": "оба родителя безработные",
    },
    {"field": "registered", "sign": -1, "label": "на учёте (ВШУ, ПДН/КДН)"},
    {"field": "low_motivation", "sign": -1, "label": "с низкой учебной мотивацией"},
    {"field": "weak_russian", "sign": -1, "label": "слабо владеют русским языком"},
    {
        "field": "distance_km",
        "sign": -1,
        "label": "удалённость от муниципального центра, км",
    },
    {
        "field": "small_school",
        "sign": -1,
        "label": "малокомплектная школа (до 100 обучающихся)",
    },
]
N1_OPTIONAL = [
    {"field": "incomplete_families", "sign": -1, "label": "из неполных семей"},
    {"field": "sop_families", "sign": -1, "label": "из семей в СОП"},
    {"field": "large_families", "sign": -1, "label": "из многодетных семей"},
    {"field": "ovz", "sign": -1, "label": "с ОВЗ"},
    {"field": "poor_housing", "sign": -1, "label": "в неблагоустроенном жилье"},
]
N2_INDICATORS = [
    {
        "field": "category_confirmed_3y",
        "sign": 1,
        "label": "подтвердили или повысили категорию за 3 года",
    },
    {"field": "overloaded", "sign": -1, "label": "нагрузка 1,5 ставки и более"},
    {
        "field": "contest_participants_3y",
        "sign": 1,
        "label": "участники профконкурсов за 3 года",
    },
    {"field": "not_by_profile", "sign": -1, "label": "ведут предметы не по профилю"},
]

ALL_CRITERIA = [
    "R1",
    "L1",
    "L2",
    "L3",
    "L4",
    "L5",
    "L6",
    "L7",
    "N1",
    "N2",
    "N3",
    "R8",
    "R9",
]

DEFAULTS: dict[str, Any] = {
    "criteria": ALL_CRITERIA,
    "comparison_set": "municipality",  # or "region": where the 25 % cuts and means are taken
    "min_schools": 4,
    "status": {
        "shnor_any": ["R1", "L1"],
        "shnor_count": [],
        "shnor_min_flags": 2,
        "shnsu_any": ["N1"],
    },
    "r1": {
        "procedures": SEED_002_PROCEDURES,
        "pct": 30,
        "k1": 2,
        "min_n": 1,
        "small_n": 10,
        "mode": "any_procedure_each_year",
        "years": [],
    },
    "l1": {
        "normalization": "zscore",
        "procedures": L1_PROCEDURES,
        "include_vpr": False,
        "years": 3,
        "coverage": 0.5,
        "share": 0.25,
    },
    "l2": {"threshold": 60, "small_n": 10},
    "l3": {"gap": 20, "procedures": L1_PROCEDURES[:2]},
    "l4": {"threshold": 0.5, "years": 3},
    "l5": {"threshold": 40, "max_age": 3},
    # Seed 003: against the municipality's share of all its pupils ("pooled"),
    # or against the mean of its schools' shares ("schools").
    "l6": {"gap": 10, "reference": "pooled"},
    "l7": {"gap": 5, "reference": "pooled"},
    "n1": {
        "indicators": N1_INDICATORS,
        "normalization": "zscore",
        "coverage": 2 / 3,
        "share": 0.25,
    },
    "n2": {
        "indicators": N2_INDICATORS,
        "normalization": "zscore",
        "coverage": 2 / 3,
        "share": 0.25,
        "small_teachers": 5,
    },
    # ИКОП is one share: by default it is ranked as the percentage itself.
    "n3": {"share": 0.25, "normalization": "share"},
    # model: the contextualised result is regressed on ИСБ ("index") or, as
    # §4.4 writes it, on the ИСБ indicators themselves ("indicators").
    "r8": {"z_effective": 0.5, "min_per_predictor": 10, "model": "index"},
    # exclude_flagged: leave a school's ВПР whose marks the check flags out of
    # R1 and L1 (§6); off by default, as in the seeds.
    "r9": {"policy": "annotate", "t_down": 50, "t_up": 15, "exclude_flagged": False},
}

PRESETS: dict[str, dict[str, Any]] = {
    "combined": {},
    "kaltan": {
        "criteria": ["R1", "R9"],
        "status": {
            "shnor_any": ["R1"],
            "shnor_count": [],
            "shnor_min_flags": 2,
            "shnsu_any": [],
        },
    },
    "lesosibirsk": {
        "criteria": [
            "L1",
            "L2",
            "L3",
            "L4",
            "L5",
            "L6",
            "L7",
            "N1",
            "N2",
            "N3",
            "R8",
            "R9",
        ],
        "status": {
            "shnor_any": ["L1"],
            "shnor_count": ["L2", "L3", "L4", "L5", "L6", "L7"],
            "shnor_min_flags": 2,
            "shnsu_any": ["N1"],
        },
    },
}
PRESET_NAMES = {
    "combined": "Комбинированная (30 % неуспешных или 25 % худших; ШНСУ — 25 % с низким ИСБ)",
    "kaltan": "Кузбасс / Калтан (правило 30 %)",
    "lesosibirsk": "Красноярский край / Лесосибирск (25 % худших)",
}


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def preset(code: str) -> dict[str, Any]:
    """Return the full parameters of a preset."""
    return deep_merge(DEFAULTS, PRESETS[code])


def merged(params: dict[str, Any]) -> dict[str, Any]:
    """Return `params` completed with the defaults (older versions lack newer keys)."""
    return deep_merge(DEFAULTS, params)


# The typed parameters ----------------------------------------------------------------

# (procedure, subject, grade, level); the level is "" where a procedure has none.
Procedure = tuple[str, str, int, str]


@dataclass(frozen=True)
class Indicator:
    """One indicator of an index: a data field, its direction (+1: more is better), its label."""

    field: str
    sign: int
    label: str


@dataclass(frozen=True)
class StatusRule:
    """R10: which flags make a school ШНОР or ШНСУ."""

    shnor_any: tuple[str, ...]
    shnor_count: tuple[str, ...]
    shnor_min_flags: int
    shnsu_any: tuple[str, ...]


@dataclass(frozen=True)
class R1:
    procedures: tuple[Procedure, ...]
    pct: float
    k1: int
    min_n: int
    small_n: int
    mode: Literal["any_procedure_each_year", "same_procedure_both_years"]
    years: tuple[int, ...]


Normalization = Literal["zscore", "minmax", "percentile"]


@dataclass(frozen=True)
class L1:
    normalization: Normalization
    procedures: tuple[Procedure, ...]
    include_vpr: bool
    years: int
    coverage: float
    share: float


@dataclass(frozen=True)
class L2:
    threshold: float
    small_n: int


@dataclass(frozen=True)
class L3:
    gap: float
    procedures: tuple[Procedure, ...]


@dataclass(frozen=True)
class L4:
    threshold: float
    years: int


@dataclass(frozen=True)
class L5:
    threshold: float
    max_age: int


@dataclass(frozen=True)
class Gap:
    """L6 and L7: how far below the municipal mean flags a school, in p. p., and which mean."""

    gap: float
    reference: Literal["pooled", "schools"]


@dataclass(frozen=True)
class N1:
    indicators: tuple[Indicator, ...]
    normalization: Normalization
    coverage: float
    share: float


@dataclass(frozen=True)
class N2:
    indicators: tuple[Indicator, ...]
    normalization: Normalization
    coverage: float
    share: float
    small_teachers: int


@dataclass(frozen=True)
class N3:
    share: float
    normalization: Literal["share", "zscore", "minmax", "percentile"]


@dataclass(frozen=True)
class R8:
    z_effective: float
    min_per_predictor: int
    model: Literal["index", "indicators"]


@dataclass(frozen=True)
class R9:
    policy: Literal["annotate", "ignore"]
    t_down: float
    t_up: float
    exclude_flagged: bool


@dataclass(frozen=True)
class Params:
    """A methodology version's parameters, as the engine reads them."""

    criteria: tuple[str, ...]
    comparison_set: Literal["municipality", "region"]
    min_schools: int
    status: StatusRule
    r1: R1
    l1: L1
    l2: L2
    l3: L3
    l4: L4
    l5: L5
    l6: Gap
    l7: Gap
    n1: N1
    n2: N2
    n3: N3
    r8: R8
    r9: R9

    @classmethod
    def of(cls, raw: Params | Mapping[str, Any]) -> Params:
        """The typed parameters of a stored dict (completed with the defaults)."""
        if isinstance(raw, Params):
            return raw
        built: Params = _build(cls, merged(dict(raw)), "")
        return built

    def mean_gap(self, criterion: str) -> Gap:
        """L6's or L7's rule by the criterion's code."""
        rule: Gap = getattr(self, criterion.lower())
        return rule


def _build(cls: Any, raw: Any, path: str) -> Any:
    if not isinstance(raw, Mapping):
        raise ValueError(f"Параметр {path or 'методики'}: ожидался набор значений.")
    hints = get_type_hints(cls)
    values = {}
    for item in fields(cls):
        where = f"{path}.{item.name}" if path else item.name
        if item.name not in raw:
            raise ValueError(f"Не задан параметр {where}.")
        values[item.name] = _convert(hints[item.name], raw[item.name], where)
    return cls(**values)


def _convert(kind: Any, value: Any, path: str) -> Any:
    """A JSON value as the field's type; numbers keep their JSON form (60 stays 60 in texts)."""
    if is_dataclass(kind):
        return _build(kind, value, path)
    origin = get_origin(kind)
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, path) for v in value)
        if len(value) != len(args):
            raise ValueError(f"Параметр {path}: ожидалось {len(args)} значения.")
        return tuple(
            int(v) if a is int else ("" if v is None else v) if a is str else v
            for a, v in zip(args, value, strict=True)
        )
    if origin is Literal:
        if value not in get_args(kind):
            raise ValueError(f"Параметр {path}: недопустимое значение {value!r}.")
        return value
    if kind is bool:
        return bool(value)
    return value
