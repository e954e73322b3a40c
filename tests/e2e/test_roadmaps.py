"""The analyst imports seed 004's roadmap, the department approves it, a school reports an item done with a file."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roadmaps.models import Item
from roadmaps.seed004 import ROWS
from tests.roadmaps.conftest import seed_table

pytestmark = pytest.mark.e2e


def test_import_approve_and_report_execution(demo, login, page, live_server, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[11][3] = (
        "Отдел образования, МБУ «МИМЦ», МБОУ «СОШ № 6»"  # the school is a co-executor of item 12
    )
    table = tmp_path / "дорожная-карта.xlsx"
    table.write_bytes(seed_table(rows))

    login("mimc")
    page.get_by_role("link", name="Дорожные карты").click()
    page.get_by_role("link", name="Новая карта").click()
    page.get_by_label("Название").fill("Дорожная карта 2020-2021 (из таблицы)")
    page.get_by_label("Учебный год").select_option(label="2020/2021")
    page.get_by_role("button", name="Создать").click()
    page.get_by_role("link", name="Загрузить из Excel").click()
    page.get_by_label("Таблица Excel (.xlsx или .xls)").set_input_files(table)
    page.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_text("Загружено мероприятий: 14.")).to_be_visible()
    expect(page.get_by_test_id("items").locator("tbody tr")).to_have_count(14)
    expect(page.get_by_test_id("items")).to_contain_text("сентябрь – октябрь 2020 года")
    page.get_by_role("button", name="Отправить на утверждение").click()
    roadmap_url = page.url

    page.context.clear_cookies()
    login("uo")
    page.goto(roadmap_url)
    page.get_by_label("Номер приказа").fill("95")
    today = timezone.localdate()
    page.get_by_label("Дата приказа").fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Утвердить").click()
    expect(
        page.get_by_text(f"Карта утверждена: приказ № 95 от {today:%d.%m.%Y}.")
    ).to_be_visible()

    page.context.clear_cookies()
    login("sch242706")
    page.goto(roadmap_url)
    items = page.get_by_test_id("items")
    expect(items.locator("tbody tr")).to_have_count(
        1
    )  # the school sees only its own item
    items.get_by_role("link").first.click()
    page.get_by_label("Что сделано").fill(
        "Три учителя прошли КПК «Работа со слабоуспевающими»"
    )
    page.get_by_label("Мероприятие выполнено").check()
    evidence = tmp_path / "удостоверения.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% test")
    page.get_by_label("Файл-подтверждение").set_input_files(evidence)
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_test_id("item-state")).to_have_text("выполнено")
    expect(page.get_by_test_id("evidence")).to_contain_text("удостоверения")
    page.screenshot(path=tmp_path / "item-done.png", full_page=True)
    item = Item.objects.get(
        roadmap__title="Дорожная карта 2020-2021 (из таблицы)", number="12"
    )
    assert item.done_at is not None
    assert item.evidence.count() == 1
