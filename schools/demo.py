"""
Demo data: Лесосибирск's nine schools (seed 003) and synthetic regions for scale.

`load_lesosibirsk()` is idempotent: it only creates what is missing and never
overwrites what people changed. `generate_region()` builds a synthetic region
set-based (bulk_create), replacing the previous synthetic region.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AcademicYear, Municipality, Region, School, User

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo credentials
DEMO_REGION = ("Красноярский край", "24")
DEMO_MUNICIPALITY = "г. Лесосибирск"
# The demo is written for the school year 2021/2022 (its figures 2017/18 to
# 2020/21) and loaded moved by whole years to the school year of the day it is
# loaded in, so that its current work is current: see `demo_school_year`.
WRITTEN_FOR = 2021
Moment = TypeVar("Moment", int, dt.date, dt.datetime)
DEMO_YEARS = range(2017, 2022)  # as written: 2017/2018 … 2021/2022

SYNTHETIC_REGION = ("Синтетический регион (нагрузочные тесты)", "99")

# Other apps add their demo data through these hooks (registered in their
# AppConfig.ready()), so that the registry never imports them.
DemoLoader = Callable[[], int]
RegionFiller = Callable[..., int]
RegionDropper = Callable[[Any], None]
demo_loaders: list[DemoLoader] = []
region_fillers: list[RegionFiller] = []
region_droppers: list[RegionDropper] = []


def register_demo(
    *,
    loader: DemoLoader | None = None,
    filler: RegionFiller | None = None,
    dropper: RegionDropper | None = None,
) -> None:
    """Register an app's part of `load_demo` and of `generate_demo`."""
    for hook, registry in (
        (loader, demo_loaders),
        (filler, region_fillers),
        (dropper, region_droppers),
    ):
        if hook is not None and hook not in registry:
            registry.append(hook)


FULL_TYPE = {
    School.Type.SOSH: "Средняя общеобразовательная школа",
    School.Type.OOSH: "Основная общеобразовательная школа",
    School.Type.NOSH: "Начальная общеобразовательная школа",
}


@dataclass(frozen=True)
class DemoSchool:
    code: str
    number: str
    school_type: str
    distance_km: str
    is_rural: bool
    operator: tuple[str, str, str, str]  # last, first, middle name; position

    @property
    def short_name(self) -> str:
        if self.school_type in FULL_TYPE:
            return f"МБОУ «{self.school_type} № {self.number}»"
        return f"МБОУ «{self.school_type}»"

    @property
    def full_name(self) -> str:
        kind = FULL_TYPE.get(self.school_type, self.school_type)
        number = f" № {self.number}" if self.number else ""
        return (
            "Муниципальное бюджетное общеобразовательное учреждение "
            f"«{kind}{number}» г. Лесосибирска"
        )


# The city stretches along the Енисей; ООШ № 5 (merged with НОО № 14) lies on the
# opposite bank and СОШ № 4 (merged with СОШ № 18) in the remote Новоенисейск.
LESOSIBIRSK_SCHOOLS = [
    DemoSchool(
        "sch242701",
        "1",
        School.Type.SOSH,
        "1.5",
        False,
        ("Кузнецова", "Ольга", "Викторовна", "заместитель директора по УВР"),
    ),
    DemoSchool(
        "sch242702",
        "2",
        School.Type.SOSH,
        "3.2",
        False,
        ("Морозова", "Татьяна", "Николаевна", "заместитель директора по УВР"),
    ),
    DemoSchool(
        "sch242704",
        "4",
        School.Type.SOSH,
        "9.8",
        False,
        ("Белова", "Наталья", "Сергеевна", "заместитель директора по УВР"),
    ),
    DemoSchool(
        "sch242705",
        "5",
        School.Type.OOSH,
        "18.0",
        True,
        ("Сидорова", "Елена", "Петровна", "директор"),
    ),
    DemoSchool(
        "sch242706",
        "6",
        School.Type.SOSH,
        "6.4",
        False,
        ("Попова", "Ирина", "Александровна", "заместитель директора по УВР"),
    ),
    DemoSchool(
        "sch242708",
        "8",
        School.Type.SOSH,
        "4.1",
        False,
        ("Волкова", "Светлана", "Юрьевна", "секретарь учебной части"),
    ),
    DemoSchool(
        "sch242709",
        "9",
        School.Type.SOSH,
        "2.7",
        False,
        ("Лебедева", "Марина", "Игоревна", "заместитель директора по УВР"),
    ),
    DemoSchool(
        "sch242710",
        "",
        School.Type.GYMNASIUM,
        "0.8",
        False,
        ("Соколова", "Анна", "Владимировна", "заместитель директора по УВР"),
    ),
    DemoSchool(
        "sch242711",
        "",
        School.Type.LYCEUM,
        "1.1",
        False,
        ("Новикова", "Юлия", "Андреевна", "заместитель директора по НМР"),
    ),
]

DEMO_STAFF = [
    # username, role, last, first, middle, position, superuser
    (
        "admin",
        User.Role.ADMINISTRATOR,
        "Смирнов",
        "Дмитрий",
        "Олегович",
        "администратор портала",
        True,
    ),
    (
        "mimc",
        User.Role.ANALYST,
        "Григорьева",
        "Людмила",
        "Васильевна",
        "методист МБУ «МИМЦ»",
        False,
    ),
    (
        "uo",
        User.Role.APPROVER,
        "Тихонов",
        "Андрей",
        "Михайлович",
        "начальник отдела общего образования",
        False,
    ),
]


def inn_with_check_digit(first_nine: str) -> str:
    """Return a legal entity's ИНН: nine digits plus the control digit."""
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    control = (
        sum(int(d) * w for d, w in zip(first_nine, weights, strict=True)) % 11 % 10
    )
    return first_nine + str(control)


def ensure_years(start_years: range, *, current: int | None) -> list[AcademicYear]:
    """Create the missing school years; mark `current` if no year is current yet."""
    years = []
    for start in start_years:
        start_date, end_date = AcademicYear.default_dates(start)
        year, _ = AcademicYear.objects.get_or_create(
            start_year=start, defaults={"start_date": start_date, "end_date": end_date}
        )
        years.append(year)
    if (
        current is not None
        and not AcademicYear.objects.filter(is_current=True).exists()
    ):
        AcademicYear.objects.filter(start_year=current).update(is_current=True)
    return years


def demo_school_year() -> int:
    """
    The start year of the demo's current school year: `DEMO_SCHOOL_YEAR` when
    set (the tests keep 2021), else the current year of a demo already loaded
    (loading again adds nothing), else the school year of today.
    """
    if settings.DEMO_SCHOOL_YEAR:
        return int(settings.DEMO_SCHOOL_YEAR)
    current = AcademicYear.objects.filter(is_current=True).first()
    if current is not None:
        return current.start_year
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def demo_shift() -> int:
    """How many years the demo moves from the year it is written for."""
    return demo_school_year() - WRITTEN_FOR


def shifted(value: Moment) -> Moment:
    """A year or a date of the demo as written, in the school year it is loaded for."""
    years = demo_shift()
    if isinstance(value, int):
        return value + years  # type: ignore[return-value]
    return value.replace(year=value.year + years)  # type: ignore[return-value]


def _ensure_user(username: str, **fields: object) -> tuple[User, bool]:
    schools = fields.pop("schools", [])
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.schools.set(schools)
    return user, created


@transaction.atomic
def load_lesosibirsk() -> dict[str, int]:
    """Create the demo municipality, its schools, years and users where missing."""
    region, _ = Region.objects.get_or_create(
        code=DEMO_REGION[1], defaults={"name": DEMO_REGION[0]}
    )
    municipality, _ = Municipality.objects.get_or_create(
        region=region, name=DEMO_MUNICIPALITY
    )
    ensure_years(
        range(shifted(DEMO_YEARS.start), shifted(DEMO_YEARS.stop)),
        current=demo_school_year(),
    )
    created = {"schools": 0, "users": 0}
    for i, spec in enumerate(LESOSIBIRSK_SCHOOLS):
        school, made = School.objects.get_or_create(
            code=spec.code,
            defaults={
                "municipality": municipality,
                "full_name": spec.full_name,
                "short_name": spec.short_name,
                "school_type": spec.school_type,
                "is_rural": spec.is_rural,
                "distance_km": Decimal(spec.distance_km),
                "settlement": "п. Стрелка" if spec.is_rural else "г. Лесосибирск",
                "inn": inn_with_check_digit(f"24540{i + 1:04d}"),
            },
        )
        created["schools"] += made
        last, first, middle, position = spec.operator
        _, made = _ensure_user(
            spec.code,
            role=User.Role.OPERATOR,
            last_name=last,
            first_name=first,
            middle_name=middle,
            position=position,
            schools=[school],
            email=f"{spec.code}@school.example",
        )
        created["users"] += made
    for username, role, last, first, middle, position, superuser in DEMO_STAFF:
        scoped = role in (User.Role.ANALYST, User.Role.APPROVER)
        _, made = _ensure_user(
            username,
            role=role,
            last_name=last,
            first_name=first,
            middle_name=middle,
            position=position,
            is_staff=superuser,
            is_superuser=superuser,
            municipality=municipality if scoped else None,
            email=f"{username}@lesosibirsk.example",
        )
        created["users"] += made
    return created


# Synthetic regions -----------------------------------------------------------

TYPE_WEIGHTS = [
    (School.Type.SOSH, 0.58),
    (School.Type.OOSH, 0.2),
    (School.Type.NOSH, 0.06),
    (School.Type.GYMNASIUM, 0.06),
    (School.Type.LYCEUM, 0.05),
    (School.Type.BOARDING, 0.03),
    (School.Type.OTHER, 0.02),
]


def municipality_sizes(total: int, rng: random.Random) -> list[int]:
    """
    Split `total` schools into municipalities of realistic sizes.

    Sizes follow a log-normal law with a median of 10 schools; a region of 300
    or more schools also has its capital with 100+ schools.
    """
    sizes: list[int] = []
    if total >= 300:
        sizes.append(rng.randint(100, 180))
    while sum(sizes) < total:
        sizes.append(max(1, round(rng.lognormvariate(2.3026, 0.85))))
    sizes[-1] -= sum(sizes) - total
    return [s for s in sizes if s > 0]


def _drop_region(region: Region) -> None:
    """Delete a synthetic region with its schools, set-based."""
    schools = School.objects.filter(municipality__region=region)
    for dropper in region_droppers:
        dropper(schools)
    User.schools.through.objects.filter(school__in=schools).delete()
    School.history.filter(municipality__region=region).delete()
    # A plain delete() would send simple-history's post_delete signal for each
    # of up to 40,000 schools, one query each; synthetic schools carry no data
    # worth a "deleted" history record, so they go in one statement.
    schools._raw_delete(schools.db)
    Municipality.objects.filter(region=region).delete()
    region.delete()


@transaction.atomic
def generate_region(*, schools: int, years: int, seed: int) -> dict[str, int]:
    """
    Replace the synthetic region with a new one of `schools` schools.

    Set-based: a handful of bulk inserts whatever the size.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    name, code = SYNTHETIC_REGION
    old = Region.objects.filter(code=code).first()
    if old is not None:
        _drop_region(old)
    region = Region.objects.create(name=name, code=code)
    sizes = municipality_sizes(schools, rng)
    municipalities = Municipality.objects.bulk_create(
        Municipality(
            region=region,
            name="Городской округ Центральный"
            if i == 0
            else f"Муниципальный район № {i}",
        )
        for i in range(len(sizes))
    )
    types, weights = zip(*TYPE_WEIGHTS, strict=True)
    rows = []
    n = 0
    for i, (municipality, size) in enumerate(zip(municipalities, sizes, strict=True)):
        # A municipal centre somewhere in a Siberian-sized box; schools around it
        # at their distance, so partner suggestions have kilometres to weigh.
        centre = (rng.uniform(52, 62), rng.uniform(84, 100))
        for k in range(1, size + 1):
            n += 1
            school_type = rng.choices(types, weights)[0]
            rural = size < 40 and rng.random() < 0.6
            label = f"{school_type} № {k}" if school_type in FULL_TYPE else school_type
            distance = round(rng.uniform(5, 120) if rural else rng.uniform(0, 15), 1)
            bearing = rng.uniform(0, 2 * math.pi)
            latitude = centre[0] + distance * math.cos(bearing) / 111
            longitude = centre[1] + distance * math.sin(bearing) / (
                111 * math.cos(math.radians(centre[0]))
            )
            rows.append(
                School(
                    municipality=municipality,
                    code=f"sch{code}{n:06d}",
                    short_name=f"МБОУ «{label}»",
                    full_name=f"Муниципальное бюджетное общеобразовательное учреждение "
                    f"«{label}» ({municipality.name})",
                    school_type=school_type,
                    is_rural=rural,
                    distance_km=Decimal(str(distance)),
                    settlement=f"с. Школьное-{n}" if rural else f"райцентр № {i}",
                    latitude=Decimal(f"{latitude:.5f}"),
                    longitude=Decimal(f"{longitude:.5f}"),
                    inn=inn_with_check_digit(f"{code}{n:07d}"),
                )
            )
    School.objects.bulk_create(rows, batch_size=2000)
    current = AcademicYear.objects.filter(is_current=True).first()
    last = current.start_year if current else demo_school_year()
    # Data is generated for the completed years before the current one.
    data_years = ensure_years(range(last - years, last), current=None)
    ensure_years(range(last, last + 1), current=last)
    reports = sum(
        filler(schools=rows, years=data_years, seed=seed) for filler in region_fillers
    )
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load: without them the planner takes a
        # table of a million rows for a small one (and autovacuum may be off).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "municipalities": len(municipalities),
        "schools": len(rows),
        "reports": reports,
    }


def load_all_demo() -> dict[str, int]:
    """Load the registry demo and every app's demo data (idempotent)."""
    created = load_lesosibirsk()
    created["reports"] = sum(loader() for loader in demo_loaders)
    return created
