"""A staffing report goes round the whole workflow in a real browser."""

import pytest
from playwright.sync_api import expect

from monitoring.models import Report, StaffingData

pytestmark = pytest.mark.e2e

FIGURES = {
    "Учителей всего": "52",
    "Моложе 30 лет": "6",
    "Пенсионного возраста": "8",
    "Стаж до 3 лет": "5",
    "Высшая категория": "15",
    "Первая категория": "20",
    "Подтвердили или повысили категорию за 3 года": "18",
    "Имеют удостоверение о КПК за 3 года": "45",
    "Прошли диагностику профессиональных дефицитов": "25",
    "Прошли оценку предметных компетенций": "12",
    "Участники региональных и всероссийских профконкурсов за 3 года": "4",
    "Нагрузка 1,5 ставки и более": "9",
    "Ведут предметы не по профилю образования": "3",
    "Вакантных ставок": "2",
    "Педагогов-психологов": "1",
    "Социальных педагогов": "1",
    "Учителей-логопедов": "1",
    "Учителей-дефектологов": "0",
}


@pytest.fixture
def sign_in(browser, live_server, browser_context_args):
    """Return a function that opens a fresh browser session for a demo user."""

    contexts = []

    def open_as(username):
        contexts.append(browser.new_context(**browser_context_args))
        page = contexts[-1].new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill("demo12345")
        page.get_by_role("button", name="Войти").click()
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_staffing_report_round_trip(demo, sign_in, live_server, tmp_path):
    report = Report.objects.get(
        school__code="sch242701", year__start_year=2021, kind="staffing"
    )
    operator = sign_in("sch242701")
    panel = operator.get_by_test_id("campaigns-panel")
    expect(panel).to_contain_text("осталось 10 дней")
    panel.locator("div.card-body", has_text="2021/2022").get_by_role(
        "link", name="Кадры"
    ).click()
    expect(operator.get_by_role("heading", level=1)).to_contain_text("Кадры")

    for label, value in FIGURES.items():
        operator.get_by_label(label, exact=True).fill(value)
    operator.get_by_label("Моложе 30 лет", exact=True).fill("60")
    expect(operator.locator('[data-share-for="under_30"]')).to_have_text(
        "больше, чем «Учителей всего»"
    )
    expect(operator.get_by_test_id("derived")).to_contain_text("67,3")  # (15 + 20) / 52
    operator.get_by_role("button", name="Сохранить и сдать на проверку").click()
    expect(operator.get_by_test_id("form-errors")).to_contain_text("Проверьте форму")
    expect(
        operator.locator(
            "#id_under_30-error", has_text="60 больше, чем «Учителей всего» (52)."
        )
    ).to_be_visible()
    expect(operator.get_by_test_id("form-errors")).to_contain_text(
        "Моложе 30 лет: 60 больше, чем «Учителей всего» (52)."
    )
    expect(operator.get_by_label("Вакантных ставок", exact=True)).to_have_value("2")
    operator.screenshot(path=tmp_path / "staffing-error.png", full_page=True)

    operator.get_by_label("Моложе 30 лет", exact=True).fill("6")
    operator.get_by_role("button", name="Сохранить и сдать на проверку").click()
    expect(operator.get_by_test_id("report-status")).to_have_text("на проверке")

    analyst = sign_in("mimc")
    analyst.goto(f"{live_server.url}{report.get_absolute_url()}")
    analyst.get_by_label("Вернуть на доработку — причина для школы:").fill(
        "Уточните число вакантных ставок по штатному расписанию."
    )
    analyst.get_by_role("button", name="Вернуть на доработку").click()
    expect(analyst.get_by_test_id("report-status")).to_have_text("возвращён")

    # The school learns of it from the bell: the notice names the report and
    # the reason, and opens the report.
    operator.reload()
    expect(operator.get_by_test_id("notices-count")).to_be_visible()
    operator.get_by_test_id("notices").click()
    notice = operator.get_by_test_id("notice").first
    expect(notice).to_contain_text("Возвращён на доработку: «Кадры»")
    expect(notice).to_contain_text("Уточните число вакантных ставок")
    operator.screenshot(path=tmp_path / "notices.png", full_page=True)
    width = operator.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"страница уведомлений шире окна: {width}px"
    notice.get_by_role("button", name="Открыть").click()
    expect(operator.get_by_test_id("return-reason")).to_contain_text(
        "Уточните число вакантных ставок"
    )
    operator.get_by_label("Вакантных ставок", exact=True).fill("3")
    operator.get_by_role("button", name="Сохранить и сдать на проверку").click()
    expect(operator.get_by_test_id("report-status")).to_have_text("на проверке")

    analyst.reload()
    analyst.get_by_role("button", name="Принять").click()
    expect(analyst.get_by_test_id("report-status")).to_have_text("принят")

    operator.reload()
    expect(operator.get_by_test_id("report-form")).to_have_count(0)
    expect(operator.get_by_test_id("report-values").first).to_contain_text(
        "Учителей всего"
    )
    expect(
        operator.get_by_text("Отчёт принят МИМЦ и закрыт для изменений.")
    ).to_be_visible()
    assert StaffingData.objects.get(report=report).vacancies == 3
    assert list(report.events.order_by("pk").values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "accept",
    ]


def test_the_mean_mark_follows_the_counts_as_they_are_typed(demo, sign_in, live_server):
    # The demo's СОШ sch242705 has its 2020/2021 reports still in draft.
    report = Report.objects.get(
        school__code="sch242705", year__start_year=2020, kind="results"
    )
    operator = sign_in("sch242705")
    operator.goto(f"{live_server.url}{report.get_absolute_url()}")
    row = (
        operator.locator(".result-row")
        .filter(has=operator.locator('input[name$="-procedure"][value="ВПР"]'))
        .first
    )
    for name, value in (("mark2", "12"), ("mark3", "13"), ("mark4", "7")):
        row.locator(f'[name$="-{name}"]').fill(value)
    mean = row.locator('[name$="-mean_score"]')
    row.locator('[name$="-mark5"]').fill("")
    # Not all counts: the mean is not computed (and may be typed).
    expect(mean).to_have_value("")
    expect(mean).not_to_have_attribute("readonly", "")
    row.locator('[name$="-mark5"]').fill("3")
    # (12·2 + 13·3 + 7·4 + 3·5) / 35 = 3,03, read-only.
    expect(mean).to_have_value("3,03")
    expect(mean).to_have_attribute("readonly", "")
