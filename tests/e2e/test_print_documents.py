"""
The five documents of a municipality as printed: no menu or buttons, the
approval block where the document is approved, header rows repeated on every
page, no coloured row backgrounds.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from identification.models import OfficialList
from partnerships.models import GeneralPlan
from roadmaps.models import Roadmap

pytestmark = pytest.mark.e2e


def _documents():
    approved = Roadmap.objects.exclude(order_number="")
    municipal = approved.get(level=Roadmap.Level.MUNICIPAL)
    programme = approved.get(school__isnull=False)
    plan = GeneralPlan.objects.get(status=GeneralPlan.Status.APPROVED)
    official = OfficialList.objects.filter(superseded_at__isnull=True).first()
    return [
        ("дорожная карта", f"{municipal.get_absolute_url()}?print=1", municipal),
        ("программа школы", f"{programme.get_absolute_url()}?print=1", programme),
        (
            "общий план",
            reverse("partnerships:general-plan", args=[plan.campaign_id]) + "?print=1",
            plan,
        ),
        ("утверждённый список", f"{official.get_absolute_url()}?print=1", official),
        (
            "аналитическая справка",
            reverse("identification:run-report", args=[official.run_id]),
            official,
        ),
    ]


TABLE_LOOK = """() => [...document.querySelectorAll('table')].map(t => {
  const head = t.querySelector('thead');
  const cells = [...t.querySelectorAll('tbody td, tbody th, thead th')];
  return {
    head: head ? getComputedStyle(head).display : 'table-header-group',
    coloured: cells.filter(c => {
      const s = getComputedStyle(c);
      const bg = s.backgroundColor;
      return (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'rgb(255, 255, 255)') || s.boxShadow !== 'none';
    }).length,
  };
})"""


@pytest.mark.parametrize("width", [1366, 390])
def test_each_document_prints_as_a_document(
    demo, login, live_server, page, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    login("uo")
    for name, path, approved in _documents():
        page.goto(f"{live_server.url}{path}")
        # On screen: the document page has no menu, and a way back and to print.
        expect(page.get_by_role("navigation", name="Основное меню")).to_have_count(0)
        expect(page.get_by_test_id("print-toolbar")).to_be_visible()
        approval = page.get_by_test_id("approval")
        expect(approval).to_contain_text("УТВЕРЖДЕНО")
        expect(approval).to_contain_text(
            f"приказом № {approved.order_number} от {approved.order_date:%d.%m.%Y}"
        )
        page.emulate_media(media="print")
        page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)
        visible_buttons = page.evaluate(
            "() => [...document.querySelectorAll('button, .btn')]"
            ".filter(b => b.offsetParent !== null).map(b => b.textContent.trim())"
        )
        assert visible_buttons == [], f"{name}: на бумаге кнопки {visible_buttons}"
        expect(approval).to_be_visible()
        tables = page.evaluate(TABLE_LOOK)
        assert tables, f"{name}: нет таблицы"
        for table in tables:
            assert table["head"] == "table-header-group", name
            assert table["coloured"] == 0, f"{name}: цветные ячейки на бумаге"
        page.emulate_media(media="screen")
