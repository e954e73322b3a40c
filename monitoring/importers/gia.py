"""
ГИА results by school: the regional ЕГЭ table and the ОГЭ table.

ЕГЭ (formats-evidence §3.1): title rows, a three-level merged header
(fixed columns → subject → five metrics), a numbering row, total and
subtotal rows. Base maths gives its mean as a mark (2–5); the others on the
100-point scale. Schools are matched by a code column (login, код ЕГЭ or
ИНН), never by name.

ОГЭ (formats-evidence G2): one row per school and subject with marks. The
school's code and name may be merged down its subject rows, and a workbook
may keep one sheet per subject, the subject named by the sheet or by a title
row instead of a «Предмет» column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
# Headers of the columns an importer needs. A row holding one of them is part
# of the table's header even when it has a single filled cell («Предмет:
# Математика» is a title, «Предмет» a header); other words are
# left out on purpose: a title taken for a header would pour its text into the
# fixed columns («…выпускников школ…» would look like the school's name).
FIXED_HEADER = re.compile(
    r"^(код|логин|инн|№|муницип|наименован|образовательн|школа\b|оо\b|"
    r"всего выпускник|предмет\b(?!\s*:)|участник)"
)
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


def _is_title(row: list[Any], *, over: set[int] | frozenset[int] = frozenset()) -> bool:
    """
    Return whether a row above a table is a title: one filled cell, or two (a
    title with «Приложение N» beside it), none of them a column header and none
    standing over the `over` columns. A header row has many cells; a year in a
    header cell («Всего выпускников в 2022 году …») does not make it a title.
    """
    filled = [(i, norm_header(v)) for i, v in enumerate(row) if not is_empty(v)]
    return (
        0 < len(filled) <= 2
        and not any(FIXED_HEADER.match(h) for _, h in filled)
        and not any(i in over for i, _ in filled)
    )


def _year_mismatch(
    found: re.Match[str],
    year: int,
    exam: str,
    issues: IssueList,
    *,
    place: str = "в заголовке таблицы",
    **where: Any,
) -> bool:
    """Record an error when a year written in the file is not the form's exam year."""
    if int(found[1]) == year + 1:
        return False
    issues.add(
        f"{place} {found[1]} год, а в форме выбран {year}/{year + 1} учебный год ({exam} {year + 1} года)",
        **where,
    )
    return True


@dataclass
class Block:
    subject: Subject | None
    level: str
    title: str
    columns: dict[str, int]
    headers: dict[str, str] = field(default_factory=dict)  # metric → as written


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
        # The header is read as written (a merged name stands over its first
        # column); the data rows with merged cells spread, so that a value
        # merged down several rows reads on each of them.
        cells = book.unmerged(sheet)
        _parse_ege_sheet(
            sheet, rows, cells, metric_row, parsed, matcher, subjects, year
        )
        return parsed
    if not issues:
        issues.add(
            "не найдена таблица результатов ЕГЭ: нужна строка заголовков с показателями «приняло участие», «не преодолен min порог», «средний балл»"
        )
    return parsed


def _header_rows(
    rows: list[list[Any]], metric_row: int
) -> tuple[int, list[str], list[str]]:
    """
    Return the first header row, the fixed-column header of every column for
    matching, and the same as the file writes it (for messages).
    """
    metric_columns = {
        i for i, v in enumerate(rows[metric_row]) if _metric(norm_header(v))
    }
    first = metric_row
    while first > 0 and any(not is_empty(v) for v in rows[first - 1]):
        # The row right above the metrics names the subjects over their first
        # metric column, so a single subject is not a title there.
        over = metric_columns if first == metric_row else frozenset()
        if _is_title(rows[first - 1], over=over):
            break
        first -= 1
        if metric_row - first >= 3:
            break
    width = max(len(r) for r in rows[first : metric_row + 1])
    fixed, written = [], []
    for column in range(width):
        parts = [
            text(rows[r][column])
            for r in range(first, metric_row + 1)
            if column < len(rows[r])
        ]
        written.append(" ".join(p for p in parts if p))
        fixed.append(norm_header(written[-1]))
    return first, fixed, written


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
                    column=current,
                    value=current,
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
                        value=current,
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
                column=f"{text(rows[metric_row][column])} ({current})",
            )
        block.columns[metric] = column
        block.headers[metric] = f"{text(rows[metric_row][column])} ({current})"
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
                column=block.title,
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
    cells: list[list[Any]],
    metric_row: int,
    parsed: Parsed,
    matcher: SchoolMatcher,
    subjects: SubjectIndex,
    year: int,
) -> None:
    issues = parsed.issues
    first, fixed, written = _header_rows(rows, metric_row)
    for index in range(first):
        found = YEAR_IN_TITLE.search(" ".join(text(v) for v in rows[index]).lower())
        if found and _year_mismatch(
            found, year, "ЕГЭ", issues, sheet=sheet, row=index + 1
        ):
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
    if grads_col is not None:
        # «Всего выпускников в 2023 году …»: the header gives the exam year too.
        found = YEAR_IN_TITLE.search(fixed[grads_col])
        header_row = next(
            (r for r in range(first, metric_row + 1) if text(rows[r][grads_col])),
            first,
        )
        if found and _year_mismatch(
            found,
            year,
            "ЕГЭ",
            issues,
            place="в заголовке столбца",
            sheet=sheet,
            row=header_row + 1,
            column=written[grads_col],
            value=written[grads_col],
        ):
            return
    if code_col is None:
        issues.add(
            "в таблице нет столбца с кодом школы (логин ФИС ОКО, код ЕГЭ или ИНН); по названию школы данные не загружаются — добавьте столбец «Код ОО»",
            sheet=sheet,
            row=first + 1,
        )
        return
    code_header = written[code_col]
    grads_header = written[grads_col] if grads_col is not None else ""
    blocks = _blocks(rows, first, metric_row, subjects, sheet, issues)
    seen: dict[int, int] = {}
    for number in range(metric_row + 2, len(rows) + 1):
        raw, row = rows[number - 1], cells[number - 1]
        if all(is_empty(v) for v in raw) or _is_numbering(raw):
            continue
        # A total is written in its own cell, never spread from a merged range;
        # when the code is the first column, «Итого» stands in it.
        labelled = (c for c in (muni_col, name_col, code_col) if c is not None)
        if any(TOTAL_ROW.match(text(raw[c]).lower()) for c in labelled):
            continue
        name = text(row[name_col]) if name_col is not None else ""
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
                column=code_header,
                value=row[code_col],
            )
            continue
        if ref.pk in seen:
            issues.add(
                f"школа {ref.name} ({ref.code}) уже есть в строке {seen[ref.pk]}",
                sheet=sheet,
                row=number,
                column=code_header,
                value=row[code_col],
            )
            continue
        seen[ref.pk] = number
        try:
            graduates = _count(row, grads_col, number, sheet, grads_header, issues)
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
    """Return a count cell; report a bad one (its column and value) and raise CellError."""
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
            f"«{text(row[column])}»: число не может быть отрицательным",
            sheet=sheet,
            row=number,
            column=label,
            value=row[column],
        )
        raise CellError
    return value


def _mean(
    row: list[Any],
    column: int | None,
    number: int,
    sheet: str,
    label: str,
    issues: IssueList,
) -> Decimal | None:
    """Return a mean cell; report a bad one (its column and value) and raise CellError."""
    if column is None:
        return None
    try:
        return decimal(row[column])
    except CellError as error:
        issues.add(
            f"«{text(row[column])}»: {error}",
            sheet=sheet,
            row=number,
            column=label,
            value=row[column],
        )
        raise


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
    headers = block.headers
    try:
        values = {
            m: _count(
                row, block.columns.get(m), number, sheet, headers.get(m, ""), issues
            )
            for m in ("participants", "failed", "high", "hundred")
        }
        mean = _mean(
            row,
            block.columns.get("mean"),
            number,
            sheet,
            headers.get("mean", ""),
            issues,
        )
    except CellError:
        return
    n = values["participants"]
    if not n:
        if mean not in (None, Decimal(0)):
            issues.add(
                f"средний балл {num(mean)} при 0 участников ({where}) невозможен",
                sheet=sheet,
                row=number,
                column=headers["mean"],
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
                column=headers[metric],
                value=value,
            )
            return
    if graduates is not None and block.subject.name == "русский язык" and n > graduates:
        issues.add(
            f"участников ({n}) больше, чем выпускников ({graduates})",
            sheet=sheet,
            row=number,
            column=headers["participants"],
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
            column=headers["mean"],
            value=mean,
        )
        return
    if values["high"] and mean is not None and not is_base and mean < 20:
        issues.add(
            f"есть высокобалльники, а средний балл {num(mean)} меньше 20 ({where}) — проверьте столбцы",
            sheet=sheet,
            row=number,
            column=headers["mean"],
            value=mean,
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
    "participants": (
        "участников",
        "приняло участие",
        "кол-во участников",
        "количество участников",
        "число участников",
        "всего участников",
    ),
    "mark2": ("2", "«2»"),
    "mark3": ("3", "«3»"),
    "mark4": ("4", "«4»"),
    "mark5": ("5", "«5»"),
    "mean": ("средняя отметка", "средний балл", "средняя оценка"),
    "gve": ("участников гвэ", "гвэ"),
    "year": ("учебный год", "год"),
}
COUNTS = ("participants", "mark2", "mark3", "mark4", "mark5")
# The result fields check_result may name → the ОГЭ column that holds them.
FIELD_COLUMNS = {name: name for name in COUNTS} | {"mean_score": "mean"}
VOWELS = "аеёиоуыэюяйь"
ADJECTIVE_ENDINGS = ("ий", "ый", "ой", "ая", "ое")


@dataclass
class OgeSheet:
    """One sheet's table: its columns (index and header as written) and subject."""

    name: str
    columns: dict[str, int | None]
    headers: dict[str, str]
    subject: Subject | None  # when the sheet has no «Предмет» column


class SubjectFinder:
    """
    Find a subject named in free text (a sheet name, a title row) in any case
    form: «ОГЭ по математике», «по русскому языку», «Предмет: Физика».
    """

    def __init__(self, subjects: SubjectIndex) -> None:
        self.subjects = subjects
        self.patterns = [
            (re.compile(r"\w*\s+".join(map(self._stem, name.split())) + r"\w*"), s)
            for name, s in subjects.by_name.items()
            if name.strip()
        ]

    @staticmethod
    def _stem(word: str) -> str:
        # «математика» → «математик», «русский» → «русск», «химия» → «хими»:
        # one letter off a noun, so that «хими» does not take «Химки».
        if word.endswith(ADJECTIVE_ENDINGS):
            word = word[:-2]
        elif len(word) > 3 and word[-1] in VOWELS:
            word = word[:-1]
        return r"\b" + re.escape(word)

    def find(self, raw: str) -> list[Subject]:
        """Return the subjects the text names (several: the text is ambiguous)."""
        value = norm_header(raw)
        if not value:
            return []
        try:
            return [self.subjects.get(value)]
        except CellError:
            pass
        spans = [
            (m.start(), m.end(), subject)
            for pattern, subject in self.patterns
            for m in pattern.finditer(value)
        ]
        # «родная литература» names one subject, not «литература» as well.
        kept = [
            (a, b, s)
            for a, b, s in spans
            if not any(c <= a and b <= d and (c, d) != (a, b) for c, d, _ in spans)
        ]
        found: dict[int, Subject] = {s.pk: s for _, _, s in kept}
        return list(found.values())


def parse_oge(
    book: Workbook, *, matcher: SchoolMatcher, params: dict[str, Any]
) -> Parsed:
    """
    Read an ОГЭ table: school, subject, participants, marks «2»–«5», mean mark.
    Every sheet with such a table is read (a workbook may keep one sheet per
    subject).
    """
    parsed = Parsed()
    issues = parsed.issues
    subjects = SubjectIndex()
    finder = SubjectFinder(subjects)
    year = params["year"]
    seen: dict[tuple, tuple[str, int]] = {}
    tables = 0
    for sheet, raw_rows in book.sheets.items():
        # Merged cells spread: a school's code merged down its subject rows
        # reads on each of them, a header merged over two rows reads in both.
        rows = book.unmerged(sheet)
        header_index = next(
            (
                i
                for i, r in enumerate(rows[:15])
                if {"2", "3", "4", "5"} <= {norm_header(v).strip("«»") for v in r}
            ),
            None,
        )
        if header_index is None:
            if raw_rows and finder.find(sheet):
                issues.add(
                    f"на листе «{sheet}» не найдена таблица ОГЭ: нужна строка заголовков со столбцами «Код ОО», «Участников», «2», «3», «4», «5»",
                    sheet=sheet,
                )
            continue
        tables += 1
        personal = personal_data_columns(rows[header_index])
        if personal:
            issues.add(
                f"столбцы с персональными данными ({', '.join(personal)}) не принимаются",
                sheet=sheet,
                row=header_index + 1,
            )
            return parsed
        table = _oge_table(sheet, raw_rows, rows, header_index, finder, year, issues)
        if table is None:
            continue
        for number in range(header_index + 2, len(rows) + 1):
            raw, row = raw_rows[number - 1], rows[number - 1]
            if all(is_empty(v) for v in raw) or _is_numbering(raw):
                continue
            # A total is written in its own cell, never spread from a merged range.
            if any(TOTAL_ROW.match(text(v).lower()) for v in raw[:3]):
                continue
            parsed.rows_read += 1
            _oge_row(row, number, table, parsed, matcher, subjects, year, seen)
    if not tables:
        issues.add(
            "не найдена таблица ОГЭ: нужна строка заголовков со столбцами «Предмет», «Код ОО», «Участников», «2», «3», «4», «5»"
        )
    return parsed


def _oge_table(
    sheet: str,
    raw_rows: list[list[Any]],
    rows: list[list[Any]],
    header_index: int,
    finder: SubjectFinder,
    year: int,
    issues: IssueList,
) -> OgeSheet | None:
    """Return a sheet's columns and subject, or record why the sheet cannot be read."""
    written = [text(v) for v in rows[header_index]]
    headers = [norm_header(v) for v in written]
    columns = {
        key: next((i for i, h in enumerate(headers) if h in aliases), None)
        for key, aliases in OGE_COLUMNS.items()
    }
    names = {k: written[i] for k, i in columns.items() if i is not None}
    # Titles sit above the header, each in a row of its own (read as written:
    # a title merged across the sheet is one cell).
    titles = [
        (i + 1, " ".join(text(v) for v in raw_rows[i] if not is_empty(v)))
        for i in range(min(header_index, len(raw_rows)))
        if _is_title(raw_rows[i])
    ]
    for number, title in titles:
        found = YEAR_IN_TITLE.search(title.lower())
        if found and _year_mismatch(
            found, year, "ОГЭ", issues, sheet=sheet, row=number
        ):
            return None
    subject = None
    if columns["subject"] is None:
        # Quietly first: a table that lacks its code column too is told so at once.
        subject = _sheet_subject(sheet, titles, finder, IssueList(), header_index)
    missing = [
        label
        for key, label in (
            ("subject", "Предмет"),
            ("code", "Код ОО"),
            ("participants", "Участников"),
        )
        if columns[key] is None and not (key == "subject" and subject is not None)
    ]
    if missing and missing != ["Предмет"]:
        issues.add(
            f"нет столбцов: {', '.join(f'«{m}»' for m in missing)} (по названию школы данные не загружаются)",
            sheet=sheet,
            row=header_index + 1,
        )
        return None
    if missing:
        _sheet_subject(sheet, titles, finder, issues, header_index)
        return None
    return OgeSheet(sheet, columns, names, subject)


def _sheet_subject(
    sheet: str,
    titles: list[tuple[int, str]],
    finder: SubjectFinder,
    issues: IssueList,
    header_index: int,
) -> Subject | None:
    """
    Return the subject of a table without a «Предмет» column: named by the
    sheet («Математика») or by a title row («ОГЭ по математике, 2022 год»).
    Two different subjects are an error: the file is not guessed.
    """
    by_sheet = finder.find(sheet)
    by_title = [(number, s) for number, title in titles for s in finder.find(title)]
    title_subjects = {s.pk: s for _, s in by_title}
    if len(by_sheet) > 1 or len(title_subjects) > 1:
        listed = ", ".join(
            sorted(
                {s.name for s in by_sheet} | {s.name for s in title_subjects.values()}
            )
        )
        issues.add(
            f"на листе «{sheet}» названо несколько предметов ({listed}), а столбца «Предмет» нет — оставьте на листе один предмет или добавьте столбец «Предмет»",
            sheet=sheet,
            row=by_title[0][0] if len(title_subjects) > 1 else None,
        )
        return None
    if by_sheet and title_subjects and by_sheet[0].pk not in title_subjects:
        number, other = by_title[0]
        issues.add(
            f"название листа «{sheet}» говорит о предмете «{by_sheet[0].name}», а заголовок над таблицей — о предмете «{other.name}»; исправьте одно из них",
            sheet=sheet,
            row=number,
        )
        return None
    if by_sheet:
        return by_sheet[0]
    if by_title:
        return by_title[0][1]
    issues.add(
        f"на листе «{sheet}» нет столбца «Предмет», и предмет не виден ни в названии листа, ни в заголовке над таблицей — назовите лист по предмету (например, «Математика») или добавьте столбец «Предмет»",
        sheet=sheet,
        row=header_index + 1,
    )
    return None


def _oge_row(
    row: list[Any],
    number: int,
    table: OgeSheet,
    parsed: Parsed,
    matcher: SchoolMatcher,
    subjects: SubjectIndex,
    year: int,
    seen: dict[tuple, tuple[str, int]],
) -> None:
    issues = parsed.issues
    sheet, columns, headers = table.name, table.columns, table.headers
    if columns["year"] is not None and not is_empty(row[columns["year"]]):
        raw_year = text(row[columns["year"]])
        if raw_year not in (f"{year}/{year + 1}", str(year + 1)):
            issues.add(
                f"год в строке ({raw_year}) не совпадает с выбранным {year}/{year + 1}",
                sheet=sheet,
                row=number,
                column=headers["year"],
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
            column=headers["code"],
            value=row[columns["code"]],
        )
        return
    subject = table.subject
    if subject is None:
        raw_subject = row[columns["subject"]]
        try:
            if is_empty(raw_subject):
                raise CellError("не указан предмет")
            subject = subjects.get(raw_subject)
        except CellError as error:
            issues.add(
                str(error),
                sheet=sheet,
                row=number,
                column=headers["subject"],
                value=raw_subject,
            )
            return
    key = (ref.pk, subject.pk)
    if key in seen:
        where_sheet, where_row = seen[key]
        other = f" листа «{where_sheet}»" if where_sheet != sheet else ""
        issues.add(
            f"школа {ref.name} ({ref.code}) и предмет «{subject.name}» уже есть в строке {where_row}{other}",
            sheet=sheet,
            row=number,
            column=headers["code"],
            value=row[columns["code"]],
        )
        return
    seen[key] = (sheet, number)
    values: dict[str, Any] = {
        "procedure": Procedure.OGE,
        "subject": subject,
        "grade": 9,
        "level": "",
        "failed_minimum": None,
    }
    try:
        for key_name in COUNTS:
            values[key_name] = _count(
                row, columns[key_name], number, sheet, headers.get(key_name, ""), issues
            )
        mean = _mean(
            row, columns["mean"], number, sheet, headers.get("mean", ""), issues
        )
    except CellError:
        return
    if not values["participants"] and mean in (None, Decimal(0)):
        return  # nobody sat the exam
    if mean is not None:
        # Checked here rather than by check_result, whose message says «Средний
        # балл» where the file may write «Средняя отметка».
        problem = (
            f"при 0 участников значение {num(mean)} невозможно: оставьте ячейку пустой"
            if values["participants"] == 0
            else f"{num(mean)} — вне шкалы отметок 2–5"
            if not Decimal(2) <= mean <= Decimal(5)
            else ""
        )
        if problem:
            issues.add(
                problem,
                sheet=sheet,
                row=number,
                column=headers["mean"],
                value=row[columns["mean"]],
            )
            return
    values["mean_score"] = mean.quantize(Decimal("0.01")) if mean is not None else None
    from ..validation import check_result

    problems = [p for p in check_result(values) if not p.warning]
    if problems:
        for problem in problems:
            key_name = FIELD_COLUMNS.get(problem.field or "")
            if key_name is not None and key_name in headers:
                column = headers[key_name]
                value = row[columns[key_name]]
            else:
                column = (
                    str(AssessmentResult._meta.get_field(problem.field).verbose_name)
                    if problem.field
                    else ""
                )
                value = None
            issues.add(
                problem.message, sheet=sheet, row=number, column=column, value=value
            )
        return
    record = parsed.record(ref, year, ReportKind.RESULTS)
    record.rows[(Procedure.OGE, subject.pk, 9, "")] = (values, Source(sheet, number))
