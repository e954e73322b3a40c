"""Roadmap rules: items, states by date, the approval workflow, revisions, evidence, reminders, tables and copies."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from roadmaps import indicators, services, tables
from roadmaps.models import Reminder, Responsible, Roadmap
from roadmaps.permissions import revisions_visible_to
from roadmaps.seed004 import ROWS
from tests.factories import AcademicYearFactory, StaffingDataFactory
from tests.factories.roadmaps import RoadmapFactory
from tests.roadmaps.conftest import seed_table

D = dt.date


def add(roadmap, by, **data):
    responsible = data.pop("responsible", "МБУ «МИМЦ»")
    return services.item_save(
        roadmap=roadmap,
        by=by,
        responsible=responsible,
        data={"title": "Семинар", "period": "октябрь 2020 года", **data},
    )


# Items --------------------------------------------------------------------------------------------


def test_item_reads_its_period_and_its_responsible(draft, analyst, school_6):
    item = add(
        draft,
        analyst,
        period="сентябрь – октябрь\n2020 года",
        responsible="Отдел образования, МБУ «МИМЦ», МБОУ «СОШ № 6», ГМС ОО",
    )
    assert (item.start, item.end, item.period_label) == (
        D(2020, 9, 1),
        D(2020, 10, 31),
        "сентябрь – октябрь 2020 года",
    )
    kinds = [
        (r.name, r.kind, r.school.code if r.school else None)
        for r in item.responsible.all()
    ]
    assert kinds == [
        ("Отдел образования", "department", None),
        ("МБУ «МИМЦ»", "mimc", None),
        ("МБОУ «СОШ № 6»", "school", "sch242706"),
        ("ГМС ОО", "other", None),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "по мере необходимости"}, "Не удалось разобрать срок"),
        (
            {"period": "", "start": D(2020, 11, 5), "end": D(2020, 10, 1)},
            "Окончание раньше начала",
        ),
        ({"responsible": " , "}, "хотя бы одного ответственного"),
        ({"title": "  "}, "что за мероприятие"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(draft, analyst, data, message):
    with pytest.raises(ValidationError, match=message):
        add(draft, analyst, **data)
    assert not draft.items.exists()
    assert not Responsible.objects.filter(item__roadmap=draft).exists()


def test_state_follows_the_dates(draft, analyst):
    item = add(draft, analyst, period="октябрь – ноябрь 2020 года")
    assert item.state_on(D(2020, 9, 30)) == "planned"
    assert item.state_on(D(2020, 10, 1)) == "in_progress"
    assert item.state_on(D(2020, 11, 30)) == "in_progress"
    assert item.state_on(D(2020, 12, 1)) == "overdue"
    item.done_at = D(2020, 12, 3)
    assert item.state_on(D(2021, 1, 1)) == "done"
    item.cancelled_reason = "перенесено"
    assert item.state_on(D(2021, 1, 1)) == "cancelled"


def test_state_uses_todays_date_in_the_portals_time_zone(draft, analyst, monkeypatch):
    from roadmaps import models

    item = add(draft, analyst, period="25.11.2020")
    monkeypatch.setattr(models.timezone, "localdate", lambda: D(2020, 11, 25))
    assert item.state == "in_progress"
    monkeypatch.setattr(models.timezone, "localdate", lambda: D(2020, 11, 26))
    assert item.state == "overdue"
    assert item.state_label == "просрочено"


# Workflow ------------------------------------------------------------------------------------------


def test_workflow_from_draft_to_closed(draft, analyst, approver):
    with pytest.raises(ValidationError, match="нет ни одного мероприятия"):
        services.roadmap_submit(obj=draft, by=analyst)
    add(draft, analyst)
    services.roadmap_submit(obj=draft, by=analyst)
    with pytest.raises(ValidationError, match="Укажите номер приказа"):
        services.roadmap_approve(
            obj=draft, order_number="", order_date=timezone.localdate(), by=approver
        )
    draft.refresh_from_db()
    assert draft.status == "on_approval"
    services.roadmap_return(obj=draft, reason="Добавьте сроки по ГИА", by=approver)
    assert (draft.status, draft.return_comment) == ("draft", "Добавьте сроки по ГИА")
    services.roadmap_submit(obj=draft, by=analyst)
    services.roadmap_approve(
        obj=draft, order_number="95", order_date=timezone.localdate(), by=approver
    )
    assert draft.order_label == f"приказ № 95 от {timezone.localdate():%d.%m.%Y}"
    assert draft.is_locked
    services.roadmap_start(obj=draft, by=analyst)
    with pytest.raises(ValidationError, match="Подведите итоги"):
        services.roadmap_close(obj=draft, reason=" ", by=approver)
    services.roadmap_close(obj=draft, reason="Выполнено 12 из 14.", by=approver)
    assert draft.status == "closed"
    with pytest.raises(ValidationError, match="закрыта"):
        add(draft, analyst)


def test_approved_items_change_only_through_a_recorded_revision(
    draft, analyst, approver
):
    item = add(draft, analyst, period="октябрь 2020 года")
    services.roadmap_submit(obj=draft, by=analyst)
    services.roadmap_approve(
        obj=draft, order_number="95", order_date=timezone.localdate(), by=approver
    )
    with pytest.raises(ValidationError, match="только с основанием"):
        services.item_save(
            roadmap=draft,
            item=item,
            by=analyst,
            responsible="МБУ «МИМЦ»",
            data={"title": "Семинар", "period": "ноябрь 2020 года"},
        )
    item.refresh_from_db()
    assert item.period_label == "октябрь 2020 года"
    services.item_save(
        roadmap=draft,
        item=item,
        by=analyst,
        responsible="МБУ «МИМЦ», Отдел образования",
        reason="решение совещания от 12.10.2020",
        data={"title": "Семинар", "period": "ноябрь 2020 года"},
    )
    (revision,) = revisions_visible_to(analyst, draft)
    assert (revision.by, revision.reason, revision.subject) == (
        analyst,
        "решение совещания от 12.10.2020",
        f"мероприятие {item.number}",
    )
    changed = {c["field"]: (c["before"], c["after"]) for c in revision.changes}
    assert changed["срок"] == ("октябрь 2020 года", "ноябрь 2020 года")
    assert changed["ответственные"] == ("МБУ «МИМЦ»", "МБУ «МИМЦ», Отдел образования")
    assert "мероприятие" not in changed
    with pytest.raises(ValidationError, match="отмените его с причиной"):
        services.item_delete(item=item, by=analyst)
    services.item_cancel(item=item, reason="перенесено на 2021 год", by=analyst)
    cancelled = revisions_visible_to(analyst, draft)
    assert len(cancelled) == 2
    assert cancelled[0].changes == [
        {"field": "отмена", "before": "", "after": "перенесено на 2021 год"}
    ]


# Execution and evidence ----------------------------------------------------------------------------


def test_execution_information_with_a_file_marks_the_item_done(draft, analyst):
    item = add(draft, analyst)
    upload = SimpleUploadedFile(
        "протокол.pdf", b"%PDF-1.4 test", content_type="application/pdf"
    )
    services.execution_add(
        item=item,
        text="Проведён семинар, 24 участника",
        by=analyst,
        done=True,
        upload=upload,
        note="протокол",
    )
    item.refresh_from_db()
    assert item.done_at is not None
    assert "Проведён семинар, 24 участника" in item.execution_info
    assert item.evidence.get().note == "протокол"


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("вирус.exe", 10, "не подходит"),
        ("скан.pdf", 2048, "больше"),
    ],
)
def test_evidence_of_a_wrong_type_or_too_large_is_refused(
    draft, analyst, settings, name, size, message
):
    settings.EVIDENCE_MAX_BYTES = 1024
    item = add(draft, analyst)
    with pytest.raises(ValidationError, match=message):
        services.execution_add(
            item=item,
            text="Сделано",
            by=analyst,
            upload=SimpleUploadedFile(name, b"x" * size),
        )
    item.refresh_from_db()
    assert item.execution_info == ""
    assert not item.evidence.exists()


# Reminders -------------------------------------------------------------------------------------------


def test_reminders_send_one_digest_per_person_once(draft, analyst, approver):
    analyst.email, approver.email = "mimc@example.org", "uo@example.org"
    analyst.save()
    approver.save()
    add(
        draft,
        analyst,
        title="Совещание",
        period="01.11.2020",
        responsible="МБУ «МИМЦ», Отдел образования",
    )
    add(draft, analyst, title="Отчёт", period="20.10.2020", responsible="МБУ «МИМЦ»")
    add(
        draft,
        analyst,
        title="Далёкое",
        period="январь 2021 года",
        responsible="МБУ «МИМЦ»",
    )
    assert services.reminders_send(today=D(2020, 10, 28)) == 0  # a draft reminds nobody
    services.roadmap_submit(obj=draft, by=analyst)
    services.roadmap_approve(
        obj=draft, order_number="1", order_date=timezone.localdate(), by=approver
    )
    assert services.reminders_send(today=D(2020, 10, 28)) == 2
    letters = {m.to[0]: m.body for m in mail.outbox}
    assert set(letters) == {"mimc@example.org", "uo@example.org"}
    assert "Просрочены" in letters["mimc@example.org"]
    assert "Отчёт" in letters["mimc@example.org"]
    assert "в ближайшие 7 дней" in letters["mimc@example.org"]
    assert "Совещание" in letters["mimc@example.org"]
    assert "Далёкое" not in letters["mimc@example.org"]
    assert "Отчёт" not in letters["uo@example.org"]
    assert services.reminders_send(today=D(2020, 10, 29)) == 0
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 3
    # The due-soon item, once overdue, is reminded once more — as overdue.
    assert services.reminders_send(today=D(2020, 11, 2)) == 2


# Tables ------------------------------------------------------------------------------------------------


def test_seed_004_table_imports_with_every_period_read(draft, analyst):
    assert tables.import_into(roadmap=draft, content=seed_table(), by=analyst) == 14
    items = list(draft.items.order_by("position"))
    assert [i.number for i in items] == [str(n) for n in range(1, 15)]
    assert (items[0].start, items[0].end) == (D(2020, 7, 1), D(2020, 8, 31))
    assert items[6].period_label == "в течение учебного года"
    assert (items[10].start, items[10].end) == (D(2021, 1, 1), D(2021, 12, 31))
    assert items[0].execution_info.startswith("Разработана программа")
    assert [r.kind for r in items[11].responsible.all()] == [
        "department",
        "mimc",
        "other",
    ]


def test_a_table_with_a_phrase_it_cannot_read_imports_nothing(draft, analyst):
    rows = [
        *ROWS[:3],
        ("4", "Круглый стол", "по мере необходимости", "МБУ «МИМЦ»", "", ""),
        ("5", "Совещание", "май 2021", "", "", ""),
    ]
    with pytest.raises(ValidationError) as error:
        tables.import_into(roadmap=draft, content=seed_table(rows), by=analyst)
    assert "Строка 7: Не удалось разобрать срок «по мере необходимости»" in " ".join(
        error.value.messages
    )
    assert "Строка 8: не указан ответственный исполнитель." in error.value.messages
    assert not draft.items.exists()


def test_export_and_import_round_trip(draft, analyst):
    tables.import_into(roadmap=draft, content=seed_table(), by=analyst)
    items = list(draft.items.order_by("position"))
    book = tables.workbook(draft, items)
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    copy = services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=analyst.municipality,
        school=None,
        year=draft.year,
        title="Копия",
        by=analyst,
    )
    tables.import_into(roadmap=copy, content=buffer.getvalue(), by=analyst)

    def shape(roadmap):
        return [
            (
                i.number,
                i.title,
                i.start,
                i.end,
                services.responsible_text(i),
                i.expected_result,
                i.execution_info,
            )
            for i in roadmap.items.order_by("position")
        ]

    assert shape(copy) == shape(draft)


def test_copy_to_next_year_moves_the_dates_and_drops_execution(
    analyst, municipal, year_2020, year_2021
):
    copy = services.copy_to_year(roadmap=municipal, year=year_2021, by=analyst)
    assert copy.status == "draft"
    assert (
        copy.title
        == "Дорожная карта по повышению качества общего образования на 2021-2022 учебный год"
    )
    first = copy.items.order_by("position").first()
    assert (first.start, first.end, first.period_label) == (
        D(2021, 7, 1),
        D(2021, 8, 31),
        "июль – август 2021 года",
    )
    assert not copy.items.exclude(execution_info="").exists()
    assert not copy.items.exclude(done_at=None).exists()
    assert copy.items.count() == 14
    with pytest.raises(ValidationError, match="более поздний"):
        services.copy_to_year(roadmap=copy, year=year_2020, by=analyst)


def test_teacher_share_indicators_are_computed_from_staffing_reports(
    analyst, school, neighbour_school, foreign_school, year_2020
):
    roadmap = RoadmapFactory(
        municipality=analyst.municipality, year=year_2020, created_by=analyst
    )
    indicators.add(
        roadmap=roadmap, source="deficit_diagnostics", title="", unit="%", planned=40.0
    )

    def staffing(school, year, teachers, diagnosed):
        StaffingDataFactory(
            report__school=school,
            report__year=AcademicYearFactory(start_year=year),
            teachers_total=teachers,
            deficit_diagnostics=diagnosed,
        )

    staffing(school, 2020, 40, 20)
    staffing(neighbour_school, 2020, 50, 6)
    staffing(school, 2019, 40, 10)
    staffing(neighbour_school, 2019, 45, None)  # not reported: left out, not a zero
    staffing(foreign_school, 2020, 40, 40)  # another municipality's school
    table = {entry["indicator"].source: entry for entry in indicators.table(roadmap)}
    before, fact = table["deficit_diagnostics"]["rows"]
    # 2020/2021: (20 + 6) of (40 + 50) teachers = 28.88… %; 2019/2020: 10 of 40.
    assert (fact["year"], fact["actual"], fact["computed"]) == ("2020/2021", 28.9, True)
    assert (before["year"], before["actual"], before["computed"]) == (
        "2019/2020",
        25.0,
        True,
    )
    assert fact["planned"] == 40.0


def test_a_failing_person_never_stops_the_roadmap_digest(
    draft, analyst, approver, monkeypatch
):
    from schools import mail as portal_mail

    analyst.email, approver.email = "mimc@example.org", "uo@example.org"
    analyst.save()
    approver.save()
    add(
        draft,
        analyst,
        title="Совещание\nBcc: x",
        period="01.11.2020",
        responsible="МБУ «МИМЦ», Отдел образования",
    )
    services.roadmap_submit(obj=draft, by=analyst)
    services.roadmap_approve(
        obj=draft, order_number="1", order_date=timezone.localdate(), by=approver
    )
    real = portal_mail.send

    def flaky(subject, body, recipients):
        if recipients == ["mimc@example.org"]:
            raise OSError("SMTP: отказ сервера")
        return real(subject, body, recipients)

    monkeypatch.setattr(portal_mail, "send", flaky)
    assert services.reminders_send(today=D(2020, 10, 28)) == 1
    assert not Reminder.objects.filter(user=analyst).exists()
    assert Reminder.objects.filter(user=approver).exists()
    monkeypatch.setattr(portal_mail, "send", real)
    assert services.reminders_send(today=D(2020, 10, 28)) == 1
    assert mail.outbox[-1].to == ["mimc@example.org"]
