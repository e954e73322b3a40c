"""
ГИА results by school: the regional ЕГЭ table and the ОГЭ table.

ЕГЭ (formats-evidence §3.1): title rows, a three-level merged header
(fixed columns → subject → five metrics), a numbering row, total and
subtotal rows. Base maths gives its mean as a mark (2–5); the others on the
100-point scale. Schools are matched by a code column (login, код ЕГЭ or
ИНН), never by name.

ОГЭ (formats-evidence G2): one row per school and subject with marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..models import AssessmentResult, Level, Procedure, ReportKind, Subject
from .cells import CellError, decimal, integer, is_empty, norm_header, num, text
from .issues import IssueList
from .matching import NoMatch, SchoolMatcher
from .reader import Workbook, personal_data_columns
from .records import Parsed, Source, SubjectIndex

TOTAL_ROW = re.compile(r"^(всего|итого)")
YEAR_IN_TITLE = re.compile(r"\b(20\d\d)\s*год")
METRICS = {
    "participants": "приняло участие",
    "failed": "не преодолен min порог",
    "high": "высокобалльники (80-99 баллов)",
    "hundred": "получили 100 баллов",
    "mean": "средний балл",
}


def _metric(header: str) -> str | None:
    if "принял" in header and "участ" in header:
        return "participants"
    if "не преодол" in header or "порог" in header:
        return "failed"
    if "80" in header and "99" in header:
        return "high"
    if "100" in header:
        return "hundred"
    if "средн" in header and "балл" in header:
        return "mean"
    return None


@dataclass
class Block:
    subject: Subject | None
    level: str
    title: str
    columns: dict[str, int]


def _code_column(headers: list[str]) -> int | None:
    for index, header in enumerate(headers):
        if header.startswith(("код", "логин")) or header in ("инн", "инн оо"):
            return index
    return None


def parse_ege(
    book: Workbook, *, matcher: SchoolMatcher, params: dict[str, Any]
) -> Parsed:
    """Read the regional «Информация о результатах ЕГЭ выпускников школ» table."""
    parsed = Parsed()
    issues = parsed.issues
    subjects = SubjectIndex()
    year = params["year"]
    for sheet, rows in book.sheets.items():
        metric_row = next(
            (
                i
                for i, r in enumerate(rows[:20])
                if sum(_metric(norm_header(v)) is not None for v in r) >= 3
            ),
            None,
        )
        if metric_row is None:
            if any("заявлен" in norm_header(v) for r in rows[:10] for v in r):
                issues.add(
                    "похоже, это план ЕГЭ (заявления выпускников), а не результаты: нет столбцов «приняло участие», «средний балл»",
                    sheet=sheet,
                )
            continue
        _parse_ege_sheet(sheet, rows, metric_row, parsed, matcher, subjects, year)
        return parsed
    if not issues:
        issues.add(
            "не найдена таблица результатов ЕГЭ: нужна строка заголовков с показателями «приняло участие», «не преодолен min порог», «средний балл»"
        )
    return parsed


def _header_rows(rows: list[list[Any]], metric_row: int) -> tuple[int, list[str]]:
    """Return the first header row and the fixed-column header text of every column."""
    first = metric_row
    while (
        first > 0
        and any(not is_empty(v) for v in rows[first - 1])
        and not YEAR_IN_TITLE.search(" ".join(text(v) for v in rows[first - 1]).lower())
    ):
        first -= 1
        if metric_row - first >= 3:
            break
    width = max(len(r) for r in rows[first : metric_row + 1])
    fixed = []
    for column in range(width):
        parts = [
            norm_header(rows[r][column])
            for r in range(first, metric_row + 1)
            if column < len(rows[r])
        ]
        fixed.append(" ".join(p for p in parts if p))
    return first, fixed


def _blocks(
    rows: list[list[Any]],
    first: int,
    metric_row: int,
    subjects: SubjectIndex,
    sheet: str,
    issues: IssueList,
) -> list[Block]:
    metrics = [norm_header(v) for v in rows[metric_row]]
    subject_row = rows[metric_row - 1] if metric_row > first else []
    blocks: dict[str, Block] = {}
    current = ""
    for column, header in enumerate(metrics):
        name = text(subject_row[column]) if column < len(subject_row) else ""
        if name:
            current = name  # merged cells: the name stands over the first column only
        metric = _metric(header)
        if metric is None or not current:
            continue
        block = blocks.get(current)
        if block is None:
            if "устн" in current.lower():
                issues.add(
                    f"предмет «{current}» (устная часть) не загружается — результаты берутся по письменной части",
                    sheet=sheet,
                    row=metric_row,
                    warning=True,
                )
                block = Block(None, "", current, {})
            else:
                try:
                    subject = subjects.get(current)
                except CellError as error:
                    issues.add(
                        f"неизвестный предмет в заголовке: {error}",
                        sheet=sheet,
                        row=metric_row,
                        column=current,
                    )
                    subject = None
                level = (
                    SubjectIndex.level_of(current)
                    if subject is not None and subject.name == "математика"
                    else ""
                )
                block = Block(subject, level, current, {})
            blocks[current] = block
        if metric in block.columns:
            issues.add(
                f"у предмета «{current}» показатель «{METRICS[metric]}» повторяется",
                sheet=sheet,
                row=metric_row + 1,
            )
        block.columns[metric] = column
    for block in blocks.values():
        missing = [
            METRICS[m]
            for m in ("participants", "failed", "mean")
            if m not in block.columns
        ]
        if block.subject is not None and missing:
            issues.add(
                f"у предмета «{block.title}» нет столбцов: {', '.join(missing)}",
                sheet=sheet,
                row=metric_row + 1,
            )
    return [b for b in blocks.values() if b.subject is not None]


def _is_numbering(row: list[Any]) -> bool:
    values = [v for v in row if not is_empty(v)]
    return (
        len(values) >= 3
        and all(
            isinstance(v, int | float) and float(v).is_integer() and 0 < v < 100
            for v in values
        )
        and float(values[0]) == 1
    )


def _parse_ege_sheet(
    sheet: str,
    rows: list[list[Any]],
    metric_row: int,
    parsed: Parsed,
    matcher: SchoolMatcher,
    subjects: SubjectIndex,
    year: int,
) -> None:
    issues = parsed.issues
    first, fixed = _header_rows(rows, metric_row)
    title = " ".join(text(v) for r in rows[:first] for v in r).lower()
    found = YEAR_IN_TITLE.search(title)
    if found and int(found[1]) != year + 1:
        issues.add(
            f"в заголовке таблицы {found[1]} год, а в форме выбран {year}/{year + 1} учебный год (ЕГЭ {year + 1} года)",
            sheet=sheet,
            row=1,
        )
        return
    personal = personal_data_columns(fixed)
    if personal:
        issues.add(
            f"столбцы с персональными данными ({', '.join(personal)}) не принимаются",
            sheet=sheet,
            row=first + 1,
        )
        return
    code_col = _code_column(fixed)
    name_col = next(
        (i for i, h in enumerate(fixed) if "образоват" in h or "школ" in h), None
    )
    muni_col = next((i for i, h in enumerate(fixed) if "муницип" in h), None)
    grads_col = next((i for i, h in enumerate(fixed) if "всего выпускник" in h), None)
    if code_col is None:
        issues.add(
            "в таблице нет столбца с кодом школы (логин ФИС ОКО, код ЕГЭ или ИНН); по названию школы данные не загружаются — добавьте столбец «Код ОО»",
            sheet=sheet,
            row=first + 1,
        )
        return
    blocks = _blocks(rows, first, metric_row, subjects, sheet, issues)
    seen: dict[int, int] = {}
    for number, row in enumerate(rows[metric_row + 1 :], start=metric_row + 2):
        if all(is_empty(v) for v in row) or _is_numbering(row):
            continue
        name = text(row[name_col]) if name_col is not None else ""
        label = " ".join(
            text(row[c]).lower() for c in (muni_col, name_col) if c is not None
        )
        if TOTAL_ROW.match(label.strip()) or any(
            TOTAL_ROW.match(text(row[c]).lower())
            for c in (muni_col, name_col)
            if c is not None
        ):
            continue
        if (
            muni_col is not None
            and name_col is not None
            and not name
            and is_empty(row[code_col])
        ):
            continue  # a municipal subtotal row: its name in the first column, no school
        parsed.rows_read += 1
        try:
            ref = matcher.code(text(row[code_col]), name=name)
        except NoMatch as error:
            issues.add(
                str(error),
                sheet=sheet,
                row=number,
                column=text(rows[metric_row][code_col]) or "Код",
                value=row[code_col],
            )
            continue
        if ref.pk in seen:
            issues.add(
                f"школа {ref.name} ({ref.code}) уже есть в строке {seen[ref.pk]}",
                sheet=sheet,
                row=number,
            )
            continue
        seen[ref.pk] = number
        try:
            graduates = _count(
                row, grads_col, number, sheet, "Всего выпускников", issues
            )
        except CellError:
            continue
        for block in blocks:
            _ege_block(row, number, sheet, block, ref, year, graduates, parsed)


def _count(
    row: list[Any],
    column: int | None,
    number: int,
    sheet: str,
    label: str,
    issues: IssueList,
) -> int | None:
    if column is None:
        return None
    try:
        value = integer(row[column])
    except CellError as error:
        issues.add(
            f"«{text(row[column])}»: {error}",
            sheet=sheet,
            row=number,
            column=label,
            value=row[column],
        )
        raise
    if value is not None and value < 0:
        issues.add(
            "число не может быть отрицательным",
            sheet=sheet,
            row=number,
            column=label,
            value=value,
        )
        raise CellError
    return value


def _ege_block(
    row: list[Any],
    number: int,
    sheet: str,
    block: Block,
    ref: Any,
    year: int,
    graduates: int | None,
    parsed: Parsed,
) -> None:
    issues = parsed.issues
    where = f"«{block.title}»"
    try:
        values = {
            m: _count(
                row,
                block.columns.get(m),
                number,
                sheet,
                f"{METRICS[m]} ({block.title})",
                issues,
            )
            for m in ("participants", "failed", "high", "hundred")
        }
        mean = decimal(row[block.columns["mean"]]) if "mean" in block.columns else None
    except CellError:
        return
    n = values["participants"]
    if not n:
        if mean not in (None, Decimal(0)):
            issues.add(
                f"средний балл {num(mean)} при 0 участников ({where}) невозможен",
                sheet=sheet,
                row=number,
                column=f"средний балл ({block.title})",
                value=mean,
            )
        return  # nobody sat the exam: «0» here means "no data", not a score of 0
    for metric in ("failed", "high", "hundred"):
        value = values[metric]
        if value is not None and value > n:
            issues.add(
                f"{value} больше числа участников ({n})",
                sheet=sheet,
                row=number,
                column=f"{METRICS[metric]} ({block.title})",
                value=value,
            )
            return
    if graduates is not None and block.subject.name == "русский язык" and n > graduates:
        issues.add(
            f"участников ({n}) больше, чем выпускников ({graduates})",
            sheet=sheet,
            row=number,
            column=f"приняло участие ({block.title})",
            value=n,
        )
        return
    is_base = block.level == Level.BASE
    low, high_bound = (
        (Decimal(2), Decimal(5)) if is_base else (Decimal(0), Decimal(100))
    )
    if mean is not None and not low <= mean <= high_bound:
        issues.add(
            f"средний балл {num(mean)} вне шкалы {num(low)}–{num(high_bound)}",
            sheet=sheet,
            row=number,
            column=f"средний балл ({block.title})",
            value=mean,
        )
        return
    if values["high"] and mean is not None and not is_base and mean < 20:
        issues.add(
            f"есть высокобалльники, а средний балл {num(mean)} меньше 20 — проверьте столбцы",
            sheet=sheet,
            row=number,
            column=where,
            warning=True,
        )
    row_values = {
        "procedure": Procedure.EGE,
        "subject": block.subject,
        "grade": 11,
        "level": block.level,
        "participants": n,
        "mark2": values["failed"] if is_base else None,
        "mark3": None,
        "mark4": None,
        "mark5": None,
        "failed_minimum": None if is_base else values["failed"],
        "mean_score": mean.quantize(Decimal("0.01")) if mean is not None else None,
    }
    record = parsed.record(ref, year, ReportKind.RESULTS)
    record.rows[(Procedure.EGE, block.subject.pk, 11, block.level)] = (
        row_values,
        Source(sheet, number),
    )


# ОГЭ ----------------------------------------------------------------------------------

OGE_COLUMNS = {
    "subject": ("предмет",),
    "code": ("код оо", "код огэ", "логин", "код", "инн"),
    "name": ("оо", "образовательная организация", "школа", "наименование оо"),
    "participants": ("участников", "приняло участие", "кол-во участников"),
    "mark2": ("2", "«2»"),
    "mark3": ("3", "«3»"),
    "mark4": ("4", "«4»"),
    "mark5": ("5", "«5»"),
    "mean": ("средняя отметка", "средний балл"),
    "gve": ("участников гвэ", "гвэ"),
    "year": ("учебный год", "год"),
}


def parse_oge(
    book: Workbook, *, matcher: SchoolMatcher, params: dict[str, Any]
) -> Parsed:
    """Read an ОГЭ table: school, subject, participants, marks «2»–«5», mean mark."""
    parsed = Parsed()
    issues = parsed.issues
    subjects = SubjectIndex()
    year = params["year"]
    for sheet, rows in book.sheets.items():
        header_index = next(
            (
                i
                for i, r in enumerate(rows[:15])
                if {"2", "3", "4", "5"} <= {norm_header(v).strip("«»") for v in r}
            ),
            None,
        )
        if header_index is None:
            continue
        headers = [norm_header(v) for v in rows[header_index]]
        personal = personal_data_columns(rows[header_index])
        if personal:
            issues.add(
                f"столбцы с персональными данными ({', '.join(personal)}) не принимаются",
                sheet=sheet,
                row=header_index + 1,
            )
            return parsed
        columns = {
            key: next((i for i, h in enumerate(headers) if h in aliases), None)
            for key, aliases in OGE_COLUMNS.items()
        }
        missing = [
            label
            for key, label in (
                ("subject", "Предмет"),
                ("code", "Код ОО"),
                ("participants", "Участников"),
            )
            if columns[key] is None
        ]
        if missing:
            issues.add(
                f"нет столбцов: {', '.join(f'«{m}»' for m in missing)} (по названию школы данные не загружаются)",
                sheet=sheet,
                row=header_index + 1,
            )
            return parsed
        seen: dict[tuple, int] = {}
        for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
            if all(is_empty(v) for v in row) or _is_numbering(row):
                continue
            if any(TOTAL_ROW.match(text(v).lower()) for v in row[:3]):
                continue
            parsed.rows_read += 1
            _oge_row(row, number, sheet, columns, parsed, matcher, subjects, year, seen)
        return parsed
    issues.add(
        "не найдена таблица ОГЭ: нужна строка заголовков со столбцами «Предмет», «Код ОО», «Участников», «2», «3», «4», «5»"
    )
    return parsed


def _oge_row(
    row: list[Any],
    number: int,
    sheet: str,
    columns: dict[str, int | None],
    parsed: Parsed,
    matcher: SchoolMatcher,
    subjects: SubjectIndex,
    year: int,
    seen: dict,
) -> None:
    issues = parsed.issues
    if columns["year"] is not None and not is_empty(row[columns["year"]]):
        raw_year = text(row[columns["year"]])
        if raw_year not in (f"{year}/{year + 1}", str(year + 1)):
            issues.add(
                f"год в строке ({raw_year}) не совпадает с выбранным {year}/{year + 1}",
                sheet=sheet,
                row=number,
                column="Год",
                value=raw_year,
            )
            return
    name = text(row[columns["name"]]) if columns["name"] is not None else ""
    try:
        ref = matcher.code(text(row[columns["code"]]), name=name)
    except NoMatch as error:
        issues.add(
            str(error),
            sheet=sheet,
            row=number,
            column="Код ОО",
            value=row[columns["code"]],
        )
        return
    try:
        subject = subjects.get(row[columns["subject"]])
    except CellError as error:
        issues.add(
            str(error),
            sheet=sheet,
            row=number,
            column="Предмет",
            value=row[columns["subject"]],
        )
        return
    key = (ref.pk, subject.pk)
    if key in seen:
        issues.add(
            f"строка повторяет строку {seen[key]} (та же школа и предмет)",
            sheet=sheet,
            row=number,
        )
        return
    seen[key] = number
    values: dict[str, Any] = {
        "procedure": Procedure.OGE,
        "subject": subject,
        "grade": 9,
        "level": "",
        "failed_minimum": None,
    }
    try:
        for field, key_name in (
            ("participants", "participants"),
            ("mark2", "mark2"),
            ("mark3", "mark3"),
            ("mark4", "mark4"),
            ("mark5", "mark5"),
        ):
            values[field] = (
                integer(row[columns[key_name]])
                if columns[key_name] is not None
                else None
            )
        mean = decimal(row[columns["mean"]]) if columns["mean"] is not None else None
    except CellError as error:
        issues.add(str(error), sheet=sheet, row=number)
        return
    if not values["participants"] and mean in (None, Decimal(0)):
        return  # nobody sat the exam
    values["mean_score"] = mean.quantize(Decimal("0.01")) if mean is not None else None
    record = parsed.record(ref, year, ReportKind.RESULTS)
    from ..validation import check_result

    problems = [p for p in check_result(values) if not p.warning]
    if problems:
        for problem in problems:
            column = (
                str(AssessmentResult._meta.get_field(problem.field).verbose_name)
                if problem.field
                else ""
            )
            issues.add(problem.message, sheet=sheet, row=number, column=column)
        return
    record.rows[(Procedure.OGE, subject.pk, 9, "")] = (values, Source(sheet, number))
