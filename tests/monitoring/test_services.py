"""Campaigns, saving figures, the workflow, history and reminders."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from monitoring import selectors, services
from monitoring.models import ReminderLog, Report, ReportEvent, ReportKind, StaffingData
from tests.factories import (
    STAFFING,
    AcademicYearFactory,
    OperatorFactory,
    SchoolFactory,
    subject,
)

Status = Report.Status


def test_campaign_creates_a_draft_for_every_active_school_and_report(
    campaign, school, neighbour_school, municipality
):
    inactive = SchoolFactory(municipality=municipality, is_active=False)
    assert campaign.reports.count() == 6
    assert not campaign.reports.filter(school=inactive).exists()
    assert set(campaign.reports.values_list("status", flat=True)) == {Status.DRAFT}


def test_campaign_adopts_existing_reports_of_the_year(
    analyst, municipality, school, year
):
    existing = Report.objects.create(school=school, year=year, kind=ReportKind.STAFFING)
    campaign = services.campaign_create(
        data={
            "municipality": municipality,
            "year": year,
            "title": "К",
            "kinds": ["staffing"],
            "deadline": dt.date(2021, 10, 1),
            "order_number": "1",
            "order_date": dt.date(2021, 9, 1),
        },
        by=analyst,
    )
    existing.refresh_from_db()
    assert existing.campaign == campaign
    assert Report.objects.filter(school=school, year=year, kind="staffing").count() == 1


def test_second_open_campaign_for_the_same_report_is_refused(
    campaign, analyst, municipality, year
):
    with pytest.raises(ValidationError, match="уже собирается"):
        services.campaign_create(
            data={
                "municipality": municipality,
                "year": year,
                "title": "Повтор",
                "kinds": ["staffing"],
                "deadline": dt.date(2021, 11, 1),
                "order_number": "2",
                "order_date": dt.date(2021, 9, 1),
            },
            by=analyst,
        )


def test_save_figures_writes_data_and_bumps_version(filled_staffing, operator):
    data = StaffingData.objects.get(report=filled_staffing)
    assert data.teachers_total == 40
    assert filled_staffing.version == 1
    assert filled_staffing.updated_by == operator


def test_save_figures_refuses_invalid_values_and_writes_nothing(staffing, operator):
    with pytest.raises(ValidationError) as error:
        services.report_save_figures(
            report=staffing,
            values={**STAFFING, "under_30": 41},
            expected_version=0,
            by=operator,
        )
    assert (
        "41 больше, чем «Учителей всего» (40)." in error.value.message_dict["under_30"]
    )
    assert not StaffingData.objects.filter(report=staffing).exists()
    staffing.refresh_from_db()
    assert staffing.version == 0


def test_unconfirmed_warning_stops_saving_until_confirmed(
    staffing, operator, campaign, school
):
    social = campaign.reports.get(school=school, kind=ReportKind.SOCIAL)
    services.report_save_figures(
        report=social, values={"pupils_total": 100}, expected_version=0, by=operator
    )
    with pytest.raises(services.WarningsNotConfirmed):
        services.report_save_figures(
            report=staffing, values=STAFFING, expected_version=0, by=operator
        )
    services.report_save_figures(
        report=staffing,
        values=STAFFING,
        expected_version=0,
        by=operator,
        warnings_confirmed=True,
    )
    staffing.refresh_from_db()
    assert staffing.warnings_confirmed


def test_second_save_with_stale_version_is_refused(filled_staffing, analyst, operator):
    """Two people opened version 1; the first save wins, the second is refused."""
    first = Report.objects.get(pk=filled_staffing.pk)
    second = Report.objects.get(pk=filled_staffing.pk)
    services.report_save_figures(
        report=first,
        values={**STAFFING, "vacancies": 2},
        expected_version=1,
        by=analyst,
    )
    with pytest.raises(services.ConcurrentEditError) as conflict:
        services.report_save_figures(
            report=second,
            values={**STAFFING, "vacancies": 5},
            expected_version=1,
            by=operator,
        )
    assert conflict.value.current.updated_by == analyst
    assert StaffingData.objects.get(report=filled_staffing).vacancies == 2


def test_history_keeps_who_changed_what_from_what_to_what(filled_staffing, analyst):
    services.report_save_figures(
        report=filled_staffing,
        values={**STAFFING, "vacancies": 3},
        expected_version=1,
        by=analyst,
    )
    entries = selectors.report_history(filled_staffing)
    latest = entries[0]
    assert latest["by"] == analyst
    assert latest["changes"] == [{"field": "Вакантных ставок", "old": 1, "new": 3}]


def test_saving_unchanged_figures_adds_no_history(filled_staffing, operator):
    services.report_save_figures(
        report=filled_staffing, values=STAFFING, expected_version=1, by=operator
    )
    assert StaffingData.history.filter(report_id=filled_staffing.pk).count() == 1


def test_submit_needs_every_figure(staffing, operator):
    services.report_save_figures(
        report=staffing, values={"teachers_total": 40}, expected_version=0, by=operator
    )
    with pytest.raises(ValidationError) as error:
        services.report_submit(report=staffing, by=operator)
    (message,) = error.value.messages
    assert message.startswith(
        "Для сдачи заполните: «Моложе 30 лет», «Пенсионного возраста»"
    )
    staffing.refresh_from_db()
    assert staffing.status == Status.DRAFT


def test_submit_empty_report_is_refused(staffing, operator):
    with pytest.raises(ValidationError, match="ещё не заполнен"):
        services.report_submit(report=staffing, by=operator)


def test_full_workflow_with_return_and_history(filled_staffing, operator, analyst):
    report = services.report_submit(report=filled_staffing, by=operator)
    assert report.status == Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.report_return(report=report, reason="  ", by=analyst)
    services.report_return(report=report, reason="Проверьте число вакансий", by=analyst)
    assert report.status == Status.RETURNED
    services.report_submit(report=report, by=operator)
    services.report_accept(report=report, by=analyst)
    assert report.status == Status.ACCEPTED
    actions = list(
        ReportEvent.objects.filter(report=report)
        .order_by("pk")
        .values_list("action", "by__username", "reason")
    )
    assert actions == [
        ("submit", "operator", ""),
        ("return", "analyst", "Проверьте число вакансий"),
        ("submit", "operator", ""),
        ("accept", "analyst", ""),
    ]


def test_return_notifies_operators_by_mail(
    filled_staffing, operator, analyst, django_capture_on_commit_callbacks
):
    services.report_submit(report=filled_staffing, by=operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(
            report=filled_staffing, reason="Нет данных о КПК", by=analyst
        )
    assert mail.outbox[0].to == [operator.email]
    assert "Нет данных о КПК" in mail.outbox[0].body


def test_accepted_report_is_locked(filled_staffing, operator, analyst):
    services.report_submit(report=filled_staffing, by=operator)
    services.report_accept(report=filled_staffing, by=analyst)
    with pytest.raises(ValidationError, match="принят и закрыт"):
        services.report_save_figures(
            report=filled_staffing, values=STAFFING, expected_version=1, by=analyst
        )


def test_reopen_needs_reason_and_accepted_state(filled_staffing, operator, analyst):
    with pytest.raises(ValidationError):
        services.report_reopen(report=filled_staffing, reason="ошибка", by=analyst)
    services.report_submit(report=filled_staffing, by=operator)
    services.report_accept(report=filled_staffing, by=analyst)
    services.report_reopen(
        report=filled_staffing, reason="Школа нашла ошибку в числе учителей", by=analyst
    )
    assert filled_staffing.status == Status.RETURNED
    assert filled_staffing.events.first().action == "reopen"


def test_only_submitted_reports_are_reviewed(filled_staffing, analyst):
    with pytest.raises(ValidationError):
        services.report_accept(report=filled_staffing, by=analyst)
    with pytest.raises(ValidationError):
        services.report_return(report=filled_staffing, reason="x", by=analyst)


def test_bulk_accept_takes_only_submitted(campaign, analyst, operator, filled_staffing):
    services.report_submit(report=filled_staffing, by=operator)
    accepted = services.reports_accept(reports=campaign.reports.all(), by=analyst)
    assert accepted == 1
    assert campaign.reports.filter(status=Status.ACCEPTED).count() == 1


def test_results_rows_are_saved_updated_and_deleted_with_history(
    campaign, school, operator
):
    report = campaign.reports.get(school=school, kind=ReportKind.RESULTS)
    math, russian = subject("математика"), subject("русский язык")
    row = {
        "procedure": "ВПР",
        "subject": math,
        "grade": 5,
        "level": "",
        "participants": 20,
        "mark2": 7,
        "mark3": 8,
        "mark4": 3,
        "mark5": 2,
        "failed_minimum": None,
        "mean_score": None,
    }
    other = {**row, "subject": russian}
    services.report_save_results(
        report=report,
        rows=[row, other],
        comparisons=[],
        expected_version=0,
        by=operator,
    )
    assert report.results.count() == 2
    services.report_save_results(
        report=report,
        rows=[{**row, "mark2": 6, "mark3": 9}],
        comparisons=[],
        expected_version=1,
        by=operator,
    )
    assert list(report.results.values_list("subject__name", "mark2")) == [
        ("математика", 6)
    ]
    titles = [e["title"] for e in selectors.report_history(report)]
    assert "удалено: ВПР, русский язык, 5 класс" in titles
    assert "изменено: ВПР, математика, 5 класс" in titles


def test_results_with_errors_write_nothing(campaign, school, operator):
    report = campaign.reports.get(school=school, kind=ReportKind.RESULTS)
    row = {
        "procedure": "ВПР",
        "subject": subject("математика"),
        "grade": 5,
        "level": "",
        "participants": 8,
        "mark2": 12,
        "mark3": 0,
        "mark4": 0,
        "mark5": 0,
        "failed_minimum": None,
        "mean_score": None,
    }
    good = {**row, "subject": subject("русский язык"), "mark2": 2, "mark3": 6}
    with pytest.raises(ValidationError):
        services.report_save_results(
            report=report,
            rows=[good, row],
            comparisons=[],
            expected_version=0,
            by=operator,
        )
    assert report.results.count() == 0


# Reminders --------------------------------------------------------------------------


def test_two_schedulers_at_once_send_each_school_one_reminder(
    campaign, operator, neighbour_operator
):
    """
    A second beat started by mistake runs the same daily task at the same
    moment: here it runs in full while the first is between choosing the
    reports and sending its first letter. Each school still gets one letter.
    """
    before = campaign.deadline - dt.timedelta(days=3)
    send = services._send_reminder
    started: list[bool] = []
    second: list[int] = []

    def first_letter_then_second_scheduler(*args, **kwargs):
        if not started:
            started.append(True)
            second.append(services.reminders_send_due(today=before))
        return send(*args, **kwargs)

    with mock.patch.object(
        services, "_send_reminder", side_effect=first_letter_then_second_scheduler
    ):
        first = services.reminders_send_due(today=before)
    assert second == [1]  # the other school, while the first held its own
    assert first == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [operator.email, neighbour_operator.email]
    )


def test_automatic_reminders_go_3_days_before_and_day_after_once(
    campaign, operator, neighbour_operator, filled_staffing
):
    services.report_submit(report=filled_staffing, by=operator)
    before = campaign.deadline - dt.timedelta(days=3)
    assert services.reminders_send_due(today=before) == 2  # one letter per school
    assert services.reminders_send_due(today=before) == 0  # never twice
    operator_mail = next(m for m in mail.outbox if m.to == [operator.email])
    assert "Результаты оценочных процедур" in operator_mail.body
    assert "Кадры" not in operator_mail.body  # submitted, not pending
    assert (
        services.reminders_send_due(today=campaign.deadline + dt.timedelta(days=1)) == 2
    )
    assert services.reminders_send_due(today=campaign.deadline) == 0
    assert ReminderLog.objects.filter(kind="before").count() == 5


def test_closed_campaign_sends_no_reminders(campaign):
    campaign.is_open = False
    campaign.save()
    assert (
        services.reminders_send_due(today=campaign.deadline - dt.timedelta(days=3)) == 0
    )


def test_manual_remind_writes_one_letter_per_school(
    campaign, operator, analyst, school
):
    sent = services.reports_remind(
        reports=campaign.reports.filter(school=school), by=analyst
    )
    assert sent == 1
    assert len(mail.outbox) == 1
    assert "осталось" in mail.outbox[0].body or "прошёл" in mail.outbox[0].body


def test_reminder_task_runs_the_service(campaign, neighbour_operator, time_machine):
    from monitoring.tasks import send_deadline_reminders

    time_machine.move_to(dt.datetime(2021, 10, 12, 9, 0, tzinfo=dt.UTC))
    assert send_deadline_reminders.delay().get() == 1


def test_context_brings_last_year_and_pupils(campaign, school, operator, year):
    previous_year = AcademicYearFactory(start_year=2019)
    old = Report.objects.create(
        school=school, year=previous_year, kind=ReportKind.SOCIAL
    )
    services.report_save_figures(
        report=old, values={"pupils_total": 300}, expected_version=0, by=operator
    )
    social = campaign.reports.get(school=school, kind=ReportKind.SOCIAL)
    services.report_save_figures(
        report=social, values={"pupils_total": 310}, expected_version=0, by=operator
    )
    assert selectors.report_context(social).previous["pupils_total"] == 300
    staffing = campaign.reports.get(school=school, kind=ReportKind.STAFFING)
    assert selectors.report_context(staffing).pupils_total == 310


def test_operator_emails_skip_inactive_and_blank(school, operator):
    OperatorFactory(schools=[school], email="")
    OperatorFactory(schools=[school], is_active=False)
    assert services._operator_emails(school) == [operator.email]


def test_a_line_break_in_a_schools_name_does_not_stop_the_reminders(
    campaign, operator, neighbour_operator, school
):
    school.short_name = "МБОУ «СОШ\n№ 1»\r\nBcc: evil@example.org"
    school.save()
    before = campaign.deadline - dt.timedelta(days=3)
    assert services.reminders_send_due(today=before) == 2
    subjects = [m.subject for m in mail.outbox]
    assert all("\n" not in s and "\r" not in s for s in subjects)
    assert any("СОШ № 1» Bcc: evil@example.org" in s for s in subjects)
    assert all(m.to != ["evil@example.org"] and not m.bcc for m in mail.outbox)


def test_one_failing_school_never_stops_the_others_and_is_not_logged_as_sent(
    campaign, operator, neighbour_operator, school, neighbour_school, monkeypatch
):
    from schools import mail as portal_mail

    real = portal_mail.send

    def flaky(subject, body, recipients):
        if operator.email in recipients:
            raise OSError("SMTP: отказ сервера")
        return real(subject, body, recipients)

    monkeypatch.setattr(portal_mail, "send", flaky)
    before = campaign.deadline - dt.timedelta(days=3)
    assert services.reminders_send_due(today=before) == 1
    assert [m.to for m in mail.outbox] == [[neighbour_operator.email]]
    assert not ReminderLog.objects.filter(report__school=school).exists()
    assert ReminderLog.objects.filter(report__school=neighbour_school).exists()
    monkeypatch.setattr(portal_mail, "send", real)
    # The failed school is reminded on the next run; the other is not reminded twice.
    assert services.reminders_send_due(today=before) == 1
    assert mail.outbox[-1].to == [operator.email]
