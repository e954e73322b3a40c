"""
A small country for the access sweeps: two municipalities of one region (А and
Б) and a municipality of a second region (В), each with an object of every
kind the portal keeps, made through the services as people would make them.

Every name of a municipality's objects carries its mark («Альфа», «Бета»,
«Гамма»), so that a page which shows another municipality's data is caught by
looking for the mark in its text.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
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
from roadmaps.models import Evidence, Roadmap
from schools.demo import ensure_years
from schools.models import Municipality, Notice, Region, School, User
from schools.xlsx import new_workbook, workbook_bytes
from tests.factories import STAFFING

PASSWORD = "world-Pass-2026"
MARKS = {"A": "Альфа", "B": "Бета", "C": "Гамма"}
# Who the sweeps act as (the issue's ten identities and the anonymous visitor).
IDENTITIES = [
    "anonymous",
    "admin",
    "region_analyst",
    "analyst_a",
    "approver_a",
    "operator_a1",
    "operator_a2",
    "analyst_b",
    "approver_b",
    "operator_b1",
]
PDF = b"%PDF-1.4\n% evidence\n"


@dataclass
class Place:
    """One municipality of the world and everything made in it."""

    key: str
    municipality: Municipality
    schools: list[School]
    analyst: User
    approver: User
    operators: list[User]
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def mark(self) -> str:
        return MARKS[self.key]

    def get(self, name: str) -> Any:
        """
        A fresh copy of a made object from the database: the world is shared by
        a module's tests, and each test's changes are rolled back in the
        database but would stay in a shared Python object.
        """
        made = self.objects[name]
        return type(made).objects.get(pk=made.pk)


@dataclass
class World:
    people: dict[str, User | None]
    places: dict[str, Place]

    def mark_of(self, key: str) -> str:
        return MARKS[key]

    def scope_of(self, identity: str) -> set[str]:
        """The municipalities whose data the identity may see."""
        return {
            "anonymous": set(),
            "admin": {"A", "B", "C"},
            "region_analyst": {"A", "B"},
            "analyst_a": {"A"},
            "approver_a": {"A"},
            "operator_a1": {"A"},
            "operator_a2": {"A"},
            "analyst_b": {"B"},
            "approver_b": {"B"},
            "operator_b1": {"B"},
        }[identity]


def make_user(username: str, role: str, **scope: Any) -> User:
    """A person of the role, with the test password and the given scope."""
    schools = scope.pop("schools", [])
    user = User.objects.create(
        username=username,
        role=role,
        last_name=username,
        first_name="Тест",
        email=f"{username}@example.org",
        **scope,
    )
    user.set_password(PASSWORD)
    user.save()
    user.schools.set(schools)
    return user


def _schools(municipality: Municipality, key: str, code: str) -> list[School]:
    mark = MARKS[key]
    specs = [
        (f"МБОУ «СОШ № 1 {mark}»", School.Type.SOSH),
        (f"МБОУ «СОШ № 2 {mark}»", School.Type.SOSH),
        (f"МБОУ «Гимназия {mark}»", School.Type.GYMNASIUM),
    ]
    return [
        School.objects.create(
            municipality=municipality,
            short_name=name,
            full_name=f"Муниципальное бюджетное общеобразовательное учреждение {name}",
            code=f"sch{code}{index:04d}",
            school_type=kind,
            distance_km=Decimal(index),
            settlement=f"пос. {mark}",
        )
        for index, (name, kind) in enumerate(specs, start=1)
    ]


def _xlsx(title: str) -> bytes:
    book = new_workbook()
    book.active.append([title])
    return workbook_bytes(book)


def build_world() -> World:
    """Make the three municipalities, their people and one object of every kind."""
    years = {y.start_year: y for y in ensure_years(range(2019, 2022), current=2021)}
    regions = {
        "R1": Region.objects.create(name="Красноярский край", code="24"),
        "R2": Region.objects.create(name="Новосибирская область", code="54"),
    }
    specs = {
        "A": ("R1", "г. Альфаград", "2401"),
        "B": ("R1", "Бетинский район", "2402"),
        "C": ("R2", "г. Гаммаполь", "5401"),
    }
    admin = make_user("world-admin", User.Role.ADMINISTRATOR, is_superuser=True)
    admin.is_staff = True
    admin.save()
    places = {}
    for key, (region, name, code) in specs.items():
        municipality = Municipality.objects.create(region=regions[region], name=name)
        schools = _schools(municipality, key, code)
        low = key.lower()
        places[key] = Place(
            key=key,
            municipality=municipality,
            schools=schools,
            analyst=make_user(
                f"analyst_{low}", User.Role.ANALYST, municipality=municipality
            ),
            approver=make_user(
                f"approver_{low}", User.Role.APPROVER, municipality=municipality
            ),
            operators=[
                make_user(f"operator_{low}{n}", User.Role.OPERATOR, schools=[school])
                for n, school in enumerate(schools, start=1)
            ],
        )
    people: dict[str, User | None] = {
        "anonymous": None,
        "admin": admin,
        "region_analyst": make_user(
            "region_analyst", User.Role.ANALYST, region=regions["R1"]
        ),
    }
    for key in ("A", "B"):
        place, low = places[key], key.lower()
        people[f"analyst_{low}"] = place.analyst
        people[f"approver_{low}"] = place.approver
        people[f"operator_{low}1"] = place.operators[0]
        if key == "A":
            people["operator_a2"] = place.operators[1]
    for place in places.values():
        _fill(place, years, admin)
    return World(people=people, places=places)


def _fill(place: Place, years: dict[int, Any], admin: User) -> None:
    """One object of every kind in the place, in the states the pages show."""
    generate_monitoring(schools=place.schools, years=[years[2019], years[2020]], seed=7)
    _monitoring(place, years[2021])
    _identification(place, years[2021])
    _roadmaps(place, years)
    _partnerships(place, years[2021])
    _imports(place)


def _monitoring(place: Place, year: Any) -> None:
    campaign = monitoring.campaign_create(
        data={
            "municipality": place.municipality,
            "year": year,
            "title": f"Мониторинг {place.mark} 2021/2022",
            "kinds": list(ReportKind.values),
            "deadline": timezone.localdate() + dt.timedelta(days=10),
            "order_number": "1",
            "order_date": dt.date(2021, 9, 1),
        },
        by=place.analyst,
    )
    first, second = place.schools[0], place.schools[1]
    operator = place.operators[0]
    submitted = Report.objects.get(campaign=campaign, school=first, kind="staffing")
    monitoring.report_save_figures(
        report=submitted, values=STAFFING, expected_version=0, by=operator
    )
    monitoring.report_submit(report=submitted, by=operator)
    accepted = Report.objects.get(campaign=campaign, school=second, kind="staffing")
    monitoring.report_save_figures(
        report=accepted, values=STAFFING, expected_version=0, by=place.operators[1]
    )
    monitoring.report_submit(report=accepted, by=place.operators[1])
    monitoring.report_accept(report=accepted, by=place.analyst)
    place.objects |= {
        "campaign": campaign,
        "report_submitted": submitted,
        "report_accepted": accepted,
        "report_draft": Report.objects.get(
            campaign=campaign, school=first, kind="results"
        ),
    }


def _identification(place: Place, year: Any) -> None:
    identification.ensure_presets()
    run = identification.run_create(
        target_year=year,
        municipalities=[place.municipality],
        version=Methodology.objects.get(code="combined").current,
        only_accepted=False,
        by=place.analyst,
        enqueue=False,
    )
    identification.run_execute(run=run)
    # Restartable once failed: the sweeps prove only МИМЦ may restart it.
    type(run).objects.filter(pk=run.pk).update(interrupted_at=timezone.now())
    run.refresh_from_db()
    identification.override_set(
        school=place.schools[0],
        year=year,
        status="ШНОР",
        reason=f"Решение рабочей группы {place.mark}",
        by=place.analyst,
    )
    official = identification.list_approve(
        run=run,
        municipality=place.municipality,
        order_number=f"10-{place.key}",
        order_date=dt.date(2021, 10, 1),
        by=place.approver,
    )
    methodology = identification.methodology_copy(
        source=Methodology.objects.get(code="combined"),
        name=f"Методика {place.mark}",
        by=place.analyst,
    )
    place.objects |= {"run": run, "list": official, "methodology": methodology}


def _roadmaps(place: Place, years: dict[int, Any]) -> None:
    roadmap = roadmaps.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=place.municipality,
        school=None,
        year=years[2021],
        title=f"Дорожная карта {place.mark}",
        by=place.analyst,
    )
    school = place.schools[0]
    item = roadmaps.item_save(
        roadmap=roadmap,
        by=place.analyst,
        responsible=f"МИМЦ, {school.short_name}",
        data={"title": f"Семинар {place.mark}", "period": "октябрь 2021 года"},
    )
    roadmaps.item_save(
        roadmap=roadmap,
        by=place.analyst,
        responsible="Отдел образования",
        data={"title": f"Совещание {place.mark}", "period": "ноябрь 2021 года"},
    )
    roadmaps.roadmap_submit(obj=roadmap, by=place.analyst)
    roadmaps.roadmap_approve(
        obj=roadmap,
        order_number="5",
        order_date=timezone.localdate(),
        by=place.approver,
    )
    evidence = Evidence.objects.create(
        item=item,
        file=ContentFile(PDF, name=f"протокол-{place.key}.pdf"),
        note=f"Протокол {place.mark}",
        added_by=place.operators[0],
    )
    programme = roadmaps.roadmap_create(
        level=Roadmap.Level.SCHOOL,
        municipality=place.municipality,
        school=school,
        year=years[2021],
        title=f"Программа школы {place.mark}",
        by=place.operators[0],
    )
    own_item = roadmaps.item_save(
        roadmap=programme,
        by=place.operators[0],
        responsible=school.short_name,
        data={"title": f"Урок {place.mark}", "period": "декабрь 2021 года"},
    )
    place.objects |= {
        "roadmap": roadmap,
        "item": item,
        "evidence": evidence,
        "programme": programme,
        "programme_item": own_item,
        "indicator": roadmap.indicators.create(
            title=f"Показатель {place.mark}", planned={"2021": 5.0}
        ),
    }


def _partnerships(place: Place, year: Any) -> None:
    weak, partner = place.schools[0], place.schools[2]
    operator, partner_operator = place.operators[0], place.operators[2]
    round_ = PartnershipRound.objects.create(
        municipality=place.municipality,
        year=year,
        plan_deadline=dt.date(2021, 11, 25),
        general_plan_deadline=dt.date(2021, 11, 30),
        created_by=place.analyst,
    )
    GradationScale.objects.create(municipality=place.municipality)
    partnership = partnerships.propose(
        campaign=round_,
        school=weak,
        partner=partner,
        support=["methodological"],
        goals=f"Цели {place.mark}",
        by=operator,
    )
    partnerships.partnership_accept(obj=partnership, by=partner_operator, reason="")
    activity = partnerships.activity_save(
        partnership=partnership,
        by=operator,
        data={
            "title": f"Открытые уроки {place.mark}",
            "form": "open_lessons",
            "start": dt.date(2021, 12, 1),
            "end": dt.date(2021, 12, 10),
            "responsible_school": "завуч",
            "responsible_partner": "руководитель МО",
            "expected_result": "освоены приёмы",
        },
    )
    partnerships.partnership_submit(obj=partnership, by=operator)
    partnerships.partnership_approve(obj=partnership, by=place.analyst, reason="")
    event = partnerships.event_record(
        partnership=partnership,
        by=partner_operator,
        data={
            "activity": activity,
            "date": dt.date(2021, 12, 2),
            "participants": 10,
            "report": f"Проведено {place.mark}",
            "materials_url": "",
        },
        upload=ContentFile(PDF, name=f"материалы-{place.key}.pdf"),
    )
    partnerships.agreement_save(
        partnership=partnership,
        number=f"С-{place.key}",
        date=dt.date(2021, 11, 30),
        until=dt.date(2022, 8, 31),
        scan=ContentFile(PDF, name=f"соглашение-{place.key}.pdf"),
        by=operator,
    )
    plan = partnerships.general_plan_compile(campaign=round_, by=place.analyst)
    partnerships.general_plan_submit(plan=plan, by=place.analyst)
    partnership.refresh_from_db()
    place.objects |= {
        "round": round_,
        "partnership": partnership,
        "activity": activity,
        "event": event,
        "general_plan": plan,
    }


def _imports(place: Place) -> None:
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.PACKAGE,
        status=ImportJob.Status.INVALID,
        file=ContentFile(_xlsx(place.mark), name=f"пакет-{place.key}.xlsx"),
        original_name=f"Пакет {place.mark}.xlsx",
        size=100,
        issues=[{"message": f"ошибка {place.mark}", "sheet": "Кадры", "row": 2}],
        uploaded_by=place.analyst,
        # Restartable once failed: the sweeps prove only МИМЦ may restart it.
        interrupted_at=timezone.now(),
    )
    place.objects["import"] = job
    # A notice of the school's operator: only its person opens it.
    place.objects["notice"] = Notice.objects.create(
        user=place.operators[0],
        kind=Notice.Kind.RETURNED,
        title=f"Отчёт возвращён {place.mark}",
        url=reverse("home"),
    )


def body(response: Any) -> str:
    """Return a response's text (a download's bytes decoded where they are text)."""
    content = getattr(response, "content", None)
    if content is None:
        content = b"".join(response.streaming_content)
    return content.decode("utf-8", "replace") if isinstance(content, bytes) else ""


__all__ = ["IDENTITIES", "MARKS", "PASSWORD", "World", "body", "build_world", "io"]
