"""
ФИС ОКО analytic reports of a ВПР work: «Статистика по отметкам» and
«Сравнение отметок с отметками по журналу».

Rows form a hierarchy (whole sample → region → municipality → school); only
rows that name a school by its ФИС ОКО login are imported, the others are
totals. Marks come as percentages or as counts; both are accepted.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..models import Procedure, ReportKind, Subject
from .cells import CellError, decimal, integer, is_empty, norm_header, num, text
from .issues import IssueList
from .matching import LOGIN_IN_TEXT, NoMatch, SchoolMatcher
from .reader import Workbook, personal_data_columns
from .records import Parsed, Source

TOLERANCE = Decimal("0.2")
MARKS = ("2", "3", "4", "5")
COMPARISON_ROWS = {
    "понизили": "lowered",
    "подтвердили": "confirmed",
    "повысили": "raised",
    "всего": "total",
}


def counts_from_percentages(n: int, shares: list[Decimal]) -> list[int]:
    """Return whole counts for percentages of `n` that add up to `n` (largest remainder)."""
    exact = [share * n / 100 for share in shares]
    counts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def _school(
    matcher: SchoolMatcher,
    row: list[Any],
    login_col: int | None,
    issues: IssueList,
    sheet: str,
    number: int,
) -> Any:
    """Return the school a row names by login, None for a total row, False after an error."""
    cells = [row[login_col]] if login_col is not None else row
    for cell in cells:
        found = LOGIN_IN_TEXT.search(text(cell))
        if found:
            name = text(cell).split("|", 1)[-1].strip()
            try:
                return matcher.login(found.group(1), name=name)
            except NoMatch as error:
                issues.add(str(error), sheet=sheet, row=number, value=text(cell))
                return False
    return None


def _find_header(rows: list[list[Any]], test: Any) -> int | None:
    for index, row in enumerate(rows[:15]):
        if test([norm_header(v) for v in row]):
            return index
    return None


def parse_statistics(
    book: Workbook, *, matcher: SchoolMatcher, params: dict[str, Any]
) -> Parsed:
    """Read «Статистика по отметкам»: per school the participants and marks."""
    parsed = Parsed()
    issues = parsed.issues
    subject = Subject.objects.get(pk=params["subject"])
    grade, year = params["grade"], params["year"]
    for sheet, rows in book.sheets.items():
        header_index = _find_header(
            rows,
            lambda h: all(m in h for m in MARKS) and any("участник" in c for c in h),
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
        n_col = next(
            (i for i, h in enumerate(headers) if "участник" in h and "групп" not in h),
            None,
        )
        if n_col is None:
            issues.add(
                "нет столбца «Кол-во участников»", sheet=sheet, row=header_index + 1
            )
            return parsed
        mark_cols = [headers.index(m) for m in MARKS]
        login_col = next(
            (
                i
                for i, h in enumerate(headers)
                if h in ("логин", "логин оо", "пользователь")
            ),
            None,
        )
        percent = any("%" in h for h in headers)
        seen: dict[int, int] = {}
        for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
            if all(is_empty(v) for v in row):
                continue
            parsed.rows_read += 1
            ref = _school(matcher, row, login_col, issues, sheet, number)
            if not ref:
                continue  # a total row (region, municipality) or an error already recorded
            if ref.pk in seen:
                issues.add(
                    f"школа {ref.code} уже есть в строке {seen[ref.pk]}",
                    sheet=sheet,
                    row=number,
                )
                continue
            seen[ref.pk] = number
            values = _marks(
                row,
                number,
                sheet,
                rows[header_index],
                n_col,
                mark_cols,
                percent,
                issues,
            )
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


def _marks(
    row: list[Any],
    number: int,
    sheet: str,
    header: list[Any],
    n_col: int,
    mark_cols: list[int],
    percent: bool,
    issues: IssueList,
) -> tuple[int, list[int]] | None:
    try:
        n = integer(row[n_col])
        values = [decimal(row[c], percent=True) for c in mark_cols]
    except CellError as error:
        issues.add(str(error), sheet=sheet, row=number)
        return None
    if n is None or any(v is None for v in values):
        issues.add("не заполнены число участников или отметки", sheet=sheet, row=number)
        return None
    if n < 0 or any(v < 0 for v in values):
        issues.add("отрицательные значения недопустимы", sheet=sheet, row=number)
        return None
    total = sum(values)
    integral = all(v == v.to_integral_value() for v in values)
    if not percent and integral and total == n:
        return n, [int(v) for v in values]
    if any(v > 100 for v in values):
        column = text(header[mark_cols[[v > 100 for v in values].index(True)]])
        issues.add(
            f"{num(values[[v > 100 for v in values].index(True)])} больше 100 %",
            sheet=sheet,
            row=number,
            column=column,
        )
        return None
    if abs(total - 100) > TOLERANCE:
        if integral and not percent:
            issues.add(
                f"сумма отметок ({num(total)}) не равна числу участников ({n})",
                sheet=sheet,
                row=number,
            )
        else:
            issues.add(
                f"проценты отметок в сумме дают {num(total)}, а должны 100 (±0,2)",
                sheet=sheet,
                row=number,
            )
        return None
    return n, counts_from_percentages(n, values)


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
            _comparison_table(
                rows, header_index, sheet, parsed, matcher, subject, grade, year
            )
            return parsed
        if any(
            norm_header(r[0] if r else "").startswith("понизили")
            or any(norm_header(c).startswith("понизили") for c in r)
            for r in rows
        ):
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
) -> None:
    total = counts.pop("total", None)
    if total is not None and sum(counts.values()) != total:
        parsed.issues.add(
            f"понизили + подтвердили + повысили = {sum(counts.values())}, а «Всего» — {total}",
            sheet=source.sheet,
            row=source.row,
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
    columns = {
        key: next((i for i, h in enumerate(headers) if h.startswith(prefix)), None)
        for prefix, key in COMPARISON_ROWS.items()
    }
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
        ref = _school(matcher, row, login_col, parsed.issues, sheet, number)
        if not ref:
            continue
        counts = {}
        try:
            for key, column in columns.items():
                if column is not None:
                    counts[key] = integer(row[column])
        except CellError as error:
            parsed.issues.add(str(error), sheet=sheet, row=number)
            continue
        if any(counts.get(k) is None for k in ("lowered", "confirmed", "raised")):
            parsed.issues.add(
                "не заполнены «Понизили», «Подтвердили» или «Повысили»",
                sheet=sheet,
                row=number,
            )
            continue
        _store(parsed, ref, year, subject, grade, counts, Source(sheet, number))


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
    current, counts, start = None, {}, 0
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
            ref = _school(matcher, row, None, parsed.issues, sheet, number)
            if ref:
                if current is not None and counts:
                    _store(
                        parsed,
                        current,
                        year,
                        subject,
                        grade,
                        counts,
                        Source(sheet, start),
                    )
                current, counts, start = ref, {}, number
            elif ref is None and current is not None and counts:
                _store(
                    parsed, current, year, subject, grade, counts, Source(sheet, start)
                )
                current, counts = None, {}
            continue
        parsed.rows_read += 1
        if current is None:
            continue  # rows of a municipality or the whole sample
        numbers = [v for v in row[first + 1 :] if not is_empty(v)]
        try:
            counts[key] = integer(numbers[0]) if numbers else None
        except CellError:
            parsed.issues.add(
                f"«{text(numbers[0])}»: ожидается число участников",
                sheet=sheet,
                row=number,
            )
    if current is not None and counts:
        _store(parsed, current, year, subject, grade, counts, Source(sheet, start))
