"""An analyst uploads a data package, sees the preview, imports it and sees the summary."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from monitoring.importers.package import SHEETS
from monitoring.models import StaffingData

pytestmark = pytest.mark.e2e


def package_file(tmp_path, values):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Кадры"
    sheet.append([c.header for c in SHEETS["Кадры"]])
    sheet.append(["2021/2022", "sch242702", *values])
    path = tmp_path / "кадры-2021.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


FIGURES = [55, 6, 8, 5, 15, 20, 18, 7, 4, 3, 45, 25, 12, 2, 1, 1, 1, 0]


def test_analyst_imports_a_package(demo, login, tmp_path):
    page = login("mimc")
    page.get_by_role("link", name="Сбор данных", exact=True).click()
    page.get_by_role("link", name="Загрузки файлов").click()
    page.get_by_role("link", name="Загрузить файл").click()
    page.get_by_label("Пакет данных портала (все листы)").check()
    expect(page.get_by_label("Предмет")).to_be_hidden()

    bad = list(FIGURES)
    bad[1] = 60
    page.get_by_label("Файл Excel (.xlsx или .xls)").set_input_files(
        package_file(tmp_path, bad)
    )
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("errors")).to_contain_text(
        'Лист "Кадры", строка 2, столбец "Моложе 30 лет": 60 больше, чем «Учителей всего» (55).'
    )
    expect(page.get_by_role("button", name="Импортировать")).to_have_count(0)

    page.goto(page.url.rsplit("/imports/", 1)[0] + "/imports/new/")
    page.get_by_label("Файл Excel (.xlsx или .xls)").set_input_files(
        package_file(tmp_path, FIGURES)
    )
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("counts")).to_contain_text("Кадры")
    expect(page.get_by_test_id("changes")).to_contain_text("МБОУ «СОШ № 2»")
    page.get_by_role("button", name="Импортировать").click()
    expect(page.get_by_test_id("progress-bar")).to_have_text("100%")
    expect(page.get_by_test_id("job-message")).to_contain_text("Загружено: создано 1")
    page.screenshot(path=tmp_path / "import-done.png", full_page=True)
    assert (
        StaffingData.objects.get(
            report__school__code="sch242702", report__year__start_year=2021
        ).teachers_total
        == 55
    )
