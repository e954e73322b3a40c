"""
The one way the portal writes a workbook: every export, template and error list.

Text written by people — a roadmap item titled «=HYPERLINK(…)», a file name, a
cell value quoted in an import error — must never reach a spreadsheet as a
formula. openpyxl turns any string that starts with «=» into one, so every
workbook leaves the portal through `workbook_bytes`, which writes every text
cell as text (and marks text that a spreadsheet would read as a formula when
edited with a leading apostrophe, as Excel itself does). A formula the portal
means to write is wrapped in `Formula`. Nothing else in the code base imports
openpyxl's Workbook (ruff TID251).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
# What a spreadsheet treats as the start of a formula when the cell is edited.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Book = Workbook


class Formula(str):
    """A formula the portal itself writes (never text that came from a person)."""


def new_workbook() -> Book:
    """Return an empty workbook to fill and pass to `workbook_bytes`."""
    return Workbook()


def make_text_safe(book: Book) -> Book:
    """
    Turn every formula cell that is not a `Formula` into a text cell, and mark
    text that would read as a formula once edited. Return the same workbook.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or isinstance(value, Formula):
                    continue
                if cell.data_type == TYPE_FORMULA:
                    cell.data_type = TYPE_STRING
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
    return book


def workbook_bytes(book: Book) -> bytes:
    """Return the workbook as .xlsx bytes, with every text written as text."""
    buffer = io.BytesIO()
    make_text_safe(book).save(buffer)
    return buffer.getvalue()


def write_sheet(
    sheet: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: dict[int, int] | None = None,
) -> None:
    """Write a header row (bold, frozen, filtered) and data rows."""
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
        )
    for index, header in enumerate(headers, start=1):
        width = (widths or {}).get(index) or min(max(len(str(header)) + 2, 10), 45)
        sheet.column_dimensions[get_column_letter(index)].width = width


def table_workbook(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    notes: Sequence[str] = (),
) -> Book:
    """Return a one-sheet workbook of a list page; notes (filters applied) go below."""
    book = new_workbook()
    sheet = book.active
    sheet.title = title[:31]
    write_sheet(sheet, headers, rows)
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([note])
    return book


def xlsx_response(request: HttpRequest, book: Book, filename: str) -> HttpResponse:
    """Return the workbook as a download named `filename`; the download is logged."""
    from .files import generated_response

    return generated_response(
        request, workbook_bytes(book), content_type=XLSX, filename=filename
    )


def wants_xlsx(request: Any) -> bool:
    """Return whether a list page is asked for its xlsx export (?format=xlsx)."""
    return request.GET.get("format") == "xlsx"


def filter_notes(form: Any) -> list[str]:
    """Return «Фильтр: …» lines describing a bound filter form, for the export."""
    if form is None or not form.is_bound or not form.is_valid():
        return []
    notes = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = form.fields[name]
        shown = (
            dict(getattr(field, "choices", [])).get(value, value)
            if hasattr(field, "choices")
            else value
        )
        notes.append(f"Фильтр «{field.label}»: {shown}")
    return notes
