"""
Factories of partnerships/: a municipality's round of a school year
(partnerships.Campaign), its pairs, their interaction plans and held events,
МИМЦ's suggestions, the general plan and the gradation scale.

Partnerships start from the gradation, which reads an identification run:
`graded_run` makes a finished run holding only what the gradation and the
suggestions read of each school (composite result index L1, social
well-being N1, resilience R8, the computed status), and `approved_list` the
year's approved list of ШНОР/ШНСУ behind it.

Rows are made in the state asked for, not walked through the workflow: a
test of a workflow rule drives the services itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from django.utils import timezone

from identification import columns
from identification import services as identification
from identification.models import (
    CriterionResult,
    IdentificationRun,
    Methodology,
    OfficialEntry,
    OfficialList,
    SchoolResult,
)
from partnerships import services
from partnerships.models import (
    Activity,
    Campaign,
    Event,
    GeneralPlan,
    GradationScale,
    Partnership,
    Suggestion,
)
from schools.models import AcademicYear, Municipality, School, User

from .schools import (
    AcademicYearFactory,
    AnalystFactory,
    MunicipalityFactory,
    SchoolFactory,
    UserFactory,
)


def _year(o) -> int:
    return o.campaign.year.start_year


class GradationScaleFactory(factory.django.DjangoModelFactory):
    """A municipality's own cut points (the default ones: a quarter at each end)."""

    class Meta:
        model = GradationScale

    municipality = factory.SubFactory(MunicipalityFactory)
    method = "share"
    low = 25
    high = 25


class PartnershipCampaignFactory(factory.django.DjangoModelFactory):
    """A municipality's partnership round, with seed 000's deadlines (25.11 and 30.11)."""

    class Meta:
        model = Campaign

    municipality = factory.SubFactory(MunicipalityFactory)
    year = factory.SubFactory(AcademicYearFactory, start_year=2021)
    plan_deadline = factory.LazyAttribute(lambda o: dt.date(o.year.start_year, 11, 25))
    general_plan_deadline = factory.LazyAttribute(
        lambda o: dt.date(o.year.start_year, 11, 30)
    )
    capacity = 2
    events_target = 4


class PartnershipFactory(factory.django.DjangoModelFactory):
    """
    A weak school and its partner, both of the round's municipality; proposed
    unless a state is asked for (`approved=True`: sent on 20.11 and approved
    two days later).
    """

    class Meta:
        model = Partnership

    class Params:
        approved = factory.Trait(
            status=Partnership.Status.APPROVED,
            submitted_at=factory.LazyAttribute(
                lambda o: dt.datetime(_year(o), 11, 20, 12, tzinfo=dt.UTC)
            ),
            approved_at=factory.LazyAttribute(
                lambda o: o.submitted_at + dt.timedelta(days=2)
            ),
        )

    campaign = factory.SubFactory(PartnershipCampaignFactory)
    school = factory.SubFactory(
        SchoolFactory, municipality=factory.SelfAttribute("..campaign.municipality")
    )
    partner = factory.SubFactory(
        SchoolFactory, municipality=factory.SelfAttribute("..campaign.municipality")
    )
    status = Partnership.Status.PROPOSED
    support = factory.LazyFunction(lambda: ["methodological"])
    goals = "Подготовка к ОГЭ"
    created_by = factory.SubFactory(UserFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity of the interaction plan: one day of October of the round's year unless told."""

    class Meta:
        model = Activity

    partnership = factory.SubFactory(PartnershipFactory, approved=True)
    title = factory.Sequence(lambda n: f"Семинар {n}")
    form = Activity.Form.SEMINAR
    start = factory.LazyAttribute(
        lambda o: dt.date(o.partnership.campaign.year.start_year, 10, 18)
    )
    end = factory.SelfAttribute("start")
    responsible_school = factory.LazyAttribute(
        lambda o: f"заместитель директора по УВР {o.partnership.school.short_name}"
    )
    responsible_partner = factory.LazyAttribute(
        lambda o: f"руководитель МО {o.partnership.partner.short_name}"
    )
    expected_result = "Учителя освоили приёмы работы со слабоуспевающими"


class EventFactory(factory.django.DjangoModelFactory):
    """An exchange event held: on its activity's first day when it has one."""

    class Meta:
        model = Event

    partnership = factory.SubFactory(PartnershipFactory, approved=True)
    activity = None
    date = factory.LazyAttribute(
        lambda o: (
            o.activity.start
            if o.activity
            else dt.date(o.partnership.campaign.year.start_year, 10, 18)
        )
    )
    participants = 12
    report = factory.LazyAttribute(
        lambda o: (
            f"Проведено: {o.activity.title.lower()}."
            if o.activity
            else "Проведены открытые уроки"
        )
    )
    recorded_by = factory.SubFactory(UserFactory)


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    campaign = factory.SubFactory(PartnershipCampaignFactory)
    school = factory.SubFactory(
        SchoolFactory, municipality=factory.SelfAttribute("..campaign.municipality")
    )
    partner = factory.SubFactory(
        SchoolFactory, municipality=factory.SelfAttribute("..campaign.municipality")
    )
    reason = "тот же тип школы (СОШ)"
    sent_by = factory.SubFactory(UserFactory)


class GeneralPlanFactory(factory.django.DjangoModelFactory):
    """
    The round's general plan: its rows are the snapshot the service compiles
    from the approved plans; then it is put in the state asked for
    (`approved=True`: sent on 27.11, approved by order № 112 of 03.12).
    """

    class Meta:
        model = GeneralPlan

    class Params:
        approved = factory.Trait(
            status=GeneralPlan.Status.APPROVED,
            submitted_at=factory.LazyAttribute(
                lambda o: dt.datetime(_year(o), 11, 27, 10, tzinfo=dt.UTC)
            ),
            order_number="112",
            order_date=factory.LazyAttribute(lambda o: dt.date(_year(o), 12, 3)),
        )

    campaign = factory.SubFactory(PartnershipCampaignFactory)
    compiled_by = factory.SubFactory(
        AnalystFactory, municipality=factory.SelfAttribute("..campaign.municipality")
    )
    status = GeneralPlan.Status.COMPILED

    @classmethod
    def _create(cls, model_class, *args, campaign, compiled_by, **state):
        plan = services.general_plan_compile(campaign=campaign, by=compiled_by)
        model_class.objects.filter(pk=plan.pk).update(**state)
        plan.refresh_from_db()
        return plan


# The gradation the partnerships start from ------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """What a run says of one school."""

    index: float | None  # the composite result index (L1)
    wellbeing: float | None = None  # the social well-being index (N1)
    hard_context: bool = False  # N1 flagged: ШНСУ's social context
    resilient: bool = False  # R8 flagged
    status: str = columns.STATUS_NONE


def _state(flagged: bool, value: float | None) -> str:
    if flagged:
        return columns.FLAGGED
    return columns.NOT_FLAGGED if value is not None else columns.NO_DATA


def graded_run(
    *,
    municipality: Municipality,
    year: AcademicYear,
    grades: dict[School, Grade],
    by: User | None = None,
) -> IdentificationRun:
    """A finished run of the combined methodology on the municipality with the given grades."""
    identification.ensure_presets()
    version = Methodology.objects.get(code="combined").current
    run = IdentificationRun.objects.create(
        target_year=year,
        version=version,
        params=version.params,
        status=IdentificationRun.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
        created_by=by,
    )
    run.municipalities.add(municipality)
    SchoolResult.objects.bulk_create(
        SchoolResult(
            run=run,
            school=school,
            status=grade.status,
            shnor=columns.STATUS_SHNOR in grade.status,
            shnsu=columns.STATUS_SHNSU in grade.status,
        )
        for school, grade in grades.items()
    )
    CriterionResult.objects.bulk_create(
        row
        for school, grade in grades.items()
        for row in (
            CriterionResult(
                run=run,
                school=school,
                criterion="L1",
                state=_state(False, grade.index),
                value=grade.index,
            ),
            CriterionResult(
                run=run,
                school=school,
                criterion="N1",
                state=_state(grade.hard_context, grade.wellbeing),
                value=grade.wellbeing,
            ),
            CriterionResult(
                run=run,
                school=school,
                criterion="R8",
                state=_state(grade.resilient, None),
            ),
        )
    )
    return run


def approved_list(
    run: IdentificationRun,
    municipality: Municipality,
    *,
    by: User,
    order_number: str = "10",
    order_date: dt.date | None = None,
) -> OfficialList:
    """The run's statuses approved as the municipality's list of its year."""
    official = OfficialList.objects.create(
        municipality=municipality,
        year=run.target_year,
        run=run,
        order_number=order_number,
        order_date=order_date or dt.date(run.target_year.start_year, 10, 1),
        approved_by=by,
    )
    OfficialEntry.objects.bulk_create(
        OfficialEntry(
            official_list=official,
            school=result.school,
            status=result.status,
            computed_status=result.status,
            reasons="",
        )
        for result in run.school_results.filter(
            school__municipality=municipality
        ).select_related("school")
    )
    return official


__all__ = [
    "ActivityFactory",
    "EventFactory",
    "GeneralPlanFactory",
    "GradationScaleFactory",
    "Grade",
    "PartnershipCampaignFactory",
    "PartnershipFactory",
    "SuggestionFactory",
    "approved_list",
    "graded_run",
]
