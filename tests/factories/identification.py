"""
Identification for tests: the figures a run reads (ВПР, ОГЭ and ЕГЭ results,
the four one-row reports, the region's means), methodologies, runs made
through the services, and a small town whose identification is worked out
by hand (see TOWN).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import factory

from identification import engine, services
from identification.models import (
    IdentificationRun,
    Methodology,
    MethodologyVersion,
)
from monitoring.models import (
    AssessmentResult,
    MarkComparison,
    OutcomesData,
    RegionalMean,
    Report,
    ReportKind,
    ResourcesData,
    SocialPassportData,
    StaffingData,
)
from schools.demo import ensure_years
from schools.models import AcademicYear, Municipality, School

from .monitoring import ReportFactory, subject
from .schools import AcademicYearFactory, MunicipalityFactory, RegionFactory

# The figures ----------------------------------------------------------------------


def _mean_of_marks(o: Any) -> Decimal | None:
    if None in (o.mark2, o.mark3, o.mark4, o.mark5) or not o.participants:
        return None
    total = 2 * o.mark2 + 3 * o.mark3 + 4 * o.mark4 + 5 * o.mark5
    return (Decimal(total) / o.participants).quantize(Decimal("0.01"))


class AssessmentResultFactory(factory.django.DjangoModelFactory):
    """A result given as marks (ВПР, ОГЭ): «3» is the rest, the mean follows from the marks."""

    class Meta:
        model = AssessmentResult

    report = factory.SubFactory(ReportFactory, kind=ReportKind.RESULTS)
    procedure = "ВПР"
    subject = factory.LazyFunction(lambda: subject("математика"))
    grade = 5
    level = ""
    participants = 40
    mark2 = 4
    mark4 = 14
    mark5 = 6
    mark3 = factory.LazyAttribute(
        lambda o: o.participants - o.mark2 - o.mark4 - o.mark5
    )
    failed_minimum = None
    mean_score = factory.LazyAttribute(_mean_of_marks)


class EgeResultFactory(AssessmentResultFactory):
    """An ЕГЭ result in test points: those below the minimum and the mean score."""

    procedure = "ЕГЭ"
    subject = factory.LazyFunction(lambda: subject("русский язык"))
    grade = 11
    participants = 20
    mark2 = mark3 = mark4 = mark5 = None
    failed_minimum = 1
    mean_score = Decimal("65.00")


class MarkComparisonFactory(factory.django.DjangoModelFactory):
    """ВПР marks against the journal's: most confirmed."""

    class Meta:
        model = MarkComparison

    report = factory.SubFactory(ReportFactory, kind=ReportKind.RESULTS)
    subject = factory.LazyFunction(lambda: subject("математика"))
    grade = 5
    lowered = 10
    raised = 2
    confirmed = 28


class SocialPassportDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialPassportData

    report = factory.SubFactory(ReportFactory, kind=ReportKind.SOCIAL)
    pupils_total = 600
    incomplete_families = 120
    large_families = 70
    low_income = 90
    both_parents_unemployed = 20
    both_parents_higher_ed = 180
    poor_housing = 60
    sop_families = 10
    school_register = 15
    pdn_kdn_register = 8
    ovz = 24
    disabled_children = 6
    under_guardianship = 12
    weak_russian = 9
    low_motivation = 60


class ResourcesDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourcesData

    report = factory.SubFactory(ReportFactory, kind=ReportKind.RESOURCES)
    textbook_fund = 7200
    textbooks_recent = 2880
    class_sets = 24
    student_computers = 60


class OutcomesDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomesData

    report = factory.SubFactory(ReportFactory, kind=ReportKind.OUTCOMES)
    grade9_graduates = 50
    continued_grade10 = 35
    olympiad_participants = 12
    attested = 540
    attested_good = 270
    attested_failing = 5
    noko_satisfaction = Decimal("80.0")


class RegionalMeanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalMean

    region = factory.SubFactory(RegionFactory)
    year = factory.SubFactory(AcademicYearFactory)
    procedure = "ЕГЭ"
    subject = factory.LazyFunction(lambda: subject("русский язык"))
    grade = 11
    level = ""
    mean_score = Decimal("70.00")


# Methodologies and runs -------------------------------------------------------------


def preset(code: str = "combined") -> Methodology:
    """A preset methodology shipped with the portal (made if missing, as on a fresh portal)."""
    services.ensure_presets()
    return Methodology.objects.get(code=code)


class MethodologyFactory(factory.django.DjangoModelFactory):
    """
    A municipality's own methodology with its version 1: the combined preset's
    parameters (or `version__params`).
    """

    class Meta:
        model = Methodology
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"own-{n}")
    name = factory.Sequence(lambda n: f"Своя методика {n}")
    municipality = factory.SubFactory(MunicipalityFactory)

    @factory.post_generation
    def version(self, create, extracted, **kwargs):
        if create:
            MethodologyVersionFactory(methodology=self, number=1, **kwargs)


class MethodologyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MethodologyVersion

    methodology = factory.SubFactory(MethodologyFactory, version=None)
    number = factory.Sequence(lambda n: n + 2)
    params = factory.LazyFunction(lambda: engine.preset("combined"))
    comment = "Параметры по умолчанию"


class RunFactory(factory.django.DjangoModelFactory):
    """
    A run made and computed through the services (run_create, run_execute),
    as the task computes it; `execute=False` leaves it queued.
    """

    class Meta:
        model = IdentificationRun

    class Params:
        execute = True

    target_year = factory.SubFactory(AcademicYearFactory, start_year=2021)
    municipalities = factory.LazyFunction(lambda: [MunicipalityFactory()])
    version = factory.LazyFunction(lambda: preset("combined").current)
    only_accepted = False
    created_by = None

    @classmethod
    def _create(cls, model_class, *, execute=True, **kwargs):
        run = services.run_create(
            target_year=kwargs["target_year"],
            municipalities=kwargs["municipalities"],
            version=kwargs["version"],
            only_accepted=kwargs["only_accepted"],
            by=kwargs["created_by"],
            enqueue=False,
        )
        if execute:
            services.run_execute(run=run)
            run.refresh_from_db()
        return run


# The town ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """
    A school of the town and the figures of its reports, the same every year
    but for the share of «2» in ВПР mathematics (`maths_fail`, per year).

    hardship (0…1) sets the social passport, staff (0…1) the teachers'
    figures; oge is the shares of «2», «4» and «5» at the ОГЭ; ege the mean
    ЕГЭ scores in Russian and in profile mathematics (none at an ООШ).
    """

    name: str
    code: str
    school_type: str
    distance_km: str
    maths_fail: dict[int, int]
    oge: tuple[float, float, float]
    ege: tuple[int, int] | None
    hardship: float
    staff: float
    textbooks_recent: float
    continued: float
    olympiad: int
    noko: str
    good: float
    raised: float
    is_rural: bool = False
    pupils: int = 600
    teachers: int = 50
    graduates: int = 40
    cohort: int = 40
    not_accepted: dict[tuple[int, str], str] = field(default_factory=dict)


DRAFT, SUBMITTED = Report.Status.DRAFT, Report.Status.SUBMITTED
YEARS = (2018, 2019, 2020)  # school years with figures; 2021/2022 is the current one
REGIONAL_EGE = {"русский язык": "70.00", "математика": "54.00"}

# Six schools of one municipality. What the combined methodology makes of them
# for 2021/2022 (R1 on 2020/2021 and 2019/2020, the rest on 2020/2021), by hand:
# - R1 (30 % of «2»): СОШ № 6 only — 35 % and 40 % in ВПР mathematics of grades
#   5 and 6 in both years; ООШ № 5 had 33 % in 2018 and 2019 but 13 % in 2020
#   (so it was flagged for 2020/2021, not for 2021/2022). At 20 % СОШ № 1 (22 %)
#   and СОШ № 8 (25 %) would be flagged too.
# - L1 (the 25 %, two of six, lowest on ОГЭ and ЕГЭ): СОШ № 6 and СОШ № 8.
# - N1 (the two of six with the lowest social well-being): СОШ № 6 and ООШ № 5,
#   the hardest contexts; ООШ № 5's results are above the median: resilient (R8).
# - N2 (the two with the lowest staff index): СОШ № 6 and СОШ № 8.
# Statuses: СОШ № 6 «ШНОР и ШНСУ», СОШ № 8 «ШНОР», ООШ № 5 «ШНСУ»; СОШ № 1,
# СОШ № 9 and the gymnasium «нет». A year earlier ООШ № 5 was «ШНОР и ШНСУ».
# Not accepted: ООШ № 5's reports of 2020/2021 are drafts; СОШ № 6's social
# passport of 2020/2021 is still on review.
TOWN = [
    Spec(
        "МБОУ «СОШ № 1»",
        "sch242701",
        School.Type.SOSH,
        "2.5",
        maths_fail={2018: 22, 2019: 22, 2020: 22},
        oge=(0.06, 0.40, 0.14),
        ege=(66, 48),
        hardship=0.3,
        staff=0.6,
        textbooks_recent=0.40,
        continued=0.65,
        olympiad=12,
        noko="78.0",
        good=0.45,
        raised=0.04,
    ),
    Spec(
        "МБОУ «ООШ № 5»",
        "sch242705",
        School.Type.OOSH,
        "18.0",
        is_rural=True,
        pupils=150,
        teachers=20,
        graduates=15,
        cohort=15,
        maths_fail={2018: 35, 2019: 35, 2020: 15},
        oge=(0.04, 0.44, 0.20),
        ege=None,
        hardship=0.9,
        staff=0.4,
        textbooks_recent=0.25,
        continued=0.0,
        olympiad=2,
        noko="70.0",
        good=0.40,
        raised=0.05,
        not_accepted={(2020, kind): DRAFT for kind in ReportKind.values},
    ),
    Spec(
        "МБОУ «СОШ № 6»",
        "sch242706",
        School.Type.SOSH,
        "6.4",
        maths_fail={2018: 38, 2019: 40, 2020: 35},
        oge=(0.20, 0.20, 0.05),
        ege=(50, 30),
        hardship=0.8,
        staff=0.2,
        textbooks_recent=0.20,
        continued=0.45,
        olympiad=1,
        noko="38.0",
        good=0.30,
        raised=0.20,
        not_accepted={(2020, ReportKind.SOCIAL): SUBMITTED},
    ),
    Spec(
        "МБОУ «СОШ № 8»",
        "sch242708",
        School.Type.SOSH,
        "4.1",
        maths_fail={2018: 25, 2019: 25, 2020: 25},
        oge=(0.12, 0.30, 0.08),
        ege=(58, 40),
        hardship=0.5,
        staff=0.3,
        textbooks_recent=0.35,
        continued=0.55,
        olympiad=6,
        noko="65.0",
        good=0.38,
        raised=0.05,
    ),
    Spec(
        "МБОУ «СОШ № 9»",
        "sch242709",
        School.Type.SOSH,
        "2.7",
        maths_fail={2018: 8, 2019: 8, 2020: 8},
        oge=(0.03, 0.45, 0.25),
        ege=(72, 56),
        hardship=0.2,
        staff=0.8,
        textbooks_recent=0.50,
        continued=0.70,
        olympiad=15,
        noko="85.0",
        good=0.50,
        raised=0.03,
    ),
    Spec(
        "МБОУ «Гимназия»",
        "sch242710",
        School.Type.GYMNASIUM,
        "0.8",
        pupils=700,
        maths_fail={2018: 4, 2019: 4, 2020: 4},
        oge=(0.0, 0.45, 0.45),
        ege=(82, 68),
        hardship=0.0,
        staff=0.9,
        textbooks_recent=0.60,
        continued=0.85,
        olympiad=30,
        noko="90.0",
        good=0.65,
        raised=0.02,
    ),
]


@dataclass
class Town:
    municipality: Municipality
    schools: dict[str, School]  # by short name
    years: dict[int, AcademicYear]

    def __getitem__(self, short_name: str) -> School:
        return self.schools[short_name]


def _share(total: int, share: float) -> int:
    return round(total * share)


def fill_year(school: School, spec: Spec, year: AcademicYear) -> None:
    """The five reports of the school for the year, with the figures of its spec."""
    status = {
        kind: spec.not_accepted.get((year.start_year, kind), Report.Status.ACCEPTED)
        for kind in ReportKind.values
    }

    def report(kind: str) -> Report:
        return ReportFactory(school=school, year=year, kind=kind, status=status[kind])

    h, q, pupils, teachers = spec.hardship, spec.staff, spec.pupils, spec.teachers
    results = report(ReportKind.RESULTS)
    maths, russian = subject("математика"), subject("русский язык")
    n = spec.cohort
    for grade in (5, 6):
        for name, fail in ((maths, spec.maths_fail[year.start_year]), (russian, 10)):
            AssessmentResultFactory(
                report=results,
                subject=name,
                grade=grade,
                participants=n,
                mark2=_share(n, fail / 100),
                mark4=_share(n, 0.35),
                mark5=_share(n, 0.15),
            )
            raised = _share(n, spec.raised)
            MarkComparisonFactory(
                report=results,
                subject=name,
                grade=grade,
                lowered=_share(n, 0.25),
                raised=raised,
                confirmed=n - _share(n, 0.25) - raised,
            )
    two, four, five = spec.oge
    for name in (maths, russian):
        AssessmentResultFactory(
            report=results,
            procedure="ОГЭ",
            subject=name,
            grade=9,
            participants=spec.graduates,
            mark2=_share(spec.graduates, two),
            mark4=_share(spec.graduates, four),
            mark5=_share(spec.graduates, five),
        )
    if spec.ege:
        for name, level, mean in (
            (russian, "", spec.ege[0]),
            (maths, "профильный", spec.ege[1]),
        ):
            EgeResultFactory(
                report=results,
                subject=name,
                level=level,
                failed_minimum=2 if mean < 40 else 0,
                mean_score=Decimal(mean),
            )
    StaffingData.objects.create(
        report=report(ReportKind.STAFFING),
        teachers_total=teachers,
        under_30=_share(teachers, 0.1),
        pension_age=_share(teachers, 0.15),
        experience_under_3=_share(teachers, 0.08),
        highest_category=_share(teachers, 0.3),
        first_category=_share(teachers, 0.35),
        category_confirmed_3y=_share(teachers, 0.2 + 0.4 * q),
        overloaded=_share(teachers, 0.35 - 0.3 * q),
        contest_participants_3y=_share(teachers, 0.02 + 0.12 * q),
        not_by_profile=_share(teachers, 0.15 - 0.12 * q),
        training_3y=_share(teachers, 0.85),
        deficit_diagnostics=_share(teachers, 0.4),
        subject_assessment=_share(teachers, 0.2),
        vacancies=1,
        psychologists=1,
        social_pedagogues=1,
        speech_therapists=1,
        defectologists=0,
    )
    SocialPassportDataFactory(
        report=report(ReportKind.SOCIAL),
        pupils_total=pupils,
        incomplete_families=_share(pupils, 0.15 + 0.25 * h),
        large_families=_share(pupils, 0.10 + 0.10 * h),
        low_income=_share(pupils, 0.10 + 0.30 * h),
        both_parents_unemployed=_share(pupils, 0.02 + 0.08 * h),
        both_parents_higher_ed=_share(pupils, 0.40 - 0.30 * h),
        poor_housing=_share(pupils, 0.05 + 0.40 * h),
        sop_families=_share(pupils, 0.01 + 0.04 * h),
        school_register=_share(pupils, 0.02 + 0.04 * h),
        pdn_kdn_register=_share(pupils, 0.01 + 0.02 * h),
        ovz=_share(pupils, 0.04),
        disabled_children=_share(pupils, 0.01),
        under_guardianship=_share(pupils, 0.02),
        weak_russian=_share(pupils, 0.01 + 0.03 * h),
        low_motivation=_share(pupils, 0.08 + 0.12 * h),
    )
    fund = pupils * 12
    ResourcesDataFactory(
        report=report(ReportKind.RESOURCES),
        textbook_fund=fund,
        textbooks_recent=_share(fund, spec.textbooks_recent),
        class_sets=pupils // 25,
        student_computers=pupils // 10,
    )
    attested = _share(pupils, 0.9)
    OutcomesDataFactory(
        report=report(ReportKind.OUTCOMES),
        grade9_graduates=spec.graduates,
        continued_grade10=_share(spec.graduates, spec.continued),
        olympiad_participants=spec.olympiad,
        attested=attested,
        attested_good=_share(attested, spec.good),
        attested_failing=_share(attested, 0.01 + 0.02 * h),
        noko_satisfaction=Decimal(spec.noko),
    )


def build_town(municipality: Municipality, *, school: School | None = None) -> Town:
    """
    The six schools of TOWN in the municipality with their figures of
    2018/2019–2020/2021 and the region's ЕГЭ means; 2021/2022 is the current
    year. `school`, if given, stands for МБОУ «СОШ № 1» (a school of the
    factory's defaults: СОШ, 2.5 km, not rural).
    """
    years = {y.start_year: y for y in ensure_years(range(2018, 2022), current=2021)}
    schools = {}
    for spec in TOWN:
        if school is not None and spec.name == "МБОУ «СОШ № 1»":
            made = school
        else:
            made = School.objects.create(
                municipality=municipality,
                short_name=spec.name,
                full_name=f"Муниципальное бюджетное общеобразовательное учреждение {spec.name}",
                code=spec.code,
                school_type=spec.school_type,
                is_rural=spec.is_rural,
                distance_km=Decimal(spec.distance_km),
            )
        schools[spec.name] = made
        for start in YEARS:
            fill_year(made, spec, years[start])
    for start in YEARS:
        for name, mean in REGIONAL_EGE.items():
            RegionalMeanFactory(
                region=municipality.region,
                year=years[start],
                subject=subject(name),
                level="профильный" if name == "математика" else "",
                mean_score=Decimal(mean),
            )
    return Town(municipality=municipality, schools=schools, years=years)
