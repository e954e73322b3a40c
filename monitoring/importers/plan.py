"""
Comparing what a file says with the database, then writing it: all or nothing.

`build_plan` decides, per school and report, whether the import creates,
updates or leaves it unchanged, and finds the conflicts (existing different
data without «replace», accepted reports). `apply_plan` writes the plan in one
transaction, set-based, keeping every changed value in the history.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from schools.access import (
    is_administrator,
    municipalities_visible_to,
    regions_visible_to,
)
from schools.models import AcademicYear, Municipality, Region, School, User
from schools.sharing import beside

from ..models import (
    DATA_MODELS,
    AssessmentResult,
    MarkComparison,
    RegionalMean,
    Report,
    ReportEvent,
    ReportKind,
)
from ..validation import Context, check_comparison, check_report, check_results
from .bulk import Writer
from .cells import CLEAR, num
from .issues import IssueList
from .records import Parsed, ReportRecord, Source

CHUNK = 5000
KIND_LABELS = dict(ReportKind.choices)
RESULT_FIELDS = [
    "participants",
    "mark2",
    "mark3",
    "mark4",
    "mark5",
    "failed_minimum",
    "mean_score",
    "mean_percent",
]
COMPARISON_FIELDS = ["lowered", "confirmed", "raised"]
CODE_COLUMN = "Код ОО"
SCHOOL_FIELDS = [
    "full_name",
    "short_name",
    "school_type",
    "is_rural",
    "distance_km",
    "inn",
]


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return a == b


@dataclass
class Plan:
    """What the import will do, and what stops it."""

    issues: IssueList
    by: User | None
    replace: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(
            lambda: {"created": 0, "updated": 0, "unchanged": 0}
        )
    )
    years_to_create: list[int] = field(default_factory=list)
    years: dict[int, int] = field(default_factory=dict)  # start year → pk
    schools_new: list[Any] = field(default_factory=list)
    schools_changed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    reports: dict[tuple, Report | _Created] = field(
        default_factory=dict
    )  # (school, year start, kind) → report
    data_writes: list[tuple[ReportRecord, bool]] = field(
        default_factory=list
    )  # (record, exists)
    row_writes: list[tuple[type, tuple, int, int, str, dict[str, Any], int | None]] = (
        field(default_factory=list)
    )
    means: list[tuple[tuple, dict[str, Any], int | None]] = field(default_factory=list)
    school_ids: dict[int, int] = field(
        default_factory=dict
    )  # temporary → created school
    created_reports: set[int] = field(default_factory=set)
    means_region_name: str = ""
    allow_accepted: bool = False
    erasures: list[dict[str, Any]] = field(default_factory=list)
    reports_touched: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0}
    )
    report_notes: dict[int, str] = field(default_factory=dict)  # report → history
    reviewed: int = 0  # reports on review or accepted that the file changes

    def count(self, what: str, action: str) -> None:
        self.counts[what][action] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "counts": {k: dict(v) for k, v in self.counts.items()},
            "changes": self.changes[:PREVIEW_REPORTS],
            "reports": dict(self.reports_touched),
            "erasures": self.erasures[:PREVIEW_REPORTS],
            "erasure_count": len(self.erasures),
            "reviewed": self.reviewed,
        }


def build_plan(
    parsed: Parsed,
    *,
    replace: bool,
    by: User | None,
    create_years: bool,
    allow_accepted: bool = False,
) -> Plan:
    """
    Compare the parsed file with the database; never writes.

    A file sets only the values it gives: an empty cell is "not in this file"
    and keeps what is stored; «—» asks to erase a value. Values the portal has
    empty are filled in any mode; values that differ from the stored ones are
    replaced only with `replace`, erasures only with `replace` (and the import
    then needs their confirmation); an accepted report changes only with
    `allow_accepted`.
    """
    plan = Plan(
        issues=IssueList(parsed.issues),
        by=by,
        replace=replace,
        allow_accepted=allow_accepted,
    )
    _plan_years(parsed, plan, create_years)
    _plan_schools(parsed, plan)
    if plan.issues.errors:
        return plan
    _load_reports(parsed, plan)
    _plan_data(parsed, plan)
    _plan_results(parsed, plan)
    _plan_means(parsed, plan)
    return plan


def _plan_years(parsed: Parsed, plan: Plan, create: bool) -> None:
    wanted = {r.year for r in parsed.records.values()} | {
        k[0] for k in parsed.regional_means
    }
    plan.years = dict(
        AcademicYear.objects.filter(start_year__in=wanted).values_list(
            "start_year", "pk"
        )
    )
    for start in sorted(wanted - set(plan.years)):
        if create:
            plan.years_to_create.append(start)
        else:
            plan.issues.add(
                f"учебного года {start}/{start + 1} нет в портале — его заводит администратор"
            )


@dataclass(frozen=True)
class _Problem:
    message: str
    column: str
    value: str


class _Places:
    """
    Where the new schools of a package go: a region and a municipality matched
    together, by name. Only an administrator (or the command line) brings a
    new region or municipality into the portal; an analyst adds schools to the
    own municipality only.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.may_create = plan.by is None or is_administrator(plan.by)
        self.regions = {r.name.lower(): r for r in Region.objects.all()}
        self.municipalities = {
            (m.region_id, m.name.lower()): m for m in Municipality.objects.all()
        }
        self.allowed = (
            None
            if plan.by is None or is_administrator(plan.by)
            else set(municipalities_visible_to(plan.by).values_list("pk", flat=True))
        )
        own = (
            list(regions_visible_to(plan.by)[:2])
            if plan.by is not None
            else list(Region.objects.all()[:2])
        )
        self.default_region = own[0].name if len(own) == 1 else ""

    def place(self, record: Any) -> _Problem | None:
        """Resolve the record's region and municipality; return what stops it."""
        data = record.data
        name = (data.get("region") or "").strip() or self.default_region
        municipality_name = data["municipality"].strip()
        code = data["code"]
        if not name:
            return _Problem(
                "укажите регион школы: в портале несколько регионов",
                "Регион",
                "",
            )
        region = self.regions.get(name.lower())
        if region is None:
            if not self.may_create:
                return _Problem(
                    f"региона «{name}» нет в портале; новые регионы заводит "
                    "администратор портала",
                    "Регион",
                    name,
                )
            data["region"], data["region_code"] = name, code[3:5]
            data["municipality_id"] = None
            return None
        if code[3:5] != region.code:
            return _Problem(
                f"логин {code} относится к региону {code[3:5]}, а «{region}» — "
                f"регион {region.code}",
                CODE_COLUMN,
                code,
            )
        municipality = self.municipalities.get((region.pk, municipality_name.lower()))
        if municipality is None:
            if not self.may_create:
                return _Problem(
                    f"муниципалитета «{municipality_name}» нет в регионе «{region}»; "
                    "новые муниципалитеты заводит администратор портала",
                    "Муниципалитет",
                    municipality_name,
                )
            data["region"], data["municipality_id"] = region.name, None
            return None
        if self.allowed is not None and municipality.pk not in self.allowed:
            return _Problem(
                f"«{municipality}» ({region}) — не ваш муниципалитет; новую школу "
                "можно добавить только в свой",
                "Муниципалитет",
                municipality_name,
            )
        data["region"], data["municipality_id"] = region.name, municipality.pk
        return None


def _plan_schools(parsed: Parsed, plan: Plan) -> None:
    existing = {
        s.pk: s
        for s in School.objects.filter(
            pk__in=[r.ref.pk for r in parsed.schools if r.ref.pk > 0]
        )
    }
    places = _Places(plan)
    for record in parsed.schools:
        data, source = record.data, record.source
        if record.ref.pk < 0:
            problem = places.place(record)
            if problem:
                plan.issues.add(
                    problem.message,
                    sheet=source.sheet,
                    row=source.row,
                    column=problem.column,
                    value=problem.value,
                )
                continue
            plan.schools_new.append(record)
            plan.changes.append(
                {
                    "school": data["short_name"],
                    "code": data["code"],
                    "year": "",
                    "what": "Школа",
                    "action": "created",
                }
            )
            plan.count("Школы", "created")
            continue
        school = existing[record.ref.pk]
        differs = {
            f: (getattr(school, f), data.get(f))
            for f in SCHOOL_FIELDS
            if data.get(f) is not None and not _same(getattr(school, f), data.get(f))
        }
        if not differs:
            plan.count("Школы", "unchanged")
        elif not plan.replace:
            field_name, (old, new) = next(iter(differs.items()))
            plan.issues.add(
                f"карточка школы {school.short_name} в портале другая ({field_name}: «{old}» → «{new}»); чтобы изменить её, загрузите файл с отметкой «Заменить существующие данные»",
                sheet=source.sheet,
                row=source.row,
            )
        else:
            plan.schools_changed.append(
                (school.pk, {f: new for f, (_, new) in differs.items()})
            )
            plan.changes.append(
                {
                    "school": school.short_name,
                    "code": school.code,
                    "year": "",
                    "what": "Школа",
                    "action": "updated",
                }
            )
            plan.count("Школы", "updated")


def _load_reports(parsed: Parsed, plan: Plan) -> None:
    school_ids = sorted(
        {r.school.pk for r in parsed.records.values() if r.school.pk > 0}
    )
    year_ids = [
        plan.years[y]
        for y in {r.year for r in parsed.records.values()}
        if y in plan.years
    ]
    by_year = {pk: start for start, pk in plan.years.items()}
    for chunk in _chunks(school_ids):
        for report in Report.objects.filter(school_id__in=chunk, year_id__in=year_ids):
            plan.reports[(report.school_id, by_year[report.year_id], report.kind)] = (
                report
            )


def _describe(record: ReportRecord) -> dict[str, Any]:
    return {
        "school": record.school.name,
        "code": record.school.code,
        "year": f"{record.year}/{record.year + 1}",
        "what": KIND_LABELS[record.kind],
    }


def _where(record: ReportRecord) -> str:
    return f"«{KIND_LABELS[record.kind]}» школы {record.school.name} ({record.school.code}) за {record.year}/{record.year + 1}"


# How many reports the preview lists field by field (the page shows 500).
PREVIEW_REPORTS = 2000

REVIEWED_LABELS = {
    Report.Status.SUBMITTED.label,
    Report.Status.ACCEPTED.label,
}


class Change(NamedTuple):
    """One value a file changes: its label, what is stored, what the file gives."""

    label: str
    old: Any
    new: Any

    @property
    def erases(self) -> bool:
        return self.old is not None and self.new is None

    @property
    def overwrites(self) -> bool:
        return self.old is not None and self.new is not None

    def as_dict(self) -> dict[str, str]:
        return {"field": self.label, "old": _shown(self.old), "new": _shown(self.new)}


def _shown(value: Any) -> str:
    if value is None:
        return "пусто"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | float | Decimal):
        return num(value)
    return str(value)


def merge(
    current: dict[str, Any],
    given: dict[str, Any],
    labels: dict[str, str],
    prefix: str = "",
) -> tuple[dict[str, Any], list[Change]]:
    """
    Return the stored values with the file's over them, and what changes: only
    the fields the file gives («—» as erasing), never the ones it leaves empty.
    Each change is labelled `prefix + label` (a row of a table names its row).
    """
    merged = dict(current)
    changes = []
    for name, value in given.items():
        if value is None:
            continue  # not in the file: whatever is stored stays
        label = labels.get(name)
        if label is None:
            continue
        new = None if value is CLEAR else value
        old = current.get(name)
        if old is None:
            if new is None:
                continue
        elif new is not None and _same(old, new):
            continue
        merged[name] = new
        changes.append(Change(prefix + label, old, new))
    return merged, changes


def merge_new(
    empty: dict[str, Any], given: dict[str, Any], labels: dict[str, str]
) -> tuple[dict[str, Any], list[Change]]:
    """
    `merge` for a report nothing of which is stored, when the preview lists no
    more reports field by field: the values as they will be, and one change
    standing for all (whether anything is written is all the plan asks).
    """
    filled = {
        name: value
        for name, value in given.items()
        if value is not None and value is not CLEAR and name in labels
    }
    return {**empty, **filled}, [Change("", None, len(filled))] if filled else []


def _refused(
    plan: Plan,
    record: ReportRecord,
    report: Report | None,
    changes: list[Change],
    source: Source | None,
) -> bool:
    """
    Record why the import may not make these changes; return whether it may not.
    The messages never advise erasing anything: replacing takes only the values
    the file gives, and the preview shows each of them first.
    """
    if report is None:
        return False  # a new report: nothing stored to overwrite, erase or protect
    sheet, row = (source.sheet, source.row) if source else ("", None)
    first = changes[0]
    example = f"«{first.label}»: {_shown(first.old)} → {_shown(first.new)}"
    more = f" (и ещё {len(changes) - 1})" if len(changes) > 1 else ""
    if report.status == Report.Status.ACCEPTED and not plan.allow_accepted:
        plan.issues.add(
            f"отчёт {_where(record)} принят МИМЦ, а файл меняет его ({example}{more}). "
            "Принятые отчёты импорт меняет, только если при загрузке отмечено "
            "«Разрешить изменение принятых отчётов»; изменения попадут в историю отчёта",
            sheet=sheet,
            row=row,
        )
        return True
    conflicts = [c for c in changes if c.overwrites or c.erases]
    if conflicts and not plan.replace:
        first = conflicts[0]
        more = f" (и ещё {len(conflicts) - 1})" if len(conflicts) > 1 else ""
        plan.issues.add(
            f"в портале в отчёте {_where(record)} записано другое: «{first.label}»: "
            f"{_shown(first.old)} → {_shown(first.new)}{more}. Сверьте значения; если "
            "верны значения файла, загрузите его с отметкой «Заменить значения из "
            "файла» — заменятся только значения, которые есть в файле, остальные "
            "останутся как есть",
            sheet=sheet,
            row=row,
        )
        return True
    return False


def _note_changes(
    plan: Plan,
    record: ReportRecord,
    report: Report | None,
    changes: list[Change],
    action: str,
    detail: str = "",
) -> None:
    """
    Put the report's changes in the preview — field by field for the first
    PREVIEW_REPORTS reports, counted beyond them (a 10,000-school package
    touches hundreds of thousands) — and every erasure in its list.
    """
    info = _describe(record)
    status = report.get_status_display() if report is not None else ""
    plan.reviewed += status in REVIEWED_LABELS
    if len(plan.changes) < PREVIEW_REPORTS:
        plan.changes.append(
            {
                **info,
                "action": action,
                "status": status,
                "detail": detail,
                "fields": [c.as_dict() for c in changes[:40]],
                "more": max(0, len(changes) - 40),
            }
        )
    if report is not None:  # a new report has nothing stored to erase
        for change in changes:
            if change.erases:
                plan.erasures.append({**info, **change.as_dict()})
    plan.reports_touched["new" if report is None else "changed"] += 1


def _plan_data(parsed: Parsed, plan: Plan) -> None:
    records = [
        r
        for r in parsed.records.values()
        if r.kind in DATA_MODELS and r.values is not None
    ]
    existing: dict[int, dict[str, Any]] = {}
    for kind, model in DATA_MODELS.items():
        ids = [
            plan.reports[k].pk
            for k in ((r.school.pk, r.year, r.kind) for r in records if r.kind == kind)
            if k in plan.reports
        ]
        names = [f.name for f in model._meta.concrete_fields if f.name != "report"]
        for chunk in _chunks(ids):
            for row in model.objects.filter(report_id__in=chunk).values(
                "report_id", *names
            ):
                existing[row.pop("report_id")] = row
    previous_pupils = _previous_pupils(parsed, plan)
    model_labels = {
        kind: {
            f.name: str(f.verbose_name)
            for f in model._meta.concrete_fields
            if f.name != "report"
        }
        for kind, model in DATA_MODELS.items()
    }
    for record in records:
        labels = model_labels[record.kind]
        report = plan.reports.get((record.school.pk, record.year, record.kind))
        old = existing.get(report.pk) if report else None
        combine = merge if report or len(plan.changes) < PREVIEW_REPORTS else merge_new
        merged, changes = combine(
            old or dict.fromkeys(labels), record.values or {}, labels
        )
        record.values = merged  # what the report will hold: written whole
        pupils = _pupils(parsed, record, existing, plan)
        context = Context(
            previous=previous_pupils.get((record.school.pk, record.year)),
            pupils_total=pupils,
        )
        for problem in check_report(record.kind, merged, context=context):
            label = labels.get(problem.field or "", "")
            plan.issues.add(
                problem.message,
                sheet=record.source.sheet,
                row=record.source.row,
                column=label,
                value=merged.get(problem.field or ""),
                warning=problem.warning,
            )
        if not changes:
            plan.count(KIND_LABELS[record.kind], "unchanged")
            plan.reports_touched["unchanged"] += 1
            continue
        if _refused(plan, record, report, changes, record.source):
            continue
        action = "updated" if old is not None else "created"
        plan.data_writes.append((record, old is not None))
        _note_changes(plan, record, report, changes, action)
        plan.count(KIND_LABELS[record.kind], action)
        if report is not None:
            plan.report_notes[report.pk] = _history_note(changes)


def _history_note(changes: list[Change]) -> str:
    """How the report's history tells what the import changed."""
    shown = "; ".join(
        f"«{c.label}»: {_shown(c.old)} → {_shown(c.new)}" for c in changes[:10]
    )
    more = f" и ещё {len(changes) - 10}" if len(changes) > 10 else ""
    return f"изменено значений: {len(changes)} ({shown}{more})"


def _previous_pupils(parsed: Parsed, plan: Plan) -> dict[tuple, dict[str, Any]]:
    """Return last year's pupil totals for the social passports of the file."""
    wanted = [
        (r.school.pk, r.year)
        for r in parsed.records.values()
        if r.kind == ReportKind.SOCIAL and r.school.pk > 0
    ]
    if not wanted:
        return {}
    previous = {}
    years = dict(AcademicYear.objects.values_list("start_year", "pk"))
    schools = sorted({s for s, _ in wanted})
    for chunk in _chunks(schools):
        rows = DATA_MODELS[ReportKind.SOCIAL].objects.filter(
            report__school_id__in=chunk, report__year_id__in=list(years.values())
        )
        by_year = {pk: start for start, pk in years.items()}
        for school_id, year_id, pupils in rows.values_list(
            "report__school_id", "report__year_id", "pupils_total"
        ):
            previous[(school_id, by_year[year_id] + 1)] = {"pupils_total": pupils}
    return previous


def _pupils(
    parsed: Parsed,
    record: ReportRecord,
    existing: dict[int, dict[str, Any]],
    plan: Plan,
) -> int | None:
    if record.kind != ReportKind.STAFFING:
        return None
    social = parsed.records.get((record.school.pk, record.year, ReportKind.SOCIAL))
    if social is not None and social.values:
        return social.values.get("pupils_total")
    report = plan.reports.get((record.school.pk, record.year, ReportKind.SOCIAL))
    return existing.get(report.pk, {}).get("pupils_total") if report else None


def _plan_results(parsed: Parsed, plan: Plan) -> None:
    records = [r for r in parsed.records.values() if r.kind == ReportKind.RESULTS]
    ids = [
        plan.reports[k].pk
        for k in ((r.school.pk, r.year, r.kind) for r in records)
        if k in plan.reports
    ]
    rows: dict[int, dict[tuple, Any]] = defaultdict(dict)
    comparisons: dict[int, dict[tuple, Any]] = defaultdict(dict)
    # Only the rows the file may touch or be checked against: the same subjects
    # and grades. The cost of a plan then follows the file, not the database.
    subjects = {k[1] for r in records for k in r.rows} | {
        k[0] for r in records for k in r.comparisons
    }
    grades = {k[2] for r in records for k in r.rows} | {
        k[1] for r in records for k in r.comparisons
    }
    for chunk in _chunks(ids):
        wanted = {
            "report_id__in": chunk,
            "subject_id__in": subjects,
            "grade__in": grades,
        }
        for row in AssessmentResult.objects.filter(**wanted).select_related("subject"):
            rows[row.report_id][
                (row.procedure, row.subject_id, row.grade, row.level)
            ] = row
        for row in MarkComparison.objects.filter(**wanted).select_related("subject"):
            comparisons[row.report_id][(row.subject_id, row.grade)] = row
    field_labels = {
        model: {n: str(model._meta.get_field(n).verbose_name) for n in names}
        for model, names in (
            (AssessmentResult, RESULT_FIELDS),
            (MarkComparison, COMPARISON_FIELDS),
        )
    }
    empty = {
        AssessmentResult: dict.fromkeys(RESULT_FIELDS),
        MarkComparison: dict.fromkeys(COMPARISON_FIELDS),
    }
    for record in records:
        report = plan.reports.get((record.school.pk, record.year, record.kind))
        current_rows = rows.get(report.pk, {}) if report else {}
        current_comparisons = comparisons.get(report.pk, {}) if report else {}
        # A new report beyond the preview's field-by-field list: no labelled changes.
        quick = report is None and len(plan.changes) >= PREVIEW_REPORTS
        changes: list[Change] = []
        writes = []
        new_rows = 0
        for model, incoming, current, names in (
            (AssessmentResult, record.rows, current_rows, RESULT_FIELDS),
            (
                MarkComparison,
                record.comparisons,
                current_comparisons,
                COMPARISON_FIELDS,
            ),
        ):
            labels = field_labels[model]
            for key, (values, source) in list(incoming.items()):
                old = current.get(key)
                stored = {n: getattr(old, n) for n in names} if old else {}
                if quick:
                    merged, row_changes = merge_new(empty[model], values, labels)
                else:
                    merged, row_changes = merge(
                        stored or empty[model],
                        values,
                        labels,
                        prefix=f"{_row_label(model, key, values)}: ",
                    )
                # The row as it will be (stored values the file leaves empty kept).
                incoming[key] = ({**values, **merged}, source)
                if not row_changes:
                    continue
                changes += row_changes
                new_rows += old is None
                writes.append(
                    (
                        model,
                        key,
                        record.school.pk,
                        record.year,
                        record.kind,
                        merged,
                        old.pk if old else None,
                    )
                )
        _check_merged(record, current_rows, current_comparisons, plan)
        if not changes:
            plan.count(KIND_LABELS[record.kind], "unchanged")
            plan.reports_touched["unchanged"] += 1
            continue
        first_source = next(
            (s for _, s in [*record.rows.values(), *record.comparisons.values()]),
            None,
        )
        if _refused(plan, record, report, changes, first_source):
            continue
        plan.row_writes += writes
        action = "updated" if current_rows or current_comparisons else "created"
        detail = f"строк: {len(writes)}" + (f", новых: {new_rows}" if new_rows else "")
        _note_changes(plan, record, report, changes, action, detail)
        plan.count(KIND_LABELS[record.kind], action)
        if report is not None:
            plan.report_notes[report.pk] = _history_note(changes)


def _row_label(model: type, key: tuple, values: dict[str, Any]) -> str:
    subject = values.get("subject")
    name = getattr(subject, "name", "") or ""
    if model is AssessmentResult:
        level = f", {key[3]}" if key[3] else ""
        return f"{key[0]}, {name}{level}, {key[2]} класс"
    return f"сравнение с журналом, {name}, {key[1]} класс"


def _check_merged(
    record: ReportRecord, current_rows: dict, current_comparisons: dict, plan: Plan
) -> None:
    """Check the report as it will be after the import (file rows over database rows)."""

    def as_dict(obj: Any, names: list[str]) -> dict[str, Any]:
        return {
            "subject": obj.subject,
            "procedure": getattr(obj, "procedure", None),
            "grade": obj.grade,
            "level": getattr(obj, "level", ""),
            **{n: getattr(obj, n) for n in names},
        }

    if not current_rows and not current_comparisons:
        # Each file row was checked when it was read; only the comparisons
        # against the ВПР participants of the same file remain to check.
        participants = {
            (k[1], k[2]): v["participants"]
            for k, (v, _) in record.rows.items()
            if k[0] == "ВПР"
        }
        for key, (values, source) in record.comparisons.items():
            for problem in check_comparison(values, participants.get(key)):
                column = (
                    str(MarkComparison._meta.get_field(problem.field).verbose_name)
                    if problem.field
                    else ""
                )
                plan.issues.add(
                    problem.message, sheet=source.sheet, row=source.row, column=column
                )
        return
    merged_rows = {
        k: (as_dict(v, RESULT_FIELDS), None) for k, v in current_rows.items()
    } | record.rows
    merged_comparisons = {
        k: (as_dict(v, COMPARISON_FIELDS), None) for k, v in current_comparisons.items()
    } | record.comparisons
    row_list, comparison_list = (
        list(merged_rows.values()),
        list(merged_comparisons.values()),
    )
    for problem in check_results(
        [r for r, _ in row_list], [c for c, _ in comparison_list]
    ):
        if problem.warning:
            continue  # row warnings were reported when the row was read
        _, source = (row_list if problem.section == "results" else comparison_list)[
            problem.row
        ]
        model = AssessmentResult if problem.section == "results" else MarkComparison
        column = (
            str(model._meta.get_field(problem.field).verbose_name)
            if problem.field
            else ""
        )
        if source is None:
            plan.issues.add(f"{_where(record)}: {problem.message}")
        else:
            plan.issues.add(
                problem.message, sheet=source.sheet, row=source.row, column=column
            )


def _plan_means(parsed: Parsed, plan: Plan) -> None:
    if not parsed.regional_means:
        return
    by = plan.by
    if by is not None and not is_administrator(by) and not by.region_id:
        # The region's means are the reference of every municipality's gap
        # criteria: one municipality's МИМЦ sets them only while it is the
        # region's only municipality in the portal.
        neighbours = Municipality.objects.filter(
            region__in=regions_visible_to(by).values("pk")
        ).exclude(pk=by.municipality_id)
        if neighbours.exists():
            plan.issues.add(
                "средние по региону действуют для всех муниципалитетов региона: их "
                "загружает аналитик регионального уровня или администратор портала; "
                "уберите этот лист из файла",
                sheet="Средние по региону",
            )
            return
    region = _single_region(plan)
    new_regions = {
        (r.data.get("region") or "").strip() for r in parsed.schools if r.ref.pk < 0
    }
    if (
        region is None
        and plan.by is None
        and not Region.objects.exists()
        and len(new_regions) == 1
    ):
        plan.means_region_name = (
            new_regions.pop()
        )  # the region this package itself creates
    elif region is None:
        plan.issues.add(
            "не удалось определить регион для средних по региону: в портале нет регионов или их несколько; "
            "загрузите средние вместе с листом «Школы» или от имени аналитика региона",
            sheet="Средние по региону",
        )
        return
    existing = (
        {
            (m.year.start_year, m.procedure, m.subject_id, m.grade, m.level): m
            for m in RegionalMean.objects.filter(region=region).select_related("year")
        }
        if region is not None
        else {}
    )
    labels = {
        "mean_score": "Средний балл",
        "fail_share": "Доля «2», %",
        "mean_percent": "Средний % выполнения",
    }
    for key, (values, source) in parsed.regional_means.items():
        old = existing.get(key)
        if old is None:
            plan.means.append((key, values, None))
            plan.count("Средние по региону", "created")
            continue
        stored = {name: getattr(old, name) for name in labels}
        merged, changes = merge(stored, values, labels)
        values.update(merged)  # what the file leaves empty stays as stored
        if not changes:
            plan.count("Средние по региону", "unchanged")
            continue
        if not plan.replace:
            plan.issues.add(
                "средние по региону за этот год и процедуру в портале другие; чтобы заменить, выберите «Заменить существующие данные»",
                sheet=source.sheet,
                row=source.row,
            )
            continue
        plan.means.append((key, values, old.pk))
        plan.count("Средние по региону", "updated")


def _single_region(plan: Plan) -> Region | None:
    if plan.by is not None:
        regions = list(regions_visible_to(plan.by)[:2])
    else:
        regions = list(Region.objects.all()[:2])
    return regions[0] if len(regions) == 1 else None


# Writing --------------------------------------------------------------------------


@transaction.atomic
def apply_plan(plan: Plan, *, source_label: str) -> dict[str, Any]:
    """Write the plan in one transaction; return the counts. Never call with errors."""
    assert not plan.issues.errors, "a plan with errors must not be applied"
    by = plan.by
    for start in plan.years_to_create:
        start_date, end_date = AcademicYear.default_dates(start)
        plan.years[start] = AcademicYear.objects.create(
            start_year=start, start_date=start_date, end_date=end_date
        ).pk
    school_ids = _write_schools(plan)
    with beside() as pool:
        writer = Writer(pool)
        touched = _write_reports_and_rows(plan, school_ids, writer)
        _write_means(plan)
        statuses = _new_versions(sorted(touched - plan.created_reports), by)
        writer.insert(
            ReportEvent,
            [
                {
                    "report_id": pk,
                    "action": ReportEvent.Action.IMPORT,
                    "from_status": statuses.get(pk, Report.Status.DRAFT),
                    "to_status": statuses.get(pk, Report.Status.DRAFT),
                    "reason": (
                        f"{source_label}: {plan.report_notes[pk]}"
                        if pk in plan.report_notes
                        else source_label
                    ),
                    "by_id": getattr(by, "pk", None),
                }
                for pk in sorted(touched)
            ],
        )
        writer.close()
    return plan.summary()


def _write_schools(plan: Plan) -> dict[int, int]:
    """Create and update schools; return temporary ids mapped to real ones."""
    mapping: dict[int, int] = {}
    regions = {r.name.lower(): r for r in Region.objects.all()}
    municipalities = {
        (m.region_id, m.name.lower()): m for m in Municipality.objects.all()
    }
    may_create = plan.by is None or is_administrator(plan.by)
    for record in plan.schools_new:
        data = record.data
        municipality = (
            Municipality.objects.get(pk=data["municipality_id"])
            if data.get("municipality_id")
            else None
        )
        if municipality is None:
            # The plan allowed a new region or municipality only to those who
            # may create them; the write step holds to it whatever the plan says.
            if not may_create:
                raise PermissionDenied("Новые муниципалитеты заводит администратор.")
            region = regions.get(data["region"].lower())
            if region is None:
                region = Region.objects.create(
                    name=data["region"], code=data["region_code"]
                )
                regions[region.name.lower()] = region
            key = (region.pk, data["municipality"].strip().lower())
            municipality = municipalities.get(key)
            if municipality is None:
                municipality = Municipality.objects.create(
                    region=region, name=data["municipality"].strip()
                )
                municipalities[key] = municipality
        school = School(
            municipality=municipality,
            code=data["code"],
            full_name=data["full_name"],
            short_name=data["short_name"],
            school_type=data["school_type"],
            is_rural=bool(data.get("is_rural")),
            distance_km=data.get("distance_km") or 0,
            inn=data.get("inn") or "",
        )
        school._history_user = plan.by
        school.save()
        mapping[record.ref.pk] = school.pk
        record.ref.pk = school.pk
    for pk, changes in plan.schools_changed:
        school = School.objects.get(pk=pk)
        for name, value in changes.items():
            setattr(school, name, value)
        school._history_user = plan.by
        school.save()
    return mapping


def _new_versions(existing: list[int], by: User | None) -> dict[int, str]:
    """Give the existing reports the import changed a new version; return their statuses."""
    now = timezone.now()
    statuses: dict[int, str] = {}
    for chunk in _chunks(existing):
        Report.objects.filter(pk__in=chunk).update(
            version=F("version") + 1, updated_at=now, updated_by=by
        )
        statuses |= dict(
            Report.objects.filter(pk__in=chunk).values_list("pk", "status")
        )
    return statuses


def _write_reports_and_rows(
    plan: Plan, school_ids: dict[int, int], writer: Writer
) -> set[int]:
    """
    Create the missing reports, insert and update the data and result rows;
    return the reports touched.

    Every key is reserved before the first table is sent, so that the writer
    stores each table while the next one is prepared.
    """
    plan.school_ids = school_ids
    needed = {(r.school.pk, r.year, r.kind) for r, _ in plan.data_writes}
    needed |= {(s, y, k) for _, _, s, y, k, _, _ in plan.row_writes}
    needed = {(school_ids.get(s, s), y, k) for s, y, k in needed}
    missing = sorted(key for key in needed if key not in plan.reports)
    now, by_id = timezone.now(), getattr(plan.by, "pk", None)
    reports = [
        {
            "school_id": s,
            "year_id": plan.years[y],
            "kind": k,
            "version": 1,
            "updated_at": now,
            "updated_by_id": by_id,
        }
        for s, y, k in missing
    ]
    report_ids = writer.reserve(Report, len(reports))
    if report_ids is None:
        report_ids = writer.insert(Report, reports)
        reports = []
    plan.created_reports = set(report_ids)
    # The writes that follow need only the new reports' ids: no model instances
    # for the 50,000 reports of a region's package.
    for key, pk in zip(missing, report_ids, strict=True):
        plan.reports[key] = _Created(pk)
    touched: set[int] = set()
    data = _data_rows(plan, touched)
    rows = _result_rows(plan, touched)
    keys = {model: writer.reserve(model, len(new)) for model, (new, _) in rows.items()}
    writer.insert(Report, reports, ids=report_ids)
    for model, (new, _) in [*data.items(), *rows.items()]:
        writer.insert(model, new, by=plan.by, history=True, ids=keys.get(model))
    writer.wait()
    for model, (_, changed) in [*data.items(), *rows.items()]:
        _update_with_history(model, changed, _value_fields(model), plan.by)
    return touched


@functools.cache
def _value_fields(model: type) -> list[str]:
    """The fields an import writes into a row of `model` (its report and keys aside)."""
    if model is AssessmentResult:
        return RESULT_FIELDS
    if model is MarkComparison:
        return COMPARISON_FIELDS
    return [f.name for f in model._meta.concrete_fields if f.name != "report"]


class _Created(NamedTuple):
    """A report the import has just created: its id."""

    pk: int


def _report_for(plan: Plan, school: int, year: int, kind: str) -> Report | _Created:
    return plan.reports[(plan.school_ids.get(school, school), year, kind)]


Rows = dict[type, tuple[list[dict[str, Any]], list[dict[str, Any]]]]


def _data_rows(plan: Plan, touched: set[int]) -> Rows:
    """The data rows to insert and to update, by model."""
    by_model: Rows = defaultdict(lambda: ([], []))
    for record, exists in plan.data_writes:
        model = DATA_MODELS[record.kind]
        report = _report_for(plan, record.school.pk, record.year, record.kind)
        names = _value_fields(model)
        row = {"report_id": report.pk, **{n: record.values.get(n) for n in names}}
        by_model[model][1 if exists else 0].append(row)
        touched.add(report.pk)
    return by_model


def _update_with_history(
    model: type, rows: list[dict[str, Any]], names: list[str], by: User | None
) -> None:
    if rows:
        objects = [model(**row) for row in rows]
        model.objects.bulk_update(objects, names, batch_size=CHUNK)
        model.history.bulk_history_create(objects, batch_size=CHUNK, default_user=by)


def _result_rows(plan: Plan, touched: set[int]) -> Rows:
    """The result and comparison rows to insert and to update, by model."""
    by_model: Rows = defaultdict(lambda: ([], []))
    for model, key, school, year, kind, values, pk in plan.row_writes:
        report = _report_for(plan, school, year, kind)
        names = _value_fields(model)
        row = {"report_id": report.pk, **{n: values.get(n) for n in names}}
        if model is AssessmentResult:
            row |= {
                "procedure": key[0],
                "subject_id": key[1],
                "grade": key[2],
                "level": key[3],
            }
        else:
            row |= {"subject_id": key[0], "grade": key[1]}
        if pk:
            row["id"] = pk
        by_model[model][1 if pk else 0].append(row)
        touched.add(report.pk)
    return by_model


def _write_means(plan: Plan) -> None:
    if not plan.means:
        return
    region = (
        Region.objects.get(name=plan.means_region_name)
        if plan.means_region_name
        else _single_region(plan)
    )
    for (year, procedure, subject, grade, level), values, pk in plan.means:
        RegionalMean.objects.update_or_create(
            pk=pk,
            defaults={
                "region": region,
                "year_id": plan.years[year],
                "procedure": procedure,
                "subject_id": subject,
                "grade": grade,
                "level": level,
                "mean_score": values.get("mean_score"),
                "fail_share": values.get("fail_share"),
                "mean_percent": values.get("mean_percent"),
            },
        )
