"""The five documents a department signs open in Word with the right rows, as the seeds lay them out."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from identification.models import OfficialList
from partnerships.models import GeneralPlan
from roadmaps.models import Responsible, Roadmap
from schools.models import User
from schools.word import DOCX, add_table, new_document, text

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


def test_the_roadmap_is_the_table_of_seed_004_with_its_approval(client, demo):
    roadmap = Roadmap.objects.get(level=Roadmap.Level.MUNICIPAL, order_number="87")
    client.force_login(User.objects.get(username="uo"))
    doc = _word(client, roadmap.get_absolute_url())
    paragraphs = _paragraphs(doc)
    assert paragraphs[0] == "УТВЕРЖДЕНО\nприказом № 87 от 24.07.2020"
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
    # Every item once under its number; the sections are rows across the table.
    assert [n for n in numbers if n in {number for number, _ in items}] == [
        number for number, _ in items
    ]
    first = next(r for r in table.rows[1:] if _cells(r)[0] == items[0][0])
    assert _cells(first)[1].startswith(items[0][1])
    sections = list(roadmap.sections.values_list("title", flat=True))
    assert set(sections) <= set(numbers)


def test_a_school_programme_names_its_school(client, demo):
    programme = Roadmap.objects.filter(level=Roadmap.Level.SCHOOL).first()
    client.force_login(User.objects.get(username="mimc"))
    doc = _word(client, programme.get_absolute_url())
    assert programme.school.full_name in _paragraphs(doc)
    assert len(doc.tables[0].rows) > programme.items.count()


def test_the_general_plan_groups_the_activities_by_pair(client, demo):
    plan = GeneralPlan.objects.select_related("campaign__year").get(status="approved")
    client.force_login(User.objects.get(username="uo"))
    doc = _word(client, reverse("partnerships:general-plan", args=[plan.campaign_id]))
    paragraphs = _paragraphs(doc)
    assert paragraphs[0] == (
        f"УТВЕРЖДЕНО\nприказом № {plan.order_number} от {plan.order_date:%d.%m.%Y}"
    )
    assert str(plan.campaign.year) in paragraphs[1]
    (table,) = doc.tables
    assert _repeats_header(table)
    assert _cells(table.rows[0])[:2] == ["Месяц", "Мероприятие"]
    titles = {_cells(r)[1] for r in table.rows[1:]}
    assert {row["title"] for row in plan.rows} <= titles


def test_the_approved_list_is_the_orders_annex_in_word_and_xlsx(client, demo):
    official = OfficialList.objects.get(superseded_at=None)
    listed = official.entries.exclude(status="нет").count()
    client.force_login(User.objects.get(username="uo"))
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
    client, demo
):
    official = OfficialList.objects.get(superseded_at=None)
    client.force_login(User.objects.get(username="mimc"))
    doc = _word(client, reverse("identification:run-report", args=[official.run_id]))
    paragraphs = _paragraphs(doc)
    assert paragraphs[0].startswith("УТВЕРЖДЕНО\nприказом №")
    assert "4. Рекомендации" in paragraphs
    method, schools, indicators = doc.tables
    assert _cells(method.rows[1])[0] == "Расчёт"
    assert _cells(schools.rows[0])[0] == "Школа"
    assert len(schools.rows) > 1
    assert _cells(indicators.rows[0])[0] == "Раздел"


def test_an_operator_gets_no_municipal_document(client, demo):
    plan = GeneralPlan.objects.get(status="approved")
    client.force_login(User.objects.get(username="sch242706"))
    url = reverse("partnerships:general-plan", args=[plan.campaign_id])
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
    client, demo
):
    roadmap = Roadmap.objects.get(level=Roadmap.Level.MUNICIPAL, order_number="87")
    operator = User.objects.get(username="sch242706")
    school = operator.schools.get()
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
