"""
Roadmaps as tables in the documents' layout (seed 004): № / Наименование
мероприятия / Сроки исполнения / Ответственный исполнитель / Ожидаемый
результат / Информация об исполнении. A row with only a title is a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl.styles import Alignment, Font

from monitoring.importers.reader import FileRejected, read_workbook
from schools import word
from schools.models import User
from schools.xlsx import HEADER_FILL, Book, new_workbook

from . import periods, services
from .models import Item, Roadmap

HEADERS = [
    "№ п/п",
    "Наименование мероприятия (краткое содержание)",
    "Сроки исполнения",
    "Ответственный исполнитель",
    "Ожидаемый результат",
    "Информация об исполнении",
]
COLUMNS = {  # what a header must contain → the column's meaning
    "number": ("№",),
    "title": ("мероприят",),
    "period": ("срок",),
    "responsible": ("ответствен",),
    "expected_result": ("ожидаем",),
    "execution_info": ("исполнени",),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"[ \t]+", " ", str(value)).strip()


@dataclass
class ParsedTable:
    rows: list[dict[str, Any]] = field(
        default_factory=list
    )  # items and sections, in order
    errors: list[str] = field(default_factory=list)


def parse(content: bytes, *, school_year: int) -> ParsedTable:
    """Read the first sheet with the six columns; every problem is listed with its row."""
    try:
        book = read_workbook(content)
    except FileRejected as error:
        return ParsedTable(errors=[str(error)])
    for sheet_rows in book.sheets.values():
        header_at, columns = _header(sheet_rows)
        if header_at is not None:
            break
    else:
        return ParsedTable(
            errors=[
                "Не найдена строка заголовков: нужны столбцы «Наименование мероприятия», «Сроки исполнения» и «Ответственный исполнитель»."
            ]
        )
    table = ParsedTable()
    for offset, raw in enumerate(sheet_rows[header_at + 1 :], start=header_at + 2):
        cells = {
            name: _text(raw[i]) if i < len(raw) else "" for name, i in columns.items()
        }
        if not any(cells.values()):
            continue
        if cells.get("number", "").isdigit() and all(
            cells.get(k, "").isdigit() for k in cells if cells.get(k)
        ):
            continue  # a row of column numbers under the header (1 2 3 4 5 6)
        if (
            cells.get("title")
            and not cells.get("period")
            and not cells.get("responsible")
            and not cells.get("expected_result")
        ):
            table.rows.append({"section": cells["title"]})
            continue
        where = f"Строка {offset}"
        if not cells.get("title"):
            table.errors.append(f"{where}: нет наименования мероприятия.")
        if not cells.get("responsible"):
            table.errors.append(f"{where}: не указан ответственный исполнитель.")
        try:
            period = periods.parse(cells.get("period", ""), school_year=school_year)
        except periods.PeriodError as error:
            table.errors.append(f"{where}: {error}")
            period = None
        table.rows.append({**cells, "row": offset, "parsed": period})
    if not any("title" in r for r in table.rows) and not table.errors:
        table.errors.append("В таблице нет ни одного мероприятия.")
    return table


def _header(rows: list[list[Any]]) -> tuple[int | None, dict[str, int]]:
    for index, row in enumerate(rows[:15]):
        found: dict[str, int] = {}
        for position, value in enumerate(row):
            text = _text(value).lower()
            for name, needles in COLUMNS.items():
                if (
                    name not in found
                    and any(n in text for n in needles)
                    and not (name == "title" and "№" in text)
                ):
                    found[name] = position
                    break
        if {"title", "period", "responsible"} <= set(found):
            return index, found
    return None, {}


@transaction.atomic
def import_into(*, roadmap: Roadmap, content: bytes, by: User) -> int:
    """Add the table's sections and items to a draft roadmap — all of them, or nothing when any row is wrong."""
    if roadmap.status != Roadmap.Status.DRAFT:
        raise ValidationError(
            "Загружать мероприятия можно только в черновик дорожной карты."
        )
    table = parse(content, school_year=roadmap.year.start_year)
    if table.errors:
        raise ValidationError(table.errors)
    section = ""
    count = 0
    for row in table.rows:
        if "section" in row:
            section = row["section"]
            continue
        period = row["parsed"]
        item = services.item_save(
            roadmap=roadmap,
            by=by,
            responsible=row["responsible"],
            data={
                "number": row.get("number", ""),
                "title": row["title"],
                "section": section,
                "start": period.start,
                "end": period.end,
                "expected_result": row.get("expected_result", ""),
            },
        )
        # Keep the document's own wording of the period; the dates are what the portal computes with.
        item.period_label = period.label
        item.execution_info = row.get("execution_info", "")
        item.save(update_fields=["period_label", "execution_info"])
        count += 1
    return count


def _rows(items: list[Item]) -> list[list[str] | str]:
    """The table of seed 004: a section's title (a string), then its items."""
    rows: list[list[str] | str] = []
    section = None
    for item in items:
        if item.section_id != (section.pk if section else None):
            section = item.section
            if section is not None:
                rows.append(section.title)
        rows.append(
            [
                item.number,
                item.title + (f"\n{item.content}" if item.content else ""),
                item.period,
                services.responsible_text(item),
                item.expected_result,
                item.execution_info,
            ]
        )
    return rows


def document(roadmap: Roadmap, items: list[Item], *, extract: bool = False) -> Any:
    """
    The roadmap or school programme as a Word document, laid out as seed 004;
    an `extract` (the items one school answers for) says so under the title.
    """
    place = str(roadmap.school.full_name if roadmap.school else roadmap.municipality)
    if extract:
        place += ". Выписка: мероприятия, за которые отвечает школа"
    doc = word.new_document(
        roadmap.title,
        approval=word.approval(roadmap.order_number, roadmap.order_date),
        subtitle=place,
    )
    word.add_table(doc, HEADERS, _rows(items), widths=(1.3, 7.5, 3.0, 4.0, 5.0, 5.0))
    return doc


def workbook(roadmap: Roadmap, items: list[Item]) -> Book:
    """The roadmap in the documents' layout: title, headers, sections as merged rows, items."""
    book = new_workbook()
    sheet = book.active
    sheet.title = "Дорожная карта"
    sheet.append([roadmap.title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(
        [
            f"{roadmap.municipality}{', ' + str(roadmap.school) if roadmap.school else ''}; {roadmap.get_status_display()}{'; ' + roadmap.order_label if roadmap.order_label else ''}"
        ]
    )
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in _rows(items):
        if isinstance(row, str):
            sheet.append(["", row])
            sheet.cell(sheet.max_row, 2).font = Font(bold=True)
            continue
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (6, 60, 18, 28, 45, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"
    return book
