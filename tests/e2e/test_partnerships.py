"""Seed 000's steps 1–4 in the browser: a school proposes, the partner accepts, the plan is approved, the general plan is approved."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnerships.models import GeneralPlan, Partnership

pytestmark = pytest.mark.e2e


def test_propose_accept_plan_approve_and_general_plan(demo, login, page, live_server):
    # 1. СОШ № 4 (ШНСУ, no partner yet) chooses «Гимназия» from the ranked candidates.
    login("sch242704")
    page.get_by_role("link", name="Партнёрство", exact=True).click()
    choose = page.get_by_test_id("choose-partner")
    expect(choose).to_contain_text("МБОУ «Лицей»")
    expect(choose.locator("tbody tr").last).to_contain_text(
        "мест нет"
    )  # the Лицей already supports two schools
    page.get_by_label("Школа-партнёр").select_option(label="МБОУ «Гимназия»")
    page.get_by_label("методическая").check()
    page.get_by_label("Цели партнёрства").fill(
        "Работа с семьями в сложной социальной ситуации"
    )
    page.get_by_role("button", name="Предложить партнёрство").click()
    expect(page.get_by_test_id("partnership-status")).to_contain_text(
        "предложено партнёру"
    )
    partnership_url = page.url

    # 2. The Гимназия's operator sees the proposal and accepts it, then both schools plan.
    page.context.clear_cookies()
    login("sch242710")
    page.get_by_role("link", name="Партнёрство", exact=True).click()
    page.get_by_test_id("incoming").get_by_role(
        "link", name="Посмотреть и ответить"
    ).click()
    page.get_by_role("button", name="Согласиться").click()
    expect(page.get_by_test_id("partnership-status")).to_contain_text(
        "партнёр согласен"
    )
    page.get_by_role("link", name="Мероприятие").click()
    page.get_by_label("Мероприятие").fill("Открытые уроки в 5 классах")
    page.get_by_label("Форма").select_option(label="открытые уроки")
    page.get_by_label("Дата начала").fill(
        "2022-08-15"
    )  # outside 2021/2022 — refused with the reason
    page.get_by_label("Дата окончания").fill("2022-09-15")
    page.get_by_label("Ответственный от школы").fill(
        "заместитель директора по УВР СОШ № 4"
    )
    page.get_by_label("Ответственный от партнёра").fill("руководитель МО Гимназии")
    page.get_by_role("button", name="Сохранить").click()
    expect(
        page.get_by_text("Мероприятия плана — в пределах учебного года 2021/2022")
    ).to_be_visible()
    page.get_by_label("Дата окончания").fill("2022-02-18")
    page.get_by_label("Дата начала").fill("2022-02-14")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_test_id("activities")).to_contain_text(
        "Открытые уроки в 5 классах"
    )

    # 3. The weak school sends the plan; the demo's deadline (25.11.2021) has passed, so it is marked late.
    page.context.clear_cookies()
    login("sch242704")
    page.goto(partnership_url)
    page.get_by_role("button", name="Направить план в МИМЦ").click()
    expect(page.get_by_text("после срока, это будет видно МИМЦ")).to_be_visible()
    page.context.clear_cookies()
    login("mimc")
    page.goto(partnership_url)
    page.get_by_role("button", name="Согласовать план").click()
    expect(page.get_by_test_id("partnership-status")).to_contain_text("план согласован")
    expect(page.get_by_test_id("partnership-status")).to_contain_text("после срока")

    # 4. МИМЦ compiles the general plan and sends it; the department approves it by order.
    page.get_by_role("link", name="Партнёрство", exact=True).first.click()
    page.get_by_role("link", name="Общий план").click()
    page.get_by_role("button", name="Составить из согласованных планов").click()
    expect(page.get_by_test_id("plan-pair")).to_have_count(4)
    expect(page.get_by_text("МБОУ «СОШ № 4» — МБОУ «Гимназия»")).to_be_visible()
    expect(page.get_by_test_id("plan-month").first).to_be_visible()
    page.get_by_role("button", name="Направить в управление образования").click()
    plan_url = page.url
    page.context.clear_cookies()
    login("uo")
    page.goto(plan_url)
    page.get_by_label("Номер приказа").fill("140")
    today = timezone.localdate()  # the plan went to the department today
    page.get_by_label("Дата приказа").fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Утвердить общий план").click()
    expect(
        page.get_by_text(f"Общий план утверждён: приказ № 140 от {today:%d.%m.%Y}.")
    ).to_be_visible()

    pair = Partnership.objects.get(school__code="sch242704")
    assert pair.status == Partnership.Status.APPROVED
    assert pair.is_late
    plan = GeneralPlan.objects.get(campaign=pair.campaign)
    assert plan.status == GeneralPlan.Status.APPROVED
    assert plan.order_number == "140"
    assert any(
        row["school"] == "МБОУ «СОШ № 4»"
        and row["title"] == "Открытые уроки в 5 классах"
        for row in plan.rows
    )
