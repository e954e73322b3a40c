"""Monitoring pages: forms in Russian, workflow by role, access by URL and by tampering."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import html

from monitoring import services
from monitoring.models import Campaign, Report, ReportKind, StaffingData
from monitoring.validation import MISSING, NO_RESULTS
from tests.factories import STAFFING, SchoolFactory, subject

Status = Report.Status


def form_data(report, values=STAFFING, **extra):
    data = {name: "" if value is None else str(value) for name, value in values.items()}
    return {**data, "version": str(report.version), **extra}


def url(report, step=""):
    return reverse(f"monitoring:report-{step or 'detail'}", args=[report.pk])


# Operator fills in --------------------------------------------------------------------


def test_operator_sees_form_with_last_year_and_sections(
    client_for, operator, staffing, school
):
    from tests.factories import AcademicYearFactory

    old = Report.objects.create(
        school=school, year=AcademicYearFactory(start_year=2019), kind="staffing"
    )
    StaffingData.objects.create(report=old, **{**STAFFING, "teachers_total": 38})
    body = client_for(operator).get(url(staffing)).content.decode()
    assert "Квалификация и развитие" in body
    assert "2019/2020: 38" in body
    assert "Сохранить и сдать на проверку" in body


def test_form_error_is_russian_next_to_field_and_values_are_kept(
    client_for, operator, staffing
):
    response = client_for(operator).post(
        url(staffing),
        form_data(staffing, {**STAFFING, "under_30": "45", "vacancies": "7"}),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "45 больше, чем «Учителей всего» (40)." in body
    assert "Проверьте форму: есть ошибки." in body
    assert 'value="7"' in body
    assert not StaffingData.objects.filter(report=staffing).exists()


def test_text_in_number_field_is_refused_in_russian(client_for, operator, staffing):
    body = (
        client_for(operator)
        .post(url(staffing), form_data(staffing, {**STAFFING, "under_30": "пять"}))
        .content.decode()
    )
    assert "Введите целое число (без пробелов и букв)." in body


def test_comma_decimal_is_read_for_noko(
    client_for, operator, campaign, school, analyst, municipality
):
    from monitoring.models import OutcomesData
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(
        municipality=municipality,
        year=campaign.year,
        kinds=["outcomes"],
        created_by=analyst,
    )
    report = Report.objects.create(
        school=school, year=campaign.year, kind="outcomes", campaign=campaign
    )
    values = {
        "grade9_graduates": 50,
        "continued_grade10": 30,
        "olympiad_participants": 2,
        "attested": 300,
        "attested_good": 120,
        "attested_failing": 3,
        "noko_satisfaction": "78,5",
    }
    client_for(operator).post(url(report), form_data(report, values))
    assert str(OutcomesData.objects.get(report=report).noko_satisfaction) == "78.50"


def test_operator_saves_then_submits(client_for, operator, staffing):
    client = client_for(operator)
    response = client.post(
        url(staffing, "save-submit"), form_data(staffing), follow=True
    )
    staffing.refresh_from_db()
    assert staffing.status == Status.SUBMITTED
    assert "Отчёт сдан на проверку в МИМЦ." in response.content.decode()


def test_the_draft_button_only_saves_and_submitting_has_its_own_url(
    client_for, operator, staffing
):
    client = client_for(operator)
    page = client.get(url(staffing)).content.decode()
    assert f'formaction="{url(staffing, "save-submit")}"' in page
    # A button value from an old page changes nothing: the form's own URL saves a draft.
    client.post(url(staffing), form_data(staffing, action="submit"))
    staffing.refresh_from_db()
    assert (staffing.status, staffing.version) == (Status.DRAFT, 1)


def field_input(body, name):
    """The report form's <input> of a figure and the error shown under it."""
    tree = html.fromstring(body)
    (element,) = tree.xpath(f'//input[@id="id_{name}"]')
    feedback = tree.xpath(f'//div[@id="id_{name}-error"]')
    return element, feedback[0].text_content().strip() if feedback else None


def test_submit_with_empty_fields_names_and_marks_them_and_saves_nothing(
    client_for, operator, staffing
):
    values = {**STAFFING, "under_30": None, "defectologists": None, "vacancies": 3}
    response = client_for(operator).post(
        url(staffing, "save-submit"), form_data(staffing, values)
    )
    body = response.content.decode()
    assert response.status_code == 200
    # The summary names the empty figures by their labels, each a link to its field.
    summary = html.fromstring(body).xpath('//li[@data-testid="missing-fields"]')[0]
    assert summary.text_content().split()[:3] == ["Для", "сдачи", "заполните:"]
    assert [(a.get("href"), a.text) for a in summary.xpath(".//a")] == [
        ("#id_under_30", "Моложе 30 лет"),
        ("#id_defectologists", "Учителей-дефектологов"),
    ]
    # Not repeated as one line per field below it.
    assert body.count(MISSING) == 2
    # Each empty figure is marked at the field, with the message under it.
    for name in ("under_30", "defectologists"):
        element, error = field_input(body, name)
        assert "is-invalid" in element.get("class").split()
        assert element.get("aria-describedby") == f"id_{name}-error"
        assert error == MISSING
    element, error = field_input(body, "vacancies")
    assert "is-invalid" not in element.get("class").split()
    assert (element.get("value"), error) == ("3", None)
    # Nothing is saved, nothing is submitted.
    staffing.refresh_from_db()
    assert (staffing.status, staffing.version) == (Status.DRAFT, 0)
    assert not StaffingData.objects.filter(report=staffing).exists()


def test_submit_marks_empty_fields_beside_other_errors(client_for, operator, staffing):
    values = {**STAFFING, "under_30": "пять", "defectologists": None}
    body = (
        client_for(operator)
        .post(url(staffing, "save-submit"), form_data(staffing, values))
        .content.decode()
    )
    assert (
        field_input(body, "under_30")[1] == "Введите целое число (без пробелов и букв)."
    )
    assert field_input(body, "defectologists")[1] == MISSING
    summary = html.fromstring(body).xpath('//li[@data-testid="missing-fields"]')[0]
    assert [a.text for a in summary.xpath(".//a")] == ["Учителей-дефектологов"]
    assert "Моложе 30 лет</a>: Введите целое число" in body


def test_the_draft_button_saves_with_empty_fields(client_for, operator, staffing):
    values = {**STAFFING, "defectologists": None}
    response = client_for(operator).post(url(staffing), form_data(staffing, values))
    assert response.status_code == 302
    assert StaffingData.objects.get(report=staffing).defectologists is None


def test_submitting_a_saved_incomplete_draft_names_the_fields(
    client_for, operator, staffing
):
    services.report_save_figures(
        report=staffing,
        values={**STAFFING, "under_30": None, "vacancies": None},
        expected_version=0,
        by=operator,
    )
    response = client_for(operator).post(url(staffing, "submit"), follow=True)
    body = response.content.decode()
    assert "Для сдачи заполните: «Моложе 30 лет», «Вакантных ставок»" in body
    assert body.count("Для сдачи заполните") == 1
    staffing.refresh_from_db()
    assert staffing.status == Status.DRAFT


def test_warning_needs_confirmation_and_keeps_values(
    client_for, operator, staffing, campaign, school
):
    social = campaign.reports.get(school=school, kind=ReportKind.SOCIAL)
    services.report_save_figures(
        report=social, values={"pupils_total": 100}, expected_version=0, by=operator
    )
    client = client_for(operator)
    body = client.post(url(staffing), form_data(staffing)).content.decode()
    assert "Учителей на 100 обучающихся — 40 (40 на 100)" in body
    assert "Я проверил(а) необычные значения" in body
    assert not StaffingData.objects.filter(report=staffing).exists()
    client.post(url(staffing), form_data(staffing, confirm_warnings="on"))
    assert StaffingData.objects.get(report=staffing).teachers_total == 40


def test_concurrent_save_is_refused_and_shows_the_other_values(
    client_for, operator, analyst, filled_staffing
):
    stale = form_data(filled_staffing, {**STAFFING, "vacancies": 5})
    services.report_save_figures(
        report=filled_staffing,
        values={**STAFFING, "vacancies": 2},
        expected_version=1,
        by=analyst,
    )
    body = client_for(operator).post(url(filled_staffing), stale).content.decode()
    assert "Ваши изменения не сохранены" in body
    assert "сейчас в отчёте: 2" in body
    assert 'value="5"' in body
    assert StaffingData.objects.get(report=filled_staffing).vacancies == 2


def test_submitted_report_is_read_only_for_operator(
    client_for, operator, filled_staffing
):
    services.report_submit(report=filled_staffing, by=operator)
    client = client_for(operator)
    body = client.get(url(filled_staffing)).content.decode()
    assert 'data-testid="report-form"' not in body
    assert (
        client.post(url(filled_staffing), form_data(filled_staffing)).status_code == 403
    )


def test_accepted_report_is_read_only_for_everyone(
    client_for, operator, analyst, filled_staffing
):
    services.report_submit(report=filled_staffing, by=operator)
    services.report_accept(report=filled_staffing, by=analyst)
    for person in (operator, analyst):
        client = client_for(person)
        assert (
            client.post(
                url(filled_staffing),
                form_data(filled_staffing, {**STAFFING, "vacancies": 9}),
            ).status_code
            == 403
        )
    assert StaffingData.objects.get(report=filled_staffing).vacancies == 1


# Analyst reviews ----------------------------------------------------------------


def test_analyst_returns_with_reason_then_accepts(
    client_for, operator, analyst, filled_staffing
):
    services.report_submit(report=filled_staffing, by=operator)
    client = client_for(analyst)
    response = client.post(url(filled_staffing, "return"), {"reason": ""}, follow=True)
    assert "Напишите причину" in response.content.decode()
    client.post(url(filled_staffing, "return"), {"reason": "Уточните вакансии"})
    filled_staffing.refresh_from_db()
    assert filled_staffing.status == Status.RETURNED
    body = client_for(operator).get(url(filled_staffing)).content.decode()
    assert "Уточните вакансии" in body


def test_analyst_corrects_submitted_report_recorded_as_theirs(
    client_for, operator, analyst, filled_staffing
):
    services.report_submit(report=filled_staffing, by=operator)
    client_for(analyst).post(
        url(filled_staffing), form_data(filled_staffing, {**STAFFING, "vacancies": 4})
    )
    record = StaffingData.history.filter(report_id=filled_staffing.pk).first()
    assert record.vacancies == 4
    assert record.history_user == analyst


def test_history_page_lists_changes(client_for, operator, filled_staffing):
    body = client_for(operator).get(url(filled_staffing, "history")).content.decode()
    assert "Учителей всего" in body
    assert "внесено" in body


@pytest.mark.parametrize("step", ["accept", "return", "reopen"])
def test_operator_cannot_review_own_report(client_for, operator, filled_staffing, step):
    services.report_submit(report=filled_staffing, by=operator)
    assert (
        client_for(operator)
        .post(url(filled_staffing, step), {"reason": "x"})
        .status_code
        == 403
    )
    filled_staffing.refresh_from_db()
    assert filled_staffing.status == Status.SUBMITTED


def test_approver_reads_but_cannot_change(
    client_for, approver, operator, filled_staffing
):
    client = client_for(approver)
    assert client.get(url(filled_staffing)).status_code == 200
    assert (
        client.post(url(filled_staffing), form_data(filled_staffing)).status_code == 403
    )
    services.report_submit(report=filled_staffing, by=operator)
    assert client.post(url(filled_staffing, "accept")).status_code == 403


# Access by URL and tampering ---------------------------------------------------------------


def test_operator_cannot_open_or_change_another_schools_report(
    client_for, operator, campaign, neighbour_school
):
    other = campaign.reports.get(school=neighbour_school, kind=ReportKind.STAFFING)
    client = client_for(operator)
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other), form_data(other)).status_code == 404
    assert client.post(url(other, "submit")).status_code == 404
    assert client.get(url(other, "history")).status_code == 404
    assert not StaffingData.objects.filter(report=other).exists()


def test_analyst_of_other_municipality_sees_nothing(
    client_for, foreign_analyst, campaign, staffing
):
    client = client_for(foreign_analyst)
    assert client.get(url(staffing)).status_code == 404
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("monitoring:campaign-accept", args=[campaign.pk]),
            {"reports": [staffing.pk]},
        ).status_code
        == 404
    )
    assert (
        campaign.title not in client.get(reverse("monitoring:index")).content.decode()
    )


def test_bulk_accept_ignores_tampered_foreign_report_ids(
    client_for, analyst, operator, campaign, filled_staffing, foreign_school, year
):
    foreign = Report.objects.create(
        school=foreign_school, year=year, kind="staffing", status=Status.SUBMITTED
    )
    services.report_submit(report=filled_staffing, by=operator)
    client_for(analyst).post(
        reverse("monitoring:campaign-accept", args=[campaign.pk]),
        {"reports": [filled_staffing.pk, foreign.pk]},
    )
    foreign.refresh_from_db()
    filled_staffing.refresh_from_db()
    assert foreign.status == Status.SUBMITTED
    assert filled_staffing.status == Status.ACCEPTED


def test_operator_cannot_create_or_manage_campaigns(client_for, operator, campaign):
    client = client_for(operator)
    assert client.get(reverse("monitoring:campaign-create")).status_code == 403
    assert client.post(
        reverse("monitoring:campaign-close", args=[campaign.pk])
    ).status_code in (403, 404)
    campaign.refresh_from_db()
    assert campaign.is_open


@pytest.mark.parametrize("name", ["monitoring:index", "monitoring:campaign-create"])
def test_anonymous_goes_to_login(client, db, name):
    assert client.get(reverse(name)).url.startswith(reverse("login"))


# Campaigns and completeness -------------------------------------------------------------


def test_analyst_opens_campaign_in_browser(
    client_for, analyst, municipality, school, year
):
    response = client_for(analyst).post(
        reverse("monitoring:campaign-create"),
        {
            "municipality": municipality.pk,
            "year": year.pk,
            "title": "Мониторинг 2020/2021",
            "kinds": ["staffing", "social"],
            "deadline": "2021-10-15",
            "order_number": "№ 107",
            "order_date": "2020-09-23",
        },
    )
    campaign = Campaign.objects.get()
    assert response.url == campaign.get_absolute_url()
    assert campaign.order_label == "приказ № 107 от 23.09.2020"
    assert campaign.reports.count() == 2


def test_campaign_form_needs_order_and_deadline(
    client_for, analyst, municipality, year
):
    body = (
        client_for(analyst)
        .post(
            reverse("monitoring:campaign-create"),
            {
                "municipality": municipality.pk,
                "year": year.pk,
                "title": "М",
                "kinds": ["staffing"],
            },
        )
        .content.decode()
    )
    assert body.count("Обязательное поле.") >= 3
    assert not Campaign.objects.exists()


def test_operator_home_shows_open_campaign_with_days_left(
    client_for, operator, campaign, time_machine
):
    time_machine.move_to(dt.datetime(2021, 10, 10, 12, 0, tzinfo=dt.UTC))
    body = client_for(operator).get("/").content.decode()
    assert campaign.title in body
    assert "осталось 5 дней" in body


def test_matrix_marks_overdue_in_red_and_filters(
    client_for, analyst, operator, campaign, filled_staffing, time_machine
):
    time_machine.move_to(dt.datetime(2021, 10, 20, 12, 0, tzinfo=dt.UTC))
    services.report_submit(report=filled_staffing, by=operator)
    client = client_for(analyst)
    body = client.get(campaign.get_absolute_url()).content.decode()
    assert "просрочен" in body
    assert "table-danger" in body
    filtered = client.get(
        campaign.get_absolute_url(), {"status": "submitted"}
    ).content.decode()
    assert filled_staffing.school.short_name in filtered
    assert "МБОУ «СОШ № 2»" not in filtered


def test_matrix_query_count_is_constant(
    client_for, analyst, municipality, year, django_assert_max_num_queries
):
    client = client_for(analyst)

    def make_campaign(n):
        SchoolFactory.create_batch(n, municipality=municipality)
        Campaign.objects.all().update(is_open=False)
        return services.campaign_create(
            data={
                "municipality": municipality,
                "year": year,
                "title": f"К{n}",
                "kinds": list(ReportKind.values),
                "deadline": dt.date(2021, 10, 1),
                "order_number": "1",
                "order_date": dt.date(2021, 9, 1),
            },
            by=analyst,
        )

    small = make_campaign(10)
    with django_assert_max_num_queries(12) as queries_10:
        client.get(small.get_absolute_url())
    Report.objects.all().delete()
    large = make_campaign(90)
    with django_assert_max_num_queries(12) as queries_100:
        client.get(large.get_absolute_url())
    assert len(queries_10.captured_queries) == len(queries_100.captured_queries)


def test_remind_button_mails_chosen_schools(
    client_for, analyst, operator, campaign, staffing
):
    from django.core import mail

    client_for(analyst).post(
        reverse("monitoring:campaign-remind", args=[campaign.pk]),
        {"reports": [staffing.pk]},
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [operator.email]


@pytest.mark.parametrize(
    ("typed", "stored"), [("3,03", "3.03"), ("3,50", "3.03"), ("", "3.03")]
)
def test_results_form_saves_rows_and_ignores_blank_ones(
    client_for, operator, campaign, school, typed, stored
):
    # The mean of 12 «2», 13 «3», 7 «4», 3 «5» is 3,03: computed from the counts,
    # whatever was typed (3,50 was once accepted) or left empty.
    report = campaign.reports.get(school=school, kind=ReportKind.RESULTS)
    client = client_for(operator)
    page = client.get(url(report))
    results = page.context["form"].results
    data = {
        "version": "0",
        "results-TOTAL_FORMS": str(len(results.forms)),
        "results-INITIAL_FORMS": "0",
        "comparisons-TOTAL_FORMS": "0",
        "comparisons-INITIAL_FORMS": "0",
    }
    math = subject("математика")
    for i, form in enumerate(results.forms):
        initial = form.initial
        data |= {
            f"results-{i}-procedure": initial["procedure"],
            f"results-{i}-subject": initial["subject"].pk,
            f"results-{i}-grade": initial["grade"],
            f"results-{i}-level": initial["level"],
        }
        if (
            initial["procedure"] == "ВПР"
            and initial["subject"] == math
            and initial["grade"] == 5
        ):
            data |= {
                f"results-{i}-participants": "35",
                f"results-{i}-mark2": "12",
                f"results-{i}-mark3": "13",
                f"results-{i}-mark4": "7",
                f"results-{i}-mark5": "3",
                f"results-{i}-mean_score": typed,
            }
    response = client.post(url(report), data)
    assert response.status_code == 302
    row = report.results.get()
    assert (row.procedure, row.grade, row.mark2, str(row.mean_score)) == (
        "ВПР",
        5,
        12,
        stored,
    )


def test_results_form_shows_row_error(client_for, operator, campaign, school):
    report = campaign.reports.get(school=school, kind=ReportKind.RESULTS)
    math = subject("математика")
    data = {
        "version": "0",
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "comparisons-TOTAL_FORMS": "0",
        "comparisons-INITIAL_FORMS": "0",
        "results-0-procedure": "ВПР",
        "results-0-subject": math.pk,
        "results-0-grade": "5",
        "results-0-level": "",
        "results-0-participants": "8",
        "results-0-mark2": "12",
        "results-0-mark3": "0",
        "results-0-mark4": "0",
        "results-0-mark5": "0",
    }
    body = client_for(operator).post(url(report), data).content.decode()
    assert "12 больше числа участников (8)." in body
    assert report.results.count() == 0
    # The error has its own line under the row; the narrow cell keeps the input only.
    tree = html.fromstring(body)
    (mark2,) = tree.xpath('//input[@name="results-0-mark2"]')
    assert "is-invalid" in mark2.get("class").split()
    assert mark2.getparent().text_content().strip() == ""
    (line,) = tree.xpath(f'//ul[@id="{mark2.get("aria-describedby")}"]/li')
    assert line.text_content().strip() == "«2»: 12 больше числа участников (8)."


def test_submitting_results_without_a_row_saves_nothing(
    client_for, operator, campaign, school
):
    report = campaign.reports.get(school=school, kind=ReportKind.RESULTS)
    data = {
        "version": "0",
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "comparisons-TOTAL_FORMS": "0",
        "comparisons-INITIAL_FORMS": "0",
        "results-0-procedure": "ВПР",
        "results-0-subject": subject("математика").pk,
        "results-0-grade": "5",
        "results-0-level": "",
    }
    response = client_for(operator).post(url(report, "save-submit"), data)
    assert response.status_code == 200
    assert NO_RESULTS in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.DRAFT, 0)


def test_results_form_shows_last_years_fail_share(
    client_for, operator, campaign, school
):
    from tests.factories import AcademicYearFactory

    old = Report.objects.create(
        school=school, year=AcademicYearFactory(start_year=2019), kind="results"
    )
    old.results.create(
        procedure="ВПР",
        subject=subject("математика"),
        grade=5,
        participants=30,
        mark2=9,
        mark3=12,
        mark4=6,
        mark5=3,
    )
    report = campaign.reports.get(school=school, kind=ReportKind.RESULTS)
    body = client_for(operator).get(url(report)).content.decode()
    assert "пр. год: «2» 9 из 30" in body


def _close(campaign, analyst):
    services.campaign_close(obj=campaign, by=analyst)


def test_closed_collection_refuses_the_operators_save_and_submit(
    client_for, operator, analyst, staffing, campaign
):
    _close(campaign, analyst)
    client = client_for(operator)
    page = client.get(url(staffing)).content.decode()
    assert "закрыт: отчёт больше не изменяют" in page
    response = client.post(
        url(staffing, "save-submit"), form_data(staffing), follow=True
    )
    assert (
        "закрыт: отчёты этой кампании больше не изменяют" in response.content.decode()
    )
    staffing.refresh_from_db()
    assert staffing.version == 0
    assert staffing.status == Status.DRAFT
    response = client.post(
        reverse("monitoring:report-submit", args=[staffing.pk]), follow=True
    )
    assert "закрыт" in response.content.decode()
    staffing.refresh_from_db()
    assert staffing.status == Status.DRAFT


def test_closed_collection_refuses_saves_in_the_service(
    operator, analyst, staffing, campaign
):
    _close(campaign, analyst)
    staffing.refresh_from_db()
    with pytest.raises(ValidationError, match="закрыт"):
        services.report_save_figures(
            report=staffing, values=STAFFING, expected_version=0, by=analyst
        )
    with pytest.raises(ValidationError, match="закрыт"):
        services.report_submit(report=staffing, by=operator)


def test_analyst_still_reviews_a_closed_collection(
    client_for, analyst, filled_staffing, operator, campaign
):
    services.report_submit(report=filled_staffing, by=operator)
    _close(campaign, analyst)
    client_for(analyst).post(
        reverse("monitoring:report-accept", args=[filled_staffing.pk])
    )
    filled_staffing.refresh_from_db()
    assert filled_staffing.status == Status.ACCEPTED
