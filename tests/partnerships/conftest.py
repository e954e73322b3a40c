"""
The partnership rounds of г. Лесосибирск, as the demo lays them out, made
from factories with every number the tests read in sight.

Nine schools graded by a run of 2021/2022 whose list is approved: the
gymnasium, the lyceum and СОШ № 2 in the high band (candidate partners), СОШ
№ 9, № 1 and № 4 in the middle, ООШ № 5, СОШ № 8 and № 6 in the low band.
This year (current) ООШ № 5 is paired with the gymnasium, СОШ № 6 and № 8
with the lyceum, their plans approved; СОШ № 4 (ШНСУ) has not chosen yet and
the general plan is not compiled. Last year's round is finished: СОШ № 6 with
the lyceum, every event held, the general plan approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from partnerships.demo import PLAN as DEMO_PLAN
from partnerships.models import Activity, Campaign, Partnership
from schools.models import School, User
from tests.factories import AcademicYearFactory, OperatorFactory, SchoolFactory
from tests.factories.partnerships import (
    ActivityFactory,
    EventFactory,
    GeneralPlanFactory,
    Grade,
    PartnershipCampaignFactory,
    PartnershipFactory,
    approved_list,
    graded_run,
)

D = dt.date
SOSH, OOSH = School.Type.SOSH, School.Type.OOSH
TOWN = "г. Лесосибирск"
# short name: type, settlement, and the grade of 2021/2022 (index L1, well-being N1).
SCHOOLS = {
    "МБОУ «СОШ № 1»": (SOSH, TOWN, Grade(-0.013, 0.314)),
    "МБОУ «СОШ № 2»": (SOSH, TOWN, Grade(0.369, 0.259)),
    "МБОУ «СОШ № 4»": (
        SOSH,
        TOWN,
        Grade(-0.651, -0.759, hard_context=True, status="ШНСУ"),
    ),
    "МБОУ «ООШ № 5»": (
        OOSH,
        "п. Стрелка",
        Grade(-0.718, -1.914, hard_context=True, status="ШНОР и ШНСУ"),
    ),
    "МБОУ «СОШ № 6»": (
        SOSH,
        TOWN,
        Grade(-1.642, -0.630, hard_context=True, status="ШНОР и ШНСУ"),
    ),
    "МБОУ «СОШ № 8»": (SOSH, TOWN, Grade(-0.793, 0.097, status="ШНОР")),
    "МБОУ «СОШ № 9»": (SOSH, TOWN, Grade(0.286, 0.459)),
    "МБОУ «Гимназия»": (School.Type.GYMNASIUM, TOWN, Grade(1.245, 1.053)),
    "МБОУ «Лицей»": (School.Type.LYCEUM, TOWN, Grade(1.487, 1.121)),
}
# СОШ № 6's index the year before, for the outcome of last year's partnership.
LAST_YEARS_INDEX = -1.9
PAIRS = {  # this year's: weak school → partner
    "МБОУ «ООШ № 5»": "МБОУ «Гимназия»",
    "МБОУ «СОШ № 6»": "МБОУ «Лицей»",
    "МБОУ «СОШ № 8»": "МБОУ «Лицей»",
}
# Every approved plan of 2021/2022 holds the demo's four activities; a year earlier last year.
PLAN = DEMO_PLAN


@dataclass
class Lesosibirsk:
    this_year: Campaign  # 2021/2022, the current year
    last_year: Campaign  # 2020/2021, finished
    schools: dict[str, School]  # by short name
    operators: dict[str, User]  # by their school's short name
    pairs: dict[str, Partnership]  # this year's, by the weak school's short name
    finished: Partnership  # last year's СОШ № 6 — Лицей

    def school(self, name: str) -> School:
        return self.schools[f"МБОУ «{name}»"]

    def operator(self, name: str) -> User:
        return self.operators[f"МБОУ «{name}»"]

    def pair(self, name: str) -> Partnership:
        return self.pairs[f"МБОУ «{name}»"]


def _plan(partnership: Partnership, shift: int = 0) -> list[Activity]:
    return [
        ActivityFactory(
            partnership=partnership,
            title=title,
            form=form,
            start=start.replace(year=start.year - shift),
            end=end.replace(year=end.year - shift),
        )
        for title, form, start, end in PLAN
    ]


def _held(partnership: Partnership, activities: list[Activity], by: User) -> None:
    for activity in sorted(activities, key=lambda a: a.start):
        EventFactory(partnership=partnership, activity=activity, recorded_by=by)


@pytest.fixture
def lesosibirsk(
    municipality,
    school,
    neighbour_school,
    operator,
    neighbour_operator,
    analyst,
    approver,
):
    years = {
        start: AcademicYearFactory(start_year=start, is_current=start == 2021)
        for start in (2019, 2020, 2021)
    }
    School.objects.filter(pk__in=[school.pk, neighbour_school.pk]).update(
        settlement=TOWN
    )
    schools = {
        "МБОУ «СОШ № 1»": School.objects.get(pk=school.pk),
        "МБОУ «СОШ № 2»": School.objects.get(pk=neighbour_school.pk),
    }
    operators = {"МБОУ «СОШ № 1»": operator, "МБОУ «СОШ № 2»": neighbour_operator}
    for name, (school_type, settlement, _) in SCHOOLS.items():
        if name not in schools:
            schools[name] = SchoolFactory(
                municipality=municipality,
                short_name=name,
                school_type=school_type,
                settlement=settlement,
            )
            operators[name] = OperatorFactory(schools=[schools[name]])
    run = graded_run(
        municipality=municipality,
        year=years[2021],
        grades={schools[name]: grade for name, (_, _, grade) in SCHOOLS.items()},
        by=analyst,
    )
    approved_list(run, municipality, by=approver)
    graded_run(
        municipality=municipality,
        year=years[2020],
        grades={schools["МБОУ «СОШ № 6»"]: Grade(LAST_YEARS_INDEX)},
        by=analyst,
    )

    this_year = PartnershipCampaignFactory(
        municipality=municipality, year=years[2021], created_by=analyst
    )
    pairs = {}
    for name, partner in PAIRS.items():
        pair = PartnershipFactory(
            campaign=this_year,
            school=schools[name],
            partner=schools[partner],
            created_by=operators[name],
            approved=True,
            approved_by=analyst,
        )
        plan = _plan(pair)
        _held(pair, plan[: 4 if name == "МБОУ «СОШ № 6»" else 1], operators[partner])
        pairs[name] = pair

    last_year = PartnershipCampaignFactory(
        municipality=municipality, year=years[2020], created_by=analyst
    )
    finished = PartnershipFactory(
        campaign=last_year,
        school=schools["МБОУ «СОШ № 6»"],
        partner=schools["МБОУ «Лицей»"],
        created_by=operators["МБОУ «СОШ № 6»"],
        approved=True,
        approved_by=analyst,
    )
    _held(finished, _plan(finished, shift=1), operators["МБОУ «Лицей»"])
    GeneralPlanFactory(
        campaign=last_year, compiled_by=analyst, approved=True, approved_by=approver
    )
    return Lesosibirsk(
        this_year=this_year,
        last_year=last_year,
        schools=schools,
        operators=operators,
        pairs=pairs,
        finished=finished,
    )
