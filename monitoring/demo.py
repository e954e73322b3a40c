"""
Plausible monitoring figures for the demo and for synthetic regions.

A school is described by a profile (size, strength of results, hardship of its
social context); figures for a year follow from it with a little noise, so
that weak schools in hard contexts fail more often and strong ones rarely.
Every generated report passes monitoring.validation.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from schools.demo import demo_shift, shifted
from schools.models import AcademicYear, School, User

from .importers.bulk import insert
from .models import (
    DATA_MODELS,
    AssessmentResult,
    Campaign,
    MarkComparison,
    ReminderLog,
    Report,
    ReportEvent,
    ReportKind,
    Subject,
)

Status = Report.Status

# Procedures actually held, by the calendar year in which the school year ended:
# 2020 had no ОГЭ and no base ЕГЭ; 2021 had no base ЕГЭ (methodology §7).
NOT_HELD = {2020: {("ОГЭ", ""), ("ЕГЭ", "базовый")}, 2021: {("ЕГЭ", "базовый")}}


@dataclass(frozen=True)
class Profile:
    """What drives a school's figures: size, results (−1…1), social hardship (0…1)."""

    pupils: int
    strength: float
    hardship: float
    school_type: str


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _share(rng: random.Random, base: float, spread: float = 0.03) -> float:
    return _clip(base + rng.gauss(0, spread), 0.0, 1.0)


def _count(total: int, share: float) -> int:
    return max(0, min(total, round(total * share)))


def _marks(n: int, fail: float, quality: float) -> dict[str, Any]:
    n2 = _count(n, fail)
    good = min(n - n2, _count(n, quality))
    n5 = round(good * 0.35)
    n4 = good - n5
    n3 = n - n2 - n4 - n5
    mean = Decimal(2 * n2 + 3 * n3 + 4 * n4 + 5 * n5) / n if n else None
    return {
        "participants": n,
        "mark2": n2,
        "mark3": n3,
        "mark4": n4,
        "mark5": n5,
        "failed_minimum": None,
        "mean_score": mean.quantize(Decimal("0.01")) if mean is not None else None,
    }


def result_rows(
    profile: Profile, end_year: int, rng: random.Random, subjects: dict[str, Subject]
) -> list[dict[str, Any]]:
    """Return ВПР, ОГЭ and ЕГЭ rows of a school for the school year ending in `end_year`."""
    s, h = profile.strength, profile.hardship
    grades = 9 if profile.school_type == School.Type.OOSH else 11
    if profile.school_type == School.Type.NOSH:
        grades = 4
    cohort = max(3, round(profile.pupils / grades))
    not_held = NOT_HELD.get(end_year, set())
    fail = _clip(0.13 - 0.11 * s + 0.07 * h, 0.01, 0.6)
    quality = _clip(0.5 + 0.22 * s - 0.12 * h, 0.08, 0.92)
    rows = []
    ru, ma = subjects["русский язык"], subjects["математика"]
    for grade in range(4, min(grades, 8) + 1):
        for subject, harder in ((ru, 0.0), (ma, 0.03)):
            n = max(1, round(cohort * rng.uniform(0.85, 0.97)))
            rows.append(
                {
                    "procedure": "ВПР",
                    "subject": subject,
                    "grade": grade,
                    "level": "",
                    **_marks(
                        n,
                        _share(rng, fail + harder, 0.05),
                        _share(rng, quality - harder, 0.05),
                    ),
                }
            )
    if grades >= 9 and ("ОГЭ", "") not in not_held:
        for subject, harder in ((ru, -0.03), (ma, 0.02)):
            n = max(1, round(cohort * rng.uniform(0.9, 1.0)))
            rows.append(
                {
                    "procedure": "ОГЭ",
                    "subject": subject,
                    "grade": 9,
                    "level": "",
                    **_marks(
                        n,
                        _share(rng, fail * 0.8 + harder, 0.04),
                        _share(rng, quality, 0.05),
                    ),
                }
            )
    if grades == 11:
        seniors = max(2, round(cohort * rng.uniform(0.45, 0.7)))
        for subject, level, base_mean, fail_base in (
            (ru, "", 62, 0.03),
            (ma, "профильный", 50, 0.12),
        ):
            n = (
                seniors
                if level == ""
                else max(1, round(seniors * rng.uniform(0.4, 0.7)))
            )
            failed = _count(n, _share(rng, fail_base - 0.08 * s + 0.05 * h, 0.04))
            mean = _clip(base_mean + 14 * s - 6 * h + rng.gauss(0, 3), 20, 95)
            rows.append(
                {
                    "procedure": "ЕГЭ",
                    "subject": subject,
                    "grade": 11,
                    "level": level,
                    "participants": n,
                    "mark2": None,
                    "mark3": None,
                    "mark4": None,
                    "mark5": None,
                    "failed_minimum": failed,
                    "mean_score": Decimal(f"{mean:.2f}"),
                }
            )
        if ("ЕГЭ", "базовый") not in not_held:
            n = max(1, seniors - round(seniors * 0.55))
            rows.append(
                {
                    "procedure": "ЕГЭ",
                    "subject": ma,
                    "grade": 11,
                    "level": "базовый",
                    **_marks(
                        n,
                        _share(rng, fail * 0.5, 0.03),
                        _share(rng, quality + 0.1, 0.05),
                    ),
                }
            )
    return rows


def comparison_rows(
    rows: Iterable[dict[str, Any]], profile: Profile, rng: random.Random
) -> list[dict[str, Any]]:
    """Return ВПР-vs-journal rows for the ВПР rows (lower marks are common, seed 003)."""
    result = []
    for row in rows:
        if row["procedure"] != "ВПР":
            continue
        n = row["participants"]
        lowered = _count(n, _share(rng, 0.3 + 0.08 * profile.hardship, 0.06))
        raised = min(n - lowered, _count(n, _share(rng, 0.06, 0.02)))
        result.append(
            {
                "subject": row["subject"],
                "grade": row["grade"],
                "lowered": lowered,
                "confirmed": n - lowered - raised,
                "raised": raised,
            }
        )
    return result


def report_figures(profile: Profile, rng: random.Random) -> dict[str, dict[str, Any]]:
    """Return the figures of the four one-row reports of a school for one year."""
    s, h = profile.strength, profile.hardship
    pupils = max(20, round(profile.pupils * rng.uniform(0.96, 1.04)))
    teachers = max(3, round(pupils / rng.uniform(12, 15)))

    def part(total: int, base: float, spread: float = 0.02) -> int:
        return _count(total, _share(rng, base, spread))

    highest = part(teachers, 0.28 + 0.1 * s)
    first = min(teachers - highest, part(teachers, 0.35))
    under_30 = part(teachers, 0.09 - 0.03 * h)
    staffing = {
        "teachers_total": teachers,
        "under_30": under_30,
        "pension_age": min(teachers - under_30, part(teachers, 0.13 + 0.08 * h)),
        "experience_under_3": part(teachers, 0.08),
        "highest_category": highest,
        "first_category": first,
        "category_confirmed_3y": part(teachers, 0.38 + 0.1 * s),
        "overloaded": part(teachers, 0.14 + 0.12 * h),
        "contest_participants_3y": part(teachers, 0.05 + 0.05 * s),
        "not_by_profile": part(teachers, 0.05 + 0.08 * h),
        "training_3y": part(teachers, 0.82),
        "deficit_diagnostics": part(teachers, 0.4),
        "subject_assessment": part(teachers, 0.2),
        "vacancies": min(teachers, rng.randint(0, 2 + round(2 * h))),
        "psychologists": min(teachers, 1),
        "social_pedagogues": min(teachers, 1),
        "speech_therapists": min(teachers, rng.randint(0, 1)),
        "defectologists": min(teachers, rng.randint(0, 1)),
    }
    social = {
        "pupils_total": pupils,
        "incomplete_families": part(pupils, 0.2 + 0.16 * h),
        "large_families": part(pupils, 0.12 + 0.1 * h),
        "low_income": part(pupils, 0.1 + 0.2 * h),
        "both_parents_unemployed": part(pupils, 0.02 + 0.06 * h, 0.01),
        "both_parents_higher_ed": part(pupils, 0.3 - 0.2 * h + 0.08 * s),
        "poor_housing": part(pupils, 0.04 + 0.4 * h),
        "sop_families": part(pupils, 0.01 + 0.03 * h, 0.005),
        "school_register": part(pupils, 0.02 + 0.03 * h, 0.01),
        "pdn_kdn_register": part(pupils, 0.01 + 0.02 * h, 0.005),
        "ovz": part(pupils, 0.04),
        "disabled_children": part(pupils, 0.015, 0.005),
        "under_guardianship": part(pupils, 0.02 + 0.02 * h, 0.01),
        "weak_russian": part(pupils, 0.01 + 0.02 * h, 0.005),
        "low_motivation": part(pupils, 0.08 + 0.12 * h),
    }
    fund = round(pupils * rng.uniform(10, 14))
    resources = {
        "textbook_fund": fund,
        "textbooks_recent": part(fund, 0.25 + 0.12 * s - 0.1 * h, 0.04),
        "class_sets": max(1, round(pupils / 25)),
        "student_computers": max(1, round(pupils / rng.uniform(8, 14))),
    }
    graduates = max(
        1, round(pupils / (9 if profile.school_type == School.Type.OOSH else 11))
    )
    continued = (
        0
        if not School(school_type=profile.school_type).teaches_senior_grades
        else part(graduates, 0.55 + 0.2 * s - 0.15 * h, 0.05)
    )
    attested = round(pupils * 0.9)
    good = part(attested, 0.45 + 0.2 * s - 0.1 * h)
    outcomes = {
        "grade9_graduates": graduates,
        "continued_grade10": continued,
        "olympiad_participants": part(pupils, 0.01 + 0.02 * max(s, 0), 0.004),
        "attested": attested,
        "attested_good": good,
        "attested_failing": min(
            attested - good, part(attested, 0.01 + 0.015 * h, 0.005)
        ),
        "noko_satisfaction": Decimal(
            f"{_clip(78 + 10 * s - 25 * h + rng.gauss(0, 4), 20, 99):.1f}"
        ),
    }
    return {
        ReportKind.STAFFING: staffing,
        ReportKind.SOCIAL: social,
        ReportKind.RESOURCES: resources,
        ReportKind.OUTCOMES: outcomes,
    }


def subject_map() -> dict[str, Subject]:
    Subject.objects.ensure_defaults()
    return {s.name: s for s in Subject.objects.all()}


def write_year(
    schools: Sequence[tuple[School, Profile]],
    year: AcademicYear,
    *,
    status: str = Status.ACCEPTED,
    campaign: Campaign | None = None,
    seed: int | str = 0,
    kinds: Sequence[str] = tuple(ReportKind.values),
    batch_size: int = 5000,
    figures_of: int | None = None,
) -> list[int]:
    """
    Create the five reports of each school for a year, with their figures, set-based;
    return the new reports' keys.

    The figures are those of the school year starting in `figures_of` (by
    default `year`'s): the demo, moved to the year it is loaded for, keeps the
    figures it was written with. Reports that already exist are left as they are.
    """
    written = figures_of or year.start_year
    subjects = subject_map()
    have = set(
        Report.objects.filter(
            year=year, school__in=[s for s, _ in schools]
        ).values_list("school_id", "kind")
    )
    plan: list[tuple[dict[str, Any], Any]] = []
    submitted_at = timezone.now() if status != Status.DRAFT else None
    for school, profile in schools:
        rng = random.Random(f"{seed}-{school.code}-{written}")  # noqa: S311 - demo data
        figures = report_figures(profile, rng)
        rows = result_rows(profile, written + 1, rng, subjects)
        figures[ReportKind.RESULTS] = (rows, comparison_rows(rows, profile, rng))
        for kind in kinds:
            if (school.pk, kind) in have:
                continue
            report = {
                "school_id": school.pk,
                "year_id": year.pk,
                "kind": kind,
                "campaign_id": getattr(campaign, "pk", None),
                "status": status,
                "version": 1,
                "submitted_at": submitted_at,
                "updated_at": submitted_at,
            }
            plan.append((report, figures[kind]))
    # Set-based: COPY on PostgreSQL (40,000 schools × 3 years is millions of rows).
    ids = insert(Report, [r for r, _ in plan])
    data_rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in DATA_MODELS}
    results, comparisons = [], []
    for pk, (report, figures) in zip(ids, plan, strict=True):
        if report["kind"] == ReportKind.RESULTS:
            rows, compared = figures
            results += [
                {"report_id": pk, **row, "subject_id": row["subject"].pk}
                for row in rows
            ]
            comparisons += [
                {"report_id": pk, **row, "subject_id": row["subject"].pk}
                for row in compared
            ]
        else:
            data_rows[report["kind"]].append({"report_id": pk, **figures})
    for kind, rows in data_rows.items():
        insert(DATA_MODELS[kind], rows)
    for rows in (results, comparisons):
        for row in rows:
            del row["subject"]
    insert(AssessmentResult, results)
    insert(MarkComparison, comparisons)
    return ids


def profile_for(school: School, rng: random.Random) -> Profile:
    """Return a random but plausible profile for a synthetic school."""
    size = {
        School.Type.NOSH: 120,
        School.Type.OOSH: 180,
        School.Type.BOARDING: 250,
    }.get(school.school_type, 600)
    hardship = _clip(rng.betavariate(2, 4) + (0.25 if school.is_rural else 0), 0, 1)
    strength = _clip(
        rng.gauss(0.4 if school.school_type in ("Гимназия", "Лицей") else -0.1, 0.45)
        - 0.3 * hardship,
        -1,
        1,
    )
    pupils = max(
        25, round(size * rng.uniform(0.4, 1.6) * (0.5 if school.is_rural else 1))
    )
    return Profile(
        pupils=pupils,
        strength=strength,
        hardship=hardship,
        school_type=school.school_type,
    )


# Лесосибирск ---------------------------------------------------------------------------

LESOSIBIRSK_PROFILES = {
    "sch242701": Profile(800, 0.1, 0.3, School.Type.SOSH),
    "sch242702": Profile(750, 0.2, 0.2, School.Type.SOSH),
    "sch242704": Profile(700, -0.25, 0.55, School.Type.SOSH),
    "sch242705": Profile(180, -0.45, 0.95, School.Type.OOSH),
    "sch242706": Profile(650, -1.0, 0.65, School.Type.SOSH),
    "sch242708": Profile(700, -0.55, 0.4, School.Type.SOSH),
    "sch242709": Profile(850, 0.3, 0.2, School.Type.SOSH),
    "sch242710": Profile(900, 0.9, 0.0, School.Type.GYMNASIUM),
    "sch242711": Profile(850, 0.95, 0.05, School.Type.LYCEUM),
}

# The state of the 2020/2021 collection in the demo: (school, kind) → status;
# unlisted reports are accepted.
DEMO_2021_STATES = {
    **{("sch242704", kind): Status.SUBMITTED for kind in ReportKind.values},
    **{("sch242708", kind): Status.SUBMITTED for kind in ReportKind.values},
    ("sch242708", ReportKind.STAFFING): Status.RETURNED,
    ("sch242706", ReportKind.RESULTS): Status.DRAFT,
    ("sch242706", ReportKind.SOCIAL): Status.DRAFT,
    ("sch242706", ReportKind.STAFFING): Status.SUBMITTED,
    **{("sch242705", kind): Status.DRAFT for kind in ReportKind.values},
}
DEMO_RETURN_REASON = (
    "Сумма учителей высшей и первой категории не сходится с аттестационными листами — "
    "уточните, пожалуйста, и сдайте отчёт снова."
)


def _campaign(
    municipality: Any, year: AcademicYear, by: User, **fields: Any
) -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(
        municipality=municipality,
        year=year,
        defaults={"created_by": by, "kinds": list(ReportKind.values), **fields},
    )
    return campaign


@transaction.atomic
def load_lesosibirsk_monitoring() -> int:
    """Create three years of demo figures and the collections around them, if missing."""
    analyst = User.objects.get(username="mimc")
    municipality = analyst.municipality
    schools = [
        (school, LESOSIBIRSK_PROFILES[school.code])
        for school in School.objects.filter(code__in=LESOSIBIRSK_PROFILES).order_by(
            "code"
        )
    ]
    # Keyed by the years as written (2018 … 2021), holding the years loaded.
    years = {
        y.start_year - demo_shift(): y
        for y in AcademicYear.objects.filter(
            start_year__in=[shifted(y) for y in (2018, 2019, 2020, 2021)]
        )
    }
    today = timezone.localdate()
    created = 0
    for start, order, order_date, deadline in (
        (2018, "98", dt.date(2019, 9, 20), dt.date(2019, 10, 15)),
        (2019, "107", dt.date(2020, 9, 23), dt.date(2020, 10, 20)),
    ):
        campaign = _campaign(
            municipality,
            years[start],
            analyst,
            title=f"Мониторинг качества образования за {years[start]} учебный год",
            deadline=shifted(deadline),
            order_number=order,
            order_date=shifted(order_date),
            is_open=False,
        )
        created += len(
            write_year(
                schools, years[start], campaign=campaign, seed="demo", figures_of=start
            )
        )

    campaign = _campaign(
        municipality,
        years[2020],
        analyst,
        title=f"Мониторинг качества образования за {years[2020]} учебный год",
        deadline=today - dt.timedelta(days=2),
        order_number="96",
        order_date=min(shifted(dt.date(2021, 9, 22)), today - dt.timedelta(days=20)),
    )
    fresh = write_year(
        schools, years[2020], campaign=campaign, seed="demo", figures_of=2020
    )
    created += len(fresh)
    _apply_states(
        list(Report.objects.filter(pk__in=fresh).select_related("school", "campaign")),
        analyst,
    )

    _regional_means(municipality.region, [years[2018], years[2019], years[2020]])

    current = _campaign(
        municipality,
        years[2021],
        analyst,
        title=f"Сбор данных на начало {years[2021]} учебного года",
        kinds=[ReportKind.STAFFING, ReportKind.SOCIAL],
        deadline=today + dt.timedelta(days=10),
        order_number="112",
        order_date=min(shifted(dt.date(2021, 9, 15)), today),
    )
    if not current.reports.exists():
        strong = [(s, p) for s, p in schools if s.code in ("sch242710", "sch242711")]
        created += len(
            write_year(
                strong,
                years[2021],
                status=Status.SUBMITTED,
                campaign=current,
                seed="demo",
                kinds=current.kinds,
                figures_of=2021,
            )
        )
        have = set(current.reports.values_list("school_id", "kind"))
        Report.objects.bulk_create(
            Report(school=school, year=years[2021], kind=kind, campaign=current)
            for school, _ in schools
            for kind in current.kinds
            if (school.pk, kind) not in have
        )
    return created


REGIONAL_MEANS = {  # Красноярский край, ЕГЭ: plausible regional means by year
    2018: {("русский язык", ""): "69.40", ("математика", "профильный"): "55.80"},
    2019: {("русский язык", ""): "70.90", ("математика", "профильный"): "53.10"},
    2020: {("русский язык", ""): "71.60", ("математика", "профильный"): "54.70"},
}


def _regional_means(region: Any, years: Sequence[AcademicYear]) -> None:
    from .models import RegionalMean

    subjects = subject_map()
    for year in years:
        for (subject, level), mean in REGIONAL_MEANS[
            year.start_year - demo_shift()
        ].items():
            RegionalMean.objects.get_or_create(
                region=region,
                year=year,
                procedure="ЕГЭ",
                subject=subjects[subject],
                grade=11,
                level=level,
                defaults={"mean_score": Decimal(mean)},
            )


def _apply_states(reports: Sequence[Report], analyst: User) -> None:
    """Put the 2020/2021 reports into their demo states, with workflow events."""
    if not reports:
        return
    operators = {
        u.username: u for u in User.objects.filter(username__in=LESOSIBIRSK_PROFILES)
    }
    events = []
    on_time = timezone.make_aware(
        dt.datetime.combine(
            reports[0].campaign.deadline - dt.timedelta(days=4), dt.time(11, 30)
        )
    )
    for report in reports:
        report.submitted_at = on_time
        state = DEMO_2021_STATES.get((report.school.code, report.kind), Status.ACCEPTED)
        operator = operators.get(report.school.code)
        report.status = state
        if state == Status.DRAFT:
            report.submitted_at = None
            continue
        events.append(
            ReportEvent(
                report=report,
                action=ReportEvent.Action.SUBMIT,
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                by=operator,
            )
        )
        if state == Status.ACCEPTED:
            events.append(
                ReportEvent(
                    report=report,
                    action=ReportEvent.Action.ACCEPT,
                    from_status=Status.SUBMITTED,
                    to_status=Status.ACCEPTED,
                    by=analyst,
                )
            )
        if state == Status.RETURNED:
            report.return_reason = DEMO_RETURN_REASON
            events.append(
                ReportEvent(
                    report=report,
                    action=ReportEvent.Action.RETURN,
                    from_status=Status.SUBMITTED,
                    to_status=Status.RETURNED,
                    by=analyst,
                    reason=DEMO_RETURN_REASON,
                )
            )
    Report.objects.bulk_update(reports, ["status", "submitted_at", "return_reason"])
    ReportEvent.objects.bulk_create(events)


def generate_monitoring(
    *, schools: Sequence[School], years: Sequence[AcademicYear], seed: int
) -> int:
    """Fill accepted reports of every year for synthetic schools; return the report count."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    profiled = [(school, profile_for(school, rng)) for school in schools]
    return sum(len(write_year(profiled, year, seed=seed)) for year in years)


def drop_monitoring(schools: Any) -> None:
    """Delete the reports of synthetic schools set-based (their history included)."""
    reports = Report.objects.filter(school__in=schools)
    for model in (AssessmentResult, MarkComparison, *DATA_MODELS.values()):
        # Plain delete() would fire simple-history per row: millions of queries.
        rows = model.objects.filter(report__in=reports)
        rows._raw_delete(rows.db)
        history = model.history.filter(report_id__in=reports.values("pk"))
        history._raw_delete(history.db)
    for model in (ReportEvent, ReminderLog):
        rows = model.objects.filter(report__in=reports)
        rows._raw_delete(rows.db)
    reports._raw_delete(reports.db)
