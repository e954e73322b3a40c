"""An analyst studies the identification dashboard, a school profile, and exports the table."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from identification.models import SchoolResult

pytestmark = pytest.mark.e2e


def screenshot(page, tmp_path, name):
    """Keep the screenshot with the test's files (or in $SCREENSHOT_DIR to look at it later)."""
    folder = os.environ.get("SCREENSHOT_DIR") or tmp_path
    page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_analyst_filters_the_dashboard_opens_a_profile_and_exports(
    demo, login, tmp_path
):
    page = login("mimc")
    page.get_by_role("link", name="Выявление").click()
    expect(
        page.get_by_role("heading", name="Выявление ШНОР/ШНСУ на 2021/2022")
    ).to_be_visible()
    table = page.get_by_test_id("results")
    expect(table.locator("tbody tr")).to_have_count(9)

    # The charts load after the page and are drawn with a legend.
    canvas = page.locator("#chart-index")
    expect(canvas).to_be_visible()
    drawn = page.wait_for_function("""() => {
        const chart = window.Chart && Chart.getChart(document.getElementById('chart-index'));
        return chart && chart.legend.legendItems.length >= 2 && chart.data.labels.length === 9;
    }""")
    assert drawn
    painted = page.evaluate("""() => {
        const c = document.getElementById('chart-index'), ctx = c.getContext('2d');
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let coloured = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2])) coloured++;
        return coloured;
    }""")
    assert painted > 500  # coloured bars, not an empty canvas
    screenshot(page, tmp_path, "dashboard.png")

    page.get_by_label("Статус").select_option(label="ШНСУ")
    page.get_by_role("button", name="Показать").click()
    expected = SchoolResult.objects.filter(
        run__status="done", run__target_year__is_current=True, status="ШНСУ"
    ).count()
    expect(table.locator("tbody tr")).to_have_count(expected)
    expect(page.get_by_test_id("found")).to_contain_text(f"Школ: {expected}")

    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    sheet = openpyxl.load_workbook(
        io.BytesIO(Path(download.value.path()).read_bytes())
    ).active
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[5]]
    assert len(rows) == expected
    assert {r[5] for r in rows} == {"ШНСУ"}

    page.get_by_label("Статус").select_option(label="все")
    page.get_by_role("button", name="Показать").click()
    page.get_by_role("link", name="МБОУ «СОШ № 6»").click()
    expect(page.get_by_role("heading", name="МБОУ «СОШ № 6»")).to_be_visible()
    expect(page.get_by_test_id("profile-criteria")).to_contain_text("«2» получили")
    expect(page.get_by_test_id("status-history")).to_contain_text("приказ № 128")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('small-0'))"
    )
    screenshot(page, tmp_path, "profile.png")


@pytest.mark.parametrize("width", [1366, 390])
def test_wide_tables_keep_the_school_column_and_explain_a_cell_on_a_tap(
    demo, login, live_server, width, tmp_path
):
    from identification.models import IdentificationRun
    from monitoring.models import Campaign

    page = login("mimc")
    page.set_viewport_size({"width": width, "height": 900})
    run = IdentificationRun.objects.filter(status="done").order_by("-pk").first()
    campaign = Campaign.objects.filter(is_open=True).order_by("-pk").first()
    for path, test_id in (
        (f"/identification/runs/{run.pk}/dashboard/", "results"),
        (campaign.get_absolute_url(), "matrix"),
        (run.get_absolute_url(), "results"),
    ):
        page.goto(f"{live_server.url}{path}")
        table = page.get_by_test_id(test_id)
        first = table.locator("tbody tr").first.locator("th, td").first
        before = first.bounding_box()["x"]
        scroller = table.locator("xpath=..")
        scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        wide = scroller.evaluate("el => el.scrollWidth > el.clientWidth")
        screenshot(page, tmp_path, f"{test_id}-{path.count('/')}-{width}.png")
        # The school column stays where it was while the rest scrolls under it.
        assert first.bounding_box()["x"] == pytest.approx(before, abs=1), path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        if width == 390:
            assert wide, f"{path}: таблица должна прокручиваться внутри карточки"
    # A tap on a criterion cell shows what a mouse would read in its title.
    page.goto(f"{live_server.url}/identification/runs/{run.pk}/dashboard/")
    cell = page.locator("[data-tip]").first
    cell.scroll_into_view_if_needed()
    cell.click()
    tip = page.locator(".tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_have_text(cell.get_attribute("data-tip"))
