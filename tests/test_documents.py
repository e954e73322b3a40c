"""The five documents a department signs open in Word with the right rows, as the seeds lay them out."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from roadmaps import services as roadmaps
from roadmaps.models import Responsible, Roadmap
from schools.word import DOCX, add_table, new_document, text
from tests.factories import AcademicYearFactory
from tests.factories.partnerships import (
    ActivityFactory,
    GeneralPlanFactory,
    PartnershipFactory,
)
from tests.factories.roadmaps import approve, seed004_roadmap

pytestmark = pytest.mark.django_db


def _word(client, url):
    response = client.get(url, {"format": "docx"})
    assert response.status_code == 200, url
    assert response["Content-Type"] == DOCX
    assert ".docx" in response["Content-Disposition"]
    return Document(io.BytesIO(response.content))


def _paragraphs(doc):
    return [p.text for p in doc.paragraphs]


def _repeats_header(table):
    return table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def _cells(row):
    return [cell.text for cell in row.cells]


@pytest.fixture
def roadmap(analyst, approver):
    """Seed 004's municipal roadmap, approved by the department and in execution."""
    return seed004_roadmap(
        by=analyst, approver=approver, year=AcademicYearFactory(start_year=2020)
    )


def test_the_roadmap_is_the_table_of_seed_004_with_its_approval(
    client, roadmap, approver
):
    client.force_login(approver)
    doc = _word(client, roadmap.get_absolute_url())
    paragraphs = _paragraphs(doc)
    assert paragraphs[0] == (
        f"УТВЕРЖДЕНО\nприказом № {roadmap.order_number} "
        f"от {roadmap.order_date:%d.%m.%Y}"
    )
    assert paragraphs[1] == roadmap.title
    (table,) = doc.tables
    assert _cells(table.rows[0]) == [
        "№ п/п",
        "Наименование мероприятия (краткое содержание)",
        "Сроки исполнения",
        "Ответственный исполнитель",
        "Ожидаемый результат",
        "Информация об исполнении",
    ]
    assert _repeats_header(table)
    numbers = [_cells(r)[0] for r in table.rows[1:]]
    items = list(roadmap.items.values_list("number", "title"))
    assert len(items) == 14
    # Every item once under its number; the sections are rows across the table.
    assert [n for n in numbers if n in {number for number, _ in items}] == [
        number for number, _ in items
    ]
    first = next(r for r in table.rows[1:] if _cells(r)[0] == items[0][0])
    assert _cells(first)[1].startswith(items[0][1])
    sections = list(roadmap.sections.values_list("title", flat=True))
    assert set(sections) <= set(numbers)


def test_a_school_programme_names_its_school(
    client, school, operator, analyst, approver
):
    programme = roadmaps.roadmap_create(
        level=Roadmap.Level.SCHOOL,
        municipality=school.municipality,
        school=school,
        year=AcademicYearFactory(start_year=2021),
        title=f"Программа повышения качества образования {school.short_name}",
        by=operator,
    )
    for number, title, period, section in [
        (
            "1.1",
            "Диагностика профессиональных дефицитов",
            "сентябрь 2021 года",
            "1. Кадры",
        ),
        ("1.2", "Курсы повышения квалификации", "ноябрь 2021 года", "1. Кадры"),
        ("2.1", "Открытые уроки по математике", "декабрь 2021 года", "2. Обучение"),
    ]:
        roadmaps.item_save(
            roadmap=programme,
            by=operator,
            responsible=school.short_name,
            data={
                "number": number,
                "title": title,
                "period": period,
                "section": section,
            },
        )
    approve(programme, by=operator, approver=approver)
    client.force_login(analyst)
    doc = _word(client, programme.get_absolute_url())
    assert programme.school.full_name in _paragraphs(doc)
    rows = doc.tables[0].rows
    assert len(rows) > programme.items.count()
    # The header, each section's title across the table, then its items.
    assert [_cells(r)[0] for r in rows[1:]] == [
        "1. Кадры",
        "1.1",
        "1.2",
        "2. Обучение",
        "2.1",
    ]


@pytest.fixture
def general_plan(municipality, school, neighbour_school, analyst, approver):
    """An approved general plan of СОШ № 1 and its partner СОШ № 2, two activities."""
    pair = PartnershipFactory(
        campaign__municipality=municipality,
        school=school,
        partner=neighbour_school,
        approved=True,
    )
    ActivityFactory(partnership=pair, title="Открытые уроки по математике")
    ActivityFactory(
        partnership=pair,
        title="Консультации по подготовке к ОГЭ",
        start=dt.date(2021, 12, 6),
        end=dt.date(2021, 12, 10),
    )
    return GeneralPlanFactory(
        campaign=pair.campaign, compiled_by=analyst, approved=True, approved_by=approver
    )


def test_the_general_plan_groups_the_activities_by_pair(client, general_plan, approver):
    plan = general_plan
    client.force_login(approver)
    doc = _word(client, reverse("partnerships:general-plan", args=[plan.campaign_id]))
    paragraphs = _paragraphs(doc)
    assert paragraphs[0] == (
        f"УТВЕРЖДЕНО\nприказом № {plan.order_number} от {plan.order_date:%d.%m.%Y}"
    )
    assert paragraphs[0] == "УТВЕРЖДЕНО\nприказом № 112 от 03.12.2021"
    assert str(plan.campaign.year) in paragraphs[1]
    (table,) = doc.tables
    assert _repeats_header(table)
    assert _cells(table.rows[0])[:2] == ["Месяц", "Мероприятие"]
    titles = {_cells(r)[1] for r in table.rows[1:]}
    assert {row["title"] for row in plan.rows} <= titles
    assert len(plan.rows) == 2
    # The pair's name across the table, then its activities month by month.
    assert [_cells(r)[:2] for r in table.rows[1:]] == [
        ["МБОУ «СОШ № 1» — МБОУ «СОШ № 2»"] * 2,
        ["октябрь 2021", "Открытые уроки по математике"],
        ["декабрь 2021", "Консультации по подготовке к ОГЭ"],
    ]


def test_the_approved_list_is_the_orders_annex_in_word_and_xlsx(client, db, world):
    # The list of г. Альфаград in the small world, its run computed by the engine.
    official = world.places["A"].get("list")
    listed = official.entries.exclude(status="нет").count()
    assert listed
    client.force_login(world.people["approver_a"])
    doc = _word(client, official.get_absolute_url())
    assert _paragraphs(doc)[0] == (
        f"УТВЕРЖДЕНО\nприказом № {official.order_number} "
        f"от {official.order_date:%d.%m.%Y}"
    )
    (table,) = doc.tables
    assert len(table.rows) == 1 + listed
    assert [_cells(r)[0] for r in table.rows[1:]] == [
        str(n) for n in range(1, listed + 1)
    ]
    response = client.get(official.get_absolute_url(), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "№ п/п",
        "Школа",
        "Код ОО",
        "Статус",
        "Причины",
    ]
    assert sheet.max_row >= 1 + listed


def test_the_analytical_report_holds_the_method_the_list_and_the_indicators(
    client, db, world
):
    official = world.places["A"].get("list")
    client.force_login(world.people["analyst_a"])
    doc = _word(client, reverse("identification:run-report", args=[official.run_id]))
    paragraphs = _paragraphs(doc)
    assert paragraphs[0].startswith("УТВЕРЖДЕНО\nприказом №")
    assert "4. Рекомендации" in paragraphs
    method, schools, indicators = doc.tables
    assert _cells(method.rows[1])[0] == "Расчёт"
    assert _cells(schools.rows[0])[0] == "Школа"
    assert len(schools.rows) > 1
    assert _cells(indicators.rows[0])[0] == "Раздел"


def test_an_operator_gets_no_municipal_document(client, general_plan, operator):
    client.force_login(operator)  # even of a school of the plan
    url = reverse("partnerships:general-plan", args=[general_plan.campaign_id])
    assert client.get(url, {"format": "docx"}).status_code == 403


def test_control_characters_pasted_into_a_name_do_not_break_the_file():
    doc = new_document("Школа\x0b № 1\x00", approval="УТВЕРЖДЕНО")
    add_table(doc, ["А", "Б"], [["x\x01y", None], "Раздел\x1f"])
    assert text("a\x02b\tc") == "ab\tc"
    stream = io.BytesIO()
    doc.save(stream)
    reread = Document(io.BytesIO(stream.getvalue()))
    assert reread.paragraphs[1].text == "Школа № 1"
    assert _cells(reread.tables[0].rows[1]) == ["xy", ""]
    assert _cells(reread.tables[0].rows[2]) == ["Раздел", "Раздел"]


def test_a_schools_download_of_the_municipal_roadmap_says_it_is_an_extract(
    client, roadmap, school, operator
):
    # The school answers for one item of the municipal roadmap.
    item = roadmap.items.order_by("position").last()
    Responsible.objects.create(
        item=item, kind=Responsible.Kind.SCHOOL, name=school.short_name, school=school
    )
    client.force_login(operator)
    doc = _word(client, roadmap.get_absolute_url())
    assert any("Выписка" in p for p in _paragraphs(doc))
    own = set(
        roadmap.items.filter(responsible__school=school).values_list(
            "number", flat=True
        )
    )
    numbers = {_cells(r)[0] for r in doc.tables[0].rows[1:]}
    assert own
    assert own <= numbers
    assert len(numbers - own) <= roadmap.sections.count()  # the rest are section rows
    assert len(own) < roadmap.items.count()  # an extract, not the whole roadmap
