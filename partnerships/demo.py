"""
Partnerships of the demo (seed 000, 002, 004): the weak schools of the approved
list with «Лицей» and «Гимназия» as partners, approved plans and some events
held; СОШ № 4 has not chosen yet, so the process can be tried in the browser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from schools.models import AcademicYear, School, User

from . import services
from .models import Activity, Campaign, Partnership

D = dt.date
PAIRS = [
    ("sch242706", "sch242711", ["methodological", "expert"], "Снижение доли «2» по математике в 5–6 классах; подготовка к ОГЭ."),
    ("sch242708", "sch242711", ["methodological"], "Повышение качества подготовки к ЕГЭ по русскому языку."),
    ("sch242705", "sch242710", ["methodological", "organisational"], "Сопровождение учителей начальных классов; работа с семьями в сложной ситуации."),
]
PLAN = [
    ("Открытые уроки по математике в 5–6 классах", Activity.Form.OPEN_LESSONS, D(2021, 10, 18), D(2021, 10, 22)),
    ("Консультации по подготовке к ОГЭ", Activity.Form.CONSULTATION, D(2021, 12, 6), D(2021, 12, 10)),
    ("Совместное методобъединение учителей математики", Activity.Form.JOINT_MO, D(2022, 2, 14), D(2022, 2, 14)),
    ("Наставничество молодого учителя", Activity.Form.MENTORING, D(2021, 11, 1), D(2022, 5, 31)),
]


def load_partnerships_demo() -> int:
    """Create the demo partnerships if missing. Returns 0: `load_demo` counts reports."""
    analyst = User.objects.get(username="mimc")
    municipality = analyst.municipality
    year = AcademicYear.objects.get(start_year=2021)
    campaign, created = Campaign.objects.get_or_create(
        municipality=municipality, year=year,
        defaults={"plan_deadline": D(2021, 11, 25), "general_plan_deadline": D(2021, 11, 30), "capacity": 2, "created_by": analyst},
    )
    if not created:
        return 0
    for code, partner_code, support, goals in PAIRS:
        school, partner = School.objects.get(code=code), School.objects.get(code=partner_code)
        operator, partner_operator = _operator(school), _operator(partner)
        partnership = services.propose(campaign=campaign, school=school, partner=partner, support=support, goals=goals, by=operator)
        services.respond(partnership=partnership, accept=True, reason="", by=partner_operator)
        for title, form, start, end in PLAN:
            services.activity_save(partnership=partnership, by=operator, data={
                "title": title, "form": form, "start": start, "end": end,
                "responsible_school": f"заместитель директора по УВР {school.short_name}", "responsible_partner": f"руководитель МО {partner.short_name}",
                "expected_result": "Учителя освоили приёмы работы со слабоуспевающими",
            })
        submitted = dt.datetime(2021, 11, 24 if code != "sch242705" else 27, 12, tzinfo=dt.UTC)  # one plan came late
        services.submit_plan(partnership=partnership, by=operator, now=submitted)
        services.review_plan(partnership=partnership, approve=True, comment="", by=analyst)
        for activity in list(partnership.activities.all())[: 3 if code == "sch242706" else 1]:
            services.event_record(partnership=partnership, by=partner_operator, data=_event(activity))
        partnership.agreement_number, partnership.agreement_date, partnership.agreement_until = f"С-{partnership.pk}", D(2021, 11, 29), D(2022, 8, 31)
        partnership.save(update_fields=["agreement_number", "agreement_date", "agreement_until"])
    return 0


def _operator(school: School) -> User:
    return User.objects.filter(role=User.Role.OPERATOR, schools=school).first()


def _event(activity: Activity) -> dict[str, Any]:
    return {"activity": activity, "date": activity.start, "participants": 12, "report": f"Проведено: {activity.title.lower()}.", "materials_url": ""}


def drop_partnerships(schools: Any) -> None:
    """Delete the partnership rounds of a synthetic region's municipalities."""
    campaigns = Campaign.objects.filter(municipality__in=schools.values("municipality_id"))
    Partnership.objects.filter(campaign__in=campaigns).delete()
    campaigns.delete()
