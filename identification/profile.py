"""
Everything known about one school on one page: its statuses across years and
runs, why, and every indicator beside the municipality (and the region).

A fixed number of queries whatever the number of schools: municipal figures
come from grouped queries, never from one query per school.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from monitoring.indicators import SMALL_BASE, report_rows, shares
from monitoring.models import AssessmentResult, MarkComparison, RegionalMean, Report
from schools import access
from schools.models import School, User

from . import permissions, selectors
from .charts import key_label, key_order, procedure_key
from .criteria import LISTED
from .criteria import labels as criterion_labels
from .criteria import order as criterion_order
from .criteria import role as criterion_role
from .models import (
    CriterionResult,
    IdentificationRun,
    OfficialEntry,
    SchoolResult,
    StatusOverride,
)

YEARS_SHOWN = 3


def runs_for(school: School, user: User) -> QuerySet[IdentificationRun]:
    """
    The finished runs that include the school and that the person may read.

    Staff read every run of their scope; a school's operator reads the runs
    behind approved lists — the school's official result, not drafts.
    """
    runs = IdentificationRun.objects.filter(
        status=IdentificationRun.Status.DONE, school_results__school=school
    )
    if access.role_of(user) == access.Role.OPERATOR:
        runs = runs.filter(official_lists__municipality=school.municipality_id)
    else:
        runs = runs.filter(pk__in=permissions.runs_visible_to(user).values("pk"))
    return (
        runs.select_related("target_year", "version__methodology")
        .distinct()
        .order_by("-target_year__start_year", "-pk")
    )


def choose_run(
    runs: list[IdentificationRun], requested: Any
) -> IdentificationRun | None:
    chosen = next((r for r in runs if str(r.pk) == str(requested)), None)
    return chosen or (runs[0] if runs else None)


def status_in_force(
    run: IdentificationRun, school: School, computed: str, *, staff: bool
) -> dict[str, str]:
    """
    The school's status the page leads with: for МИМЦ and the department an
    analyst's active decision for the year, for the school the approved list
    it sees; with the computed status and the decision's reason beside it.
    """
    status, reason = computed, ""
    if staff:
        decision = StatusOverride.objects.filter(
            school=school, year=run.target_year_id, is_active=True
        ).first()
        if decision is not None:
            status, reason = decision.status, decision.reason
    else:
        entry = OfficialEntry.objects.filter(
            school=school,
            official_list__run=run,
            official_list__superseded_at__isnull=True,
        ).first()
        if entry is not None:
            status, reason = entry.status, entry.override_reason
    return {
        "status": status,
        "computed": computed,
        "reason": reason if status != computed else "",
        "listed": status in LISTED,
    }


def status_history(
    school: School, runs: list[IdentificationRun]
) -> list[dict[str, Any]]:
    """Per school year: the latest computed status, the official one (with its order) and any decision."""
    computed = {
        r["run_id"]: r["status"]
        for r in SchoolResult.objects.filter(
            school=school, run__in=[r.pk for r in runs]
        ).values("run_id", "status")
    }
    official = {
        e.official_list.year_id: e
        for e in OfficialEntry.objects.filter(
            school=school, official_list__superseded_at__isnull=True
        ).select_related("official_list__year")
    }
    overrides = {
        o.year_id: o
        for o in StatusOverride.objects.filter(school=school, is_active=True)
    }
    years: dict[int, dict[str, Any]] = {}
    for run in runs:  # newest first: the first run of a year is its latest
        row = years.setdefault(
            run.target_year_id,
            {
                "year": run.target_year,
                "run": run,
                "status": computed.get(run.pk),
                "runs": 0,
            },
        )
        row["runs"] += 1
    for row in years.values():
        entry = official.get(row["year"].pk)
        row["official"] = entry
        row["override"] = overrides.get(row["year"].pk)
    return sorted(years.values(), key=lambda r: -r["year"].start_year)


def criteria(run: IdentificationRun, school: School) -> list[CriterionResult]:
    """The run's criteria of the school in the table's order, with explanations and named components."""
    rows = sorted(
        CriterionResult.objects.filter(run=run, school=school),
        key=lambda r: criterion_order(r.criterion),
    )
    details = selectors.run_details(run, municipalities=[school.municipality_id]).get(
        school.pk, {}
    )
    legend = run.summary.get("legend", {})
    labels = criterion_labels(run.parameters)
    for row in rows:
        row.label = labels.get(row.criterion, row.criterion)
        row.role = criterion_role(row.criterion, run.parameters)
        row.explanation, components = details.get(row.criterion, ["", {}])
        row.parts = _named_components(row.criterion, components or {}, legend)
    return rows


def _named_components(
    criterion: str, components: dict[str, Any], legend: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The components of an index as rows: indicator, value, its score."""
    if criterion in ("N1", "N2"):
        labels = legend.get(criterion, [])
        values, scores = components.get("values") or [], components.get("scores") or []
        return [
            {"label": label, "value": v, "score": s}
            for label, v, s in zip(labels, values, scores, strict=False)
        ]
    if criterion == "L1":
        labels = legend.get("L1", [])
        return [
            {
                "label": labels[i] if i < len(labels) else str(i),
                "value": mean,
                "score": z,
            }
            for i, mean, z in components.get("cells", [])
        ]
    if criterion == "N3" and components.get("fund"):
        return [
            {
                "label": "учебников не старше 3 лет из фонда",
                "value": f"{components['recent']} из {components['fund']}",
                "score": None,
            }
        ]
    return []


def assessment(school: School, years: list[int]) -> list[dict[str, Any]]:
    """
    Each procedure the school sat: its «2» share and mean score by year beside
    the municipality (pooled) and the region (imported means). Three queries.
    """
    fields = ("procedure", "subject__name", "grade", "level")
    own = AssessmentResult.objects.filter(
        report__school=school, report__year__start_year__in=years, participants__gt=0
    ).values(
        *fields,
        "participants",
        "mark2",
        "failed_minimum",
        "mean_score",
        year=F("report__year__start_year"),
    )
    municipal = (
        AssessmentResult.objects.filter(
            report__school__municipality_id=school.municipality_id,
            report__school__is_active=True,
            report__year__start_year__in=years,
            participants__gt=0,
        )
        .values(*fields, year=F("report__year__start_year"))
        .annotate(
            participants_sum=Sum("participants"),
            mark2_sum=Sum("mark2"),
            below_sum=Sum("failed_minimum"),
            weighted=Sum(F("mean_score") * F("participants")),
            weighted_n=Sum("participants", filter=Q(mean_score__isnull=False)),
        )
    )
    regional = RegionalMean.objects.filter(
        region_id=school.municipality.region_id, year__start_year__in=years
    ).values(*fields, "mean_score", y=F("year__start_year"))
    series: dict[str, dict[str, Any]] = {}

    def entry(row: dict[str, Any]) -> dict[str, Any]:
        key = procedure_key(
            row["procedure"], row["subject__name"], row["grade"], row["level"]
        )
        return series.setdefault(
            key, {"key": key, "label": key_label(key), "years": {y: {} for y in years}}
        )

    for row in own:
        marks = row["procedure"] != "ЕГЭ" or row["level"] == "базовый"
        fail = row["mark2"] if marks else row["failed_minimum"]
        entry(row)["years"][row["year"]].update(
            {
                "participants": row["participants"],
                "fail": fail,
                "share": None if fail is None else 100 * fail / row["participants"],
                "small": row["participants"] < SMALL_BASE,
                "mean": float(row["mean_score"])
                if row["mean_score"] is not None
                else None,
            }
        )
    for row in municipal:
        if (
            procedure_key(
                row["procedure"], row["subject__name"], row["grade"], row["level"]
            )
            not in series
        ):
            continue
        marks = row["procedure"] != "ЕГЭ" or row["level"] == "базовый"
        fail = row["mark2_sum"] if marks else row["below_sum"]
        item = entry(row)["years"][row["year"]]
        item["municipal_share"] = (
            100 * fail / row["participants_sum"]
            if fail is not None and row["participants_sum"]
            else None
        )
        item["municipal_mean"] = (
            float(row["weighted"]) / row["weighted_n"]
            if row["weighted"] is not None and row["weighted_n"]
            else None
        )
    for row in regional:
        key = procedure_key(
            row["procedure"], row["subject__name"], row["grade"], row["level"]
        )
        if key in series and row["mean_score"] is not None:
            series[key]["years"][row["y"]]["regional_mean"] = float(row["mean_score"])
    out = []
    for key in sorted(series, key=key_order):
        item = series[key]
        item["rows"] = [{"year": f"{y}/{y + 1}", **item["years"][y]} for y in years]
        item["has_region"] = any(
            row.get("regional_mean") is not None for row in item["rows"]
        )
        item["chart"] = {
            "years": [f"{y}/{str(y + 1)[2:]}" for y in years],
            "school": [item["years"][y].get("mean") for y in years],
            "municipality": [
                _round(item["years"][y].get("municipal_mean")) for y in years
            ],
            "region": [item["years"][y].get("regional_mean") for y in years],
        }
        item["id"] = f"small-{len(out)}"
        item["data_id"] = f"small-{len(out)}-data"
        out.append(item)
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def objectivity(school: School, years: list[int]) -> dict[str, Any] | None:
    """ВПР against the journal in the latest year: the school's shares beside the municipality's."""
    rows = list(
        MarkComparison.objects.filter(
            report__school__municipality_id=school.municipality_id,
            report__school__is_active=True,
            report__year__start_year__in=years,
        ).values(
            "lowered",
            "confirmed",
            "raised",
            school_id=F("report__school_id"),
            year=F("report__year__start_year"),
        )
    )
    own_years = [r["year"] for r in rows if r["school_id"] == school.pk]
    if not own_years:
        return None
    year = max(own_years)
    totals = {"school": [0, 0, 0], "municipality": [0, 0, 0]}
    for row in rows:
        if row["year"] != year or None in (
            row["lowered"],
            row["confirmed"],
            row["raised"],
        ):
            continue
        values = [row["lowered"], row["confirmed"], row["raised"]]
        for who in (
            ["school", "municipality"]
            if row["school_id"] == school.pk
            else ["municipality"]
        ):
            totals[who] = [a + b for a, b in zip(totals[who], values, strict=True)]
    out = {"year": f"{year}/{year + 1}", "rows": []}
    for who, label in (("school", "Школа"), ("municipality", "Муниципалитет")):
        total = sum(totals[who])
        shares_ = [100 * v / total if total else None for v in totals[who]]
        out["rows"].append(
            {
                "label": label,
                "total": total,
                "lowered": shares_[0],
                "confirmed": shares_[1],
                "raised": shares_[2],
                "small": total < SMALL_BASE,
            }
        )
    return out


def report_links(school: School, years: list[int]) -> list[Report]:
    return list(
        Report.objects.filter(school=school, year__start_year__in=years)
        .select_related("year")
        .order_by("-year__start_year", "kind")
    )


def indicator_shares(school: School, years: list[int]) -> list[dict[str, Any]]:
    """Every derived share of the school by year beside the municipality's pooled value."""
    municipality_schools = School.objects.filter(
        municipality_id=school.municipality_id, is_active=True
    )
    items = shares(report_rows(municipality_schools, years), school=school.pk)
    for item in items:
        item["rows"] = [
            {"year": f"{y}/{y + 1}", **item["years"].get(y, {})} for y in years
        ]
    return items


def data_years(run: IdentificationRun | None) -> list[int]:
    """The three school years before the run's target (or before the current year)."""
    from schools.models import AcademicYear

    if run is not None:
        end = run.target_year.start_year
    else:
        current = AcademicYear.objects.filter(is_current=True).first()
        end = current.start_year if current else 0
    return list(range(end - YEARS_SHOWN, end))
