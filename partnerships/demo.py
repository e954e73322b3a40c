"""
Partnerships of the demo (seed 000, 002, 004): the weak schools of the approved
list with «Лицей» and «Гимназия» as partners, approved plans and some events
held; СОШ № 4 has not chosen yet and the general plan is not compiled, so the
process can be tried in the browser. The year before, a finished round shows
what a partnership's outcome looks like.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from schools.demo import shifted
from schools.models import AcademicYear, School, User

from . import services
from .models import Activity, Campaign, GeneralPlan, Partnership

D = dt.date
PAIRS = [
    (
        "sch242706",
        "sch242711",
        ["methodological", "expert"],
        "Снижение доли «2» по математике в 5–6 классах; подготовка к ОГЭ.",
    ),
    (
        "sch242708",
        "sch242711",
        ["methodological"],
        "Повышение качества подготовки к ЕГЭ по русскому языку.",
    ),
    (
        "sch242705",
        "sch242710",
        ["methodological", "organisational"],
        "Сопровождение учителей начальных классов; работа с семьями в сложной ситуации.",
    ),
]
PLAN = [
    (
        "Открытые уроки по математике в 5–6 классах",
        Activity.Form.OPEN_LESSONS,
        D(2021, 10, 18),
        D(2021, 10, 22),
    ),
    (
        "Консультации по подготовке к ОГЭ",
        Activity.Form.CONSULTATION,
        D(2021, 12, 6),
        D(2021, 12, 10),
    ),
    (
        "Совместное методобъединение учителей математики",
        Activity.Form.JOINT_MO,
        D(2022, 2, 14),
        D(2022, 2, 14),
    ),
    (
        "Наставничество молодого учителя",
        Activity.Form.MENTORING,
        D(2021, 11, 1),
        D(2022, 5, 31),
    ),
]


def load_partnerships_demo() -> int:
    """Create the demo partnership rounds if missing. Returns 0: `load_demo` counts reports."""
    analyst = User.objects.get(username="mimc")
    _last_year(analyst)
    _this_year(analyst)
    return 0


def _this_year(analyst: User) -> None:
    """2021/2022: three approved plans (one sent late), events behind and on track; the general plan still to compile."""
    campaign = _new_campaign(analyst, 2021)
    if campaign is None:
        return
    plan = [
        (title, form, shifted(start), shifted(end)) for title, form, start, end in PLAN
    ]
    for code, partner_code, support, goals in PAIRS:
        submitted = shifted(
            dt.datetime(2021, 11, 24 if code != "sch242705" else 27, 12, tzinfo=dt.UTC)
        )  # one plan came late
        _partnership(
            campaign,
            code,
            partner_code,
            support,
            goals,
            plan,
            submitted=submitted,
            held=4 if code == "sch242706" else 1,
            by=analyst,
        )


def _last_year(analyst: User) -> None:
    """2020/2021, finished: СОШ № 6 with «Лицей», every event held, the general plan approved — its outcome is known."""
    campaign = _new_campaign(analyst, 2020)
    if campaign is None:
        return
    code, partner_code, support, _ = PAIRS[0]
    plan = [
        (
            title,
            form,
            shifted(start.replace(year=start.year - 1)),
            shifted(end.replace(year=end.year - 1)),
        )
        for title, form, start, end in PLAN
    ]
    _partnership(
        campaign,
        code,
        partner_code,
        support,
        "Снижение доли «2» по математике в 5–6 классах.",
        plan,
        submitted=shifted(dt.datetime(2020, 11, 20, 12, tzinfo=dt.UTC)),
        held=len(plan),
        by=analyst,
    )
    general = services.general_plan_compile(campaign=campaign, by=analyst)
    services.general_plan_submit(plan=general, by=analyst)
    # The demo's plan went to the department in 2020, before the order approved it.
    GeneralPlan.objects.filter(pk=general.pk).update(
        compiled_at=shifted(dt.datetime(2020, 11, 27, 9, tzinfo=dt.UTC)),
        submitted_at=shifted(dt.datetime(2020, 11, 27, 10, tzinfo=dt.UTC)),
    )
    general.refresh_from_db()
    services.general_plan_approve(
        plan=general,
        order_number="112",
        order_date=shifted(D(2020, 12, 3)),
        by=User.objects.get(username="uo"),
    )


def _new_campaign(analyst: User, written: int) -> Campaign | None:
    """The year's round with seed 000's deadlines (25.11 and 30.11), or None when the demo already has it."""
    start_year = shifted(written)
    campaign, created = Campaign.objects.get_or_create(
        municipality=analyst.municipality,
        year=AcademicYear.objects.get(start_year=start_year),
        defaults={
            "plan_deadline": D(start_year, 11, 25),
            "general_plan_deadline": D(start_year, 11, 30),
            "capacity": 2,
            "created_by": analyst,
        },
    )
    return campaign if created else None


def _partnership(
    campaign: Campaign,
    code: str,
    partner_code: str,
    support: list[str],
    goals: str,
    plan: list[tuple[Any, ...]],
    *,
    submitted: dt.datetime,
    held: int,
    by: User,
) -> Partnership:
    """
    One pair through the whole process: proposed, accepted, planned, submitted,
    approved, events held, agreement signed — as far as the day the demo is
    loaded allows: nothing is sent, approved or held after it.
    """
    now = timezone.now()
    start_of_year = timezone.make_aware(
        dt.datetime.combine(campaign.year.start_date, dt.time(9))
    )
    submitted = min(submitted, max(now - dt.timedelta(days=3), start_of_year), now)
    school, partner = (
        School.objects.get(code=code),
        School.objects.get(code=partner_code),
    )
    operator, partner_operator = _operator(school), _operator(partner)
    partnership = services.propose(
        campaign=campaign,
        school=school,
        partner=partner,
        support=support,
        goals=goals,
        by=operator,
    )
    services.partnership_accept(obj=partnership, by=partner_operator, reason="")
    for title, form, start, end in plan:
        services.activity_save(
            partnership=partnership,
            by=operator,
            data={
                "title": title,
                "form": form,
                "start": start,
                "end": end,
                "responsible_school": f"заместитель директора по УВР {school.short_name}",
                "responsible_partner": f"руководитель МО {partner.short_name}",
                "expected_result": "Учителя освоили приёмы работы со слабоуспевающими",
            },
        )
    services.partnership_submit(obj=partnership, by=operator, now=submitted)
    services.partnership_approve(obj=partnership, by=by, reason="")
    past = partnership.activities.filter(start__lte=timezone.localdate())
    for activity in list(past.order_by("start"))[:held]:
        services.event_record(
            partnership=partnership, by=partner_operator, data=_event(activity)
        )
    year = campaign.year
    Partnership.objects.filter(pk=partnership.pk).update(
        approved_at=min(submitted + dt.timedelta(days=2), now),
        agreement_number=f"С-{partnership.pk}",
        agreement_date=min(
            (submitted + dt.timedelta(days=5)).date(), timezone.localdate()
        ),
        agreement_until=year.end_date,
    )
    return partnership


def _operator(school: School) -> User:
    return User.objects.filter(role=User.Role.OPERATOR, schools=school).first()


def _event(activity: Activity) -> dict[str, Any]:
    return {
        "activity": activity,
        "date": activity.start,
        "participants": 12,
        "report": f"Проведено: {activity.title.lower()}.",
        "materials_url": "",
    }


def drop_partnerships(schools: Any) -> None:
    """Delete the partnership rounds of a synthetic region's municipalities."""
    campaigns = Campaign.objects.filter(
        municipality__in=schools.values("municipality_id")
    )
    Partnership.objects.filter(campaign__in=campaigns).delete()
    campaigns.delete()
