import datetime as dt

import factory

from monitoring.models import Campaign, Report, ReportKind, StaffingData, Subject

from .schools import AcademicYearFactory, SchoolFactory, UserFactory


def subject(name: str) -> Subject:
    """Return a subject of the dictionary seeded by migration."""
    Subject.objects.ensure_defaults()
    return Subject.objects.get(name=name)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    municipality = factory.SubFactory("tests.factories.schools.MunicipalityFactory")
    year = factory.SubFactory(AcademicYearFactory)
    title = "Мониторинг за 2020/2021 учебный год"
    kinds = factory.LazyFunction(lambda: list(ReportKind.values))
    deadline = dt.date(2021, 10, 15)
    order_number = "107"
    order_date = dt.date(2021, 9, 23)
    created_by = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(AcademicYearFactory)
    kind = ReportKind.STAFFING


STAFFING = {
    "teachers_total": 40,
    "under_30": 5,
    "pension_age": 6,
    "experience_under_3": 4,
    "highest_category": 12,
    "first_category": 15,
    "category_confirmed_3y": 10,
    "overloaded": 8,
    "contest_participants_3y": 3,
    "not_by_profile": 2,
    "training_3y": 35,
    "deficit_diagnostics": 20,
    "subject_assessment": 10,
    "vacancies": 1,
    "psychologists": 1,
    "social_pedagogues": 1,
    "speech_therapists": 1,
    "defectologists": 0,
}


class StaffingDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingData

    report = factory.SubFactory(ReportFactory, kind=ReportKind.STAFFING)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return {**STAFFING, **kwargs}
