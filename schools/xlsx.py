"""Writing xlsx for every list of the portal: one sheet, Russian headers, filters noted."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")


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
) -> Workbook:
    """Return a one-sheet workbook of a list page; notes (filters applied) go below."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    write_sheet(sheet, headers, rows)
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([note])
    return book


def xlsx_response(book: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


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
