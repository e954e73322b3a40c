"""
The only code that turns the database into the engine's frames, and reads runs.

Each frame is read with one query (values_list), never a query per school.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from monitoring.models import (
    DATA_MODELS,
    AssessmentResult,
    MarkComparison,
    RegionalMean,
    Report,
    ReportKind,
)
from schools import access
from schools.models import School

from . import columns as c
from . import packing
from .criteria import REGISTRY
from .engine import Inputs

if TYPE_CHECKING:
    from .models import IdentificationRun, Methodology

ACCEPTED = Report.Status.ACCEPTED


def _report_filter(
    prefix: str, schools: QuerySet[School], only_accepted: bool, years: list[int]
) -> Q:
    q = Q(
        **{
            f"{prefix}school__in": schools.values("pk"),
            f"{prefix}year__start_year__in": years,
        }
    )
    if only_accepted:
        q &= Q(**{f"{prefix}status": ACCEPTED})
    return q


SPAN = 6  # the years before the target that a run reads

INT, FLOAT, TEXT, BOOL, CODES = "int64", "float64", "object", "bool", "category"


def read_frame(rows: QuerySet, columns: dict[str, str]) -> pd.DataFrame:
    """
    Return a values_list queryset as a frame with the given column types
    (INT never null, FLOAT with NaN for null, TEXT, BOOL, and CODES for texts
    of a few distinct values repeated over millions of rows: a categorical,
    which the parser fills without making a string per row).

    On PostgreSQL the rows come through COPY … TO STDOUT straight into pandas'
    C reader, already typed (the fastest way out of the database); elsewhere
    through the ORM.
    """
    names = list(columns)
    sql = None
    if connection.vendor == "postgresql":
        try:
            # The engine orders its inputs itself.
            sql, params = rows.order_by().query.sql_with_params()
        except EmptyResultSet:
            # A filter that can match nothing (an empty IN list: a municipality
            # without schools) has no SQL; the ORM answers it with no rows.
            sql = None
    if sql is not None:
        parsed = {
            name: (TEXT if kind == BOOL else kind) for name, kind in columns.items()
        }
        with _copy_out(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as stream:
            frame = pd.read_csv(
                stream,
                names=names,
                header=None,
                keep_default_na=False,
                na_values=[""],
                dtype=parsed,
            )
        for name in (n for n, kind in columns.items() if kind == BOOL):
            frame[name] = frame[name].eq("t")
    else:
        frame = pd.DataFrame.from_records(list(rows.order_by()), columns=names)
        for name, kind in columns.items():
            if kind == FLOAT:
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
            elif kind != TEXT:
                frame[name] = frame[name].astype(kind)
    # Categories in sorted order, whatever order the rows came in.
    for name in (n for n, kind in columns.items() if kind == CODES):
        frame[name] = frame[name].cat.set_categories(sorted(frame[name].cat.categories))
    return frame


@contextmanager
def _copy_out(sql: str, params: Any) -> Iterator[IO[bytes]]:
    """
    Yield a stream of COPY … TO STDOUT that is parsed while the database still
    writes it: the connection's own cursor copies into a pipe from a thread
    (waiting on the server without the interpreter lock), the caller reads
    the other end.
    """
    connection.ensure_connection()
    raw = connection.connection
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        with os.fdopen(write_end, "wb") as sink:
            try:
                with raw.cursor() as cursor:
                    cursor.copy_expert(cursor.mogrify(sql, params).decode(), sink)
            except BaseException as error:  # handed to the reading thread below
                failure.append(error)

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        with os.fdopen(read_end, "rb") as stream:
            yield stream
            stream.read()  # let the producer finish if the reader stopped early
    finally:
        producer.join()
    if failure:
        raise failure[0]


def school_frame(schools: QuerySet[School]) -> pd.DataFrame:
    rows = schools.values_list(
        "pk",
        "municipality_id",
        "municipality__region_id",
        "school_type",
        "is_rural",
        "distance_km",
        "code",
        "short_name",
    )
    return read_frame(
        rows,
        {
            c.SCHOOL_ID: INT,
            c.MUNICIPALITY_ID: INT,
            c.REGION_ID: INT,
            c.SCHOOL_TYPE: TEXT,
            c.IS_RURAL: BOOL,
            c.DISTANCE_KM: FLOAT,
            c.CODE: TEXT,
            c.NAME: TEXT,
        },
    )


def _no_level(level: pd.Series) -> pd.Series:
    """An empty level as "" (the parser reads it as missing), sorted first like the other categories."""
    if "" not in level.cat.categories:
        level = level.cat.set_categories(["", *level.cat.categories])
    return level.fillna("")


def results_frame(
    *,
    schools: QuerySet[School],
    target_year: int,
    only_accepted: bool = False,
    span: int = SPAN,
) -> pd.DataFrame:
    """Return the assessment results of the schools: every year within `span` before the target."""
    years = list(range(target_year - span, target_year))
    results = read_frame(
        AssessmentResult.objects.filter(
            _report_filter("report__", schools, only_accepted, years)
        ).values_list(
            "report__school_id",
            "report__year__start_year",
            "procedure",
            "subject__name",
            "grade",
            "level",
            "participants",
            "mark2",
            "failed_minimum",
            "mean_score",
            "mean_percent",
        ),
        {
            c.SCHOOL_ID: INT,
            c.YEAR: INT,
            c.PROCEDURE: CODES,
            c.SUBJECT: CODES,
            c.GRADE: INT,
            c.LEVEL: CODES,
            c.PARTICIPANTS: FLOAT,
            "mark2": FLOAT,
            "failed_minimum": FLOAT,
            c.MEAN: FLOAT,
            c.MEAN_PERCENT: FLOAT,
        },
    )
    results[c.LEVEL] = _no_level(results[c.LEVEL])
    uses_marks = (results[c.PROCEDURE] != "ЕГЭ") | (results[c.LEVEL] == "базовый")
    results[c.FAIL] = results["mark2"].where(uses_marks, results["failed_minimum"])
    return results.drop(columns=["mark2", "failed_minimum"])


def inputs_frame(
    *,
    schools: QuerySet[School],
    target_year: int,
    only_accepted: bool = False,
    span: int = SPAN,
    results: pd.DataFrame | None = None,
) -> Inputs:
    """
    Return the engine's Inputs for the schools: every year within `span`
    before the target (the results as given, if they were read already).
    """
    school_frame_ = school_frame(schools)
    years = list(range(target_year - span, target_year))
    result_q = _report_filter("report__", schools, only_accepted, years)
    keys = {c.SCHOOL_ID: INT, c.YEAR: INT}
    if results is None:
        results = results_frame(
            schools=schools,
            target_year=target_year,
            only_accepted=only_accepted,
            span=span,
        )
    comparisons = read_frame(
        MarkComparison.objects.filter(result_q).values_list(
            "report__school_id",
            "report__year__start_year",
            "subject__name",
            "grade",
            "lowered",
            "confirmed",
            "raised",
        ),
        keys
        | {
            c.SUBJECT: TEXT,
            c.GRADE: INT,
            c.LOWERED: FLOAT,
            c.CONFIRMED: FLOAT,
            c.RAISED: FLOAT,
        },
    )
    frames = {}
    for kind, model in DATA_MODELS.items():
        names = [f.name for f in model._meta.concrete_fields if f.name != "report"]
        rows = model.objects.filter(result_q).values_list(
            "report__school_id", "report__year__start_year", *names
        )
        frames[kind] = read_frame(rows, keys | dict.fromkeys(names, FLOAT))
    regions = school_frame_[c.REGION_ID].unique().tolist()
    means = read_frame(
        RegionalMean.objects.filter(
            region_id__in=regions, year__start_year__in=years
        ).values_list(
            "region_id",
            "year__start_year",
            "procedure",
            "subject__name",
            "grade",
            "level",
            "mean_score",
            "mean_percent",
        ),
        {
            c.REGION_ID: INT,
            c.YEAR: INT,
            c.PROCEDURE: TEXT,
            c.SUBJECT: TEXT,
            c.GRADE: INT,
            c.LEVEL: TEXT,
            c.MEAN: FLOAT,
            c.MEAN_PERCENT: FLOAT,
        },
    )
    means[c.LEVEL] = means[c.LEVEL].fillna("")
    return Inputs(
        schools=school_frame_,
        results=results,
        comparisons=comparisons,
        staffing=frames[ReportKind.STAFFING],
        social=frames[ReportKind.SOCIAL],
        resources=frames[ReportKind.RESOURCES],
        outcomes=frames[ReportKind.OUTCOMES],
        regional_means=means,
    )


def readiness(*, schools: QuerySet[School], years: list[int]) -> dict[int, list[str]]:
    """Return per school the reports of the years used that are missing or not accepted."""
    if not years:
        return {}
    kinds = list(ReportKind.values)
    reports = Report.objects.filter(year__start_year__in=years)
    # Only the schools short of accepted reports are read report by report.
    complete = (
        reports.filter(school__in=schools.values("pk"), status=ACCEPTED)
        .values("school_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=len(years) * len(kinds))
        .values("school_id")
    )
    pending = list(schools.exclude(pk__in=complete).values_list("pk", flat=True))
    if not pending:
        return {}
    found = read_frame(
        reports.filter(school_id__in=pending).values_list(
            "school_id", "year__start_year", "kind", "status"
        ),
        {"school": INT, "year": INT, "kind": TEXT, "status": TEXT},
    )
    wanted = pd.MultiIndex.from_product(
        [pending, years, kinds], names=["school", "year", "kind"]
    ).to_frame(index=False)
    merged = wanted.merge(found, on=["school", "year", "kind"], how="left")
    problems = merged.loc[merged["status"] != ACCEPTED]
    notes = (
        problems["kind"].map(dict(ReportKind.choices))
        + " за "
        + problems["year"].astype(str)
        + "/"
        + (problems["year"] + 1).astype(str)
        + ": "
        + problems["status"].map(dict(Report.Status.choices)).fillna("нет отчёта")
    )
    return {
        int(school): group
        for school, group in notes.groupby(problems["school"]).agg(list).items()
    }


def run_label(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))


# Runs ----------------------------------------------------------------------------

BASE_RUN_CHOICES = 30  # the latest finished runs offered as a base for comparison


def finished_runs(user: Any, *, municipality: Any = None) -> list[IdentificationRun]:
    """
    The finished runs a person may compare with, latest first (what-if,
    gradation, partner suggestions): those over the given municipality only
    when one is given.
    """
    from .models import IdentificationRun
    from .permissions import runs_visible_to

    runs = runs_visible_to(user).filter(status=IdentificationRun.Status.DONE)
    if municipality is not None:
        runs = runs.filter(municipalities=municipality)
    return list(runs[:BASE_RUN_CHOICES])


def base_run_choice(
    user: Any, requested: Any, *, default: Any = None, municipality: Any = None
) -> tuple[list[IdentificationRun], IdentificationRun | None]:
    """
    The runs offered as a base and the one in use: the requested one when the
    person may see it, else `default` (kept among the choices even when older
    than the latest ones), else the latest.
    """
    runs = finished_runs(user, municipality=municipality)
    wanted = access.requested_pk(requested)
    run = next((r for r in runs if r.pk == wanted), None) or default
    if run is None:
        return runs, runs[0] if runs else None
    # The listed instance carries its year and methodology already.
    listed = next((r for r in runs if r.pk == run.pk), None)
    return (runs, listed) if listed else ([run, *runs], run)


def run_details(
    run: Any, *, municipalities: Iterable[int] | None = None
) -> dict[int, dict[str, list[Any]]]:
    """Return {school: {criterion: [explanation, components]}} of a run, worded from its stored facts."""
    from .models import RunDetail

    blocks = RunDetail.objects.filter(run=run)
    if municipalities is not None:
        blocks = blocks.filter(municipality_id__in=list(municipalities))
    context = run.summary.get("context")
    out: dict[int, dict[str, list[Any]]] = {}
    for payload in blocks.values_list("payload", flat=True):
        if (
            context is None
        ):  # a run stored before facts were: its explanations were stored worded
            out |= {
                int(school): criteria
                for school, criteria in json.loads(
                    zlib.decompress(bytes(payload))
                ).items()
            }
        else:
            out |= packing.word(packing.unpack(bytes(payload)), context)
    return out


def explain(
    details: dict[int, dict[str, list[Any]]], school: int, criterion: str
) -> str:
    return details.get(school, {}).get(criterion, [""])[0]


def flagged_reasons(
    run: Any,
    *,
    municipalities: Iterable[int] | None = None,
    only: Iterable[str] | None = None,
) -> dict[int, list[str]]:
    """Return per school the explanations of its flagged criteria (of `only`, when given)."""
    details = run_details(run, municipalities=municipalities)
    out: dict[int, list[str]] = {}
    rows = run.criterion_results.filter(state=c.FLAGGED).exclude(
        criterion__in=["R8", "R9"]
    )
    if only is not None:
        rows = rows.filter(criterion__in=list(only))
    if municipalities is not None:
        rows = rows.filter(school__municipality__in=list(municipalities))
    rows = rows.order_by("criterion").values_list("school_id", "criterion")
    for school, criterion in rows:
        if school in details:
            out.setdefault(school, []).append(
                f"{criterion} ({_name(criterion)}): {explain(details, school, criterion)}"
            )
    return out


def previous_run(run: Any) -> Any:
    """Return the latest earlier finished run of the same year over the same municipalities."""
    from .models import IdentificationRun

    municipalities = set(run.municipalities.values_list("pk", flat=True))
    candidates = IdentificationRun.objects.filter(
        target_year=run.target_year, status=IdentificationRun.Status.DONE, pk__lt=run.pk
    ).order_by("-pk")
    for candidate in candidates.prefetch_related("municipalities")[:20]:
        if {m.pk for m in candidate.municipalities.all()} == municipalities:
            return candidate
    return None


def run_diff(run: Any, previous: Any) -> list[dict[str, Any]]:
    """Return the schools whose status or criteria changed since `previous`, with why."""
    if previous is None:
        return []
    before = dict(previous.school_results.values_list("school_id", "status"))
    after = dict(run.school_results.values_list("school_id", "status"))
    old_states = {
        (s, k): st
        for s, k, st in previous.criterion_results.values_list(
            "school_id", "criterion", "state"
        )
    }
    new_states = {
        (s, k): st
        for s, k, st in run.criterion_results.values_list(
            "school_id", "criterion", "state"
        )
    }
    changed = [
        (key, state)
        for key, state in new_states.items()
        if old_states.get(key) != state
    ]
    moved = {s for s in set(before) | set(after) if before.get(s) != after.get(s)} | {
        s for (s, _), _ in changed
    }
    schools = dict(
        School.objects.filter(pk__in=moved).values_list("pk", "municipality_id")
    )
    names = dict(School.objects.filter(pk__in=moved).values_list("pk", "short_name"))
    # Only the changed schools' municipalities are worded.
    old_details = run_details(previous, municipalities=set(schools.values()))
    new_details = run_details(run, municipalities=set(schools.values()))
    changed_criteria: dict[int, list[dict[str, Any]]] = {}
    for (school, criterion), state in changed:
        old = old_states.get((school, criterion))
        changed_criteria.setdefault(school, []).append(
            {
                "criterion": criterion,
                "before": old,
                "after": state,
                "before_text": explain(old_details, school, criterion) if old else "",
                "after_text": explain(new_details, school, criterion),
            }
        )
    changes = []
    for school in sorted(moved, key=lambda s: names.get(s, "")):
        criteria = sorted(
            changed_criteria.get(school, []), key=lambda x: x["criterion"]
        )
        changes.append(
            {
                "school_id": school,
                "school": names.get(school, school),
                "before": before.get(school),
                "after": after.get(school),
                "status_changed": before.get(school) != after.get(school),
                "criteria": criteria,
            }
        )
    return changes


def run_table(run: Any, *, schools: QuerySet[School]) -> list[dict[str, Any]]:
    """Return the run's schools with their status and criterion states, in two queries."""
    visible = set(schools.values_list("pk", flat=True))
    results = {
        r.school_id: r
        for r in run.school_results.select_related("school__municipality")
        if r.school_id in visible
    }
    criteria: dict[int, dict[str, Any]] = {}
    municipalities = {r.school.municipality_id for r in results.values()}
    details = run_details(run, municipalities=municipalities)
    for row in run.criterion_results.filter(school_id__in=list(results)).only(
        "school_id", "criterion", "state", "value", "threshold"
    ):
        row.explanation = explain(details, row.school_id, row.criterion)
        criteria.setdefault(row.school_id, {})[row.criterion] = row
    return [
        {
            "result": results[s],
            "school": results[s].school,
            "criteria": criteria.get(s, {}),
        }
        for s in sorted(results, key=lambda s: results[s].school.short_name)
    ]


def methodology_list(*, user: Any) -> list[Methodology]:
    """
    Return the methodologies the person sees, each with its latest version as
    `latest` and whether the person may change it as `editable`.

    Three queries whatever the number of municipalities and their own
    methodologies: the methodologies, their versions, the editable ones.
    """
    from .models import MethodologyVersion
    from .permissions import methodologies_editable_by, methodologies_visible_to

    editable = set(methodologies_editable_by(user).values_list("pk", flat=True))
    newest_first = MethodologyVersion.objects.order_by("-number")
    methodologies = list(
        methodologies_visible_to(user)
        .select_related("municipality", "region")
        .prefetch_related(
            Prefetch("versions", queryset=newest_first, to_attr="newest_first")
        )
    )
    for methodology in methodologies:
        methodology.latest = next(iter(methodology.newest_first), None)
        methodology.editable = methodology.pk in editable
    return methodologies


def _name(criterion: str) -> str:
    found = REGISTRY.get(criterion)
    return found.name if found else criterion
