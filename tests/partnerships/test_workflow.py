"""
Partnership workflow: the campaign, the proposal and the answer, the plan and its
approval, held events, the general plan, the board — and the pages by role.
"""

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partnerships import selectors, services
from partnerships.models import (
    Activity,
    Campaign,
    Event,
    GeneralPlan,
    Partnership,
    Suggestion,
)
from tests.factories import AcademicYearFactory, OperatorFactory, SchoolFactory

D = dt.date
UTC = dt.UTC


def at(*args):
    """An aware moment in UTC (the portal's zone, Asia/Krasnoyarsk, is UTC+7)."""
    return dt.datetime(*args, tzinfo=UTC)


def campaign_data(municipality, year, **changes):
    return {
        "municipality": municipality,
        "year": year,
        "plan_deadline": D(2021, 11, 25),
        "general_plan_deadline": D(2021, 11, 30),
        "capacity": 2,
        "events_target": 4,
        "allow_outside": False,
        **changes,
    }


def activity_data(**changes):
    return {
        "title": "Открытые уроки по математике в 5–6 классах",
        "form": Activity.Form.OPEN_LESSONS,
        "start": D(2021, 10, 18),
        "end": D(2021, 10, 22),
        "responsible_school": "заместитель директора по УВР",
        "responsible_partner": "руководитель МО учителей математики",
        "expected_result": "Учителя освоили приёмы работы со слабоуспевающими",
        **changes,
    }


def propose(campaign, school, partner, by, **changes):
    return services.propose(
        **{
            "campaign": campaign,
            "school": school,
            "partner": partner,
            "support": ["methodological"],
            "goals": "Подготовка к ОГЭ",
            "by": by,
            **changes,
        }
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2021)


@pytest.fixture
def campaign(municipality, year, analyst):
    return services.campaign_save(data=campaign_data(municipality, year), by=analyst)


@pytest.fixture
def proposed(campaign, school, neighbour_school, operator):
    """СОШ № 1 (weak) asks СОШ № 2 for support."""
    return propose(campaign, school, neighbour_school, operator)


@pytest.fixture
def accepted(proposed, neighbour_operator):
    return services.partnership_accept(obj=proposed, by=neighbour_operator, reason="")


@pytest.fixture
def planned(accepted, operator):
    services.activity_save(partnership=accepted, data=activity_data(), by=operator)
    return accepted


@pytest.fixture
def approved(planned, operator, analyst):
    services.partnership_submit(obj=planned, by=operator, now=at(2021, 11, 20, 12))
    return services.partnership_approve(obj=planned, by=analyst, reason="")


def approved_pair(campaign, school, partner, analyst, activities):
    """Another approved partnership with the given activities (start, end, title)."""
    by = OperatorFactory(schools=[school])
    p = propose(campaign, school, partner, by)
    services.partnership_accept(obj=p, by=OperatorFactory(schools=[partner]), reason="")
    for start, end, title in activities:
        services.activity_save(
            partnership=p, data=activity_data(start=start, end=end, title=title), by=by
        )
    services.partnership_submit(obj=p, by=by, now=at(2021, 11, 20, 12))
    return services.partnership_approve(obj=p, by=analyst, reason="")


# The campaign -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("deadline", [D(2021, 8, 31), D(2022, 9, 1)])
def test_campaign_plan_deadline_must_fall_inside_the_school_year(
    municipality, year, analyst, deadline
):
    with pytest.raises(
        ValidationError,
        match="Срок планов взаимодействия должен быть внутри учебного года",
    ):
        services.campaign_save(
            data=campaign_data(
                municipality,
                year,
                plan_deadline=deadline,
                general_plan_deadline=D(2022, 9, 2),
            ),
            by=analyst,
        )
    assert not Campaign.objects.exists()


def test_campaign_is_one_per_year_and_the_general_plan_comes_after_the_plans(
    campaign, municipality, year, analyst
):
    with pytest.raises(ValidationError, match="уже открыто"):
        services.campaign_save(data=campaign_data(municipality, year), by=analyst)
    with pytest.raises(ValidationError, match="не раньше срока планов"):
        services.campaign_save(
            campaign=campaign,
            data=campaign_data(
                municipality, year, general_plan_deadline=D(2021, 11, 24)
            ),
            by=analyst,
        )
    with pytest.raises(ValidationError, match="хотя бы одну школу"):
        services.campaign_save(
            campaign=campaign,
            data=campaign_data(municipality, year, capacity=0),
            by=analyst,
        )
    services.campaign_save(
        campaign=campaign,
        data=campaign_data(municipality, year, capacity=3),
        by=analyst,
    )
    campaign.refresh_from_db()
    assert (
        Campaign.objects.count(),
        campaign.capacity,
        campaign.general_plan_deadline,
    ) == (1, 3, D(2021, 11, 30))


def test_a_campaign_cannot_be_moved_onto_a_year_that_already_has_one(
    campaign, municipality, analyst
):
    earlier = services.campaign_save(
        data=campaign_data(
            municipality,
            AcademicYearFactory(start_year=2020),
            plan_deadline=D(2020, 11, 25),
            general_plan_deadline=D(2020, 11, 30),
        ),
        by=analyst,
    )
    with pytest.raises(ValidationError, match="уже открыто"):
        services.campaign_save(
            campaign=campaign,
            data=campaign_data(
                municipality,
                earlier.year,
                plan_deadline=D(2020, 11, 25),
                general_plan_deadline=D(2020, 11, 30),
            ),
            by=analyst,
        )
    campaign.refresh_from_db()
    assert campaign.year.start_year == 2021


# Choosing a partner -----------------------------------------------------------------------------------


def test_partner_accepts_the_proposal(proposed, neighbour_operator, operator):
    assert (proposed.status, proposed.goals, proposed.created_by) == (
        Partnership.Status.PROPOSED,
        "Подготовка к ОГЭ",
        operator,
    )
    services.partnership_accept(obj=proposed, by=neighbour_operator, reason="")
    proposed.refresh_from_db()
    assert proposed.status == Partnership.Status.ACCEPTED
    with pytest.raises(ValidationError, match="а нужно «предложено партнёру»"):
        services.partnership_decline(
            obj=proposed, by=neighbour_operator, reason="передумали"
        )


def test_decline_needs_a_reason_and_frees_the_school_to_choose_another(
    proposed, campaign, school, neighbour_operator, operator
):
    with pytest.raises(ValidationError, match="Укажите причину отказа"):
        services.partnership_decline(obj=proposed, by=neighbour_operator, reason="  ")
    proposed.refresh_from_db()
    assert proposed.status == Partnership.Status.PROPOSED
    services.partnership_decline(
        obj=proposed, by=neighbour_operator, reason=" Нет учителей математики "
    )
    proposed.refresh_from_db()
    assert (proposed.status, proposed.decline_reason) == (
        Partnership.Status.DECLINED,
        "Нет учителей математики",
    )
    another = propose(
        campaign, school, SchoolFactory(municipality=school.municipality), operator
    )
    assert another.status == Partnership.Status.PROPOSED


def test_a_school_has_one_partner_at_a_time(proposed, campaign, school, operator):
    with pytest.raises(ValidationError, match="У школы уже есть партнёр"):
        propose(
            campaign, school, SchoolFactory(municipality=school.municipality), operator
        )
    assert Partnership.objects.count() == 1


def test_a_school_cannot_be_its_own_partner(campaign, school, operator):
    with pytest.raises(ValidationError, match="не может быть партнёром самой себе"):
        propose(campaign, school, school, operator)
    assert not Partnership.objects.exists()


def test_the_school_says_which_support_it_needs(
    campaign, school, neighbour_school, operator
):
    with pytest.raises(ValidationError, match="Отметьте, какая поддержка нужна"):
        propose(campaign, school, neighbour_school, operator, support=[])
    assert not Partnership.objects.exists()


def test_a_partner_from_another_municipality_only_when_the_campaign_allows(
    campaign, school, foreign_school, operator
):
    with pytest.raises(
        ValidationError, match="МБОУ «Лицей» — из другого муниципалитета"
    ):
        propose(campaign, school, foreign_school, operator)
    assert not Partnership.objects.exists()
    campaign.allow_outside = True
    campaign.save()
    assert propose(campaign, school, foreign_school, operator).partner == foreign_school


def test_over_capacity_is_refused_naming_the_partner_and_the_limit(
    campaign, school, neighbour_school, operator
):
    campaign.capacity = 1
    campaign.save()
    propose(campaign, school, neighbour_school, operator)
    second = SchoolFactory(
        municipality=school.municipality, short_name="МБОУ «СОШ № 9»"
    )
    with pytest.raises(ValidationError) as error:
        propose(campaign, second, neighbour_school, OperatorFactory(schools=[second]))
    assert error.value.messages == [
        "МБОУ «СОШ № 2» уже поддерживает 1 школу — больше 1 нельзя. Выберите другого партнёра."
    ]
    assert not Partnership.objects.filter(school=second).exists()


def test_the_capacity_message_is_grammatical_for_five_schools(
    campaign, neighbour_school
):
    campaign.capacity = 5
    campaign.save()
    for _ in range(5):
        weak = SchoolFactory(municipality=campaign.municipality)
        propose(campaign, weak, neighbour_school, OperatorFactory(schools=[weak]))
    sixth = SchoolFactory(municipality=campaign.municipality)
    with pytest.raises(ValidationError) as error:
        propose(campaign, sixth, neighbour_school, OperatorFactory(schools=[sixth]))
    assert error.value.messages == [
        "МБОУ «СОШ № 2» уже поддерживает 5 школ — больше 5 нельзя. Выберите другого партнёра."
    ]


def test_a_declined_proposal_does_not_take_the_partners_place(
    proposed, campaign, neighbour_school, neighbour_operator, school
):
    campaign.capacity = 1
    campaign.save()
    services.partnership_decline(
        obj=proposed, by=neighbour_operator, reason="Нет возможности"
    )
    second = SchoolFactory(municipality=school.municipality)
    assert (
        propose(
            campaign, second, neighbour_school, OperatorFactory(schools=[second])
        ).status
        == Partnership.Status.PROPOSED
    )


# The interaction plan --------------------------------------------------------------------------------


def test_the_plan_is_prepared_after_the_partner_agreed_and_not_while_under_review(
    proposed, neighbour_operator, operator
):
    with pytest.raises(ValidationError, match="после согласия школы-партнёра"):
        services.activity_save(partnership=proposed, data=activity_data(), by=operator)
    services.partnership_accept(obj=proposed, by=neighbour_operator, reason="")
    services.activity_save(
        partnership=proposed, data=activity_data(), by=neighbour_operator
    )  # either school writes the plan
    services.partnership_submit(obj=proposed, by=operator, now=at(2021, 11, 20))
    with pytest.raises(ValidationError, match="на согласовании в МИМЦ"):
        services.activity_save(
            partnership=proposed, data=activity_data(title="Ещё одно"), by=operator
        )
    assert list(proposed.activities.values_list("title", flat=True)) == [
        activity_data()["title"]
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            D(2021, 8, 30),
            D(2021, 9, 3),
            "в пределах учебного года 2021/2022: с 01.09.2021 по 31.08.2022",
        ),
        (D(2022, 8, 15), D(2022, 9, 2), "в пределах учебного года 2021/2022"),
        (D(2021, 10, 22), D(2021, 10, 18), "Окончание раньше начала"),
        (None, D(2021, 10, 18), "Укажите даты"),
    ],
)
def test_activities_stay_within_the_school_year(
    accepted, operator, start, end, message
):
    with pytest.raises(ValidationError, match=message):
        services.activity_save(
            partnership=accepted, data=activity_data(start=start, end=end), by=operator
        )
    assert not accepted.activities.exists()


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("responsible_school", "ответственный от школы"),
        ("responsible_partner", "ответственный от партнёра"),
        ("title", "мероприятие"),
    ],
)
def test_an_activity_needs_a_responsible_on_both_sides(
    accepted, operator, field, label
):
    with pytest.raises(ValidationError, match=f"Заполните: {label}."):
        services.activity_save(
            partnership=accepted, data=activity_data(**{field: "  "}), by=operator
        )
    assert not accepted.activities.exists()


@pytest.mark.parametrize(
    ("now", "late"),
    [
        (at(2021, 11, 20, 9), False),
        (at(2021, 11, 25, 16, 59), False),  # 23:59 on the deadline day in Krasnoyarsk
        (
            at(2021, 11, 25, 17, 0),
            True,
        ),  # 00:00 on 26.11 in Krasnoyarsk, though still 25.11 in UTC
        (at(2021, 12, 10, 12), True),
    ],
)
def test_a_plan_sent_after_the_deadline_is_accepted_but_marked_late(
    planned, operator, now, late
):
    services.partnership_submit(obj=planned, by=operator, now=now)
    planned.refresh_from_db()
    assert (planned.status, planned.submitted_at, planned.is_late) == (
        Partnership.Status.SUBMITTED,
        now,
        late,
    )


def test_a_plan_without_activities_is_not_sent(accepted, operator):
    with pytest.raises(ValidationError, match="нет ни одного мероприятия"):
        services.partnership_submit(obj=accepted, by=operator, now=at(2021, 11, 20))
    accepted.refresh_from_db()
    assert (accepted.status, accepted.submitted_at) == (
        Partnership.Status.ACCEPTED,
        None,
    )


def test_a_plan_sent_twice_or_before_the_answer_is_refused(proposed, operator):
    with pytest.raises(
        ValidationError, match="а нужно «партнёр согласен, план готовится»"
    ):
        services.partnership_submit(obj=proposed, by=operator, now=at(2021, 11, 20))


def test_the_mimc_returns_a_plan_with_comments_and_then_approves_it(
    planned, operator, analyst
):
    with pytest.raises(ValidationError, match="а нужно «план на согласовании в МИМЦ»"):
        services.partnership_approve(obj=planned, by=analyst, reason="")
    services.partnership_submit(obj=planned, by=operator, now=at(2021, 11, 20))
    with pytest.raises(ValidationError, match="Напишите замечания"):
        services.partnership_return(obj=planned, by=analyst, reason=" ")
    planned.refresh_from_db()
    assert planned.status == Partnership.Status.SUBMITTED
    services.partnership_return(
        obj=planned, by=analyst, reason=" Добавьте консультации по ОГЭ "
    )
    planned.refresh_from_db()
    assert (planned.status, planned.return_comment, planned.plan_editable) == (
        Partnership.Status.RETURNED,
        "Добавьте консультации по ОГЭ",
        True,
    )
    services.activity_save(
        partnership=planned,
        data=activity_data(
            title="Консультации по подготовке к ОГЭ",
            start=D(2021, 12, 6),
            end=D(2021, 12, 10),
        ),
        by=operator,
    )
    services.partnership_submit(obj=planned, by=operator, now=at(2021, 11, 24))
    planned.refresh_from_db()
    assert (planned.status, planned.return_comment) == (
        Partnership.Status.SUBMITTED,
        "",
    )
    services.partnership_approve(obj=planned, by=analyst, reason="")
    planned.refresh_from_db()
    assert (planned.status, planned.approved_by, planned.is_locked) == (
        Partnership.Status.APPROVED,
        analyst,
        True,
    )
    assert planned.approved_at is not None


def test_after_approval_a_change_needs_a_reason_and_is_recorded(approved, operator):
    activity = approved.activities.get()
    with pytest.raises(ValidationError, match="изменения вносятся только с основанием"):
        services.activity_save(
            partnership=approved,
            activity=activity,
            data=activity_data(start=D(2021, 11, 15), end=D(2021, 11, 19)),
            by=operator,
            reason=" ",
        )
    activity.refresh_from_db()
    assert activity.start == D(2021, 10, 18)
    assert not selectors.revisions(approved)

    services.activity_save(
        partnership=approved,
        activity=activity,
        data=activity_data(start=D(2021, 11, 15), end=D(2021, 11, 19)),
        by=operator,
        reason="Перенос: карантин в школе",
    )
    activity.refresh_from_db()
    assert (activity.start, activity.end) == (D(2021, 11, 15), D(2021, 11, 19))
    (revision,) = selectors.revisions(approved)
    assert (revision.subject, revision.reason, revision.by) == (
        f"мероприятие «{activity.title}»",
        "Перенос: карантин в школе",
        operator,
    )
    assert revision.changes == [
        {"field": "с", "before": "2021-10-18", "after": "2021-11-15"},
        {"field": "по", "before": "2021-10-22", "after": "2021-11-19"},
    ]
    approved.refresh_from_db()
    assert approved.status == Partnership.Status.APPROVED


# Held events ---------------------------------------------------------------------------------------------


def event(**changes):
    return {
        "date": D(2021, 10, 18),
        "participants": 12,
        "report": "Проведены открытые уроки",
        "materials_url": "",
        **changes,
    }


def test_events_are_recorded_only_after_the_plan_is_approved(
    planned, neighbour_operator
):
    with pytest.raises(ValidationError, match="после согласования плана"):
        services.event_record(partnership=planned, data=event(), by=neighbour_operator)
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": D(2021, 8, 31)}, "в пределах учебного года 2021/2022"),
        ({"date": D(2022, 9, 1)}, "в пределах учебного года 2021/2022"),
        ({"date": None}, "в пределах учебного года"),
        ({"report": "   "}, "Кратко опишите"),
        ({"participants": 0}, "число участников"),
    ],
)
def test_bad_events_are_refused(approved, neighbour_operator, changes, message):
    with pytest.raises(ValidationError, match=message):
        services.event_record(
            partnership=approved, data=event(**changes), by=neighbour_operator
        )
    assert not Event.objects.exists()


def test_an_event_is_not_recorded_before_it_happens(approved, neighbour_operator, year):
    today = timezone.localdate()
    year.end_date = today + dt.timedelta(days=60)  # a school year still going on
    year.save()
    partnership = Partnership.objects.get(pk=approved.pk)
    with pytest.raises(ValidationError, match="ещё не прошло"):
        services.event_record(
            partnership=partnership,
            data=event(date=today + dt.timedelta(days=1)),
            by=neighbour_operator,
        )
    assert not Event.objects.exists()
    recorded = services.event_record(
        partnership=partnership, data=event(date=today), by=neighbour_operator
    )
    assert (recorded.date, recorded.recorded_by) == (today, neighbour_operator)


def test_an_event_is_tied_to_an_activity_of_its_own_plan(
    approved, neighbour_operator, campaign, analyst
):
    other = approved_pair(
        campaign,
        SchoolFactory(municipality=campaign.municipality),
        SchoolFactory(municipality=campaign.municipality),
        analyst,
        [(D(2021, 10, 4), D(2021, 10, 4), "Семинар")],
    )
    with pytest.raises(ValidationError, match="из другого плана"):
        services.event_record(
            partnership=approved,
            data=event(activity=other.activities.get()),
            by=neighbour_operator,
        )
    own = services.event_record(
        partnership=approved,
        data=event(activity=approved.activities.get(), report="  Уроки  "),
        by=neighbour_operator,
    )
    assert (own.activity, own.report, own.participants) == (
        approved.activities.get(),
        "Уроки",
        12,
    )


# The general plan -----------------------------------------------------------------------------------------


def test_no_general_plan_without_approved_plans(planned, campaign, analyst):
    with pytest.raises(ValidationError, match="Нет ни одного согласованного плана"):
        services.general_plan_compile(campaign=campaign, by=analyst)
    assert not GeneralPlan.objects.exists()


def test_the_general_plan_groups_rows_by_partnership_sorted_by_month(
    approved, campaign, analyst, operator
):
    # СОШ № 1 — СОШ № 2 (approved) had open lessons 18.10.2021; more activities, added out of order, with reasons.
    for start, title in [
        (D(2022, 2, 14), "Совместное МО"),
        (D(2021, 11, 20), "Консультации"),
        (D(2021, 11, 3), "Наставничество"),
    ]:
        services.activity_save(
            partnership=approved,
            data=activity_data(start=start, end=start, title=title),
            by=operator,
            reason="дополнение",
        )
    approved_pair(
        campaign,
        SchoolFactory(municipality=campaign.municipality, short_name="МБОУ «ООШ № 5»"),
        SchoolFactory(municipality=campaign.municipality, short_name="МБОУ «Гимназия»"),
        analyst,
        [
            (D(2021, 12, 6), D(2021, 12, 10), "Консультации по ОГЭ"),
            (D(2021, 10, 4), D(2021, 10, 4), "Семинар"),
        ],
    )
    declined = propose(
        campaign,
        SchoolFactory(municipality=campaign.municipality),
        SchoolFactory(municipality=campaign.municipality),
        operator,
    )
    services.partnership_decline(
        obj=declined, by=OperatorFactory(schools=[declined.partner]), reason="нет"
    )

    plan = services.general_plan_compile(campaign=campaign, by=analyst)
    assert (plan.status, plan.compiled_by) == (GeneralPlan.Status.COMPILED, analyst)
    assert [(r["school"], r["month"], r["title"]) for r in plan.rows] == [
        ("МБОУ «ООШ № 5»", "октябрь 2021", "Семинар"),
        ("МБОУ «ООШ № 5»", "декабрь 2021", "Консультации по ОГЭ"),
        (
            "МБОУ «СОШ № 1»",
            "октябрь 2021",
            "Открытые уроки по математике в 5–6 классах",
        ),
        ("МБОУ «СОШ № 1»", "ноябрь 2021", "Наставничество"),
        ("МБОУ «СОШ № 1»", "ноябрь 2021", "Консультации"),
        ("МБОУ «СОШ № 1»", "февраль 2022", "Совместное МО"),
    ]
    first = plan.rows[0]
    assert (
        first["partner"],
        first["form"],
        first["start"],
        first["end"],
        first["responsible"],
    ) == (
        "МБОУ «Гимназия»",
        "открытые уроки",
        "04.10.2021",
        "04.10.2021",
        "заместитель директора по УВР; руководитель МО учителей математики",
    )
    months = services.by_month(plan.rows)
    assert [(label, [r["title"] for r in rows]) for label, rows in months] == [
        ("октябрь 2021", ["Семинар", "Открытые уроки по математике в 5–6 классах"]),
        ("ноябрь 2021", ["Наставничество", "Консультации"]),
        ("декабрь 2021", ["Консультации по ОГЭ"]),
        ("февраль 2022", ["Совместное МО"]),
    ]


def test_months_are_ordered_by_date_not_by_name():
    rows = [
        {"month_key": "2022-01", "month": "январь 2022"},
        {"month_key": "2021-09", "month": "сентябрь 2021"},
        {"month_key": "2021-11", "month": "ноябрь 2021"},
    ]
    assert [label for label, _ in services.by_month(rows)] == [
        "сентябрь 2021",
        "ноябрь 2021",
        "январь 2022",
    ]


def test_the_general_plan_is_submitted_then_approved_with_an_order_and_frozen(
    approved, campaign, analyst, approver, operator
):
    plan = services.general_plan_compile(campaign=campaign, by=analyst)
    with pytest.raises(
        ValidationError, match="а нужно «направлен в управление образования»"
    ):
        services.general_plan_approve(
            plan=plan, order_number="15-п", order_date=D(2021, 12, 3), by=approver
        )
    services.general_plan_submit(plan=plan, by=analyst)
    assert plan.status == GeneralPlan.Status.SUBMITTED
    with pytest.raises(ValidationError, match="Уже направлен"):
        services.general_plan_submit(plan=plan, by=analyst)
    # Sent in 2021, before the order of 03.12.2021.
    GeneralPlan.objects.filter(pk=plan.pk).update(
        submitted_at=dt.datetime(2021, 11, 30, 9, tzinfo=dt.UTC)
    )
    plan.refresh_from_db()
    for number, date in [(" ", D(2021, 12, 3)), ("15-п", None)]:
        with pytest.raises(ValidationError, match=r"Укажите (номер|дату) приказа"):
            services.general_plan_approve(
                plan=plan, order_number=number, order_date=date, by=approver
            )
    plan.refresh_from_db()
    assert plan.status == GeneralPlan.Status.SUBMITTED
    services.general_plan_approve(
        plan=plan, order_number=" 15-п ", order_date=D(2021, 12, 3), by=approver
    )
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.order_label) == (
        GeneralPlan.Status.APPROVED,
        approver,
        "приказ № 15-п от 03.12.2021",
    )
    rows = plan.rows
    services.activity_save(
        partnership=approved,
        data=activity_data(title="Новое", start=D(2022, 3, 1), end=D(2022, 3, 1)),
        by=operator,
        reason="дополнение",
    )
    with pytest.raises(ValidationError, match="утверждён: составить его заново нельзя"):
        services.general_plan_compile(campaign=campaign, by=analyst)
    plan.refresh_from_db()
    assert plan.rows == rows


def test_a_submitted_plan_is_recompiled_only_once_recalled_or_returned(
    approved, campaign, analyst
):
    plan = services.general_plan_compile(campaign=campaign, by=analyst)
    services.general_plan_submit(plan=plan, by=analyst)
    approved_pair(
        campaign,
        SchoolFactory(municipality=campaign.municipality),
        SchoolFactory(municipality=campaign.municipality),
        analyst,
        [(D(2021, 10, 4), D(2021, 10, 4), "Семинар")],
    )
    # While the department holds it, МИМЦ does not change it behind its back.
    with pytest.raises(ValidationError, match="в управлении образования"):
        services.general_plan_compile(campaign=campaign, by=analyst)
    plan.refresh_from_db()
    assert (plan.status, len(plan.rows)) == (GeneralPlan.Status.SUBMITTED, 1)
    services.general_plan_recall(plan=plan, by=analyst, reason="новая пара")
    assert plan.history.latest("history_date").history_change_reason == (
        "Отозвать для изменения: новая пара"
    )
    again = services.general_plan_compile(campaign=campaign, by=analyst)
    assert (again.pk, again.status, len(again.rows)) == (
        plan.pk,
        GeneralPlan.Status.COMPILED,
        2,
    )


# The board ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2021, 8, 1), 0),
        (D(2021, 9, 1), 0),
        (D(2021, 11, 30), 0),  # 90 of 364 days: 0.99 of an event
        (D(2021, 12, 1), 1),  # 91 of 364 days: a quarter of 4
        (D(2022, 3, 2), 2),  # 182 of 364 days: a half
        (D(2022, 8, 31), 4),
        (D(2023, 1, 1), 4),
    ],
)
def test_expected_events_spread_the_target_over_the_school_year(
    campaign, today, expected
):
    assert selectors.expected_events(campaign, today) == expected


def board_row(campaign, partnership, today):
    return next(
        p
        for p in selectors.board(campaign, campaign.partnerships.all(), today)
        if p.pk == partnership.pk
    )


def test_a_partnership_is_behind_when_its_plan_is_overdue(planned, campaign, operator):
    on_time = board_row(campaign, planned, D(2021, 11, 25))
    assert (on_time.behind, on_time.plan_overdue) == (False, False)
    late = board_row(campaign, planned, D(2021, 11, 26))
    assert (late.behind, late.plan_overdue, late.planned) == (True, True, 1)
    services.partnership_submit(
        obj=planned, by=operator, now=at(2021, 11, 27)
    )  # sent late, now with the МИМЦ
    assert board_row(campaign, planned, D(2021, 11, 28)).behind is False


def test_an_approved_partnership_is_behind_when_it_held_fewer_events_than_expected(
    approved, campaign, neighbour_operator
):
    activity = approved.activities.get()
    services.event_record(
        partnership=approved, data=event(activity=activity), by=neighbour_operator
    )
    row = board_row(campaign, approved, D(2022, 3, 2))
    assert (row.held, row.expected, row.behind, row.plan_overdue) == (1, 2, True, False)
    services.event_record(
        partnership=approved, data=event(date=D(2022, 2, 14)), by=neighbour_operator
    )
    row = board_row(campaign, approved, D(2022, 3, 2))
    assert (row.held, row.behind) == (2, False)
    assert (
        board_row(campaign, approved, D(2022, 6, 1)).behind is True
    )  # 3 expected by June


# Pages: a partnership ---------------------------------------------------------------------------------------


@pytest.fixture
def stranger(municipality):
    """The operator of a third school of the same municipality."""
    return OperatorFactory(
        username="stranger", schools=[SchoolFactory(municipality=municipality)]
    )


def test_the_partner_school_accepts_on_the_partnership_page(
    client, proposed, neighbour_operator
):
    client.force_login(neighbour_operator)
    response = client.post(
        reverse("partnerships:partnership-accept", args=[proposed.pk])
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Partnership.Status.ACCEPTED


def test_the_partner_school_declines_only_with_a_reason(
    client, proposed, neighbour_operator
):
    client.force_login(neighbour_operator)
    url = reverse("partnerships:partnership-decline", args=[proposed.pk])
    response = client.post(url, {"reason": ""})
    assert messages_of(response) == [
        "Укажите причину отказа — школа выберет другого партнёра."
    ]
    proposed.refresh_from_db()
    assert proposed.status == Partnership.Status.PROPOSED
    client.post(url, {"reason": "Нет свободных учителей"})
    proposed.refresh_from_db()
    assert (proposed.status, proposed.decline_reason) == (
        Partnership.Status.DECLINED,
        "Нет свободных учителей",
    )


def test_the_weak_school_cannot_answer_for_its_partner(client, proposed, operator):
    client.force_login(operator)
    assert (
        client.get(reverse("partnerships:detail", args=[proposed.pk])).status_code
        == 200
    )
    assert (
        client.post(
            reverse("partnerships:partnership-accept", args=[proposed.pk])
        ).status_code
        == 403
    )
    proposed.refresh_from_db()
    assert proposed.status == Partnership.Status.PROPOSED


def test_a_third_school_does_not_see_the_partnership(client, accepted, stranger):
    client.force_login(stranger)
    assert (
        client.get(reverse("partnerships:detail", args=[accepted.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("partnerships:partnership-submit", args=[accepted.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("partnerships:activity-create", args=[accepted.pk])
        ).status_code
        == 404
    )
    data = {**activity_data(start="2021-10-18", end="2021-10-22")}
    assert (
        client.post(
            reverse("partnerships:activity-create", args=[accepted.pk]), data
        ).status_code
        == 404
    )
    assert not accepted.activities.exists()


def test_both_schools_write_the_plan_on_the_activity_page(
    client, accepted, neighbour_operator
):
    client.force_login(neighbour_operator)
    data = {**activity_data(start="2021-10-18", end="2021-10-22")}
    response = client.post(
        reverse("partnerships:activity-create", args=[accepted.pk]), data
    )
    assert response.status_code == 302
    assert accepted.activities.get().title == data["title"]
    response = client.post(
        reverse("partnerships:activity-create", args=[accepted.pk]),
        {**data, "start": "2022-09-01", "end": "2022-09-02"},
    )
    assert response.status_code == 200
    assert "в пределах учебного года 2021/2022" in response.content.decode()
    assert accepted.activities.count() == 1


def test_an_activity_of_another_partnership_cannot_be_edited_through_this_one(
    client, accepted, operator, campaign, analyst
):
    other = approved_pair(
        campaign,
        SchoolFactory(municipality=campaign.municipality),
        SchoolFactory(municipality=campaign.municipality),
        analyst,
        [(D(2021, 10, 4), D(2021, 10, 4), "Семинар")],
    )
    foreign = other.activities.get()
    client.force_login(operator)
    url = reverse("partnerships:activity-edit", args=[accepted.pk, foreign.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url,
            {
                **activity_data(start="2021-10-18", end="2021-10-22"),
                "reason": "подмена",
            },
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.title == "Семинар"
    assert not selectors.revisions(other)


def test_operators_cannot_approve_plans_and_the_mimc_can(
    client, planned, operator, neighbour_operator, analyst
):
    services.partnership_submit(obj=planned, by=operator, now=at(2021, 11, 20))
    url = reverse("partnerships:partnership-approve", args=[planned.pk])
    for user in (operator, neighbour_operator):
        client.force_login(user)
        assert client.post(url).status_code == 403
    planned.refresh_from_db()
    assert planned.status == Partnership.Status.SUBMITTED
    client.force_login(analyst)
    assert client.post(url).status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.approved_by) == (
        Partnership.Status.APPROVED,
        analyst,
    )


def test_an_approved_plan_is_changed_on_the_page_only_with_a_reason(
    client, approved, operator
):
    activity = approved.activities.get()
    client.force_login(operator)
    url = reverse("partnerships:activity-edit", args=[approved.pk, activity.pk])
    data = {**activity_data(start="2021-11-15", end="2021-11-19")}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "изменения вносятся только с основанием" in response.content.decode()
    assert (
        client.post(url, {**data, "reason": "Перенос по просьбе партнёра"}).status_code
        == 302
    )
    activity.refresh_from_db()
    assert activity.start == D(2021, 11, 15)
    assert selectors.revisions(approved)[0].reason == "Перенос по просьбе партнёра"


# Pages of г. Лесосибирск's round: suggestions, the school's choice, the general plan ----------------------------


def test_the_mimc_sees_suggestions_for_schools_still_without_a_partner(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    response = client.get(
        reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk])
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["pair"].school.name, r["pair"].partner.name) for r in rows] == [
        ("МБОУ «СОШ № 4»", "МБОУ «СОШ № 2»")
    ]
    assert [o.partner.name for o in rows[0]["options"]] == [
        "МБОУ «СОШ № 2»",
        "МБОУ «Лицей»",
        "МБОУ «Гимназия»",
    ]
    assert response.context["capacity"] == {
        lesosibirsk.school("Гимназия").pk: 1,
        lesosibirsk.school("Лицей").pk: 0,
        lesosibirsk.school("СОШ № 2").pk: 2,
    }
    assert "тот же тип школы (СОШ)" in response.content.decode()


def test_suggestions_are_refused_to_an_operator_and_the_department(
    client, lesosibirsk, approver
):
    for user in (lesosibirsk.operator("СОШ № 4"), approver):
        client.force_login(user)
        assert (
            client.get(
                reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk])
            ).status_code
            == 403
        )


def test_a_suggested_partner_must_be_a_candidate(client, lesosibirsk, analyst):
    client.force_login(analyst)
    url = reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk])
    needy = lesosibirsk.school("СОШ № 4")
    response = client.post(
        url, {f"partner-{needy.pk}": lesosibirsk.school("СОШ № 9").pk}
    )  # СОШ № 9: middle band, not a candidate
    assert response.status_code == 403
    assert not Suggestion.objects.exists()
    gymnasium = lesosibirsk.school("Гимназия")
    response = client.post(url, {f"partner-{needy.pk}": gymnasium.pk})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.school, suggestion.partner) == (needy, gymnasium)
    assert "ведёт те же классы (1–11)" in suggestion.reason


def test_a_tampered_non_numeric_partner_is_refused_not_a_server_error(
    client, lesosibirsk, analyst
):
    client.force_login(analyst)
    response = client.post(
        reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk]),
        {f"partner-{lesosibirsk.school('СОШ № 4').pk}": "1 OR 1=1"},
    )
    assert response.status_code in (400, 403)
    assert not Suggestion.objects.exists()


def test_suggestions_beyond_a_partners_capacity_are_not_sent(
    client, lesosibirsk, analyst
):
    # СОШ № 6 is left by the Лицей, which keeps СОШ № 8: one free place there, two schools to place.
    Partnership.objects.filter(pk=lesosibirsk.pair("СОШ № 6").pk).update(
        status=Partnership.Status.DECLINED
    )
    client.force_login(analyst)
    url = reverse("partnerships:suggest", args=[lesosibirsk.this_year.pk])
    lyceum = lesosibirsk.school("Лицей")
    assert client.get(url).context["capacity"][lyceum.pk] == 1
    response = client.post(
        url,
        {
            f"partner-{lesosibirsk.school('СОШ № 4').pk}": lyceum.pk,
            f"partner-{lesosibirsk.school('СОШ № 6').pk}": lyceum.pk,
        },
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "Превышена нагрузка партнёра (МБОУ «Лицей» — свободных мест 1): не больше 2 школ на одного партнёра."
    ]
    assert not Suggestion.objects.exists()


def test_the_school_sees_ranked_candidates_and_proposes(client, lesosibirsk):
    operator = lesosibirsk.operator("СОШ № 4")
    client.force_login(operator)
    url = reverse("partnerships:index")
    response = client.get(url)
    assert response.status_code == 200
    block = response.context["blocks"][0]
    assert block["school"] == lesosibirsk.school("СОШ № 4")
    # Best first (СОШ № 2 0.18, Лицей 0.29, Гимназия 0.30), a partner without free places at the end.
    assert [(r["pair"].partner.name, r["free"]) for r in block["ranked"]] == [
        ("МБОУ «СОШ № 2»", 2),
        ("МБОУ «Гимназия»", 1),
        ("МБОУ «Лицей»", 0),
    ]
    assert [round(r["pair"].cost, 2) for r in block["ranked"]] == [0.18, 0.30, 0.29]
    assert block["ranked"][0]["pair"].cost < block["ranked"][1]["pair"].cost
    assert "тот же населённый пункт (г. Лесосибирск)" in response.content.decode()
    school, gymnasium, lyceum = (
        lesosibirsk.school("СОШ № 4"),
        lesosibirsk.school("Гимназия"),
        lesosibirsk.school("Лицей"),
    )

    response = client.post(
        url,
        {"school": school.pk, "partner": lyceum.pk, "support": ["expert"], "goals": ""},
    )
    assert response.status_code == 200
    assert (
        "МБОУ «Лицей» уже поддерживает 2 школы — больше 2 нельзя"
        in response.content.decode()
    )
    assert not Partnership.objects.filter(school=school).exists()

    response = client.post(
        url,
        {
            "school": school.pk,
            "partner": gymnasium.pk,
            "support": ["methodological", "expert"],
            "goals": "Подготовка к ОГЭ",
        },
    )
    partnership = Partnership.objects.get(school=school)
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:detail", args=[partnership.pk])
    assert (
        partnership.partner,
        partnership.status,
        partnership.support,
        partnership.created_by,
    ) == (
        gymnasium,
        Partnership.Status.PROPOSED,
        ["methodological", "expert"],
        operator,
    )
    # The gymnasium sees the proposal.
    client.force_login(lesosibirsk.operator("Гимназия"))
    assert (
        "МБОУ «СОШ № 4» предлагает вашей школе стать партнёром"
        in client.get(url).content.decode()
    )


def test_the_school_cannot_propose_a_school_outside_the_candidates(client, lesosibirsk):
    client.force_login(lesosibirsk.operator("СОШ № 4"))
    school = lesosibirsk.school("СОШ № 4")
    response = client.post(
        reverse("partnerships:index"),
        {
            "school": school.pk,
            "partner": lesosibirsk.school("СОШ № 9").pk,
            "support": ["expert"],
        },
    )
    assert response.status_code == 200
    assert response.context["blocks"][0]["form"].errors["partner"]
    assert not Partnership.objects.filter(school=school).exists()


def test_the_general_plan_is_compiled_by_the_mimc_and_approved_by_the_department(
    client, lesosibirsk, analyst, approver
):
    campaign = lesosibirsk.this_year
    url = reverse("partnerships:general-plan", args=[campaign.pk])
    client.force_login(approver)
    assert client.post(url, {"action": "compile"}).status_code == 403
    assert not GeneralPlan.objects.filter(campaign=campaign).exists()

    client.force_login(analyst)
    assert client.post(url, {"action": "compile"}).status_code == 302
    plan = GeneralPlan.objects.get(campaign=campaign)
    assert len(plan.rows) == 12  # three pairs, four activities each
    assert (
        client.post(
            reverse("partnerships:general-plan-submit", args=[plan.pk])
        ).status_code
        == 302
    )
    # Sent to the department in 2021, before the order of 03.12.2021.
    GeneralPlan.objects.filter(pk=plan.pk).update(
        submitted_at=dt.datetime(2021, 11, 30, 9, tzinfo=dt.UTC)
    )
    approve = reverse("partnerships:general-plan-approve", args=[plan.pk])
    assert (
        client.post(
            approve, {"order_number": "15-п", "order_date": "2021-12-03"}
        ).status_code
        == 403
    )
    plan.refresh_from_db()
    assert plan.status == GeneralPlan.Status.SUBMITTED

    client.force_login(approver)
    response = client.get(url)
    assert [label for label, _ in response.context["by_month"]] == [
        "октябрь 2021",
        "ноябрь 2021",
        "декабрь 2021",
        "февраль 2022",
    ]
    response = client.post(
        approve,
        {"order_number": "", "order_date": "2021-12-03"},
        follow=True,
    )  # the page shows the message
    assert messages_of(response) == ["Укажите номер приказа."]
    plan.refresh_from_db()
    assert plan.status == GeneralPlan.Status.SUBMITTED
    response = client.post(
        approve, {"order_number": "15-п", "order_date": "2021-12-03"}
    )
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.order_label) == (
        GeneralPlan.Status.APPROVED,
        approver,
        "приказ № 15-п от 03.12.2021",
    )
    assert messages_of(response) == [
        "Общий план утверждён: приказ № 15-п от 03.12.2021."
    ]


def test_the_general_plan_exports_its_rows_to_xlsx(
    client, lesosibirsk, analyst, approver
):
    campaign = lesosibirsk.this_year
    plan = services.general_plan_compile(campaign=campaign, by=analyst)
    client.force_login(approver)
    response = client.get(
        reverse("partnerships:general-plan", args=[campaign.pk]),
        {"format": "xlsx"},
    )
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "Школа",
        "Школа-партнёр",
        "Месяц",
        "Мероприятие",
        "Форма",
        "Сроки",
        "Ответственные",
        "Ожидаемый результат",
    ]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]]
    assert len(rows) == len(plan.rows) == 12
    assert {(r[0], r[1]) for r in rows} == {
        ("МБОУ «ООШ № 5»", "МБОУ «Гимназия»"),
        ("МБОУ «СОШ № 6»", "МБОУ «Лицей»"),
        ("МБОУ «СОШ № 8»", "МБОУ «Лицей»"),
    }
    assert (
        "МБОУ «СОШ № 6»",
        "МБОУ «Лицей»",
        "октябрь 2021",
        "Открытые уроки по математике в 5–6 классах",
        "открытые уроки",
        "18.10.2021 – 22.10.2021",
    ) in {r[:6] for r in rows}
