"""
ФИС ОКО analytic reports of a ВПР work: «Статистика по отметкам» and
«Сравнение отметок с отметками по журналу».

Rows form a hierarchy (whole sample → region → municipality → school); only
rows that name a school by its ФИС ОКО login are imported, the others are
totals. Marks come as percentages, as fractions of one (a «%» cell format
over 0.35) or as counts; all are accepted.

The header is one row, or the web report's two rows: «Распределение групп
баллов в %» merged over «2 3 4 5». Title rows above it («Предмет: …»,
«Класс: 5») and a «Класс» column must agree with the subject and grade
chosen in the upload form (formats-evidence §2.4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..models import Procedure, ReportKind, Subject
from .cells import CellError, decimal, is_empty, norm_header, num, text
from .issues import IssueList
from .matching import LOGIN_IN_TEXT, NoMatch, SchoolMatcher
from .reader import Workbook, personal_data_columns
from .records import Parsed, Source, SubjectIndex

TOLERANCE = Decimal("0.2")
MARKS = ("2", "3", "4", "5")
COMPARISON_ROWS = {
    "понизили": "lowered",
    "подтвердили": "confirmed",
    "повысили": "raised",
    "всего": "total",
}
COMPARISON_LABELS = {
    "lowered": "Понизили",
    "confirmed": "Подтвердили",
    "raised": "Повысили",
    "total": "Всего",
}
HEADER_ROWS = 15  # the header is looked for among the first rows only

# The upper header row of the ФИС ОКО web report: «Распределение групп баллов в %».
DISTRIBUTION = "распределение"

# Title rows: «Предмет: Русский язык», «Класс: 5», «Математика, 4 класс», «4-х классов».
SUBJECT_LABEL = re.compile(r"(?<![а-яё])предмет\s*:\s*(?P<rest>.*)", re.IGNORECASE)
SUBJECT_END = re.compile(r"[;|\n,]|(?<![а-яё])класс|\s\d", re.IGNORECASE)
GRADE_LABEL = re.compile(
    r"(?<![а-яё])класс\s*:\s*(?P<grade>\d{1,2})(?!\d)", re.IGNORECASE
)
GRADE_WORD = re.compile(
    r"(?<![\d.,])(?P<grade>\d{1,2})\s*-?\s*(?:[а-яё]{1,2}\s+)?класс(?:а|ы|ов|ах)?(?![а-яё])",
    re.IGNORECASE,
)
LEADING_GRADE = re.compile(r"^\s*(\d{1,2})(?!\d)")


def counts_from_percentages(n: int, shares: list[Decimal]) -> list[int]:
    """Return whole counts for percentages of `n` that add up to `n` (largest remainder)."""
    exact = [share * n / 100 for share in shares]
    counts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


# Cells ---------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A cell as the person sees it in Russian Excel (TRUE is «ИСТИНА»)."""
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    return text(value)


def _letter(index: int) -> str:
    """Excel's column letter of a 0-based index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _number(value: Any) -> Decimal | None:
    """A percentage, fraction or count; «35 %» reads as 35. Infinity is no number."""
    result = decimal(value, percent=True)
    if result is not None and not result.is_finite():
        raise CellError("ожидается число")
    return result


def _whole(value: Any) -> int | None:
    """A count of participants: «12,0» is 12, «12,5» is an error."""
    result = _number(value)
    if result is None:
        return None
    if result != result.to_integral_value():
        raise CellError("ожидается целое число")
    return int(result)


@dataclass
class Cells:
    """Reads a table's cells and names each bad one: column as written, value as seen."""

    sheet: str
    names: list[str]
    issues: IssueList

    def name(self, col: int) -> str:
        if col < len(self.names) and self.names[col]:
            return self.names[col]
        return _letter(col)

    def error(self, message: str, number: int, col: int, value: Any) -> None:
        self.issues.add(
            message, sheet=self.sheet, row=number, column=self.name(col), value=value
        )

    def read(
        self, row: list[Any], number: int, col: int, read: Any, wanted: str
    ) -> Any:
        """Return the cell read by `read`, or None after recording why it cannot be."""
        value = row[col] if col < len(row) else None
        try:
            result = read(value)
        except CellError as error:
            self.error(f"«{_shown(value)}»: {error}", number, col, value)
            return None
        if result is None:
            self.error(f"ячейка пустая, а нужно {wanted}", number, col, value)
            return None
        if result < 0:
            self.error(
                f"{num(result)}: отрицательное число недопустимо", number, col, value
            )
            return None
        return result


# Subject and grade of the file versus the form -------------------------------------


def _next_cell(row: list[Any], index: int) -> Any:
    return next((v for v in row[index + 1 :] if not is_empty(v)), None)


def _check_title(
    rows: list[list[Any]],
    sheet: str,
    subject: Subject,
    grade: int,
    issues: IssueList,
) -> bool:
    """
    Refuse a file whose title rows name another subject or grade than the form
    (the report of another work would land under the chosen one). Return False
    after an error. Subjects are matched through the dictionary's synonyms; a
    subject the dictionary does not know is a warning, not a guess.
    """
    subjects: list[tuple[int, str, str]] = []  # row, subject as written, cell
    grades: list[tuple[int, int, str]] = []  # row, grade, cell
    for number, row in enumerate(rows[:HEADER_ROWS], start=1):
        for index, cell in enumerate(row):
            raw = _shown(cell)
            if not raw:
                continue
            key = norm_header(raw)
            if key in ("предмет", "предмет:"):
                written = text(_next_cell(row, index))
                if value := _subject_part(written):
                    subjects.append((number, value, f"{raw} {written}"))
            elif (found := SUBJECT_LABEL.search(raw)) and (
                value := _subject_part(found["rest"])
            ):
                subjects.append((number, value, raw))
            if key in ("класс", "класс:"):
                value = _shown(_next_cell(row, index))
                if leading := LEADING_GRADE.match(value):
                    grades.append((number, int(leading[1]), f"{raw} {value}"))
            for pattern in (GRADE_LABEL, GRADE_WORD):
                grades += [
                    (number, int(m["grade"]), raw) for m in pattern.finditer(raw)
                ]
    ok = True
    index = SubjectIndex() if subjects else None
    for number, value, cell in subjects:
        try:
            named = index.get(value)
        except CellError:
            issues.add(
                f"в заголовке файла указан предмет «{value}», которого нет в справочнике: "
                f"не удалось сверить его с выбранным в форме ({subject.name}); проверьте предмет",
                sheet=sheet,
                row=number,
                value=cell,
                warning=True,
            )
            continue
        if named.pk != subject.pk:
            # «Рус. яз.» is shown with the dictionary's name; «Русский язык» needs none.
            also = f" ({named.name})" if norm_header(value) != named.name else ""
            issues.add(
                f"в заголовке файла указан предмет «{value}»{also}, а в форме выбран "
                f"предмет «{subject.name}»; проверьте предмет в форме или загрузите отчёт по нужному предмету",
                sheet=sheet,
                row=number,
                value=cell,
            )
            ok = False
    # A title may mention several grades (the autumn-2020 work «за 4 класс» sat
    # in grade 5); it contradicts the form only when none of them is the chosen one.
    if grades and grade not in {g for _, g, _ in grades}:
        number, named_grade, cell = grades[0]
        issues.add(
            f"в заголовке файла указан {named_grade} класс («{cell}»), а в форме выбран "
            f"{grade} класс; проверьте класс в форме или загрузите отчёт по нужному классу",
            sheet=sheet,
            row=number,
            value=cell,
        )
        ok = False
    return ok


def _subject_part(written: str) -> str:
    """The subject of «Русский язык, 5 класс» or «Математика 4 класс»: the words before the grade."""
    return SUBJECT_END.split(written, maxsplit=1)[0].strip(" :")


def _class_grade(value: Any) -> int | None:
    """The grade a «Класс» cell names: 5, «5», «5а», «5 класс»; None for «все» or empty."""
    if isinstance(value, bool) or is_empty(value):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else None
    found = LEADING_GRADE.match(text(value))
    return int(found[1]) if found else None


# «Статистика по отметкам» -----------------------------------------------------------


@dataclass
class Header:
    """The header of a statistics table: one row, or two (group over marks)."""

    top: int  # first header row, 0-based; title rows are above it
    bottom: int  # last header row; data rows follow
    names: list[str]  # each column's header as the file writes it
    keys: list[str]  # the same, normalised for matching
    group: str  # «Распределение групп баллов в %» over the marks, or ""
    percent: bool  # the header says the marks are in %


def _statistics_header(book: Workbook, sheet: str) -> Header | None:
    rows = book.sheets[sheet]
    for index, row in enumerate(rows[:HEADER_ROWS]):
        keys = [norm_header(v) for v in row]
        if not all(m in keys for m in MARKS):
            continue
        if index and (two_row := _two_row_header(book, sheet, index, keys)):
            return two_row
        if any("участник" in k for k in keys):
            return Header(
                top=index,
                bottom=index,
                names=[text(v) for v in row],
                keys=keys,
                group="",
                percent=any("%" in k for k in keys),
            )
    return None


def _two_row_header(
    book: Workbook, sheet: str, index: int, lower_keys: list[str]
) -> Header | None:
    """
    The ФИС ОКО web report writes «Распределение групп баллов в %» merged over
    the «2 3 4 5» of the row below, and merges «Кол-во участников» down both
    rows. A row above qualifies only when the phrase stands over a mark
    column, so that a title such as «Распределение отметок» in column A is not
    taken for the header.
    """
    # Only the rows down to the header are unmerged: a long sheet is not copied.
    head = Workbook(
        {sheet: book.sheets[sheet][: index + 1]},
        {sheet: book.merged.get(sheet, [])},
    )
    upper, lower = head.unmerged(sheet)[index - 1 : index + 1]
    upper_keys = [norm_header(v) for v in upper]
    marks = [lower_keys.index(m) for m in MARKS]
    phrase = next(
        (text(upper[c]) for c in marks if DISTRIBUTION in upper_keys[c]),
        None,
    )
    if phrase is None:
        return None
    names, keys = [], []
    for col, (up, low) in enumerate(zip(upper, lower, strict=False)):
        up_text, low_text = text(up), text(low)
        if col in marks:
            # Without a merge the phrase stands over the first mark column only.
            up_text = up_text or phrase
        if low_text and up_text and up_text != low_text:
            names.append(f"{low_text} ({up_text})")
        else:
            names.append(low_text or up_text)
        keys.append(norm_header(low_text or up_text))
    return Header(
        top=index - 1,
        bottom=index,
        names=names,
        keys=keys,
        group=phrase,
        percent=any("%" in k for k in upper_keys + lower_keys),
    )


def parse_statistics(
    book: Workbook, *, matcher: SchoolMatcher, params: dict[str, Any]
) -> Parsed:
    """Read «Статистика по отметкам»: per school the participants and marks."""
    parsed = Parsed()
    issues = parsed.issues
    subject = Subject.objects.get(pk=params["subject"])
    grade, year = params["grade"], params["year"]
    for sheet, rows in book.sheets.items():
        header = _statistics_header(book, sheet)
        if header is None:
            continue
        personal = personal_data_columns(
            [v for r in rows[header.top : header.bottom + 1] for v in r]
        )
        if personal:
            issues.add(
                f"столбцы с персональными данными ({', '.join(personal)}) не принимаются",
                sheet=sheet,
                row=header.top + 1,
            )
            return parsed
        if not _check_title(rows[: header.top], sheet, subject, grade, issues):
            return parsed
        keys = header.keys
        n_col = next(
            (i for i, h in enumerate(keys) if "участник" in h and "групп" not in h),
            None,
        )
        if n_col is None:
            issues.add(
                "нет столбца «Кол-во участников»", sheet=sheet, row=header.bottom + 1
            )
            return parsed
        mark_cols = [keys.index(m) for m in MARKS]
        login_col = next(
            (
                i
                for i, h in enumerate(keys)
                if h in ("логин", "логин оо", "пользователь")
            ),
            None,
        )
        class_col = next(
            (i for i, h in enumerate(keys) if re.match(r"классы?\b", h)), None
        )
        data = list(enumerate(rows[header.bottom + 1 :], start=header.bottom + 2))
        table = Table(
            cells=Cells(sheet, header.names, issues),
            n_col=n_col,
            mark_cols=mark_cols,
            percent=header.percent,
            fractions=_fraction_sheet(
                [r for _, r in data if _login_cell(r, login_col) is not None],
                mark_cols,
            ),
            marks_label=", ".join(f"«{text(header.names[c])}»" for c in mark_cols)
            if not header.group
            else ", ".join(f"«{m}»" for m in MARKS) + f" ({header.group})",
        )
        seen: dict[int, int] = {}
        for number, row in data:
            if all(is_empty(v) for v in row):
                continue
            parsed.rows_read += 1
            if class_col is not None:
                named_grade = _class_grade(row[class_col])
                if named_grade is not None and named_grade != grade:
                    table.cells.error(
                        f"в строке {named_grade} класс («{_shown(row[class_col])}»), а в форме "
                        f"выбран {grade} класс; проверьте класс в форме или строку файла",
                        number,
                        class_col,
                        row[class_col],
                    )
                    continue
            ref = _school(matcher, row, login_col, issues, sheet, number, header.names)
            if not ref:
                continue  # a total row (region, municipality) or an error already recorded
            if ref.pk in seen:
                col = _login_cell(row, login_col)
                table.cells.error(
                    f"школа {ref.code} («{_shown(row[col])}») уже есть в строке {seen[ref.pk]}",
                    number,
                    col,
                    row[col],
                )
                continue
            seen[ref.pk] = number
            values = table.marks(row, number)
            if values is None:
                continue
            record = parsed.record(ref, year, ReportKind.RESULTS)
            n, counts = values
            mean = (
                (Decimal(sum((i + 2) * c for i, c in enumerate(counts))) / n).quantize(
                    Decimal("0.01")
                )
                if n
                else None
            )
            record.rows[(Procedure.VPR, subject.pk, grade, "")] = (
                {
                    "procedure": Procedure.VPR,
                    "subject": subject,
                    "grade": grade,
                    "level": "",
                    "participants": n,
                    "mark2": counts[0],
                    "mark3": counts[1],
                    "mark4": counts[2],
                    "mark5": counts[3],
                    "failed_minimum": None,
                    "mean_score": mean,
                },
                Source(sheet, number),
            )
        break
    else:
        issues.add(
            "не найдена таблица «Статистика по отметкам»: нужна строка заголовков со столбцами «Кол-во участников», «2», «3», «4», «5»"
        )
    return parsed


def _fraction_sheet(rows: list[list[Any]], mark_cols: list[int]) -> bool:
    """
    Whether the marks of the whole table are fractions of one: a «%» cell format
    shows 0.35 as «35 %», and the cell reader gives the stored 0.35. The table
    is taken for fractions when every readable mark value lies within 0..1 and
    at least one is not a whole number — counts are whole and percentages of a
    row sum to 100, so neither can look like that. Only school rows are looked
    at: a total or numbering row above them must not decide how they read.
    """
    values = []
    for row in rows:
        for col in mark_cols:
            try:
                value = _number(row[col])
            except CellError:
                continue
            if value is not None:
                values.append(value)
    return (
        bool(values)
        and all(0 <= v <= 1 for v in values)
        and any(v != v.to_integral_value() for v in values)
    )


@dataclass
class Table:
    """The columns of a statistics table and how its marks are written."""

    cells: Cells
    n_col: int
    mark_cols: list[int]
    percent: bool  # the header says «%»: never counts
    fractions: bool  # the whole table holds fractions of one (see _fraction_sheet)
    marks_label: str  # «2», «3», «4», «5» as the file writes them, for messages

    def marks(self, row: list[Any], number: int) -> tuple[int, list[int]] | None:
        """Return the row's participants and counts of «2»–«5», or None after an error."""
        cells = self.cells
        n = cells.read(row, number, self.n_col, _whole, "число участников")
        values = [
            cells.read(
                row,
                number,
                col,
                _number,
                f"процент или число участников с отметкой «{mark}»",
            )
            for mark, col in zip(MARKS, self.mark_cols, strict=True)
        ]
        if n is None or any(v is None for v in values):
            return None
        total = sum(values)
        integral = all(v == v.to_integral_value() for v in values)
        if not self.percent and integral and total == n:
            return n, [int(v) for v in values]
        # Fractions of one. A row is read as fractions (×100) when all its
        # values lie within 0..1 and it cannot be whole counts: the table is in
        # fractions, or the header says «%», or a value is not whole. Then the
        # row must sum to 1 (±0,002, the ±0,2 of percentages); a sum of about 1
        # is neither percentages (100) nor counts (the participants).
        if all(0 <= v <= 1 for v in values) and (
            self.fractions or self.percent or not integral
        ):
            if abs(total * 100 - 100) <= TOLERANCE:
                return n, counts_from_percentages(n, [v * 100 for v in values])
            shown = "; ".join(num(v) for v in values)
            cells.issues.add(
                f"значения в столбцах {self.marks_label} ({shown}) в сумме дают {num(total)}: "
                f"это ни доли (в сумме 1, как 0,35 при формате «%»), ни проценты "
                f"(в сумме 100 ± 0,2), ни число участников ({n})",
                sheet=cells.sheet,
                row=number,
                column=self.marks_label,
                value=shown,
            )
            return None
        if not self.percent and integral and any(v > 100 for v in values):
            # Whole numbers over 100 are counts, not percentages.
            self._counts_mismatch(number, total, n)
            return None
        over = next((i for i, v in enumerate(values) if v > 100), None)
        if over is not None:
            cells.error(
                f"{num(values[over])} больше 100 %",
                number,
                self.mark_cols[over],
                row[self.mark_cols[over]],
            )
            return None
        if abs(total - 100) > TOLERANCE:
            if integral and not self.percent:
                self._counts_mismatch(number, total, n)
            else:
                cells.issues.add(
                    f"проценты отметок в сумме дают {num(total)}, а должны 100 (±0,2)",
                    sheet=cells.sheet,
                    row=number,
                    column=self.marks_label,
                    value="; ".join(num(v) for v in values),
                )
            return None
        return n, counts_from_percentages(n, values)

    def _counts_mismatch(self, number: int, total: Decimal, n: int) -> None:
        self.cells.issues.add(
            f"сумма отметок в столбцах {self.marks_label} ({num(total)}) не равна "
            f"числу участников в столбце «{self.cells.name(self.n_col)}» ({n})",
            sheet=self.cells.sheet,
            row=number,
        )


# Schools ------------------------------------------------------------------------------


def _login_cell(row: list[Any], login_col: int | None) -> int | None:
    """The column of the row's ФИС ОКО login: the login column, or the first cell naming one."""
    columns = [login_col] if login_col is not None else range(len(row))
    return next(
        (c for c in columns if LOGIN_IN_TEXT.search(text(row[c]))),
        None,
    )


def _school(
    matcher: SchoolMatcher,
    row: list[Any],
    login_col: int | None,
    issues: IssueList,
    sheet: str,
    number: int,
    names: list[str] | None = None,
) -> Any:
    """Return the school a row names by login, None for a total row, False after an error."""
    col = _login_cell(row, login_col)
    if col is None:
        return None
    cell = text(row[col])
    found = LOGIN_IN_TEXT.search(cell)
    name = cell.split("|", 1)[-1].strip()
    try:
        return matcher.login(found.group(1), name=name)
    except NoMatch as error:
        column = (names[col] if names and col < len(names) else "") or _letter(col)
        issues.add(str(error), sheet=sheet, row=number, column=column, value=cell)
        return False


def _find_header(rows: list[list[Any]], test: Any) -> int | None:
    for index, row in enumerate(rows[:HEADER_ROWS]):
        if test([norm_header(v) for v in row]):
            return index
    return None


# «Сравнение отметок с отметками по журналу» ---------------------------------------------


def parse_comparison(
    book: Workbook, *, matcher: SchoolMatcher, params: dict[str, Any]
) -> Parsed:
    """Read «Сравнение отметок с отметками по журналу», as a table or in per-school blocks."""
    parsed = Parsed()
    subject = Subject.objects.get(pk=params["subject"])
    grade, year = params["grade"], params["year"]
    for sheet, rows in book.sheets.items():
        header_index = _find_header(
            rows,
            lambda h: (
                any(c.startswith("понизили") for c in h)
                and any(c.startswith("повысили") for c in h)
            ),
        )
        if header_index is not None:
            if _check_title(rows[:header_index], sheet, subject, grade, parsed.issues):
                _comparison_table(
                    rows, header_index, sheet, parsed, matcher, subject, grade, year
                )
            return parsed
        first_block = next(
            (
                number
                for number, r in enumerate(rows)
                if any(norm_header(c).startswith("понизили") for c in r)
            ),
            None,
        )
        if first_block is not None:
            if _check_title(rows[:first_block], sheet, subject, grade, parsed.issues):
                _comparison_blocks(rows, sheet, parsed, matcher, subject, grade, year)
            return parsed
    parsed.issues.add(
        "не найдено «Сравнение отметок с отметками по журналу»: нужны строки или столбцы «Понизили», «Подтвердили», «Повысили»"
    )
    return parsed


def _store(
    parsed: Parsed,
    ref: Any,
    year: int,
    subject: Subject,
    grade: int,
    counts: dict[str, int],
    source: Source,
    total_column: str = "",
) -> None:
    missing = [
        f"«{COMPARISON_LABELS[k]}»"
        for k in ("lowered", "confirmed", "raised")
        if counts.get(k) is None
    ]
    if missing:
        parsed.issues.add(
            f"у школы нет строк {', '.join(missing)}",
            sheet=source.sheet,
            row=source.row,
        )
        return
    total = counts.pop("total", None)
    if total is not None and sum(counts.values()) != total:
        parsed.issues.add(
            f"понизили + подтвердили + повысили = {sum(counts.values())}, а «Всего» — {total}",
            sheet=source.sheet,
            row=source.row,
            column=total_column,
            value=total,
        )
        return
    record = parsed.record(ref, year, ReportKind.RESULTS)
    record.comparisons[(subject.pk, grade)] = (
        {"subject": subject, "grade": grade, **counts},
        source,
    )


def _comparison_table(
    rows: list[list[Any]],
    header_index: int,
    sheet: str,
    parsed: Parsed,
    matcher: SchoolMatcher,
    subject: Subject,
    grade: int,
    year: int,
) -> None:
    headers = [norm_header(v) for v in rows[header_index]]
    names = [text(v) for v in rows[header_index]]
    cells = Cells(sheet, names, parsed.issues)
    columns = {
        key: next((i for i, h in enumerate(headers) if h.startswith(prefix)), None)
        for prefix, key in COMPARISON_ROWS.items()
    }
    if columns["confirmed"] is None:
        parsed.issues.add(
            "нет столбца «Подтвердили»", sheet=sheet, row=header_index + 1
        )
        return
    login_col = next(
        (
            i
            for i, h in enumerate(headers)
            if h in ("логин", "логин оо", "пользователь", "код оо")
        ),
        None,
    )
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if all(is_empty(v) for v in row):
            continue
        parsed.rows_read += 1
        ref = _school(matcher, row, login_col, parsed.issues, sheet, number, names)
        if not ref:
            continue
        counts, broken = {}, False
        for key, column in columns.items():
            if column is None:
                continue
            if key == "total" and is_empty(row[column]):
                counts[key] = None  # «Всего» is optional: the three rows are the data
                continue
            counts[key] = cells.read(row, number, column, _whole, "число участников")
            broken = broken or counts[key] is None
        if broken:
            continue
        total = columns["total"]
        _store(
            parsed,
            ref,
            year,
            subject,
            grade,
            counts,
            Source(sheet, number),
            total_column=cells.name(total) if total is not None else "",
        )


def _blocks_header(rows: list[list[Any]]) -> tuple[list[str], int | None]:
    """
    The header above the blocks («Группы участников | Кол-во участников | %»):
    the column names and the count's column, when the file has one.
    """
    for row in rows[:HEADER_ROWS]:
        keys = [norm_header(v) for v in row]
        if any(k.startswith(p) for k in keys for p in COMPARISON_ROWS):
            break
        count = next(
            (i for i, k in enumerate(keys) if "участник" in k and "групп" not in k),
            None,
        )
        if count is not None:
            return [text(v) for v in row], count
    return [], None


def _comparison_blocks(
    rows: list[list[Any]],
    sheet: str,
    parsed: Parsed,
    matcher: SchoolMatcher,
    subject: Subject,
    grade: int,
    year: int,
) -> None:
    """Blocks: a row naming the school, then «Понизили … / Подтвердили … / Повысили … / Всего»."""
    names, count_col = _blocks_header(rows)
    cells = Cells(sheet, names, parsed.issues)
    current, counts, start, broken = None, {}, 0, False

    def finish() -> None:
        if current is not None and counts and not broken:
            _store(parsed, current, year, subject, grade, counts, Source(sheet, start))

    for number, row in enumerate(rows, start=1):
        if all(is_empty(v) for v in row):
            continue
        first = next((i for i, v in enumerate(row) if not is_empty(v)), 0)
        label = norm_header(row[first])
        key = next(
            (k for prefix, k in COMPARISON_ROWS.items() if label.startswith(prefix)),
            None,
        )
        if key is None:
            ref = _school(matcher, row, None, parsed.issues, sheet, number, names)
            if ref:
                finish()
                current, counts, start, broken = ref, {}, number, False
            elif ref is None and current is not None and counts:
                finish()
                current, counts, broken = None, {}, False
            continue
        parsed.rows_read += 1
        if current is None:
            continue  # rows of a municipality or the whole sample
        if count_col is not None and count_col > first:
            column = count_col
        else:
            # No header: the count is the first figure after the label (the % follows).
            column = next(
                (i for i in range(first + 1, len(row)) if not is_empty(row[i])),
                first + 1,
            )
        counts[key] = cells.read(row, number, column, _whole, "число участников")
        broken = broken or counts[key] is None
    finish()
