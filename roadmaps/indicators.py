"""
Target indicators of a roadmap (seed 002 «Целевые показатели»): where the
portal has the data, the actual value is computed for the roadmap's schools;
other apps register their own sources (partnerships: pairs and exchange events).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import F, Sum

from monitoring.models import AssessmentResult, StaffingData
from schools.models import School

from .models import Roadmap, TargetIndicator

Source = Callable[[Roadmap, list[int]], dict[int, float]]
SOURCES: dict[str, tuple[str, str, Source | None]] = {}  # key → (label, unit, compute)


def register_source(key: str, label: str, unit: str, compute: Source) -> None:
    SOURCES[key] = (label, unit, compute)


def _schools(roadmap: Roadmap) -> Any:
    if roadmap.school_id:
        return School.objects.filter(pk=roadmap.school_id)
    return School.objects.filter(
        municipality_id=roadmap.municipality_id, is_active=True
    )


def _fail_share(procedures: tuple[str, ...]) -> Source:
    def compute(roadmap: Roadmap, years: list[int]) -> dict[int, float]:
        rows = (
            AssessmentResult.objects.filter(
                report__school__in=_schools(roadmap).values("pk"),
                report__year__start_year__in=years,
                procedure__in=procedures,
                participants__gt=0,
            )
            .values("procedure", "level", year=F("report__year__start_year"))
            .annotate(
                n=Sum("participants"), mark2=Sum("mark2"), below=Sum("failed_minimum")
            )
        )
        totals: dict[int, list[float]] = {}
        for row in rows:
            fail = (
                row["mark2"]
                if row["procedure"] != "ЕГЭ" or row["level"] == "базовый"
                else row["below"]
            )
            if fail is None:
                continue
            total = totals.setdefault(row["year"], [0, 0])
            total[0] += fail
            total[1] += row["n"]
        return {y: round(100 * f / n, 1) for y, (f, n) in totals.items() if n}

    return compute


def _teacher_share(field: str) -> Source:
    def compute(roadmap: Roadmap, years: list[int]) -> dict[int, float]:
        rows = (
            StaffingData.objects.filter(
                report__school__in=_schools(roadmap).values("pk"),
                report__year__start_year__in=years,
                teachers_total__gt=0,
                **{f"{field}__isnull": False},
            )
            .values(year=F("report__year__start_year"))
            .annotate(part=Sum(field), whole=Sum("teachers_total"))
        )
        return {
            r["year"]: round(100 * r["part"] / r["whole"], 1)
            for r in rows
            if r["whole"]
        }

    return compute


register_source(
    "gia_fail_share",
    "Доля «2» и не преодолевших порог на ГИА (ОГЭ, ЕГЭ) — динамика к снижению",
    "%",
    _fail_share(("ОГЭ", "ЕГЭ")),
)
register_source(
    "vpr_fail_share",
    "Доля «2» по ВПР — динамика к снижению",
    "%",
    _fail_share(("ВПР",)),
)
register_source(
    "deficit_diagnostics",
    "Доля учителей, прошедших диагностику профессиональных дефицитов",
    "%",
    _teacher_share("deficit_diagnostics"),
)
register_source(
    "subject_assessment",
    "Доля учителей, прошедших оценку предметных компетенций",
    "%",
    _teacher_share("subject_assessment"),
)


def source_choices() -> list[tuple[str, str]]:
    return [
        ("manual", "вводится вручную (с подтверждением)"),
        *[(key, label) for key, (label, _, _) in SOURCES.items()],
    ]


def table(roadmap: Roadmap) -> list[dict[str, Any]]:
    """Each indicator with its plan and fact for the roadmap's year and the year before (computed where the portal can)."""
    year = roadmap.year.start_year
    years = [year - 1, year]
    out = []
    for indicator in roadmap.indicators.all():
        computed = {}
        if indicator.source in SOURCES and SOURCES[indicator.source][2] is not None:
            computed = SOURCES[indicator.source][2](roadmap, years)
        rows = []
        for y in years:
            actual = computed.get(y, indicator.actual.get(str(y)))
            rows.append(
                {
                    "year": f"{y}/{y + 1}",
                    "planned": indicator.planned.get(str(y)),
                    "actual": actual,
                    "computed": y in computed,
                }
            )
        out.append(
            {
                "indicator": indicator,
                "rows": rows,
                "automatic": indicator.source != "manual",
            }
        )
    return out


def add(
    *, roadmap: Roadmap, source: str, title: str, unit: str, planned: float | None
) -> TargetIndicator:
    indicator = build(
        roadmap=roadmap, source=source, title=title, unit=unit, planned=planned
    )
    indicator.save()
    return indicator


def build(
    *, roadmap: Roadmap, source: str, title: str, unit: str, planned: float | None
) -> TargetIndicator:
    """A new indicator, not yet saved: its change is noted before the save."""
    if source != "manual" and source not in SOURCES:
        source = "manual"
    label, default_unit = (
        (SOURCES[source][0], SOURCES[source][1]) if source in SOURCES else ("", "%")
    )
    return TargetIndicator(
        roadmap=roadmap,
        source=source,
        title=(title or label).strip() or "Показатель",
        unit=unit or default_unit,
        planned={str(roadmap.year.start_year): planned} if planned is not None else {},
        position=roadmap.indicators.count() + 1,
    )
