"""Roadmap pages by role: who sees, prepares, approves and reports; every other door closed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from roadmaps import services
from roadmaps.models import Item, Roadmap
from roadmaps.permissions import revisions_visible_to
from tests.factories import OperatorFactory
from tests.factories.roadmaps import approve
from tests.roadmaps.conftest import seed_table


@pytest.fixture
def own_operator(school_6):
    return OperatorFactory(username="sch242706", schools=[school_6])


@pytest.fixture
def other_operator(operator):
    """The operator of МБОУ «СОШ № 1», which answers for no item of these roadmaps."""
    return operator


@pytest.fixture
def programme(school_6, own_operator, approver, year_2021):
    """СОШ № 6's approved programme for 2021/2022, with two items of its own."""
    programme = services.roadmap_create(
        level=Roadmap.Level.SCHOOL,
        municipality=school_6.municipality,
        school=school_6,
        year=year_2021,
        title="Программа повышения качества образования МБОУ «СОШ № 6»",
        by=own_operator,
    )
    for title, period in (
        ("Индивидуальные образовательные маршруты", "октябрь – декабрь 2021 года"),
        ("Пробные ОГЭ с разбором ошибок", "январь – апрель 2022 года"),
    ):
        services.item_save(
            roadmap=programme,
            by=own_operator,
            responsible="МБОУ «СОШ № 6», МБУ «МИМЦ»",
            data={"title": title, "period": period},
        )
    return approve(programme, by=own_operator, approver=approver)


def test_operator_sees_the_schools_programme_and_not_others(
    client, own_operator, other_operator, programme, municipal
):
    client.force_login(own_operator)
    assert client.get(programme.get_absolute_url()).status_code == 200
    assert (
        client.get(municipal.get_absolute_url()).status_code == 404
    )  # the school answers for none of its items
    assert [
        r.pk for r in client.get(reverse("roadmaps:list")).context["page"].object_list
    ] == [programme.pk]
    client.force_login(other_operator)
    assert client.get(programme.get_absolute_url()).status_code == 404
    item = programme.items.first()
    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.post(item.get_absolute_url(), {"text": "чужое"}).status_code == 404


def test_operator_sees_only_their_own_items_of_a_municipal_roadmap(
    client, analyst, own_operator, municipal
):
    item = municipal.items.get(number="12")
    services.item_save(
        roadmap=municipal,
        item=item,
        by=analyst,
        responsible="Отдел образования, МБОУ «СОШ № 6»",
        reason="школа — соисполнитель",
        data={
            "number": "12",
            "title": item.title,
            "start": item.start,
            "end": item.end,
            "expected_result": item.expected_result,
        },
    )
    client.force_login(own_operator)
    response = client.get(municipal.get_absolute_url())
    assert [i.number for i in response.context["items"]] == ["12"]
    response = client.post(
        item.get_absolute_url(),
        {
            "text": "Учителя прошли КПК",
            "done": "on",
            "file": SimpleUploadedFile("удостоверения.pdf", b"%PDF"),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "done"
    assert item.evidence.get().added_by == own_operator
    other = municipal.items.get(number="13")
    assert client.get(other.get_absolute_url()).status_code == 404


def test_operator_edits_their_draft_but_not_an_approved_programme_or_the_municipal_roadmap(
    client, own_operator, programme, municipal
):
    client.force_login(own_operator)
    data = {
        "title": "Консультации для родителей",
        "period": "ноябрь 2021 года",
        "responsible": "МБОУ «СОШ № 6»",
    }
    assert (
        client.post(
            reverse("roadmaps:item-create", args=[programme.pk]), data
        ).status_code
        == 403
    )  # approved
    assert (
        client.post(
            reverse("roadmaps:item-create", args=[municipal.pk]), data
        ).status_code
        == 404
    )
    Roadmap.objects.filter(pk=programme.pk).update(status="draft")
    assert (
        client.post(
            reverse("roadmaps:item-create", args=[programme.pk]), data
        ).status_code
        == 302
    )
    assert programme.items.filter(title="Консультации для родителей").exists()
    # Tampering: an item of the municipal roadmap posted through the programme's URL.
    foreign = municipal.items.first()
    assert (
        client.post(
            reverse("roadmaps:item-edit", args=[programme.pk, foreign.pk]), data
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.title != "Консультации для родителей"


def test_department_approves_and_the_analyst_cannot(client, analyst, approver, draft):
    services.item_save(
        roadmap=draft,
        by=analyst,
        responsible="МБУ «МИМЦ»",
        data={"title": "Семинар", "period": "октябрь 2020 года"},
    )
    client.force_login(analyst)
    client.post(reverse("roadmaps:roadmap-submit", args=[draft.pk]))
    assert (
        client.post(
            reverse("roadmaps:roadmap-approve", args=[draft.pk]),
            {"order_number": "1", "order_date": "2020-09-01"},
        ).status_code
        == 403
    )
    client.force_login(approver)
    response = client.post(
        reverse("roadmaps:roadmap-approve", args=[draft.pk]),
        {"order_number": "", "order_date": f"{timezone.localdate():%Y-%m-%d}"},
        follow=True,
    )
    assert "Укажите номер приказа." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "on_approval"
    client.post(
        reverse("roadmaps:roadmap-approve", args=[draft.pk]),
        {"order_number": "95", "order_date": f"{timezone.localdate():%Y-%m-%d}"},
    )
    draft.refresh_from_db()
    assert (draft.status, draft.order_number, draft.order_date, draft.approved_by) == (
        "approved",
        "95",
        timezone.localdate(),
        approver,
    )


def test_editing_an_approved_item_in_the_browser_asks_for_the_reason(
    client, analyst, municipal
):
    client.force_login(analyst)
    item = municipal.items.get(number="10")
    url = reverse("roadmaps:item-edit", args=[municipal.pk, item.pk])
    data = {
        "number": "10",
        "title": item.title,
        "period": "февраль 2021 года",
        "responsible": "МБУ «МИМЦ»",
    }
    response = client.post(url, data)
    assert "укажите основание изменения" in response.content.decode()
    assert not revisions_visible_to(item.roadmap.approved_by, municipal)
    client.post(url, {**data, "reason": "перенос по решению ГМС"})
    item.refresh_from_db()
    assert item.period_label == "февраль 2021 года"
    assert (
        "перенос по решению ГМС"
        in client.get(municipal.get_absolute_url()).content.decode()
    )


def test_import_page_shows_every_bad_row_and_writes_nothing(client, analyst, draft):
    client.force_login(analyst)
    bad = seed_table([("1", "Семинар", "второе полугодие", "МБУ «МИМЦ»", "", "")])
    response = client.post(
        reverse("roadmaps:import", args=[draft.pk]),
        {"file": SimpleUploadedFile("карта.xlsx", bad)},
    )
    assert (
        "Строка 4: Не удалось разобрать срок «второе полугодие»"
        in response.content.decode()
    )
    assert not draft.items.exists()
    response = client.post(
        reverse("roadmaps:import", args=[draft.pk]),
        {"file": SimpleUploadedFile("карта.txt", b"not excel")},
    )
    assert "Это не файл Excel" in response.content.decode()


def test_export_has_the_documents_columns(client, analyst, municipal):
    client.force_login(analyst)
    sheet = load_workbook(
        io.BytesIO(client.get(municipal.get_absolute_url(), {"format": "xlsx"}).content)
    ).active
    assert [c.value for c in sheet[3]] == [
        "№ п/п",
        "Наименование мероприятия (краткое содержание)",
        "Сроки исполнения",
        "Ответственный исполнитель",
        "Ожидаемый результат",
        "Информация об исполнении",
    ]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 14
    assert rows[0][2] == "июль – август 2020 года"
    assert rows[0][3] == "Отдел образования, МБУ «МИМЦ»"


def test_tracking_and_timeline_show_overdue_items(client, analyst, municipal):
    client.force_login(analyst)
    tracking = client.get(reverse("roadmaps:tracking")).context
    overdue = {i.number for i in tracking["overdue"] if i.roadmap_id == municipal.pk}
    assert overdue == {"10", "11", "12", "13", "14"}
    row = next(r for r in tracking["per_roadmap"] if r["roadmap"] == municipal)
    assert (row["done"], row["total"], row["overdue"], row["percent"]) == (9, 14, 5, 64)
    timeline = client.get(
        reverse("roadmaps:timeline", args=[municipal.pk]), {"state": "overdue"}
    ).context
    assert [r["item"].number for r in timeline["rows"]] == [
        "10",
        "11",
        "12",
        "13",
        "14",
    ]
    nov = next(
        r
        for r in client.get(reverse("roadmaps:timeline", args=[municipal.pk])).context[
            "rows"
        ]
        if r["item"].number == "5"
    )
    assert nov["cells"] == [False, False, True] + [False] * 9  # ноябрь 2020 only
    gms_only = client.get(
        reverse("roadmaps:timeline", args=[municipal.pk]), {"responsible": "ГМС ОО"}
    ).context["rows"]
    assert [r["item"].number for r in gms_only] == ["6"]


def test_copy_page_creates_a_draft_for_the_next_year(
    client, analyst, municipal, year_2021
):
    client.force_login(analyst)
    response = client.post(
        reverse("roadmaps:copy", args=[municipal.pk]), {"year": year_2021.pk}
    )
    copy = Roadmap.objects.get(year__start_year=2021, level="municipal")
    assert response.url == copy.get_absolute_url()
    assert copy.status == "draft"
    assert Item.objects.filter(roadmap=copy).count() == 14
