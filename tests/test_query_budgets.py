"""
Query budgets: every home, list and detail page makes as many queries for a
region of 48 schools as for one of 10 (NetBox's and Zulip's discipline).

Two regions are built once for the module, through the services as people
would make them: a small one (two municipalities of 5 schools) and a bigger
one (four municipalities of 12 schools), each with an open campaign whose
reports are in every state, identification runs, approved lists, own
methodologies, partnerships (in every municipality one plan waiting for МИМЦ
and one approved), roadmaps with items, import jobs and audit lines. Each page is
opened by the same role in both regions (the administrator, who sees every
region, before and after the bigger one is built) and the queries of the
second request are counted — the first one may create presets. The detail
pages open the first municipality's objects (its first school, its reports, a
run, the list, the roadmap, ...), whose tables grow with the municipality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from identification import services as identification
from identification.models import Methodology
from monitoring import services as monitoring
from monitoring.demo import generate_monitoring
from monitoring.models import ImportJob, Report, ReportKind
from partnerships import services as partnerships
from partnerships.models import Campaign as PartnershipRound
from partnerships.models import GradationScale
from roadmaps import services as roadmaps
from roadmaps.models import Roadmap
from schools import audit
from schools.demo import ensure_years
from schools.models import Municipality, Region, School, User
from tests.factories import STAFFING
from tests.world import make_user

STAFF = ("analyst", "region_analyst", "approver", "region_approver", "admin")
EVERYONE = ("operator", *STAFF)
ANALYSTS = ("analyst", "region_analyst", "admin")


def _of(name: str, *objects: str, query: str = "") -> Any:
    """The url of a page of the region's objects (their keys in `BuiltRegion.objects`)."""

    def url(region: BuiltRegion) -> str:
        return reverse(name, args=[region.objects[o].pk for o in objects]) + query

    return url


# (page, url name or a function of the region giving the url, who opens it,
# budget: the queries it makes today and a little room — one number for every
# role, or one per role where the roles' pages differ by more than a query)
PAGES: list[tuple[str, Any, tuple[str, ...], int | dict[str, int]]] = [
    ("home", "home", EVERYONE, 23),
    ("school-list", "schools:school-list", EVERYONE, 10),
    ("user-list", "schools:user-list", ANALYSTS, 9),
    ("audit-log", "schools:audit-log", ANALYSTS, 10),
    ("year-list", "schools:year-list", ("admin",), 6),
    ("monitoring", "monitoring:index", EVERYONE, 9),
    ("import-list", "monitoring:import-list", ANALYSTS, 8),
    (
        "campaign-matrix",
        lambda region: region.campaign.get_absolute_url(),
        ("analyst", "approver"),
        9,
    ),
    ("identification", "identification:index", STAFF, 9),
    ("methodology-list", "identification:methodology-list", ANALYSTS, 17),
    ("identification-dashboard", "identification:dashboard", ANALYSTS, 15),
    ("partnerships", "partnerships:index", EVERYONE, 27),
    ("roadmap-list", "roadmaps:list", EVERYONE, 10),
    ("roadmap-tracking", "roadmaps:tracking", EVERYONE, 12),
    (
        "my-tasks",
        "my-tasks",
        EVERYONE,
        {
            "operator": 17,
            "analyst": 14,
            "region_analyst": 14,
            "approver": 12,
            "region_approver": 12,
            "admin": 7,
        },
    ),
    (
        "notices",
        "notices",
        EVERYONE,
        {
            "operator": 9,
            "analyst": 8,
            "region_analyst": 8,
            "approver": 8,
            "region_approver": 8,
            "admin": 7,
        },
    ),
    # The card's related pages ask one query each: the school's reports, its
    # partnerships of the latest year and its programme.
    ("school-detail", _of("schools:school-detail", "school"), EVERYONE, 13),
    (
        "school-reports",
        lambda region: (
            f"{reverse('monitoring:index')}?school={region.objects['school'].pk}"
        ),
        EVERYONE,
        10,
    ),
    # A draft report of each kind, opened by its school and by the staff: the
    # results' table, then the forms of figures.
    (
        "report-results",
        _of("monitoring:report-detail", "report-results"),
        EVERYONE,
        {
            "operator": 20,
            "analyst": 19,
            "region_analyst": 19,
            "approver": 15,
            "region_approver": 15,
            "admin": 18,
        },
    ),
    (
        "report-staffing",
        _of("monitoring:report-detail", "report-staffing"),
        EVERYONE,
        {
            "operator": 18,
            "analyst": 17,
            "region_analyst": 17,
            "approver": 15,
            "region_approver": 15,
            "admin": 16,
        },
    ),
    *(
        (
            f"report-{kind}",
            _of("monitoring:report-detail", f"report-{kind}"),
            EVERYONE,
            {
                "operator": 16,
                "analyst": 15,
                "region_analyst": 15,
                "approver": 13,
                "region_approver": 13,
                "admin": 14,
            },
        )
        for kind in ("social", "resources", "outcomes")
    ),
    ("report-accepted", _of("monitoring:report-detail", "report-accepted"), STAFF, 16),
    ("report-history", _of("monitoring:report-history", "report-accepted"), STAFF, 9),
    ("import-detail", _of("monitoring:import-detail", "import"), ANALYSTS, 7),
    (
        "run-detail",
        _of("identification:run-detail", "run"),
        STAFF,
        {
            "analyst": 20,
            "region_analyst": 20,
            "approver": 23,
            "region_approver": 23,
            "admin": 22,
        },
    ),
    ("run-dashboard", _of("identification:run-dashboard", "run"), STAFF, 15),
    ("run-report", _of("identification:run-report", "run"), STAFF, 25),
    ("run-school", _of("identification:run-school", "run", "school"), STAFF, 14),
    (
        "school-profile",
        _of("identification:profile", "school"),
        EVERYONE,
        {
            "operator": 26,
            "analyst": 25,
            "region_analyst": 25,
            "approver": 25,
            "region_approver": 25,
            "admin": 24,
        },
    ),
    (
        "official-list",
        _of("identification:list-detail", "official-list"),
        EVERYONE,
        {
            "operator": 10,
            "analyst": 9,
            "region_analyst": 9,
            "approver": 9,
            "region_approver": 9,
            "admin": 8,
        },
    ),
    (
        "methodology-detail",
        _of("identification:methodology-detail", "methodology"),
        STAFF,
        {
            "analyst": 12,
            "region_analyst": 13,
            "approver": 10,
            "region_approver": 10,
            "admin": 11,
        },
    ),
    ("gradation", "partnerships:gradation", STAFF, 12),
    ("suggestions", _of("partnerships:suggest", "round"), ANALYSTS, 22),
    # The administrator may both recall and approve: one more rule checked.
    ("general-plan", _of("partnerships:general-plan", "round"), STAFF, 12),
    (
        "general-plan-print",
        _of("partnerships:general-plan", "round", query="?print=1"),
        STAFF,
        12,
    ),
    ("network", _of("partnerships:network", "round"), STAFF, 8),
    (
        "partnership",
        _of("partnerships:detail", "partnership"),
        EVERYONE,
        {
            "operator": 26,
            "analyst": 25,
            "region_analyst": 25,
            "approver": 23,
            "region_approver": 23,
            "admin": 24,
        },
    ),
    (
        "agreement",
        _of("partnerships:agreement", "partnership"),
        EVERYONE,
        {
            "operator": 9,
            "analyst": 8,
            "region_analyst": 8,
            "approver": 8,
            "region_approver": 8,
            "admin": 7,
        },
    ),
    (
        "roadmap",
        _of("roadmaps:detail", "roadmap"),
        EVERYONE,
        {
            "operator": 15,
            "analyst": 20,
            "region_analyst": 20,
            "approver": 18,
            "region_approver": 18,
            "admin": 20,
        },
    ),
    (
        "roadmap-print",
        _of("roadmaps:detail", "roadmap", query="?print=1"),
        EVERYONE,
        16,
    ),
    (
        "roadmap-timeline",
        _of("roadmaps:timeline", "roadmap"),
        EVERYONE,
        {
            "operator": 11,
            "analyst": 10,
            "region_analyst": 10,
            "approver": 10,
            "region_approver": 10,
            "admin": 9,
        },
    ),
    (
        "roadmap-item",
        _of("roadmaps:item", "item"),
        EVERYONE,
        {
            "operator": 13,
            "analyst": 12,
            "region_analyst": 12,
            "approver": 12,
            "region_approver": 12,
            "admin": 11,
        },
    ),
    (
        "programme",
        _of("roadmaps:detail", "programme"),
        EVERYONE,
        {
            "operator": 20,
            "analyst": 19,
            "region_analyst": 19,
            "approver": 15,
            "region_approver": 15,
            "admin": 19,
        },
    ),
]


@dataclass
class BuiltRegion:
    """A generated region, the people who open its pages and the objects they open."""

    people: dict[str, User]
    campaign: Any
    # The first municipality's objects whose pages are opened: its operator's
    # school, a report of each kind, a run, its list, ...
    objects: dict[str, Any]


def build_region(code: str, *, municipalities: int, schools: int) -> BuiltRegion:
    """Make a region of `municipalities` × `schools` with every object its pages list."""
    years = {y.start_year: y for y in ensure_years(range(2019, 2022), current=2021)}
    region = Region.objects.create(name=f"Регион {code}", code=code)
    people = {
        "region_analyst": make_user(f"ra{code}", User.Role.ANALYST, region=region),
        "region_approver": make_user(f"rp{code}", User.Role.APPROVER, region=region),
    }
    campaigns = []
    objects: dict[str, Any] = {}
    for m in range(municipalities):
        municipality = Municipality.objects.create(
            region=region, name=f"Муниципалитет {code}-{m}"
        )
        made = [
            School.objects.create(
                municipality=municipality,
                short_name=f"МБОУ «СОШ № {k}» {code}-{m}",
                full_name=f"Школа {k} {code}-{m}",
                code=f"sch{code}{m:02d}{k:04d}",
                distance_km=Decimal(k),
            )
            for k in range(schools)
        ]
        analyst = make_user(f"a{code}{m}", User.Role.ANALYST, municipality=municipality)
        approver = make_user(
            f"p{code}{m}", User.Role.APPROVER, municipality=municipality
        )
        operators = [
            make_user(f"o{code}{m}-{k}", User.Role.OPERATOR, schools=[school])
            for k, school in enumerate(made)
        ]
        generate_monitoring(schools=made, years=[years[2019], years[2020]], seed=m)
        campaigns.append(_monitoring(municipality, made, operators, analyst, years))
        made_objects = {
            "school": made[0],
            **_identification(municipality, made, analyst, approver, years[2021]),
            **_roadmaps(municipality, made, operators, analyst, approver, years[2021]),
            **_partnerships(municipality, made, operators, analyst, years[2021]),
            **_imports(made, analyst),
        }
        if m == 0:
            people |= {
                "analyst": analyst,
                "approver": approver,
                "operator": operators[0],
            }
            objects = made_objects | {
                f"report-{kind}": Report.objects.get(
                    campaign=campaigns[0], school=made[0], kind=kind
                )
                for kind in ReportKind.values
            }
            # The third school's staffing report was saved, submitted and accepted.
            objects["report-accepted"] = Report.objects.get(
                campaign=campaigns[0], school=made[2], kind="staffing"
            )
    return BuiltRegion(people=people, campaign=campaigns[0], objects=objects)


def _monitoring(municipality, schools, operators, analyst, years) -> Any:
    """An open campaign whose staffing reports are draft, submitted, accepted or returned."""
    campaign = monitoring.campaign_create(
        data={
            "municipality": municipality,
            "year": years[2021],
            "title": f"Мониторинг {municipality}",
            "kinds": list(ReportKind.values),
            "deadline": timezone.localdate() + dt.timedelta(days=10),
            "order_number": "1",
            "order_date": dt.date(2021, 9, 1),
        },
        by=analyst,
    )
    for k, (school, operator) in enumerate(zip(schools, operators, strict=True)):
        if k % 4 == 0:
            continue
        report = Report.objects.get(campaign=campaign, school=school, kind="staffing")
        monitoring.report_save_figures(
            report=report, values=STAFFING, expected_version=0, by=operator
        )
        monitoring.report_submit(report=report, by=operator)
        if k % 4 == 2:
            monitoring.report_accept(report=report, by=analyst)
        elif k % 4 == 3:
            monitoring.report_return(report=report, reason="Уточните", by=analyst)
    return campaign


def _identification(municipality, schools, analyst, approver, year) -> dict:
    """A run, its approved list, a second unapproved run and an own methodology."""
    identification.ensure_presets()
    combined = Methodology.objects.get(code="combined")
    made: dict[str, Any] = {}
    for approve in (True, False):
        run = identification.run_create(
            target_year=year,
            municipalities=[municipality],
            version=combined.current,
            only_accepted=False,
            by=analyst,
            enqueue=False,
        )
        identification.run_execute(run=run)
        # The second run's page compares it with the first, in both regions.
        made["run"] = run
        if approve:
            identification.override_set(
                school=schools[0],
                year=year,
                status="ШНОР",
                reason="Решение",
                by=analyst,
            )
            made["official-list"] = identification.list_approve(
                run=run,
                municipality=municipality,
                order_number="10",
                order_date=dt.date(2021, 10, 1),
                by=approver,
            )
    made["methodology"] = identification.methodology_copy(
        source=combined, name=f"Методика {municipality}", by=analyst
    )
    return made


def _roadmaps(municipality, schools, operators, analyst, approver, year) -> dict:
    """An approved municipal roadmap with an item per school, and each school's programme."""
    roadmap = roadmaps.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=municipality,
        school=None,
        year=year,
        title=f"Дорожная карта {municipality}",
        by=analyst,
    )
    items = [
        roadmaps.item_save(
            roadmap=roadmap,
            by=analyst,
            responsible=f"МИМЦ, {school.short_name}",
            data={"title": f"Семинар {k}", "period": "октябрь 2021 года"},
        )
        for k, school in enumerate(schools)
    ]
    roadmaps.roadmap_submit(obj=roadmap, by=analyst)
    roadmaps.roadmap_approve(
        obj=roadmap, order_number="5", order_date=timezone.localdate(), by=approver
    )
    programmes = []
    for school, operator in zip(schools, operators, strict=True):
        programme = roadmaps.roadmap_create(
            level=Roadmap.Level.SCHOOL,
            municipality=municipality,
            school=school,
            year=year,
            title=f"Программа {school.short_name}",
            by=operator,
        )
        roadmaps.item_save(
            roadmap=programme,
            by=operator,
            responsible=school.short_name,
            data={"title": "Урок", "period": "декабрь 2021 года"},
        )
        programmes.append(programme)
    # The first item names the first school, whose operator may open it.
    return {"roadmap": roadmap, "item": items[0], "programme": programmes[0]}


ACTIVITY = {
    "title": "Открытые уроки",
    "form": "open_lessons",
    "start": dt.date(2021, 12, 1),
    "end": dt.date(2021, 12, 10),
    "responsible_school": "завуч",
    "responsible_partner": "руководитель МО",
    "expected_result": "освоены приёмы",
}


def _partnerships(municipality, schools, operators, analyst, year) -> dict:
    """Pairs of schools in every state; the general plan sent to the department."""
    round_ = PartnershipRound.objects.create(
        municipality=municipality,
        year=year,
        plan_deadline=dt.date(2021, 11, 25),
        general_plan_deadline=dt.date(2021, 11, 30),
        created_by=analyst,
    )
    GradationScale.objects.create(municipality=municipality)
    # The first two states in every municipality, so that both regions take
    # the same branches: a plan waiting for МИМЦ, one for the general plan.
    states = ["approved", "submitted", "proposed", "accepted", "returned"]
    pairs = []
    # Pairs (k, k+1) from the second school on; the first pair's partner is
    # the first school, whose operator is the region's operator persona.
    for n, k in enumerate(range(1, len(schools) - 1, 2)):
        state = states[n % len(states)]
        pair = partnerships.propose(
            campaign=round_,
            school=schools[k],
            partner=schools[k + 1] if n else schools[0],
            support=["methodological"],
            goals="Цели",
            by=operators[k],
        )
        pairs.append(pair)
        if state == "proposed":
            continue
        partner_operator = operators[k + 1] if n else operators[0]
        partnerships.partnership_accept(obj=pair, by=partner_operator, reason="")
        if state == "accepted":
            continue
        partnerships.activity_save(partnership=pair, by=operators[k], data=ACTIVITY)
        partnerships.partnership_submit(obj=pair, by=operators[k])
        if state != "submitted":
            (
                partnerships.partnership_approve
                if state == "approved"
                else partnerships.partnership_return
            )(obj=pair, by=analyst, reason="Замечания")
    plan = partnerships.general_plan_compile(campaign=round_, by=analyst)
    partnerships.general_plan_submit(plan=plan, by=analyst)
    # The first pair is approved; its partner is the first school.
    return {"round": round_, "partnership": pairs[0]}


def _imports(schools, analyst) -> dict:
    """An import job per school, and an audit line for each."""
    jobs = []
    for school in schools:
        job = ImportJob.objects.create(
            kind=ImportJob.Kind.PACKAGE,
            status=ImportJob.Status.INVALID,
            original_name=f"Пакет {school.code}.xlsx",
            size=100,
            issues=[{"message": "ошибка", "sheet": "Кадры", "row": 2}],
            uploaded_by=analyst,
        )
        audit.record(None, audit.Event.IMPORT, by=analyst, target=job.original_name)
        jobs.append(job)
    return {"import": jobs[0]}


def _url(target: Any, region: BuiltRegion) -> str:
    return target(region) if callable(target) else reverse(target)


def _queries(user: User, url: str) -> tuple[int, list[str]]:
    """Open the page twice as the person; return the second request's status and queries."""
    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [query["sql"] for query in queries.captured_queries]


def _measure(
    region: BuiltRegion, admin: User
) -> dict[tuple[str, str], tuple[int, list[str]]]:
    queries = {}
    for page, target, roles, _ in PAGES:
        for role in roles:
            user = admin if role == "admin" else region.people[role]
            queries[page, role] = _queries(user, _url(target, region))
    return queries


@pytest.fixture(scope="module")
def queries(django_db_setup, django_db_blocker):
    """The queries of every (page, role) in the small region and in the bigger one."""
    with django_db_blocker.unblock(), transaction.atomic():
        admin = User.objects.create(
            username="budget-admin",
            role=User.Role.ADMINISTRATOR,
            is_superuser=True,
            is_staff=True,
        )
        small = build_region("71", municipalities=2, schools=5)
        before = _measure(small, admin)
        big = build_region("72", municipalities=4, schools=12)
        after = _measure(big, admin)
        yield before, after
        transaction.set_rollback(True)


CASES = [
    pytest.param(
        page,
        role,
        budget[role] if isinstance(budget, dict) else budget,
        id=f"{page}-{role}",
    )
    for page, _, roles, budget in PAGES
    for role in roles
]


@pytest.mark.parametrize(("page", "role", "budget"), CASES)
def test_page_query_count_does_not_grow_with_the_region(
    db, queries, page, role, budget
):
    """10 schools or 48, two municipalities or four: the same number of queries."""
    statuses = [q[page, role][0] for q in queries]
    assert statuses == [200, 200], f"{page} as {role}: {statuses}"
    small, big = (len(q[page, role][1]) for q in queries)
    assert small == big, (
        f"{page} as {role}: {small} queries for 10 schools, {big} for 48"
    )
    assert big <= budget, f"{page} as {role}: {big} queries, budget {budget}"


@pytest.mark.parametrize("role", STAFF)
def test_staff_home_counts_reports_without_reading_them(db, queries, role):
    """
    The open campaigns' reports are counted by state in the database: a
    region's 7,500 reports are never read into Python to be counted (the home
    page's «Что сделать» reads the first three reports to review, no more).
    """
    _, big = queries
    reads = [
        sql
        for sql in big["home", role][1]
        if 'FROM "monitoring_report"' in sql
        and "COUNT(" not in sql
        and not sql.endswith("LIMIT 3")
    ]
    assert reads == []
