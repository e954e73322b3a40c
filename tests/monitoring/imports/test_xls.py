"""Old Excel files (.xls) are read wherever .xlsx is, through the same bounds."""

import io

import pytest
import xlwt

from monitoring.importers.plan import apply_plan
from monitoring.importers.reader import FileRejected, read_workbook
from monitoring.importing import plan_file
from monitoring.models import ImportJob, StaffingData

from .conftest import headers
from .test_package import STAFF_VALUES


def xls(sheets: dict[str, dict[tuple[int, int], object]]) -> bytes:
    book = xlwt.Workbook()
    for title, cells in sheets.items():
        sheet = book.add_sheet(title)
        for (row, column), value in cells.items():
            sheet.write(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_to_cells(rows):
    return {
        (r, c): value
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value is not None
    }


def test_a_data_package_saved_as_xls_imports(analyst, school, year):
    rows = [headers("Кадры"), ["2020/2021", school.code, *STAFF_VALUES]]
    content = xls({"Кадры": rows_to_cells(rows)})
    plan = plan_file(ImportJob.Kind.PACKAGE, content, params={}, by=analyst)
    assert [i.text() for i in plan.issues.errors] == []
    apply_plan(plan, source_label="x")
    assert StaffingData.objects.get().teachers_total == STAFF_VALUES[0]


def test_cells_far_apart_in_an_xls_are_refused_before_reading():
    content = xls({"Лист1": {(0, 0): "Код ОО", (65535, 255): "x"}})
    assert len(content) < 10_000
    with pytest.raises(FileRejected, match=r"65\s536\sстрок × 256\sстолбцов"):
        read_workbook(content)


def test_row_limit_applies_to_xls(settings):
    settings.WORKBOOK_MAX_ROWS = 10
    content = xls({"Кадры": {(row, 0): row for row in range(20)}})
    with pytest.raises(FileRejected, match=r"Лист «Кадры»: не меньше 20\sстрок"):
        read_workbook(content)


def test_a_damaged_ole_file_is_refused_in_russian():
    with pytest.raises(FileRejected, match="Файл повреждён"):
        read_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def test_the_upload_form_takes_xls(analyst, client_for, school, year):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    rows = [headers("Кадры"), ["2020/2021", school.code, *STAFF_VALUES]]
    response = client_for(analyst).post(
        reverse("monitoring:import-create"),
        {
            "kind": "package",
            "file": SimpleUploadedFile(
                "кадры.xls", xls({"Кадры": rows_to_cells(rows)})
            ),
        },
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.original_name == "кадры.xls"
