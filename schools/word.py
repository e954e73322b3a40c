"""
Word documents the department edits and signs, as it does today: one door,
like schools.xlsx.

A document is a title, the approval block where it is approved («УТВЕРЖДЕНО
приказом … от … № …», top right, as in the seeds), and tables whose header
row repeats on every printed page. Text is cleaned of the control characters
Word cannot hold: a name pasted with one would otherwise fail the download.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .files import generated_response

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# XML 1.0 allows tab, line feed and carriage return of the control characters.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Row = Sequence[Any]


def text(value: Any) -> str:
    """A cell's or paragraph's text: None is empty, control characters go."""
    return NOT_XML.sub("", "" if value is None else str(value))


def approval(number: str, date: Any) -> str:
    """The approval block of a document approved by an order (empty until it is)."""
    if not number or date is None:
        return ""
    return f"УТВЕРЖДЕНО\nприказом № {number} от {date:%d.%m.%Y}"


def new_document(
    title: str, *, approval: str = "", subtitle: str = "", landscape: bool = True
) -> Any:
    """A document with its approval block (when given) and centred title."""
    document = Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    if approval:
        block = document.add_paragraph()
        block.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        block.add_run(text(approval))
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(text(title)).bold = True
    if subtitle:
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(text(subtitle))
    return document


def add_paragraph(document: Any, value: str, *, bold: bool = False) -> None:
    document.add_paragraph().add_run(text(value)).bold = bold


def add_table(
    document: Any,
    headers: Sequence[str],
    rows: Iterable[Row | str],
    *,
    widths: Sequence[float] = (),
) -> Any:
    """
    A bordered table; its header repeats on every page. A row given as a
    plain string is a section's title across the whole width.
    """
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_on_every_page(header)
    for cell, title in zip(header.cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text(title)).bold = True
    for row in rows:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            merged.text = ""
            merged.paragraphs[0].add_run(text(row)).bold = True
            continue
        for cell, value in zip(cells, row, strict=True):
            cell.text = text(value)
    for index, width in enumerate(widths):
        for row in table.rows:
            row.cells[index].width = Cm(width)
    return table


def _repeat_on_every_page(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def document_bytes(document: Any) -> bytes:
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def docx_response(request: HttpRequest, document: Any, filename: str) -> HttpResponse:
    """Return the document as a download named `filename`; the download is logged."""
    return generated_response(
        request, document_bytes(document), content_type=DOCX, filename=filename
    )


def wants_docx(request: Any) -> bool:
    """Return whether a document page is asked for its Word file (?format=docx)."""
    return request.GET.get("format") == "docx"
