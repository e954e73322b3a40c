"""
The only code that turns the database into the engine's frames, and reads runs.

Each frame is read with one query (values_list), never a query per school.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from django.db.models import F, Q, QuerySet

from monitoring.models import (
    DATA_MODELS,
    AssessmentResult,
    MarkComparison,
    RegionalMean,
    Report,
    ReportKind,
)
from schools.models import School

from . import columns as c
from .engine import Inputs

ACCEPTED = Report.Status.ACCEPTED


def _report_filter(prefix: str, schools: Iterable[int], only_accepted: bool, years: list[int]) -> Q:
    q = Q(**{f"{prefix}school_id__in": schools, f"{prefix}year__start_year__in": years})
    if only_accepted:
        q &= Q(**{f"{prefix}status": ACCEPTED})
    return q


def school_frame(schools: QuerySet[School]) -> pd.DataFrame:
    rows = schools.values_list("pk", "municipality_id", "municipality__region_id", "school_type", "is_rural", "distance_km", "code", "short_name")
    frame = pd.DataFrame.from_records(list(rows), columns=[c.SCHOOL_ID, c.MUNICIPALITY_ID, c.REGION_ID, c.SCHOOL_TYPE, c.IS_RURAL, c.DISTANCE_KM, c.CODE, c.NAME])
    frame[c.DISTANCE_KM] = frame[c.DISTANCE_KM].astype(float)
    return frame


def inputs_frame(*, schools: QuerySet[School], target_year: int, only_accepted: bool = False, span: int = 6) -> Inputs:
    """Return the engine's Inputs for the schools: every year within `span` before the target."""
    school_frame_ = school_frame(schools)
    ids = school_frame_[c.SCHOOL_ID].tolist()
    years = list(range(target_year - span, target_year))
    result_q = _report_filter("report__", ids, only_accepted, years)
    results = pd.DataFrame.from_records(
        list(AssessmentResult.objects.filter(result_q).annotate(school=F("report__school_id"), start=F("report__year__start_year"), subject_name=F("subject__name"))
             .values_list("school", "start", "procedure", "subject_name", "grade", "level", "participants", "mark2", "failed_minimum", "mean_score")),
        columns=[c.SCHOOL_ID, c.YEAR, c.PROCEDURE, c.SUBJECT, c.GRADE, c.LEVEL, c.PARTICIPANTS, "mark2", "failed_minimum", c.MEAN],
    )
    if not results.empty:
        uses_marks = (results[c.PROCEDURE] != "ЕГЭ") | (results[c.LEVEL] == "базовый")
        results[c.FAIL] = results["mark2"].where(uses_marks, results["failed_minimum"]).astype("float")
        results[c.MEAN] = results[c.MEAN].astype(float)
        results[c.PARTICIPANTS] = results[c.PARTICIPANTS].astype(float)
    else:
        results[c.FAIL] = pd.Series(dtype=float)
    results = results.drop(columns=["mark2", "failed_minimum"])
    comparisons = pd.DataFrame.from_records(
        list(MarkComparison.objects.filter(result_q).annotate(school=F("report__school_id"), start=F("report__year__start_year"), subject_name=F("subject__name"))
             .values_list("school", "start", "subject_name", "grade", "lowered", "confirmed", "raised")),
        columns=[c.SCHOOL_ID, c.YEAR, c.SUBJECT, c.GRADE, c.LOWERED, c.CONFIRMED, c.RAISED],
    )
    frames = {}
    for kind, model in DATA_MODELS.items():
        names = [f.name for f in model._meta.concrete_fields if f.name != "report"]
        rows = model.objects.filter(result_q).values_list("report__school_id", "report__year__start_year", *names)
        frame = pd.DataFrame.from_records(list(rows), columns=[c.SCHOOL_ID, c.YEAR, *names])
        for name in names:
            frame[name] = frame[name].astype(float)
        frames[kind] = frame
    regions = school_frame_[c.REGION_ID].unique().tolist()
    means = pd.DataFrame.from_records(
        list(RegionalMean.objects.filter(region_id__in=regions, year__start_year__in=years)
             .values_list("region_id", "year__start_year", "procedure", "subject__name", "grade", "level", "mean_score")),
        columns=[c.REGION_ID, c.YEAR, c.PROCEDURE, c.SUBJECT, c.GRADE, c.LEVEL, c.MEAN],
    )
    means[c.MEAN] = means[c.MEAN].astype(float)
    return Inputs(
        schools=school_frame_, results=results, comparisons=comparisons,
        staffing=frames[ReportKind.STAFFING], social=frames[ReportKind.SOCIAL],
        resources=frames[ReportKind.RESOURCES], outcomes=frames[ReportKind.OUTCOMES], regional_means=means,
    )


def readiness(*, schools: QuerySet[School], years: list[int]) -> dict[int, list[str]]:
    """Return per school the reports of the years used that are missing or not accepted."""
    wanted = list(ReportKind.values)
    have: dict[tuple[int, int, str], str] = {
        (s, y, k): status
        for s, y, k, status in Report.objects.filter(school__in=schools, year__start_year__in=years)
        .values_list("school_id", "year__start_year", "kind", "status")
    }
    labels = dict(ReportKind.choices)
    statuses = dict(Report.Status.choices)
    out: dict[int, list[str]] = {}
    for school in schools.values_list("pk", flat=True):
        notes = []
        for year in years:
            for kind in wanted:
                status = have.get((school, year, kind))
                if status is None:
                    notes.append(f"{labels[kind]} за {year}/{year + 1}: нет отчёта")
                elif status != ACCEPTED:
                    notes.append(f"{labels[kind]} за {year}/{year + 1}: {statuses[status]}")
        if notes:
            out[school] = notes
    return out


def run_label(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))
