"""
Roadmaps of the demo: seed 004's municipal roadmap (all 14 items with their
wording, responsible and execution information) and the quality-improvement
programme of a demo ШНОР school; and the cleanup of a synthetic region.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from schools.demo import shifted
from schools.models import AcademicYear, School, User

from . import indicators, periods, services
from .models import Roadmap
from .seed004 import ROWS, TITLE

# The school programme of the current year. Its periods are months counted from
# the month the demo is loaded in (first, last; 0 is this month), so that on any
# day the demo shows a programme under way — two items done, two overdue, four
# ahead — and not a 2021/2022 document whose every item is long past due.
# Columns: №, activity, (first, last) month, responsible, expected result,
# execution information, done, criterion (optional).
SCHOOL_PROGRAMME = [
    (
        "Организационное сопровождение",
        [
            (
                "1",
                "Анализ результатов мониторинга и причин попадания школы в список ШНОР/ШНСУ; корректировка программы повышения качества",
                (-7, -7),
                "МБОУ «СОШ № 6»",
                "Проблемный анализ, скорректированная программа",
                "",
                True,
            ),
            (
                "2",
                "Назначение ответственного за сопровождение программы и куратора от МБУ «МИМЦ»",
                (-7, -7),
                "МБОУ «СОШ № 6», МБУ «МИМЦ»",
                "Приказ по школе",
                "Приказ № 112 от {order:%d.%m.%Y}",
                True,
            ),
            (
                "3",
                "Диагностика профессиональных дефицитов учителей математики и русского языка",
                (-3, -1),
                "МБОУ «СОШ № 6», МБУ «МИМЦ»",
                "План-график повышения квалификации",
                "",
                False,
            ),
        ],
    ),
    (
        "Сопровождение участия в оценочных процедурах",
        [
            (
                "4",
                "Индивидуальные образовательные маршруты для обучающихся 5–6 классов, получивших «2» на ВПР по математике",
                (-6, -2),
                "МБОУ «СОШ № 6»",
                "Снижение доли «2» на ВПР по математике",
                "",
                False,
                "R1",
            ),
            (
                "5",
                "Пробные ОГЭ по математике и русскому языку с разбором ошибок",
                (-1, 2),
                "МБОУ «СОШ № 6», МБУ «МИМЦ»",
                "Рост среднего балла ОГЭ",
                "",
                False,
                "L1",
            ),
        ],
    ),
    (
        "Сетевое взаимодействие",
        [
            (
                "6",
                "Открытые уроки и консультации учителей школы-партнёра (МБОУ «Лицей») по математике",
                (-6, 3),
                "МБОУ «СОШ № 6», МБОУ «Лицей»",
                "Не менее 4 мероприятий обмена опытом",
                "",
                False,
                "L1",
            ),
            (
                "7",
                "Работа социального педагога с семьями обучающихся, находящихся в социально опасном положении",
                (-6, 3),
                "МБОУ «СОШ № 6»",
                "Снижение числа обучающихся на учёте",
                "",
                False,
                "N1",
            ),
            (
                "8",
                "Итоги выполнения программы: анализ результатов ВПР и ОГЭ, корректировка на следующий год",
                (4, 5),
                "МБОУ «СОШ № 6», МБУ «МИМЦ»",
                "Аналитическая справка, скорректированная программа",
                "",
                False,
            ),
        ],
    ),
]


def load_roadmaps_demo() -> int:
    """Create the two demo roadmaps if missing. Returns 0: `load_demo` counts reports."""
    analyst = User.objects.get(username="mimc")
    approver = User.objects.get(username="uo")
    municipality = analyst.municipality
    year_2020 = AcademicYear.objects.get(start_year=shifted(2020))
    if not Roadmap.objects.filter(
        municipality=municipality, level=Roadmap.Level.MUNICIPAL, year=year_2020
    ).exists():
        roadmap = services.roadmap_create(
            level=Roadmap.Level.MUNICIPAL,
            municipality=municipality,
            school=None,
            year=year_2020,
            title=_moved(TITLE),
            by=analyst,
        )
        add_seed004_items(roadmap, by=analyst, moved=_moved)
        indicators.add(
            roadmap=roadmap, source="gia_fail_share", title="", unit="%", planned=5.0
        )
        indicators.add(
            roadmap=roadmap,
            source="deficit_diagnostics",
            title="",
            unit="%",
            planned=40.0,
        )
        services.roadmap_submit(obj=roadmap, by=analyst)
        _submitted_on(roadmap, shifted(dt.date(2020, 7, 20)))
        services.roadmap_approve(
            obj=roadmap,
            order_number="87",
            order_date=shifted(dt.date(2020, 7, 24)),
            by=approver,
        )
        services.roadmap_start(obj=roadmap, by=analyst)
    school = School.objects.get(code="sch242706")
    year_2021 = AcademicYear.objects.get(start_year=shifted(2021))
    if not Roadmap.objects.filter(school=school, year=year_2021).exists():
        _school_programme(school, year_2021, approver=approver)
    return 0


def _school_programme(school: School, year: AcademicYear, *, approver: User) -> None:
    """СОШ № 6's programme, approved, its periods around the day the demo is loaded."""
    today = timezone.localdate()
    operator = User.objects.filter(schools=school, role=User.Role.OPERATOR).first()
    programme = services.roadmap_create(
        level=Roadmap.Level.SCHOOL,
        municipality=school.municipality,
        school=school,
        year=year,
        title=f"Программа повышения качества образования МБОУ «СОШ № 6» на {year.start_year}-{year.start_year + 1} учебный год",
        by=operator,
    )
    for section, rows in SCHOOL_PROGRAMME:
        for (
            number,
            title,
            (first, last),
            responsible,
            expected,
            execution,
            done,
            *criterion,
        ) in rows:
            start, end = _months(today, first, last)
            item = services.item_save(
                roadmap=programme,
                by=operator,
                responsible=responsible,
                data=_data(
                    number,
                    title,
                    _phrase(start, end, year.start_year),
                    expected,
                    section,
                    criterion,
                ),
            )
            if done:
                order = start + dt.timedelta(days=14)
                item.execution_info = execution.format(order=order) or "Выполнено."
                item.done_at = item.end
                item.save(update_fields=["execution_info", "done_at"])
    # Sent for approval before its first month began, approved four days later:
    # the order is not "before the submission" and not years before the items.
    first_day = programme.items.order_by("start").values_list("start", flat=True)[0]
    services.roadmap_submit(obj=programme, by=operator)
    _submitted_on(programme, first_day - dt.timedelta(days=10))
    services.roadmap_approve(
        obj=programme,
        order_number="131",
        order_date=first_day - dt.timedelta(days=6),
        by=approver,
    )


def _months(today: dt.date, first: int, last: int) -> tuple[dt.date, dt.date]:
    """The first day of the month `first` months from today's and the last day of the month `last` months from it."""

    def month(offset: int) -> dt.date:
        year, index = divmod(today.year * 12 + today.month - 1 + offset, 12)
        return dt.date(year, index + 1, 1)

    return month(first), month(last + 1) - dt.timedelta(days=1)


def _phrase(start: dt.date, end: dt.date, school_year: int) -> str:
    """The period as the documents write it («ноябрь 2025 – март 2026 года»), read back to the same dates."""
    phrase = periods.label(start, end)
    period = periods.parse(phrase, school_year=school_year)
    if (period.start, period.end) != (start, end):
        raise ValueError(f"The demo's period {phrase!r} reads as other dates.")
    return phrase


def _data(
    number: str,
    title: str,
    period: str,
    expected: str,
    section: str,
    criterion: list[str],
) -> dict[str, Any]:
    return {
        "number": number,
        "title": title,
        "period": period,
        "expected_result": expected,
        "section": section,
        "criterion": criterion[0] if criterion else "",
    }


def drop_roadmaps(schools: Any) -> None:
    """Delete the roadmaps of a synthetic region's municipalities and schools."""
    roadmaps = Roadmap.objects.filter(
        municipality__in=schools.values("municipality_id")
    )
    for roadmap in roadmaps:
        roadmap.delete()


def _submitted_on(roadmap: Roadmap, day: dt.date) -> None:
    """
    The demo's documents were sent for approval years ago: their history says
    so, and the order that approved them is not "before the submission".
    """
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    roadmap.history.filter(status=Roadmap.Status.ON_APPROVAL).update(
        history_date=moment
    )


def _moved(text: str) -> str:
    """Seed 004's years in a title or a period, moved as the demo's years are."""
    return re.sub(r"(?<!\d)20\d\d(?!\d)", lambda m: str(shifted(int(m[0]))), text)


def add_seed004_items(
    roadmap: Roadmap, *, by: User, moved: Callable[[str], str] = str
) -> None:
    """
    Seed 004's 14 items word for word (their periods passed through `moved`);
    items 1–9 carry their execution information and are done on their last
    day, 10–14 are not.
    """
    for number, title, period, responsible, expected, execution in ROWS:
        item = services.item_save(
            roadmap=roadmap,
            by=by,
            responsible=responsible,
            data={
                "number": number,
                "title": title,
                "period": moved(period),
                "expected_result": expected,
            },
        )
        if execution:
            item.execution_info, item.done_at = execution, item.end
            item.save(update_fields=["execution_info", "done_at"])
