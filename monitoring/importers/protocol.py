"""
ФИС ОКО per-participant ВПР protocols, in the three real variants.

- 2021: one flat sheet, «логин школы … вариант | всего баллов | балл за 1 … балл за N»;
- 2022: sheets «Протокол» and «Классы», task headers «3 (2б)» carrying the task maximum;
- autumn 2020: «user | otc | var-1 | sum | a-1-grade …».

Each participant's primary score becomes a ВПР mark through the ФИОКО scale the
analyst gives; the school's result is aggregated from the participants who
wrote the work (absent pupils excluded): its marks, its mean mark and its mean
primary score as % of the work's maximum (the scale's last number), and, where
the journal mark is known, the понизили / подтвердили / повысили comparison.

The scale is the one thing in the import the file does not say itself, and a
wrong scale silently turns most pupils' marks (and the school's share of «2»)
into wrong ones. So it is checked against everything the file does say: the
task maxima in the 2022 headers, each pupil's total, and ФИС ОКО's own mark
column where the export carries one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from schools.formatting import plural

from ..models import Procedure, ReportKind, Subject
from .cells import CellError, decimal, is_empty, norm_header, num, score, text
from .issues import IssueList
from .matching import NoMatch, SchoolMatcher
from .reader import Workbook, personal_data_columns
from .records import Parsed, Source

ABSENT = "отсутствовал"
JOURNAL_NONE = {"", "нет отметки", "нет", "-"}
TASK_2021 = re.compile(r"^балл за (\d+(?:\.\d+)?)$")
TASK_2022 = re.compile(r"^(\d+(?:\s*\(\d+\))?)\s*\((\d+)\s*б\)$")
TASK_2020 = re.compile(r"^a-(\d+)-grade$")
# ФИС ОКО's own mark for the work («Отметка», «Отметка за работу»). The journal
# mark («Отметка за предыдущий триместр…», «otc») and «Отметка по журналу» are
# other things and do not match.
OWN_MARK = re.compile(
    r"^(?:отметка|оценка)(?: за (?:работу|впр|выполнение работы)| впр)?$"
)
MARKS = {"2", "3", "4", "5"}
# How many disagreeing pupils a message lists; the count says how many there are.
SHOWN_ROWS = 5
# Textbook codes name the subject and grade of the work: «ma4.8 | 1.1.3.1.8.4 | Моро М.И.».
TEXTBOOK = re.compile(r"^\s*([a-z]+)(\d{1,2})\.")
TEXTBOOK_SUBJECTS = {
    "ma": "математика",
    "ru": "русский язык",
    "bio": "биология",
    "bi": "биология",
    "om": "окружающий мир",
    "ok": "окружающий мир",
    "gg": "география",
    "geo": "география",
    "is": "история",
    "his": "история",
    "ob": "обществознание",
    "fi": "физика",
    "phy": "физика",
    "xi": "химия",
    "ch": "химия",
}


@dataclass
class Layout:
    """Where a variant keeps each thing: column indexes by meaning."""

    variant: str
    sheet: str
    header_row: int
    login: int
    school: int | None
    code: int | None
    journal: int | None
    variant_col: int | None
    total: int | None
    textbook: int | None
    tasks: list[tuple[int, str, Decimal | None]] = field(
        default_factory=list
    )  # (column, label, max)
    mark: int | None = None  # ФИС ОКО's own mark for the work, when exported

    def tasks_label(self) -> str:
        """The task columns as one place for a message: «балл за 1 … балл за 12»."""
        if not self.tasks:
            return ""
        first, last = self.tasks[0][1], self.tasks[-1][1]
        return first if first == last else f"{first} … {last}"


def _find(headers: list[str], *names: str, prefix: bool = False) -> int | None:
    for name in names:
        for index, header in enumerate(headers):
            if header == name or (prefix and header.startswith(name)):
                return index
    return None


def detect_layout(book: Workbook) -> Layout | str:
    """Return the protocol's layout, or a Russian reason why none is recognised."""
    protocol = book.sheet("Протокол")
    candidates = (
        [("Протокол", protocol)] if protocol is not None else list(book.sheets.items())
    )
    for title, rows in candidates:
        for row_index, row in enumerate(rows[:10]):
            headers = [norm_header(v) for v in row]
            if "логин школы" in headers:
                layout = Layout(
                    "2021",
                    title,
                    row_index,
                    headers.index("логин школы"),
                    None,
                    _find(headers, "код обучающегося"),
                    _find(headers, "отметка за предыдущ", prefix=True),
                    _find(headers, "вариант"),
                    _find(headers, "всего баллов"),
                    _find(headers, "учебник"),
                )
                layout.tasks = [
                    (i, text(row[i]), None)
                    for i, h in enumerate(headers)
                    if TASK_2021.match(h)
                ]
                layout.mark = _own_mark(headers)
                return layout
            if "пользователь" in headers and protocol is not None:
                layout = Layout(
                    "2022",
                    title,
                    row_index,
                    headers.index("пользователь"),
                    _find(headers, "школа"),
                    _find(headers, "код"),
                    _find(headers, "отметка за предыдущ", prefix=True),
                    _find(headers, "вариант"),
                    _find(headers, "итого баллов"),
                    None,
                )
                layout.tasks = [
                    (i, text(row[i]), Decimal(m[2]))
                    for i, h in enumerate(headers)
                    if (m := TASK_2022.match(h))
                ]
                layout.mark = _own_mark(headers)
                return layout
            if "user" in headers and "otc" in headers:
                layout = Layout(
                    "2020",
                    title,
                    row_index,
                    headers.index("user"),
                    None,
                    _find(headers, "code"),
                    headers.index("otc"),
                    _find(headers, "var-1"),
                    _find(headers, "sum"),
                    _find(headers, "учебник"),
                )
                layout.tasks = [
                    (i, text(row[i]), None)
                    for i, h in enumerate(headers)
                    if TASK_2020.match(h)
                ]
                layout.mark = _own_mark(headers)
                return layout
    return (
        "не найдены заголовки протокола ВПР: ожидается столбец «логин школы» (формат 2021 года), "
        "лист «Протокол» со столбцом «Пользователь» (2022) или столбцы «user», «otc», «sum» (осень 2020)"
    )


def _own_mark(headers: list[str]) -> int | None:
    for index, header in enumerate(headers):
        if OWN_MARK.match(header):
            return index
    return None


@dataclass
class SchoolTally:
    marks: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    lowered: int = 0
    confirmed: int = 0
    raised: int = 0
    compared: int = 0
    score_sum: Decimal = Decimal(0)  # the participants' primary scores
    source: Source | None = None

    @property
    def participants(self) -> int:
        return sum(self.marks)


def mark_of(total: Decimal, scale: list[int]) -> int:
    """Return the ВПР mark of a primary score on the ФИОКО scale [min3, min4, min5, max]."""
    min3, min4, min5, _ = scale
    if total < min3:
        return 2
    if total < min4:
        return 3
    if total < min5:
        return 4
    return 5


def parse_protocol(
    book: Workbook,
    *,
    matcher: SchoolMatcher,
    params: dict[str, Any],
    progress: Callable[[int], None] = lambda p: None,
) -> Parsed:
    """Aggregate a protocol into each school's ВПР result and journal comparison."""
    parsed = Parsed()
    issues = parsed.issues
    layout = detect_layout(book)
    if isinstance(layout, str):
        issues.add(layout)
        return parsed
    rows = book.sheets[layout.sheet]
    header = rows[layout.header_row]
    personal = personal_data_columns(header)
    if personal:
        issues.add(
            f"в протоколе есть столбцы с персональными данными ({', '.join(personal)}) — принимаются только обезличенные коды участников",
            sheet=layout.sheet,
            row=layout.header_row + 1,
        )
        return parsed
    if layout.total is None and not layout.tasks:
        issues.add(
            "нет столбцов с баллами: ни «всего баллов» / «Итого баллов», ни баллов за задания",
            sheet=layout.sheet,
            row=layout.header_row + 1,
        )
        return parsed
    subject = Subject.objects.get(pk=params["subject"])
    grade, year, scale = params["grade"], params["year"], params["scale"]
    if not _scale_ok(scale):
        issues.add(
            "шкала перевода баллов в отметки не указана или неверна: нужны баллы, с которых ставятся "
            "«3», «4», «5», и максимальный балл работы, по возрастанию"
        )
        return parsed
    # The textbook check first: a scale that does not fit often means the form
    # names another work, and the textbook says which.
    _check_work(book, layout, subject, grade, issues)
    if not _scale_fits_headers(layout, scale, issues):
        return parsed
    tallies: dict[Any, SchoolTally] = defaultdict(SchoolTally)
    refs: dict[str, Any] = {}
    failed_logins: set[str] = set()
    seen: dict[tuple, int] = {}
    # (row, total, the file's mark, the scale's mark) of every pupil whose
    # mark in ФИС ОКО's own column differs from the scale's.
    disagreements: list[tuple[int, Decimal, int, int]] = []
    max_score = Decimal(scale[3])
    total_rows = len(rows) - layout.header_row - 1
    for offset, row in enumerate(rows[layout.header_row + 1 :]):
        number = layout.header_row + offset + 2
        if offset % 2000 == 0:
            progress(round(50 * offset / max(total_rows, 1)))
        if all(is_empty(v) for v in row):
            continue
        parsed.rows_read += 1
        login = text(row[layout.login])
        if login in failed_logins:
            continue
        ref = refs.get(login)
        if ref is None:
            try:
                ref = matcher.login(
                    login,
                    name=text(row[layout.school]).split("|", 1)[-1]
                    if layout.school is not None
                    else "",
                )
            except NoMatch as error:
                issues.add(
                    str(error),
                    sheet=layout.sheet,
                    row=number,
                    column=text(header[layout.login]),
                    value=login,
                )
                failed_logins.add(login)
                continue
            refs[login] = ref
        scored = _participant(
            row, number, layout, header, grade, max_score, scale, ref, seen, issues
        )
        if scored is None:
            continue
        total, vpr_mark = scored
        file_mark = _file_mark(row, number, layout, header, issues)
        if file_mark is not None and file_mark != vpr_mark:
            disagreements.append((number, total, file_mark, vpr_mark))
        tally = tallies[ref.pk]
        tally.source = tally.source or Source(layout.sheet, number)
        tally.marks[vpr_mark - 2] += 1
        tally.score_sum += total
        journal = _journal(row, number, layout, header, issues)
        if journal is not None:
            if vpr_mark < journal:
                tally.lowered += 1
            elif vpr_mark == journal:
                tally.confirmed += 1
            else:
                tally.raised += 1
    if disagreements:
        _refuse_disagreeing_marks(disagreements, layout, header, scale, issues)
    by_pk = {ref.pk: ref for ref in refs.values()}
    for pk, tally in tallies.items():
        record = parsed.record(by_pk[pk], year, ReportKind.RESULTS)
        n = tally.participants
        mean = (
            Decimal(sum((m + 2) * c for m, c in enumerate(tally.marks))) / n
        ).quantize(Decimal("0.01"))
        # The mean primary score as % of the work's maximum: the scale L3
        # compares ВПР on (methodology §9 R3), not the mark.
        percent = (tally.score_sum * 100 / (n * max_score)).quantize(Decimal("0.01"))
        values = {
            "procedure": Procedure.VPR,
            "subject": subject,
            "grade": grade,
            "level": "",
            "participants": n,
            "mark2": tally.marks[0],
            "mark3": tally.marks[1],
            "mark4": tally.marks[2],
            "mark5": tally.marks[3],
            "failed_minimum": None,
            "mean_score": mean,
            "mean_percent": percent,
        }
        record.rows[(Procedure.VPR, subject.pk, grade, "")] = (values, tally.source)
        if tally.lowered + tally.confirmed + tally.raised:
            record.comparisons[(subject.pk, grade)] = (
                {
                    "subject": subject,
                    "grade": grade,
                    "lowered": tally.lowered,
                    "confirmed": tally.confirmed,
                    "raised": tally.raised,
                },
                tally.source,
            )
    progress(50)
    return parsed


def _scale_ok(scale: Any) -> bool:
    """The form checks the scale; a job's stored params are checked again here."""
    if not isinstance(scale, list | tuple) or len(scale) != 4:
        return False
    if not all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in scale):
        return False
    return 0 <= scale[0] < scale[1] < scale[2] <= scale[3]


def _scale_text(scale: list[int]) -> str:
    min3, min4, min5, top = (num(v) for v in scale)
    return f"«3» с {min3}, «4» с {min4}, «5» с {min5}, максимум {top}"


def _scale_fits_headers(layout: Layout, scale: list[int], issues: IssueList) -> bool:
    """
    Refuse a scale whose maximum contradicts the task maxima the 2022 headers
    give («6 (2б)»): the sum of the task maxima is the work's maximum primary
    score, so a scale made for another work (or another year's version of it)
    would give most pupils a wrong mark without any row looking wrong. Nothing
    else is read: every row would repeat the same mistake.
    """
    tops = [top for _, _, top in layout.tasks]
    if not tops or any(top is None for top in tops):
        return True  # the 2021 and autumn-2020 headers carry no maxima
    file_max = sum(tops, Decimal(0))
    if file_max == scale[3]:
        return True
    issues.add(
        f"максимальный балл в шкале перевода ({num(scale[3])}) не совпадает с максимальным баллом работы "
        f"по заголовкам протокола ({num(file_max)} — сумма максимальных баллов за задания "
        f"в строке заголовков, от «{layout.tasks[0][1]}» до «{layout.tasks[-1][1]}»). "
        f"Шкала ({_scale_text(scale)}), видимо, от другой работы: проверьте предмет, класс и год "
        "и укажите в форме шкалу ФИОКО для этой работы — с чужой шкалой отметки участников будут неверными",
        sheet=layout.sheet,
        row=layout.header_row + 1,
        column=layout.tasks_label(),
        value=num(file_max),
    )
    return False


def _file_mark(
    row: list[Any], number: int, layout: Layout, header: list[Any], issues: IssueList
) -> int | None:
    """Return ФИС ОКО's own mark of a pupil who wrote the work; None if not given."""
    if layout.mark is None:
        return None
    raw = row[layout.mark]
    value = text(raw)
    if value == "":
        return None
    if value in MARKS:
        return int(value)
    issues.add(
        f"отметка за работу «{value}» недопустима: ожидается 2, 3, 4 или 5",
        sheet=layout.sheet,
        row=number,
        column=text(header[layout.mark]),
        value=raw,
    )
    return None


def _refuse_disagreeing_marks(
    disagreements: list[tuple[int, Decimal, int, int]],
    layout: Layout,
    header: list[Any],
    scale: list[int],
    issues: IssueList,
) -> None:
    """
    One error naming all the pupils whose mark in the file differs from the scale's.

    An error, not a warning: a warning here does not stop the import (the
    preview shows it and «Импортировать» goes on without asking), and the
    marks that would be written are the scale's. If the scale is wrong, the
    school's shares of «2» are wrong and the school may be counted among the
    ШНОР; if the file is wrong, the file must be fixed first. Either way the
    person must decide, so nothing is written until the two agree.
    """
    column = text(header[layout.mark])
    first_row, _, first_mark, _ = disagreements[0]
    shown = "; ".join(
        f"строка {row}: итог {num(total)}, в файле «{mine}», по шкале «{theirs}»"
        for row, total, mine, theirs in disagreements[:SHOWN_ROWS]
    )
    more = len(disagreements) - SHOWN_ROWS
    if more > 0:
        shown += f"; и ещё {more}"
    issues.add(
        f"отметки в столбце «{column}» не совпадают с отметками по шкале из формы "
        f"({_scale_text(scale)}) у {len(disagreements)} "
        f"{plural(len(disagreements), 'участника,участников,участников')}: {shown}. "
        "Проверьте шкалу перевода баллов для этой работы: отметки по неверной шкале "
        "искажают доли «2» и могут ошибочно отнести школы к ШНОР",
        sheet=layout.sheet,
        row=first_row,
        column=column,
        value=first_mark,
    )


def _check_work(
    book: Workbook, layout: Layout, subject: Subject, grade: int, issues: IssueList
) -> None:
    """Refuse a file whose textbook codes say another subject or grade than the form."""
    # (sheet, row as Excel numbers it, header as written, value)
    sources: list[tuple[str, int, str, Any]] = []
    if layout.textbook is not None:
        rows = book.sheets[layout.sheet]
        label = text(rows[layout.header_row][layout.textbook])
        sources = [
            (layout.sheet, layout.header_row + 2 + i, label, r[layout.textbook])
            for i, r in enumerate(rows[layout.header_row + 1 : layout.header_row + 200])
        ]
    classes = book.sheet("Классы")
    if classes:
        headers = [norm_header(v) for v in classes[0]]
        column = _find(headers, "основной учебник", prefix=True)
        if column is not None:
            label = text(classes[0][column])
            sources += [
                ("Классы", i + 2, label, r[column])
                for i, r in enumerate(classes[1:200])
            ]
    for sheet, number, label, value in sources:
        found = TEXTBOOK.match(text(value).lower())
        if not found:
            continue
        named = TEXTBOOK_SUBJECTS.get(found[1])
        file_grade = int(found[2])
        if (named and named != subject.name) or file_grade not in (grade, grade - 1):
            issues.add(
                f"в файле учебник «{text(value).split('|')[0].strip()}» — это {named or found[1]}, {file_grade} класс, "
                f"а в форме выбрано: {subject.name}, {grade} класс; проверьте предмет и класс",
                sheet=sheet,
                row=number,
                column=label,
                value=value,
            )
            return


def _participant(
    row: list[Any],
    number: int,
    layout: Layout,
    header: list[Any],
    grade: int,
    max_score: Decimal,
    scale: list[int],
    ref: Any,
    seen: dict,
    issues: IssueList,
) -> tuple[Decimal, int] | None:
    """
    Check one participant's row; return their total and ВПР mark, or None if
    absent or wrong.
    """
    sheet = layout.sheet
    raw_variant = row[layout.variant_col] if layout.variant_col is not None else None
    variant = text(raw_variant).lower()
    scores: list[Decimal | None] = []
    ok = True
    for column, label, top in layout.tasks:
        raw = row[column]
        if isinstance(raw, float):
            value: Decimal | None = Decimal(str(raw))
        else:
            try:
                value = score(raw)
            except CellError as error:
                issues.add(
                    f"«{text(raw)}»: {error}",
                    sheet=sheet,
                    row=number,
                    column=label,
                    value=raw,
                )
                ok = False
                continue
        if value is not None and value < 0 and top is None:
            issues.add(
                f"балл {num(value)} недопустим: балл за задание не может быть отрицательным",
                sheet=sheet,
                row=number,
                column=label,
                value=raw,
            )
            ok = False
        elif value is not None and (value < 0 or (top is not None and value > top)):
            issues.add(
                f"балл {num(value)} вне допустимого 0–{num(top)} за это задание",
                sheet=sheet,
                row=number,
                column=label,
                value=raw,
            )
            ok = False
        scores.append(value)
    if variant == ABSENT:
        if any(v is not None for v in scores):
            issues.add(
                "участник отмечен как отсутствовавший, но у него есть баллы за задания",
                sheet=sheet,
                row=number,
                column=text(header[layout.variant_col]),
                value=raw_variant,
            )
        return None
    if (
        variant == ""
        and all(v is None for v in scores)
        and (layout.total is None or is_empty(row[layout.total]))
    ):
        return None  # an empty line of a pupil who did not write the work
    if layout.variant_col is not None and not (variant.isdigit() and int(variant) >= 1):
        issues.add(
            f"вариант «{text(raw_variant)}» недопустим: ожидается номер варианта (1, 2, …) или «отсутствовал»",
            sheet=sheet,
            row=number,
            column=text(header[layout.variant_col]),
            value=raw_variant,
        )
        ok = False
    code = text(row[layout.code]) if layout.code is not None else ""
    if code:
        key = (ref.pk, code)
        if key in seen:
            issues.add(
                f"участник с кодом {code} уже есть в строке {seen[key]}",
                sheet=sheet,
                row=number,
                column=text(header[layout.code]),
                value=code,
            )
            ok = False
        seen[key] = number
        if (
            layout.variant != "2020"
            and len(code) == 5
            and code.isdigit()
            and code[0] != str(grade % 10)
        ):
            issues.add(
                f"код участника {code} относится к {code[0]} классу, а загружается работа {grade} класса",
                sheet=sheet,
                row=number,
                column=text(header[layout.code]),
                value=code,
            )
            ok = False
    total = None
    raw_total = row[layout.total] if layout.total is not None else None
    if layout.total is not None:
        try:
            total = decimal(raw_total)
        except CellError:
            issues.add(
                f"«{text(raw_total)}»: ожидается число баллов",
                sheet=sheet,
                row=number,
                column=text(header[layout.total]),
                value=raw_total,
            )
            return None
    task_sum = sum((v for v in scores if v is not None), Decimal(0)) if scores else None
    # Where the total comes from, for messages: the total column as the file
    # writes it, or the task columns when the total is not given.
    total_column = text(header[layout.total]) if layout.total is not None else ""
    from_tasks = False
    if total is None and task_sum is not None:
        total, from_tasks = task_sum, True
        total_column = layout.tasks_label()
    elif (
        task_sum is not None
        and any(v is not None for v in scores)
        and total != task_sum
    ):
        issues.add(
            f"итог {num(total)} не равен сумме баллов за задания ({num(task_sum)})",
            sheet=sheet,
            row=number,
            column=total_column,
            value=raw_total,
        )
        ok = False
    if total is None:
        issues.add(
            "нет баллов участника: ни итога, ни баллов за задания (если участник не писал работу, укажите вариант «отсутствовал»)",
            sheet=sheet,
            row=number,
            column=total_column or layout.tasks_label(),
            value=raw_total,
        )
        return None
    if total < 0 and not from_tasks:  # negative task scores are named above
        # A negative total would silently count as a «2».
        issues.add(
            f"итог {num(total)} недопустим: баллы не бывают отрицательными",
            sheet=sheet,
            row=number,
            column=total_column,
            value=raw_total,
        )
        ok = False
    elif total > max_score:
        what = "сумма баллов за задания" if from_tasks else "итог"
        issues.add(
            f"{what} {num(total)} больше максимального балла работы ({num(max_score)}) по шкале перевода из формы",
            sheet=sheet,
            row=number,
            column=total_column,
            value=num(total) if from_tasks else raw_total,
        )
        ok = False
    return (total, mark_of(total, scale)) if ok else None


def _journal(
    row: list[Any], number: int, layout: Layout, header: list[Any], issues: IssueList
) -> int | None:
    if layout.journal is None:
        return None
    raw = row[layout.journal]
    value = text(raw).lower()
    if value in JOURNAL_NONE:
        return None
    if value in {"2", "3", "4", "5"}:
        return int(value)
    issues.add(
        f"отметка по журналу «{text(raw)}» недопустима: 2, 3, 4, 5, пусто или «нет отметки»",
        sheet=layout.sheet,
        row=number,
        column=text(header[layout.journal]),
        value=raw,
    )
    return None
