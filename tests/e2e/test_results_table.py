"""
The results table in a real browser: after «Добавить строку» and after a post
with errors the live «Доля «2», качество» column is filled and in view, and a
row's errors have a line of their own under it, not inside its narrow cells.
Screenshots at both widths go to /tmp/shots for a person to look at.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from monitoring.models import Report

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
WIDTHS = [1366, 390]

# Whether an element lies inside the visible part of its table's sideways
# scroller and nothing covers its middle (the table scrolled fully left).
IN_VIEW = """element => {
    const box = element.getBoundingClientRect();
    const frame = element.closest(".table-responsive").getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return box.width > 0 && box.left >= frame.left - 1 && box.right <= frame.right + 1
        && hit !== null && element.contains(hit);
}"""
# Bring a row into the window vertically, with its table scrolled fully left
# (at once: Bootstrap makes the page's own scrolling smooth).
SHOW_ROW = """row => {
    row.closest(".table-responsive").scrollTo({left: 0, behavior: "instant"});
    const top = row.getBoundingClientRect().top + window.scrollY - 150;
    window.scrollTo({top: top, behavior: "instant"});
}"""


@pytest.fixture
def results(demo, login, page, live_server):
    """The results form of the demo's draft ООШ № 5 (2020/2021), as its operator."""
    report = Report.objects.get(
        school__code="sch242705", year__start_year=2020, kind="results"
    )
    login("sch242705")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    return report


def add_row(page, counts):
    page.get_by_role("button", name="Добавить строку").first.click()
    row = page.locator("#results-table tr.result-row").last
    row.locator('[name$="-procedure"]').select_option("ВПР")
    row.locator('[name$="-subject"]').select_option(label="биология")
    row.locator('[name$="-grade"]').fill("5")
    for name, value in counts.items():
        row.locator(f'[name$="-{name}"]').fill(value)
    return row


def assert_in_view(row, element):
    row.evaluate(SHOW_ROW)
    assert element.evaluate(IN_VIEW), "скрыто за краем таблицы"


@pytest.mark.parametrize("width", WIDTHS)
def test_an_added_row_shows_its_shares_live_and_in_view(results, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    row = add_row(
        page,
        {"participants": "20", "mark2": "2", "mark3": "8", "mark4": "6", "mark5": "4"},
    )
    cell = row.locator(".derived-cell")
    expect(cell).to_have_text("«2»: 10 % · кач.: 50 %")
    expect(row.locator('[name$="-mean_score"]')).to_have_value("3,60")
    assert_in_view(row, cell)
    header = page.locator("#results-table thead tr")
    assert_in_view(header, header.locator("th.derived"))
    row.evaluate(SHOW_ROW)
    page.screenshot(path=SHOTS / f"results-added-{width}.png")


@pytest.mark.parametrize("width", WIDTHS)
def test_after_errors_the_shares_stay_and_errors_get_their_own_line(
    results, page, width
):
    page.set_viewport_size({"width": width, "height": 900})
    version = results.version
    # The marks add up to 19 of 20 participants: an error of «Участников».
    added = add_row(
        page,
        {"participants": "20", "mark2": "2", "mark3": "8", "mark4": "6", "mark5": "3"},
    )
    first = page.locator("#results-table tr.result-row").first
    first.locator('[name$="-participants"]').fill("90")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("В таблице есть ошибки")

    rows = page.locator("#results-table tr.result-row")
    added, first = rows.last, rows.first
    expect(added.locator('[name$="-participants"]')).to_have_value("20")
    # Every row with participants has its shares again, computed on load.
    for row in rows.all():
        if row.locator('[name$="-participants"]').input_value():
            expect(row.locator(".derived-cell")).not_to_be_empty()
    expect(added.locator(".derived-cell")).to_have_text(
        "«2»: 10 % · кач.: 45 % · сумма отметок 19 ≠ 20"
    )
    assert_in_view(added, added.locator(".derived-cell"))

    for row, message in (
        (added, "Сумма отметок «2»–«5» (19) не равна числу участников (20)."),
        (first, "Сумма отметок «2»–«5» (19) не равна числу участников (90)."),
    ):
        problems = row.locator("xpath=following-sibling::tr[1]")
        expect(problems).to_have_class("row-problems table-danger")
        expect(problems).to_contain_text(f"Участников: {message}")
        participants = row.locator('[name$="-participants"]')
        expect(participants).to_have_class("form-control form-control-sm is-invalid")
        described = participants.get_attribute("aria-describedby")
        expect(page.locator(f"#{described}")).to_contain_text(message)
        # The «Участников» cell holds its input only, at least as wide as it.
        cell = participants.locator("xpath=..")
        expect(cell).to_have_text("")
        widths = cell.evaluate(
            "td => [td.getBoundingClientRect().width,"
            " td.querySelector('input').getBoundingClientRect().width]"
        )
        assert widths[0] >= widths[1] >= 4.5 * 16 - 1
        assert_in_view(row, problems.locator("li").first)
    added.evaluate(SHOW_ROW)
    page.screenshot(path=SHOTS / f"results-errors-{width}.png")
    results.refresh_from_db()
    assert results.version == version
