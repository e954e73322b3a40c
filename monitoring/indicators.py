"""
The figures derived from the reports: shares that forms show live and that
dashboards and profiles compare with the municipality, year by year.

A share is Σ(sign·numerator fields) / denominator; a municipal value pools the
schools (Σ numerators / Σ denominators over the schools that reported both),
never averages their percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import DATA_MODELS, ReportKind

SMALL_BASE = 10  # a share on fewer pupils (or teachers) is shown with its base and «малая выборка»


@dataclass(frozen=True)
class Derived:
    """A share: Σ(sign·field) / denominator, in per cent."""

    label: str
    numerator: tuple[tuple[str, int], ...]
    denominator: str
    better: int = 0  # +1: more is better, −1: less is better, 0: neither (context)

    @property
    def key(self) -> str:
        return "+".join(f for f, _ in self.numerator) + "/" + self.denominator

    def parts(self, row: dict[str, Any]) -> tuple[float, float] | None:
        """Return (numerator, denominator) of a report row, or None when a figure is missing."""
        whole = row.get(self.denominator)
        values = [row.get(f) for f, _ in self.numerator]
        if whole in (None, 0) or any(v is None for v in values):
            return None
        return sum(
            sign * float(v) for (_, sign), v in zip(self.numerator, values, strict=True)
        ), float(whole)


DERIVED: dict[str, list[Derived]] = {
    ReportKind.STAFFING: [
        Derived(
            "Доля учителей высшей и первой категории",
            (("highest_category", 1), ("first_category", 1)),
            "teachers_total",
            better=1,
        ),
        Derived(
            "Доля молодых учителей (моложе 30 лет)",
            (("under_30", 1),),
            "teachers_total",
        ),
        Derived(
            "Доля учителей пенсионного возраста",
            (("pension_age", 1),),
            "teachers_total",
        ),
        Derived(
            "Доля учителей с нагрузкой 1,5 ставки и более",
            (("overloaded", 1),),
            "teachers_total",
            better=-1,
        ),
        Derived(
            "Доля учителей, ведущих предметы не по профилю",
            (("not_by_profile", 1),),
            "teachers_total",
            better=-1,
        ),
        Derived(
            "Прошли диагностику профессиональных дефицитов",
            (("deficit_diagnostics", 1),),
            "teachers_total",
            better=1,
        ),
        Derived(
            "Прошли оценку предметных компетенций",
            (("subject_assessment", 1),),
            "teachers_total",
            better=1,
        ),
    ],
    ReportKind.SOCIAL: [
        Derived("Из неполных семей", (("incomplete_families", 1),), "pupils_total"),
        Derived("Из малообеспеченных семей", (("low_income", 1),), "pupils_total"),
        Derived(
            "Оба родителя с высшим образованием",
            (("both_parents_higher_ed", 1),),
            "pupils_total",
        ),
        Derived(
            "На учёте (ВШУ и ПДН/КДН)",
            (("school_register", 1), ("pdn_kdn_register", 1)),
            "pupils_total",
        ),
        Derived("С ОВЗ", (("ovz", 1),), "pupils_total"),
    ],
    ReportKind.RESOURCES: [
        Derived(
            "Доля учебников не старше 3 лет",
            (("textbooks_recent", 1),),
            "textbook_fund",
            better=1,
        ),
    ],
    ReportKind.OUTCOMES: [
        Derived(
            "Продолжили обучение в 10 классе",
            (("continued_grade10", 1),),
            "grade9_graduates",
            better=1,
        ),
        Derived(
            "Качество обученности (на «4» и «5»)",
            (("attested_good", 1),),
            "attested",
            better=1,
        ),
        Derived(
            "Успеваемость (стандарт обученности)",
            (("attested", 1), ("attested_failing", -1)),
            "attested",
            better=1,
        ),
    ],
}


def report_rows(schools: QuerySet, years: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Return per report kind the rows {school, year, field: value} of the schools' reports (one query per kind)."""
    out = {}
    for kind, model in DATA_MODELS.items():
        names = [f.name for f in model._meta.concrete_fields if f.name != "report"]
        rows = model.objects.filter(
            report__school__in=schools.values("pk"), report__year__start_year__in=years
        ).values(
            "report__school_id",
            "report__year__start_year",
            *names,
        )
        out[kind] = [
            {
                "school": r.pop("report__school_id"),
                "year": r.pop("report__year__start_year"),
                **r,
            }
            for r in rows
        ]
    return out


def shares(
    rows: dict[str, list[dict[str, Any]]], *, school: int
) -> list[dict[str, Any]]:
    """
    Return every derived share of one school by year beside the pooled value of all rows' schools.

    Each item: kind, label, years {year: {"part", "whole", "value", "pooled", "small"}}.
    """
    out = []
    for kind, derived in DERIVED.items():
        for item in derived:
            years: dict[int, dict[str, Any]] = {}
            pooled: dict[int, list[float]] = {}
            for row in rows.get(kind, []):
                parts = item.parts(row)
                if parts is None:
                    continue
                total = pooled.setdefault(row["year"], [0.0, 0.0])
                total[0] += parts[0]
                total[1] += parts[1]
                if row["school"] == school:
                    years[row["year"]] = {
                        "part": parts[0],
                        "whole": parts[1],
                        "value": 100 * parts[0] / parts[1],
                        "small": parts[1] < SMALL_BASE,
                    }
            for year, (part, whole) in pooled.items():
                years.setdefault(
                    year, {"part": None, "whole": None, "value": None, "small": False}
                )["pooled"] = 100 * part / whole if whole else None
            if any(v["value"] is not None for v in years.values()):
                out.append(
                    {
                        "kind": kind,
                        "kind_label": ReportKind(kind).label,
                        "label": item.label,
                        "years": years,
                    }
                )
    return out
