"""The board by school year, opening the next round, the outcome of a finished year and the home page's duties."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import OutcomesData, ReportKind, SocialPassportData
from partnerships import selectors, services
from partnerships.models import Campaign, Partnership
from schools.models import AcademicYear
from tests.factories import ReportFactory
from tests.partnerships.conftest import LAST_YEARS_INDEX, SCHOOLS


def next_year():
    start, end = AcademicYear.default_dates(2022)
    return AcademicYear.objects.create(start_year=2022, start_date=start, end_date=end)


def test_the_board_shows_the_current_year_and_switches_to_another(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    response = client.get(reverse("partnerships:index"))
    assert response.context["campaign"] == lesosibirsk.this_year
    assert response.context["campaign"].year.start_year == 2021
    assert len(response.context["pairs"]) == 3
    response = client.get(
        reverse("partnerships:index"), {"campaign": lesosibirsk.last_year.pk}
    )
    assert [str(p) for p in response.context["pairs"]] == [
        "МБОУ «СОШ № 6» — МБОУ «Лицей»"
    ]


def test_a_tampered_year_or_municipality_falls_back_to_the_current_round(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    response = client.get(
        reverse("partnerships:index"), {"campaign": "1 OR 1=1", "municipality": "x"}
    )
    assert response.status_code == 200
    assert response.context["campaign"].year.start_year == 2021


def test_the_mimc_opens_the_next_year_with_seed_000_dates_and_last_years_rules(
    client, lesosibirsk, analyst, municipality
):
    next_year()
    client.force_login(analyst)
    response = client.get(reverse("partnerships:index"))
    initial = response.context["open_form"].initial
    assert initial["year"].start_year == 2022
    assert (initial["plan_deadline"], initial["general_plan_deadline"]) == (
        dt.date(2022, 11, 25),
        dt.date(2022, 11, 30),
    )
    year = AcademicYear.objects.get(start_year=2022)
    response = client.post(
        reverse("partnerships:campaign-open"),
        {
            "open-year": year.pk,
            "open-plan_deadline": "2022-11-25",
            "open-general_plan_deadline": "2022-11-30",
            "open-capacity": 2,
            "open-events_target": 4,
        },
    )
    assert response.status_code == 302
    assert Campaign.objects.filter(year=year, municipality=municipality).exists()


def test_opening_a_year_that_already_has_a_round_is_refused_in_russian(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    year = AcademicYear.objects.get(start_year=2021)
    response = client.post(
        reverse("partnerships:campaign-open"),
        {
            "open-year": year.pk,
            "open-plan_deadline": "2021-11-25",
            "open-general_plan_deadline": "2021-11-30",
            "open-capacity": 2,
            "open-events_target": 4,
        },
    )
    assert response.status_code == 200
    assert "Партнёрство на 2021/2022 уже открыто" in str(
        response.context["open_form"].non_field_errors()
    )
    assert Campaign.objects.filter(year=year).count() == 1


def test_the_department_cannot_open_a_round(client, lesosibirsk, approver):
    client.force_login(approver)
    year = next_year()
    response = client.post(
        reverse("partnerships:campaign-open"),
        {
            "open-year": year.pk,
            "open-plan_deadline": "2022-11-25",
            "open-general_plan_deadline": "2022-11-30",
            "open-capacity": 2,
            "open-events_target": 4,
        },
    )
    assert response.status_code == 403
    assert not Campaign.objects.filter(year=year).exists()


def _reports(school, start_year, *, attested, good, pupils, incomplete):
    """The school's outcomes and social passport of a year."""
    year = AcademicYear.objects.get(start_year=start_year)
    OutcomesData.objects.create(
        report=ReportFactory(school=school, year=year, kind=ReportKind.OUTCOMES),
        grade9_graduates=20,
        continued_grade10=10,
        olympiad_participants=3,
        attested=attested,
        attested_good=good,
        attested_failing=2,
    )
    SocialPassportData.objects.create(
        report=ReportFactory(school=school, year=year, kind=ReportKind.SOCIAL),
        **dict.fromkeys(
            [f.name for f in SocialPassportData._meta.concrete_fields][1:], 0
        )
        | {"pupils_total": pupils, "incomplete_families": incomplete},
    )


def test_the_outcome_of_a_finished_year_compares_both_identifications_and_the_reports(
    client, lesosibirsk
):
    partnership = lesosibirsk.finished
    # The year before the partnership and the partnership year: 30 % on «4» and «5», then 35 %.
    _reports(partnership.school, 2019, attested=200, good=60, pupils=220, incomplete=40)
    _reports(partnership.school, 2020, attested=200, good=70, pupils=220, incomplete=50)
    client.force_login(lesosibirsk.operator("Лицей"))
    outcome = client.get(partnership.get_absolute_url()).context["outcome"]
    assert outcome["events"] == 4
    assert outcome["before"]["year"].start_year == 2020
    assert outcome["after"]["year"].start_year == 2021
    assert (outcome["before"]["index"], outcome["after"]["index"]) == (
        LAST_YEARS_INDEX,
        SCHOOLS["МБОУ «СОШ № 6»"][2].index,
    )
    assert outcome["after"]["status"] == "ШНОР и ШНСУ"
    # The change of the indices as shown (−1,90 → −1,64): 0,26, not the raw 0,258.
    assert outcome["change"] == 0.26
    assert outcome["indicator_years"] == ("2019/2020", "2020/2021")
    labels = {i["label"]: i for i in outcome["indicators"]}
    quality = labels["Качество обученности (на «4» и «5»)"]
    assert (quality["before"], quality["after"]) == pytest.approx((30.0, 35.0))
    assert quality["change"] == pytest.approx(quality["after"] - quality["before"])
    assert quality["verdict"] == "better"
    assert (
        "Из неполных семей" not in labels
    )  # the social context is not the school's result


def test_the_outcome_of_the_current_year_waits_for_the_next_identification(
    client, lesosibirsk, analyst
):
    partnership = lesosibirsk.pair("СОШ № 6")
    client.force_login(analyst)
    response = client.get(partnership.get_absolute_url())
    assert response.context["outcome"]["before"]["year"].start_year == 2021
    assert response.context["outcome"]["after"] is None
    assert "Сравнение появится после выявления" in response.content.decode()


def test_home_tells_the_school_to_choose_a_partner_and_the_partner_to_answer(
    client, lesosibirsk
):
    client.force_login(lesosibirsk.operator("СОШ № 4"))
    text = client.get(reverse("home")).content.decode()
    assert "Выбрать школу-партнёра" in text
    services.propose(
        campaign=lesosibirsk.this_year,
        school=lesosibirsk.school("СОШ № 4"),
        partner=lesosibirsk.school("Гимназия"),
        support=["methodological"],
        goals="",
        by=lesosibirsk.operator("СОШ № 4"),
    )
    assert "Выбрать школу-партнёра" not in client.get(reverse("home")).content.decode()
    client.force_login(lesosibirsk.operator("Гимназия"))
    text = client.get(reverse("home")).content.decode()
    assert "Ответить на предложение" in text
    assert "МБОУ «СОШ № 4»" in text


def test_home_tells_the_mimc_of_plans_to_approve_and_the_department_of_the_general_plan(
    client, lesosibirsk, analyst, approver
):
    campaign = lesosibirsk.this_year
    client.force_login(analyst)
    assert (
        "Согласовать план взаимодействия"
        not in client.get(reverse("home")).content.decode()
    )
    operator = lesosibirsk.operator("СОШ № 4")
    pair = services.propose(
        campaign=campaign,
        school=lesosibirsk.school("СОШ № 4"),
        partner=lesosibirsk.school("Гимназия"),
        support=["expert"],
        goals="",
        by=operator,
    )
    services.partnership_accept(
        obj=pair, by=lesosibirsk.operator("Гимназия"), reason=""
    )
    services.activity_save(
        partnership=pair,
        by=operator,
        data={
            "title": "Консультации",
            "form": "consultation",
            "start": dt.date(2022, 2, 1),
            "end": dt.date(2022, 2, 1),
            "responsible_school": "завуч",
            "responsible_partner": "руководитель МО",
        },
    )
    services.partnership_submit(obj=pair, by=operator)
    assert (
        "Согласовать план взаимодействия</a>: 1"
        in client.get(reverse("home")).content.decode()
    )
    client.force_login(approver)
    assert (
        "Утвердить общий план взаимодействия"
        not in client.get(reverse("home")).content.decode()
    )
    services.partnership_approve(obj=pair, by=analyst, reason="")
    plan = services.general_plan_compile(campaign=campaign, by=analyst)
    services.general_plan_submit(plan=plan, by=analyst)
    text = client.get(reverse("home")).content.decode()
    assert "Утвердить общий план взаимодействия</a>: 1" in text
    assert reverse("partnerships:general-plan", args=[campaign.pk]) in text


# Found in review: access to municipal documents, cleared files, revisions through the page, round changes --------


def test_operators_do_not_see_the_municipal_network_or_general_plan(
    client, lesosibirsk, approver
):
    campaign = lesosibirsk.last_year
    client.force_login(lesosibirsk.operator("Лицей"))  # even a partner school
    for url in (
        reverse("partnerships:network", args=[campaign.pk]),
        reverse("partnerships:general-plan", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.get(url, {"format": "xlsx"}).status_code == 403
    client.force_login(approver)
    assert (
        client.get(reverse("partnerships:network", args=[campaign.pk])).status_code
        == 200
    )


def test_a_non_numeric_run_on_the_gradation_page_is_ignored(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    response = client.get(reverse("partnerships:gradation"), {"run": "abc"})
    assert response.status_code == 200
    # The page falls back to the run behind the approved list of the year.
    assert response.context["run"].target_year.start_year == 2021
    assert response.context["run"].official_lists.exists()


def test_an_event_with_a_cleared_file_input_is_recorded_without_a_file(
    client, lesosibirsk
):
    partnership = lesosibirsk.pair("СОШ № 8")
    client.force_login(lesosibirsk.operator("Лицей"))
    response = client.post(
        reverse("partnerships:event-record", args=[partnership.pk]),
        {
            "event-date": "2022-03-01",
            "event-participants": 9,
            "event-report": "Семинар для учителей",
            "event-materials_file-clear": "on",
        },
    )
    assert response.status_code == 302
    event = partnership.events.get(report="Семинар для учителей")
    assert not event.materials_file


def test_an_agreement_is_signed_only_for_an_approved_plan(client, lesosibirsk):
    operator = lesosibirsk.operator("СОШ № 4")
    pair = services.propose(
        campaign=lesosibirsk.this_year,
        school=lesosibirsk.school("СОШ № 4"),
        partner=lesosibirsk.school("Гимназия"),
        support=["expert"],
        goals="",
        by=operator,
    )
    client.force_login(operator)
    client.post(
        reverse("partnerships:agreement-save", args=[pair.pk]),
        {
            "number": "77",
            "date": "2021-12-01",
            "scan-clear": "on",
        },
    )
    pair.refresh_from_db()
    assert pair.agreement_number == ""


def test_changing_an_approved_activity_on_the_page_records_the_old_and_new_values(
    client, lesosibirsk
):
    partnership = lesosibirsk.pair("СОШ № 6")
    activity = partnership.activities.get(title="Консультации по подготовке к ОГЭ")
    client.force_login(lesosibirsk.operator("СОШ № 6"))
    response = client.post(
        reverse("partnerships:activity-edit", args=[partnership.pk, activity.pk]),
        {
            "title": activity.title,
            "form": activity.form,
            "start": "2021-12-13",
            "end": "2021-12-17",
            "responsible_school": activity.responsible_school,
            "responsible_partner": activity.responsible_partner,
            "expected_result": activity.expected_result,
            "reason": "Перенос: карантин в школе",
        },
    )
    assert response.status_code == 302
    (revision,) = selectors.revisions(partnership)
    assert revision.reason == "Перенос: карантин в школе"
    assert {
        "field": "с",
        "before": "2021-12-06",
        "after": "2021-12-13",
    } in revision.changes
    assert {
        "field": "по",
        "before": "2021-12-10",
        "after": "2021-12-17",
    } in revision.changes


def campaign_data(campaign, **changes):
    data = {
        "municipality": campaign.municipality,
        "year": campaign.year,
        "plan_deadline": campaign.plan_deadline,
        "general_plan_deadline": campaign.general_plan_deadline,
        "capacity": campaign.capacity,
        "events_target": campaign.events_target,
        "allow_outside": campaign.allow_outside,
    }
    return {**data, **changes}


def test_a_round_with_pairs_keeps_its_year_and_a_capacity_of_at_least_its_load(
    lesosibirsk, analyst
):
    campaign = lesosibirsk.this_year
    other = AcademicYear.objects.get(start_year=2019)
    with pytest.raises(ValidationError, match="учебный год партнёрства не меняется"):
        services.campaign_save(
            campaign=campaign,
            data=campaign_data(
                campaign,
                year=other,
                plan_deadline=dt.date(2019, 11, 25),
                general_plan_deadline=dt.date(2019, 11, 30),
            ),
            by=analyst,
        )
    with pytest.raises(ValidationError, match="уже поддерживает 2 школы"):  # the Лицей
        services.campaign_save(
            campaign=campaign, data=campaign_data(campaign, capacity=1), by=analyst
        )
    assert Campaign.objects.get(pk=campaign.pk).year.start_year == 2021
    services.campaign_save(
        campaign=campaign, data=campaign_data(campaign, capacity=3), by=analyst
    )
    assert Campaign.objects.get(pk=campaign.pk).capacity == 3


def test_a_round_whose_general_plan_is_approved_is_frozen(lesosibirsk, analyst):
    campaign = lesosibirsk.last_year
    with pytest.raises(ValidationError, match="Общий план этого года утверждён"):
        services.campaign_save(
            campaign=campaign,
            data=campaign_data(campaign, events_target=6),
            by=analyst,
        )
    assert Campaign.objects.get(pk=campaign.pk).events_target == 4


def test_the_board_form_cannot_move_a_round_with_pairs_to_another_year(
    client, lesosibirsk, analyst
):
    campaign = lesosibirsk.this_year
    client.force_login(analyst)
    response = client.post(
        f"{reverse('partnerships:index')}?campaign={campaign.pk}",
        {
            "campaign-year": AcademicYear.objects.get(start_year=2019).pk,
            "campaign-plan_deadline": "2019-11-25",
            "campaign-general_plan_deadline": "2019-11-30",
            "campaign-capacity": 2,
            "campaign-events_target": 4,
        },
    )
    assert response.status_code == 200
    assert "учебный год партнёрства не меняется" in str(
        response.context["form"].non_field_errors()
    )
    assert Campaign.objects.get(pk=campaign.pk).year.start_year == 2021


def test_a_school_cannot_be_suggested_to_itself(client, lesosibirsk, analyst):
    campaign = lesosibirsk.this_year
    school = lesosibirsk.school("СОШ № 4")
    client.force_login(analyst)
    response = client.post(
        reverse("partnerships:suggest", args=[campaign.pk]),
        {f"partner-{school.pk}": school.pk},
    )
    assert response.status_code == 403
    assert not campaign.suggestions.exists()


def test_both_partner_schools_see_their_partnership_on_the_home_page(
    client, lesosibirsk
):
    client.force_login(lesosibirsk.operator("СОШ № 6"))
    text = client.get(reverse("home")).content.decode()
    assert 'data-testid="partnerships-panel"' in text
    assert "Партнёрство 2021/2022" in text
    assert "Школа-партнёр — МБОУ «Лицей»" in text
    ours = Partnership.objects.get(
        campaign=lesosibirsk.this_year, school=lesosibirsk.school("СОШ № 6")
    )
    assert ours.get_absolute_url() in text
    assert "план согласован" in text
    held, planned = ours.events.count(), ours.activities.count()
    assert f"в плане мероприятий: {planned}, проведено: {held}" in text

    # The lyceum supports two schools this year; last year's pair is not shown.
    client.force_login(lesosibirsk.operator("Лицей"))
    text = client.get(reverse("home")).content.decode()
    assert "Ваша школа поддерживает МБОУ «СОШ № 6»" in text
    assert "Ваша школа поддерживает МБОУ «СОШ № 8»" in text
    assert text.count('data-testid="home-partnership"') == 2


def test_a_school_without_a_partnership_and_the_staff_see_no_partnership_panel(
    client, lesosibirsk, analyst
):
    for person in (lesosibirsk.operator("СОШ № 4"), analyst):
        client.force_login(person)
        text = client.get(reverse("home")).content.decode()
        assert 'data-testid="partnerships-panel"' not in text
