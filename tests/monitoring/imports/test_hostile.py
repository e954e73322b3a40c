"""
Hostile workbooks: refused before a cell is read, with a Russian message that
names the limit, through every door that reads a workbook.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.importers import bounds
from monitoring.importers.reader import FileRejected, read_workbook
from monitoring.importing import plan_file
from monitoring.models import ImportJob
from roadmaps import tables

from . import hostile
from .conftest import workbook_bytes

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", list(hostile.BOMBS))
def test_read_workbook_refuses_hostile_file(name):
    with pytest.raises(FileRejected) as refused:
        read_workbook(hostile.BOMBS[name]())
    message = str(refused.value)
    assert "ограничени" in message or "повреждён" in message
    assert "Traceback" not in message
    assert "Error" not in message


def test_corner_bomb_names_the_row_limit():
    with pytest.raises(FileRejected, match=r"1\s048\s576\sстрок — больше ограничения"):
        read_workbook(hostile.corner())


def test_declared_dimension_is_checked_before_the_cells(settings):
    with pytest.raises(
        FileRejected, match=r"записанному в файле, занимает 1\s048\s576\sстрок"
    ):
        read_workbook(hostile.declared_huge())


def test_limits_come_from_settings(settings):
    content = workbook_bytes({"Кадры": [[n] for n in range(20)]})
    assert len(read_workbook(content).sheet("Кадры")) == 20
    settings.WORKBOOK_MAX_ROWS = 10
    with pytest.raises(FileRejected, match=r"20\sстрок — больше ограничения 10\sстрок"):
        read_workbook(content)


def test_column_limit_names_the_columns(settings):
    settings.WORKBOOK_MAX_COLUMNS = 5
    content = workbook_bytes({"Кадры": [list(range(8))]})
    with pytest.raises(
        FileRejected,
        match=r"есть данные в столбце F — это 6-й столбец, больше ограничения 5\sстолбцов",
    ):
        read_workbook(content)


def test_cell_limit_counts_the_rectangle(settings):
    settings.WORKBOOK_MAX_CELLS = 50
    content = workbook_bytes({"Кадры": [list(range(10)) for _ in range(6)]})
    with pytest.raises(FileRejected, match=r"60\sячеек — больше ограничения 50\sячеек"):
        read_workbook(content)


def test_a_cell_outside_its_row_counts_where_it_says(settings):
    """Row 1 holding a cell of row 400 makes a rectangle of 400 rows."""
    settings.WORKBOOK_MAX_ROWS = 300
    content = hostile.xlsx(
        {"Лист1": b'<row r="1">%s%s</row>' % (hostile.cell("A1"), hostile.cell("B400"))}
    )
    with pytest.raises(FileRejected, match=r"400\sстрок"):
        read_workbook(content)


def test_unaddressed_cells_are_placed_one_after_another(settings):
    settings.WORKBOOK_MAX_COLUMNS = 30
    row = b"<row>" + b"<c><v>1</v></c>" * 31 + b"</row>"
    with pytest.raises(FileRejected, match=r"столбце AE — это 31-й столбец"):
        read_workbook(hostile.xlsx({"Лист1": row}))


def test_prefixed_tags_are_measured(settings):
    settings.WORKBOOK_MAX_COLUMNS = 30
    sheet = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="%s"><x:sheetData>'
        b'<x:row r="1"><x:c r="AK1"><x:v>1</x:v></x:c></x:row></x:sheetData>'
        b"</x:worksheet>" % hostile.MAIN
    )
    with pytest.raises(FileRejected, match=r"столбце AK — это 37-й"):
        read_workbook(hostile.xlsx({"Лист1": sheet}))


def test_a_document_type_declaration_is_refused():
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        b'<worksheet xmlns="%s"><sheetData><row><c><v>&a;</v></c></row>'
        b"</sheetData></worksheet>" % hostile.MAIN
    )
    with pytest.raises(FileRejected, match="повреждённый фрагмент"):
        read_workbook(hostile.xlsx({"Лист1": sheet}))


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + b"\x00" * 200,
        hostile.truncated(workbook_bytes({"Кадры": [["a"] * 10] * 200})),
        b"%PDF-1.4\n" + b"0" * 300,
    ],
    ids=["zip header only", "truncated", "pdf renamed"],
)
def test_broken_or_renamed_files_are_refused_in_russian(content):
    with pytest.raises(FileRejected) as refused:
        read_workbook(content)
    assert "Excel" in str(refused.value)
    assert "Техническая причина" not in str(refused.value)


def test_real_sized_sheet_is_measured_exactly():
    rows = [[n, "школа", n * 2.5, None, "x"] for n in range(1, 3001)]
    content = workbook_bytes({"Кадры": [["a", "b", "c", "d", "e"], *rows]})
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sizes = bounds.check_xlsx(archive, bounds.Limits.from_settings())
    sheet = max(sizes, key=lambda s: s.rows)
    assert (sheet.rows, sheet.last_row, sheet.last_column) == (3001, 3001, 5)


def test_hostile_files_stay_within_100_mb_of_memory(tmp_path):
    """Every bomb read in one fresh process: its peak memory grows by under 100 MB."""
    for index, make in enumerate(hostile.BOMBS.values()):
        (tmp_path / f"{index}.xlsx").write_bytes(make())
    script = (
        "import json, os, resource, sys, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'\n"
        "django.setup()\n"
        "from monitoring.importers.reader import FileRejected, read_workbook\n"
        "files = [open(p, 'rb').read() for p in sys.argv[1:]]\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "refused = 0\n"
        "for content in files:\n"
        "    try:\n"
        "        read_workbook(content)\n"
        "    except FileRejected:\n"
        "        refused += 1\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'refused': refused, 'growth_kb': peak - base}))\n"
    )
    paths = sorted(str(p) for p in tmp_path.glob("*.xlsx"))
    done = subprocess.run(
        [sys.executable, "-c", script, *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["refused"] == len(paths)
    assert figures["growth_kb"] < 100 * 1024


# Every door that reads a workbook ------------------------------------------------


def test_monitoring_import_refuses_the_corner_bomb(analyst):
    plan = plan_file(ImportJob.Kind.PACKAGE, hostile.corner(), params={}, by=analyst)
    assert "больше ограничения 500\xa0000\xa0строк" in plan.issues.errors[0].text()


def test_roadmap_table_refuses_the_corner_bomb():
    table = tables.parse(hostile.corner(), school_year=2020)
    assert table.rows == []
    assert "больше ограничения 500\xa0000\xa0строк" in table.errors[0]


def test_operator_posting_the_bomb_to_a_roadmap_gets_the_message(
    client, operator, school
):
    from roadmaps.models import Roadmap
    from tests.factories import AcademicYearFactory

    roadmap = Roadmap.objects.create(
        level=Roadmap.Level.SCHOOL,
        municipality=school.municipality,
        school=school,
        year=AcademicYearFactory(start_year=2020),
        title="Программа",
    )
    client.force_login(operator)
    response = client.post(
        reverse("roadmaps:import", args=[roadmap.pk]),
        {"file": SimpleUploadedFile("карта.xlsx", hostile.corner())},
    )
    assert response.status_code == 200
    assert "больше ограничения 500\xa0000\xa0строк" in response.content.decode()
    assert roadmap.items.count() == 0
