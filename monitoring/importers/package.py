"""
The portal's data package (formats.md §1): one workbook, fixed sheets and headers.

Headers are matched exactly (case, surrounding spaces and «ё» aside), columns
may come in any order, extra or missing columns are errors, an empty cell is
"not collected".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from schools.models import School

from ..models import (
    DATA_MODELS,
    AssessmentResult,
    Level,
    MarkComparison,
    Procedure,
    ReportKind,
)
from ..validation import check_comparison, check_report, check_result
from .cells import (
    CellError,
    clearing,
    decimal,
    given,
    integer,
    is_empty,
    norm_header,
    text,
    yes_no,
)
from .issues import IssueList
from .matching import SchoolMatcher
from .reader import Workbook, looks_like_snils, personal_data_columns
from .records import (
    Parsed,
    SchoolRecord,
    Source,
    SubjectIndex,
    match_school,
    parse_year,
)

YEAR, CODE = "Учебный год", "Код ОО"
HELP_SHEETS = {"справка", "инструкция", "пояснения"}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    read: Callable[[Any], Any]
    required: bool = False
    optional: bool = False  # the column itself may be absent from the sheet


def _label(model: type, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _count_columns(model: type) -> list[Column]:
    return [
        Column(_label(model, f.name), f.name, clearing(integer))
        for f in model._meta.concrete_fields
        if f.get_internal_type() == "PositiveIntegerField"
    ]


def _choice(options: dict[str, str], what: str) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        raw = norm_header(value)
        if raw not in options:
            raise CellError(
                f"{what}: допустимо {', '.join(sorted(set(options.values())))}"
            )
        return options[raw]

    return read


PROCEDURES = {p.lower(): p for p in Procedure.values}
LEVELS = {"": "", "базовый": Level.BASE, "профильный": Level.PROFILE}
TYPES = {t.lower(): t for t in School.Type.values}


def _text(value: Any) -> str:
    return text(value)


def _percent(value: Any) -> Any:
    return decimal(value, percent=True)


SCHOOL_COLUMNS = [
    Column(CODE, "code", _text, True),
    Column("Полное наименование", "full_name", _text, True),
    Column("Краткое наименование", "short_name", _text, True),
    Column("Регион", "region", _text, optional=True),
    Column("Муниципалитет", "municipality", _text, True),
    Column("Тип ОО", "school_type", _choice(TYPES, "тип ОО"), True),
    Column("Сельская", "is_rural", yes_no),
    Column("Удалённость от муниципального центра, км", "distance_km", decimal),
    Column("ИНН", "inn", _text),
]
KEY_COLUMNS = [
    Column(YEAR, "year", parse_year, True),
    Column(CODE, "code", _text, True),
]
RESULT_COLUMNS = [
    *KEY_COLUMNS,
    Column("Процедура", "procedure", _choice(PROCEDURES, "процедура"), True),
    Column("Предмет", "subject", _text, True),
    Column("Класс", "grade", integer, True),
    Column("Уровень", "level", _choice(LEVELS, "уровень")),
    *list(_count_columns(AssessmentResult)),
    Column("Средний балл", "mean_score", clearing(decimal)),
]
COMPARISON_COLUMNS = [
    *KEY_COLUMNS,
    Column("Предмет", "subject", _text, True),
    Column("Класс", "grade", integer, True),
    *_count_columns(MarkComparison),
]
MEAN_COLUMNS = [
    Column(YEAR, "year", parse_year, True),
    Column("Процедура", "procedure", _choice(PROCEDURES, "процедура"), True),
    Column("Предмет", "subject", _text, True),
    Column("Класс", "grade", integer, True),
    Column("Уровень", "level", _choice(LEVELS, "уровень")),
    Column("Средний балл", "mean_score", decimal),
    Column("Доля «2», %", "fail_share", _percent),
    # Mean % of the maximum primary score (ОГЭ, ВПР): L3's scale when the
    # schools' results carry it too. Optional: older packages have no such column.
    Column("Средний % выполнения", "mean_percent", _percent, optional=True),
]
MEAN_PERCENTS = [c for c in MEAN_COLUMNS if c.field in ("fail_share", "mean_percent")]


def _data_columns(kind: str) -> list[Column]:
    model = DATA_MODELS[kind]
    columns = [*KEY_COLUMNS, *_count_columns(model)]
    if kind == ReportKind.OUTCOMES:
        columns.append(
            Column(
                _label(model, "noko_satisfaction"),
                "noko_satisfaction",
                clearing(_percent),
            )
        )
    return columns


SHEETS: dict[str, list[Column]] = {
    "Школы": SCHOOL_COLUMNS,
    "Результаты": RESULT_COLUMNS,
    "Сравнение с журналом": COMPARISON_COLUMNS,
    "Средние по региону": MEAN_COLUMNS,
    "Кадры": _data_columns(ReportKind.STAFFING),
    "Социальный паспорт": _data_columns(ReportKind.SOCIAL),
    "Ресурсы": _data_columns(ReportKind.RESOURCES),
    "Результативность": _data_columns(ReportKind.OUTCOMES),
}
SHEET_KINDS = {
    "Кадры": ReportKind.STAFFING,
    "Социальный паспорт": ReportKind.SOCIAL,
    "Ресурсы": ReportKind.RESOURCES,
    "Результативность": ReportKind.OUTCOMES,
}


def _header_map(
    sheet: str, header: list[Any], columns: list[Column], issues: IssueList
) -> dict[int, Column] | None:
    by_header = {norm_header(c.header): c for c in columns}
    found: dict[int, Column] = {}
    extra = []
    for index, cell in enumerate(header):
        if is_empty(cell):
            continue
        column = by_header.get(norm_header(cell))
        if column is None:
            extra.append(text(cell))
        elif column in found.values():
            issues.add(
                f"столбец «{column.header}» повторяется",
                sheet=sheet,
                row=1,
                column=text(cell),
            )
        else:
            found[index] = column
    personal = personal_data_columns(extra)
    if personal:
        issues.add(
            "в пакете допустимы только обезличенные итоговые числа; столбцы с персональными данными "
            f"({', '.join(personal)}) загружать нельзя — удалите их",
            sheet=sheet,
            row=1,
        )
        return None
    if extra:
        issues.add(
            f"лишние столбцы: {', '.join(f'«{e}»' for e in extra)} — в пакете их нет; удалите их или проверьте написание",
            sheet=sheet,
            row=1,
        )
    missing = [c.header for c in columns if c not in found.values() and not c.optional]
    if missing:
        issues.add(
            f"нет столбцов: {', '.join(f'«{m}»' for m in missing)}", sheet=sheet, row=1
        )
    return None if extra or missing else found


def _read_row(
    sheet: str,
    number: int,
    row: list[Any],
    columns: dict[int, Column],
    issues: IssueList,
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    for index, column in columns.items():
        raw = row[index] if index < len(row) else None
        try:
            value = column.read(raw)
        except CellError as error:
            issues.add(
                f"{raw!s}: {error}",
                sheet=sheet,
                row=number,
                column=column.header,
                value=raw,
            )
            ok = False
            continue
        if column.required and value in (None, ""):
            issues.add(
                "обязательное поле не заполнено",
                sheet=sheet,
                row=number,
                column=column.header,
            )
            ok = False
        if value is not None or column.required:
            # An empty cell is "not in this file": it sets nothing.
            values[column.field] = value
    return values if ok else None


def parse_package(
    book: Workbook,
    *,
    matcher: SchoolMatcher,
    progress: Callable[[int], None] = lambda p: None,
) -> Parsed:
    """Read every sheet of a data package into Records and Issues."""
    parsed = Parsed()
    issues = parsed.issues
    subjects = SubjectIndex()
    known = {norm_header(n): n for n in SHEETS}
    present = []
    for title in book.sheets:
        name = known.get(norm_header(title))
        if name is None and norm_header(title) not in HELP_SHEETS:
            issues.add(
                f"лист «{title}» не из пакета данных; ожидаются листы: {', '.join(SHEETS)}",
                sheet=title,
            )
        elif name is not None:
            present.append((name, title))
    if not present and not issues:
        issues.add(f"в файле нет ни одного листа пакета данных ({', '.join(SHEETS)})")
    # «Школы» first: later sheets may refer to the schools it introduces.
    present.sort(key=lambda pair: pair[0] != "Школы")
    for step, (name, title) in enumerate(present):
        rows = book.sheets[title]
        if not rows:
            continue
        columns = _header_map(title, rows[0], SHEETS[name], issues)
        if columns is None:
            continue
        if any(looks_like_snils(r) for r in rows[1:50]):
            issues.add(
                "похоже, в листе есть СНИЛС — загружать персональные данные нельзя",
                sheet=title,
            )
            continue
        _parse_sheet(
            name,
            title,
            rows,
            columns,
            parsed,
            matcher,
            subjects,
        )
        progress(round(40 * (step + 1) / len(present)))
    return parsed


def _parse_sheet(
    name: str,
    title: str,
    rows: list[list[Any]],
    columns: dict[int, Column],
    parsed: Parsed,
    matcher: SchoolMatcher,
    subjects: SubjectIndex,
) -> None:
    issues = parsed.issues
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if all(is_empty(v) for v in row):
            continue
        parsed.rows_read += 1
        values = _read_row(title, number, row, columns, issues)
        if values is None:
            continue
        source = Source(title, number)
        if name == "Школы":
            _school_row(values, source, parsed, matcher, seen)
            continue
        if name == "Средние по региону":
            _mean_row(values, source, parsed, subjects, seen)
            continue
        school = match_school(
            matcher,
            issues,
            values.pop("code"),
            sheet=title,
            row=number,
            column=CODE,
            login_only=True,
        )
        if school is None:
            continue
        year = values.pop("year")
        if name in SHEET_KINDS:
            _data_row(SHEET_KINDS[name], school, year, values, source, parsed, seen)
        else:
            _result_row(name, school, year, values, source, parsed, subjects, seen)


def _duplicate(
    key: tuple, seen: dict[tuple, int], source: Source, issues: IssueList
) -> bool:
    if key in seen:
        issues.add(
            f"строка повторяет строку {seen[key]}: одна строка на школу и год (и процедуру)",
            sheet=source.sheet,
            row=source.row,
        )
        return True
    seen[key] = source.row
    return False


def _report_problems(
    problems: list,
    model: type,
    source: Source,
    values: dict[str, Any],
    issues: IssueList,
) -> bool:
    """Record validation Problems with the column's header; return whether any is an error."""
    failed = False
    for problem in problems:
        column = _label(model, problem.field) if problem.field else ""
        issues.add(
            problem.message,
            sheet=source.sheet,
            row=source.row,
            column=column,
            value=values.get(problem.field or ""),
            warning=problem.warning,
        )
        failed = failed or not problem.warning
    return failed


def _data_row(
    kind: str,
    school: Any,
    year: int,
    values: dict[str, Any],
    source: Source,
    parsed: Parsed,
    seen: dict,
) -> None:
    if _duplicate((school.pk, year), seen, source, parsed.issues):
        return
    if _report_problems(
        [p for p in check_report(kind, given(values)) if not p.warning],
        DATA_MODELS[kind],
        source,
        values,
        parsed.issues,
    ):
        return
    record = parsed.record(school, year, kind)
    record.values, record.source = values, source


def _result_row(
    name: str,
    school: Any,
    year: int,
    values: dict[str, Any],
    source: Source,
    parsed: Parsed,
    subjects: SubjectIndex,
    seen: dict,
) -> None:
    try:
        values["subject"] = subjects.get(values["subject"])
    except CellError as error:
        parsed.issues.add(
            str(error),
            sheet=source.sheet,
            row=source.row,
            column="Предмет",
            value=values["subject"],
        )
        return
    record = parsed.record(school, year, ReportKind.RESULTS)
    if name == "Результаты":
        key = (
            values["procedure"],
            values["subject"].pk,
            values["grade"],
            values.get("level") or "",
        )
        if _duplicate((school.pk, year, *key), seen, source, parsed.issues):
            return
        if _report_problems(
            check_result(given(values)),
            AssessmentResult,
            source,
            values,
            parsed.issues,
        ):
            return
        record.rows[key] = (values, source)
    else:
        key = (values["subject"].pk, values["grade"])
        if _duplicate((school.pk, year, *key), seen, source, parsed.issues):
            return
        problems = [
            p
            for p in check_comparison(given(values), participants=10**9)
            if not p.warning
        ]
        if _report_problems(problems, MarkComparison, source, values, parsed.issues):
            return
        record.comparisons[key] = (values, source)


def _mean_row(
    values: dict[str, Any],
    source: Source,
    parsed: Parsed,
    subjects: SubjectIndex,
    seen: dict,
) -> None:
    try:
        values["subject"] = subjects.get(values["subject"])
    except CellError as error:
        parsed.issues.add(
            str(error),
            sheet=source.sheet,
            row=source.row,
            column="Предмет",
            value=values["subject"],
        )
        return
    key = (
        values.pop("year"),
        values["procedure"],
        values["subject"].pk,
        values["grade"],
        values.get("level") or "",
    )
    if _duplicate(key, seen, source, parsed.issues):
        return
    wrong = [
        (column, values[column.field])
        for column in MEAN_PERCENTS
        if values.get(column.field) is not None and not 0 <= values[column.field] <= 100
    ]
    for column, share in wrong:
        parsed.issues.add(
            f"процент должен быть от 0 до 100, указано {share}",
            sheet=source.sheet,
            row=source.row,
            column=column.header,
            value=share,
        )
    if not wrong:
        parsed.regional_means[key] = (values, source)


def _school_row(
    values: dict[str, Any],
    source: Source,
    parsed: Parsed,
    matcher: SchoolMatcher,
    seen: dict,
) -> None:
    from schools.models import SCHOOL_CODE_RE, normalize_school_code

    issues = parsed.issues
    raw = values["code"]
    if not SCHOOL_CODE_RE.match(raw.lower()):
        issues.add(
            f"«{raw}» — не логин ФИС ОКО (sch, edu или ksh и 6–8 цифр)",
            sheet=source.sheet,
            row=source.row,
            column=CODE,
            value=raw,
        )
        return
    code = normalize_school_code(raw)
    if _duplicate((code,), seen, source, issues):
        return
    inn = values.get("inn") or ""
    if inn and not (len(inn) == 10 and inn.isdigit()):
        issues.add(
            "ИНН организации — ровно 10 цифр",
            sheet=source.sheet,
            row=source.row,
            column="ИНН",
            value=inn,
        )
        return
    distance = values.get("distance_km")
    if distance is not None and distance < 0:
        issues.add(
            "удалённость не может быть отрицательной",
            sheet=source.sheet,
            row=source.row,
            column="Удалённость от муниципального центра, км",
            value=distance,
        )
        return
    values["code"] = code
    values["region"] = values.get("region") or settings.PORTAL_DEFAULT_REGION
    ref = matcher.schools.get(code)
    if ref is None:
        ref = matcher.add_new(code, values["short_name"])
    elif matcher.allowed is not None and ref.pk not in matcher.allowed:
        issues.add(
            f"школа {ref.name} ({code}) не относится к вашему муниципалитету",
            sheet=source.sheet,
            row=source.row,
            column=CODE,
            value=raw,
        )
        return
    parsed.schools.append(SchoolRecord(ref=ref, data=values, source=source))
