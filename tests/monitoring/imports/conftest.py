import io

import openpyxl
import pytest

from monitoring.importers.package import SHEETS


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """Build an xlsx in memory: {sheet title: rows (first row = header)}."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def headers(sheet: str) -> list[str]:
    return [c.header for c in SHEETS[sheet]]


@pytest.fixture
def year(db):
    from tests.factories import AcademicYearFactory

    return AcademicYearFactory(start_year=2020)


@pytest.fixture
def previous_year(db):
    from tests.factories import AcademicYearFactory

    return AcademicYearFactory(start_year=2019)
