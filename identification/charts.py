"""
The numbers behind the dashboard's charts; each chart's page shows the same
numbers as a table, for screen readers and for print.

Rank cuts and quadrants are drawn within one comparison group: a municipality,
or the region when the methodology compares across the region.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Count, F, Sum

from monitoring.indicators import DERIVED, SMALL_BASE, report_rows
from monitoring.models import AssessmentResult, ReportKind
from schools import access, formatting
from schools.models import Municipality, User

from . import columns as c
from . import permissions
from .engine.text import num, procedure_label
from .models import CriterionResult, IdentificationRun, SchoolResult

INDEX_CRITERIA = {
    "L1": "Индекс результатов (ЕГЭ, ОГЭ, ВПР за 3 года)",
    "N1": "Индекс социального благополучия",
    "N2": "Индекс кадрового потенциала",
    "N3": "Индекс образовательного потенциала (ресурсы)",
}
BIN = 10  # percentage points per bar of the «2» distribution


def chart_municipalities(run: IdentificationRun, user: User) -> list[Municipality]:
    return list(
        run.municipalities.filter(
            pk__in=access.municipalities_visible_to(user).values("pk")
        ).order_by("name")
    )


def group_municipality(
    run: IdentificationRun, user: User, requested: Any
) -> Municipality | None:
    """The comparison group to draw: the requested municipality, else the first one; None when the run compares the region."""
    if run.parameters.comparison_set == "region":
        return None
    municipalities = chart_municipalities(run, user)
    chosen = next((m for m in municipalities if str(m.pk) == str(requested)), None)
    return chosen or (municipalities[0] if municipalities else None)


def _run_schools(
    run: IdentificationRun, user: User, municipality: Municipality | None
) -> Any:
    schools = access.schools_visible_to(user).filter(
        municipality__in=run.municipalities.values("pk")
    )
    return schools.filter(municipality=municipality) if municipality else schools


def _year(run: IdentificationRun) -> int | None:
    years = run.years_used.get("R1") or []
    return int(years[0].split("/")[0]) if years else None


# Distribution of «2» shares -------------------------------------------------------------------


def fail_shares(
    run: IdentificationRun,
    user: User,
    *,
    municipality: Municipality | None,
    procedure: str = "",
) -> dict[str, Any]:
    """Per procedure of the 30 % rule: how many schools had which share of «2» (not passed), with the 30 % line."""
    year = _year(run)
    line = run.parameters.r1.pct
    rows = (
        list(
            AssessmentResult.objects.filter(
                report__school__in=_run_schools(run, user, municipality).values("pk"),
                report__year__start_year=year,
                participants__gt=0,
            ).values(
                "procedure",
                "subject__name",
                "grade",
                "level",
                "participants",
                "mark2",
                "failed_minimum",
                school=F("report__school__short_name"),
            )
        )
        if year is not None
        else []
    )
    wanted = {procedure_key(*p) for p in run.parameters.r1.procedures}
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = procedure_key(
            row["procedure"], row["subject__name"], row["grade"], row["level"]
        )
        if key not in wanted:
            continue
        fail = (
            row["mark2"]
            if row["procedure"] != "ЕГЭ" or row["level"] == "базовый"
            else row["failed_minimum"]
        )
        if fail is None:
            continue
        by_key.setdefault(key, []).append(
            {
                "school": row["school"],
                "fail": fail,
                "participants": row["participants"],
                "share": 100 * fail / row["participants"],
            }
        )
    options = [{"key": k, "label": key_label(k)} for k in sorted(by_key, key=key_order)]
    chosen = (
        procedure if procedure in by_key else (options[0]["key"] if options else "")
    )
    schools = sorted(by_key.get(chosen, []), key=lambda s: -s["share"])
    bins = [
        {
            "label": f"{lo}–{lo + BIN} %" if lo + BIN < 100 else f"{lo}–100 %",
            "from": lo,
            "count": 0,
        }
        for lo in range(0, 100, BIN)
    ]
    for school in schools:
        bins[min(int(school["share"] // BIN), len(bins) - 1)]["count"] += 1
    low = [
        s | {"small": s["participants"] < SMALL_BASE, "share_text": num(s["share"])}
        for s in schools
        if 100 * s["fail"] >= line * s["participants"]
    ]
    return {
        "year": f"{year}/{year + 1}" if year else None,
        "line": line,
        "procedure": chosen,
        "label": key_label(chosen) if chosen else "",
        "options": options,
        "bins": bins,
        "schools": len(schools),
        "low": low,
    }


def procedure_key(procedure: str, subject: str, grade: Any, level: Any) -> str:
    return f"{procedure}|{subject}|{int(grade)}|{level or ''}"


def key_label(key: str) -> str:
    procedure, subject, grade, level = key.split("|")
    return procedure_label(procedure, subject, int(grade), level)


def key_order(key: str) -> tuple:
    procedure, subject, grade, level = key.split("|")
    return (
        {"ВПР": 0, "ОГЭ": 1, "ЕГЭ": 2}.get(procedure, 3),
        int(grade),
        subject,
        level,
    )


# Ranked indices -----------------------------------------------------------------------------------


def index_ranking(
    run: IdentificationRun,
    user: User,
    *,
    criterion: str,
    municipality: Municipality | None,
) -> dict[str, Any]:
    """The schools of one comparison group ranked by an index, lowest first, with the 25 % cut."""
    criterion = criterion if criterion in INDEX_CRITERIA else "L1"
    rows = list(
        CriterionResult.objects.filter(
            run=run,
            criterion=criterion,
            value__isnull=False,
            school__in=_run_schools(run, user, municipality).values("pk"),
        )
        .values(
            "value", "threshold", "state", "rank", school_name=F("school__short_name")
        )
        .order_by("value", "school__short_name")
    )
    cut = next((r["threshold"] for r in rows if r["threshold"] is not None), None)
    return {
        "criterion": criterion,
        "label": INDEX_CRITERIA[criterion],
        "cut": cut,
        "options": [{"key": k, "label": v} for k, v in INDEX_CRITERIA.items()],
        "schools": [
            {
                "school": r["school_name"],
                "value": round(r["value"], 3),
                "flagged": r["state"] == c.FLAGGED,
                "rank": r["rank"],
            }
            for r in rows
        ],
        "flagged": sum(r["state"] == c.FLAGGED for r in rows),
        "height": min(110 + 24 * len(rows), 2400),  # px: a readable bar per school
    }


# Results against social well-being ----------------------------------------------------------------

QUADRANTS = {
    "strong": "Высокие результаты, благополучный контекст — сильные школы",
    "resilient": "Высокие результаты в сложном контексте — резильентные школы (кандидаты в партнёры)",
    "low_favourable": "Низкие результаты в благополучном контексте",
    "low_hard": "Низкие результаты в сложном контексте",
}


def scatter(
    run: IdentificationRun, user: User, *, municipality: Municipality | None
) -> dict[str, Any]:
    """Each school at (social well-being index, result index), split by the ИСБ cut and the result median."""
    schools = _run_schools(run, user, municipality).values("pk")
    values: dict[int, dict[str, Any]] = {}
    thresholds: dict[str, float] = {}
    for row in CriterionResult.objects.filter(
        run=run, criterion__in=["L1", "N1"], school__in=schools
    ).values(
        "school_id", "criterion", "value", "threshold", name=F("school__short_name")
    ):
        values.setdefault(row["school_id"], {"school": row["name"]})[
            row["criterion"]
        ] = row["value"]
        if row["threshold"] is not None:
            thresholds[row["criterion"]] = row["threshold"]
    statuses = dict(
        SchoolResult.objects.filter(run=run, school__in=schools).values_list(
            "school_id", "status"
        )
    )
    points = [
        v | {"status": statuses.get(s, "")}
        for s, v in values.items()
        if v.get("L1") is not None and v.get("N1") is not None
    ]
    x_cut = thresholds.get("N1")
    y_median = statistics.median(p["L1"] for p in points) if points else None
    counts = dict.fromkeys(QUADRANTS, 0)
    for point in points:
        hard = x_cut is not None and round(point["N1"], 6) <= round(x_cut, 6)
        high = y_median is not None and point["L1"] >= y_median
        point["quadrant"] = (
            ("resilient" if hard else "strong")
            if high
            else ("low_hard" if hard else "low_favourable")
        )
        point["x"], point["y"] = round(point.pop("N1"), 3), round(point.pop("L1"), 3)
        counts[point["quadrant"]] += 1
    points.sort(key=lambda p: (list(QUADRANTS).index(p["quadrant"]), -p["y"]))
    return {
        "x_cut": x_cut,
        "y_median": y_median,
        "points": points,
        "quadrants": [
            {"key": k, "label": v, "count": counts[k]} for k, v in QUADRANTS.items()
        ],
    }


# Year over year ---------------------------------------------------------------------------------------

ASSESSMENT_INDICATORS = [
    ("ВПР", "Доля «2» по ВПР (все предметы и классы)"),
    ("ОГЭ", "Доля «2» по ОГЭ"),
    ("ЕГЭ", "Доля не преодолевших минимальный порог ЕГЭ"),
]


def dynamics(
    run: IdentificationRun, user: User, *, municipality: Municipality | None
) -> dict[str, Any]:
    """ШНОР/ШНСУ counts by year (the latest run of each year) and municipal indicators by year."""
    schools = _run_schools(run, user, municipality)
    runs: dict[int, IdentificationRun] = {}
    for other in (
        permissions.runs_visible_to(user)
        .filter(
            status=IdentificationRun.Status.DONE,
            target_year__start_year__lte=run.target_year.start_year,
        )
        .order_by("pk")
    ):
        runs[other.target_year.start_year] = other  # the latest run of each year wins
    runs[run.target_year.start_year] = run
    counted = (
        SchoolResult.objects.filter(
            run__in=[r.pk for r in runs.values()], school__in=schools.values("pk")
        )
        .values("run_id", "status")
        .annotate(n=Count("pk"))
    )
    by_run: dict[int, dict[str, int]] = {}
    for row in counted:
        by_run.setdefault(row["run_id"], {})[row["status"]] = row["n"]
    years = sorted(runs)
    statuses = [
        {
            "year": f"{y}/{y + 1}",
            "run": runs[y].pk,
            "shnor": sum(
                by_run.get(runs[y].pk, {}).get(s, 0)
                for s in (c.STATUS_SHNOR, c.STATUS_BOTH)
            ),
            "shnsu": sum(
                by_run.get(runs[y].pk, {}).get(s, 0)
                for s in (c.STATUS_SHNSU, c.STATUS_BOTH)
            ),
        }
        for y in years
        if by_run.get(runs[y].pk)
    ]
    data_years = list(range(run.target_year.start_year - 3, run.target_year.start_year))
    return {
        "statuses": statuses,
        "indicators": municipal_indicators(schools, data_years),
        "years": [f"{y}/{y + 1}" for y in data_years],
    }


def municipal_indicators(schools: Any, years: list[int]) -> list[dict[str, Any]]:
    """Pooled indicators of the schools by year: results of the procedures and the report shares."""
    out = []
    fails = (
        AssessmentResult.objects.filter(
            report__school__in=schools.values("pk"),
            report__year__start_year__in=years,
            participants__gt=0,
        )
        .values("procedure", year=F("report__year__start_year"))
        .annotate(
            participants=Sum("participants"),
            mark2=Sum("mark2"),
            below=Sum("failed_minimum"),
        )
    )
    pooled: dict[str, dict[int, float]] = {}
    for row in fails:
        fail = row["below"] if row["procedure"] == "ЕГЭ" else row["mark2"]
        if fail is not None and row["participants"]:
            pooled.setdefault(row["procedure"], {})[row["year"]] = (
                100 * fail / row["participants"]
            )
    for procedure, label in ASSESSMENT_INDICATORS:
        if procedure in pooled:
            out.append(
                _series(
                    label, "Оценочные процедуры", pooled[procedure], years, better=-1
                )
            )
    rows = report_rows(schools, years)
    for kind, derived in DERIVED.items():
        for item in derived:
            totals: dict[int, list[float]] = {}
            for row in rows.get(kind, []):
                parts = item.parts(row)
                if parts is not None:
                    total = totals.setdefault(row["year"], [0.0, 0.0])
                    total[0] += parts[0]
                    total[1] += parts[1]
            values = {y: 100 * p / w for y, (p, w) in totals.items() if w}
            if values:
                out.append(
                    _series(
                        item.label,
                        ReportKind(kind).label,
                        values,
                        years,
                        better=item.better,
                    )
                )
    return out


def _series(
    label: str, group: str, values: dict[int, float], years: list[int], *, better: int
) -> dict[str, Any]:
    """One indicator by year with its change from the first to the last known year and whether that is good."""
    series = [values.get(y) for y in years]
    known = [v for v in series if v is not None]
    change = formatting.change(known[0], known[-1], 1) if len(known) > 1 else None
    verdict = (
        "good"
        if change and change * better > 0
        else "bad"
        if change and change * better < 0
        else "neutral"
    )
    return {
        "label": label,
        "group": group,
        "values": [None if v is None else round(v, 1) for v in series],
        "change": change,
        "verdict": verdict,
    }
