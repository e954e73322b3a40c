"""
The steps that once erased three schools' submitted data, walked in the
browser: the template, three rows filled in part, the conflict, the advice
followed with «Заменить», the import — and every stored value is still there.
"""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from monitoring.models import Report, ReportEvent, StaffingData

pytestmark = pytest.mark.e2e

SCHOOLS = ["sch242704", "sch242706", "sch242708"]  # «Кадры» 2020/2021 on review


def stored(code):
    data = StaffingData.objects.get(
        report__school__code=code, report__year__start_year=2020
    )
    return {
        f.name: getattr(data, f.name)
        for f in StaffingData._meta.concrete_fields
        if f.name != "report"
    }


def test_following_the_import_advice_erases_nothing(demo, login, tmp_path, page):
    before = {code: stored(code) for code in SCHOOLS}
    statuses = {
        code: Report.objects.get(
            school__code=code, year__start_year=2020, kind="staffing"
        ).status
        for code in SCHOOLS
    }
    page = login("mimc")
    page.get_by_role("link", name="Сбор данных", exact=True).click()
    page.get_by_role("link", name="Загрузки файлов").click()
    page.get_by_role("button", name="Шаблон пакета данных").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Пустой — только заголовки").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    staff = book["Кадры"]
    assert staff.max_row == 1  # headers only: no rows to contradict the portal
    headers = [c.value for c in staff[1]]
    total = headers.index("Учителей всего")
    for code in SCHOOLS:  # three rows, filled only in part
        row = [None] * len(headers)
        row[0], row[1] = "2020/2021", code
        row[total] = before[code]["teachers_total"] + 2
        staff.append(row)
    path = tmp_path / "кадры-три-школы.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())

    page.get_by_role("link", name="Загрузить файл").click()
    page.get_by_label("Пакет данных портала (все листы)").check()
    page.get_by_label("Файл Excel (.xlsx или .xls)").set_input_files(path)
    page.get_by_role("button", name="Проверить файл").click()
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("записано другое: «Учителей всего»")
    expect(errors).to_contain_text("заменятся только значения, которые есть в файле")
    expect(errors).not_to_contain_text("пусто")

    # The advice followed: the same file with «Заменить значения из файла».
    page.goto(page.url.rsplit("/imports/", 1)[0] + "/imports/new/")
    page.get_by_label("Пакет данных портала (все листы)").check()
    page.get_by_label("Файл Excel (.xlsx или .xls)").set_input_files(path)
    page.get_by_label("Заменить значения из файла").check()
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("report-counts")).to_contain_text("изменится — 3")
    expect(page.get_by_test_id("reviewed-warning")).to_be_visible()
    changes = page.get_by_test_id("field-changes")
    expect(changes).to_have_count(3)
    for index, code in enumerate(SCHOOLS):
        old = before[code]["teachers_total"]
        expect(changes.nth(index)).to_have_text(f"Учителей всего: {old} → {old + 2}")
    expect(page.get_by_test_id("erasures")).to_have_count(0)
    page.screenshot(path=tmp_path / "preview.png", full_page=True)
    page.get_by_role("button", name="Импортировать").click()
    expect(page.get_by_test_id("job-message")).to_contain_text("обновлено 3")

    for code in SCHOOLS:
        after = stored(code)
        assert after["teachers_total"] == before[code]["teachers_total"] + 2
        assert {k: v for k, v in after.items() if k != "teachers_total"} == {
            k: v for k, v in before[code].items() if k != "teachers_total"
        }
        report = Report.objects.get(
            school__code=code, year__start_year=2020, kind="staffing"
        )
        assert report.status == statuses[code]
        event = ReportEvent.objects.filter(report=report, action="import").latest("pk")
        assert event.by.username == "mimc"
        assert "«Учителей всего»" in event.reason
