"""Notifications: told by the workflows and the deadlines, read in the portal, mailed as chosen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from monitoring import services as monitoring
from monitoring.models import Report, ReportKind
from roadmaps.home import items_due
from roadmaps.models import Roadmap
from schools import inbox, notices
from schools.inbox import deadlines_notify
from schools.models import Notice, NoticeSetting
from tests.factories import (
    AnalystFactory,
    CampaignFactory,
    OperatorFactory,
    ReportFactory,
    SchoolFactory,
)
from tests.factories.roadmaps import ItemFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

Kind = Notice.Kind


@pytest.fixture
def school_pair():
    school = SchoolFactory()
    operator = OperatorFactory(schools=[school])
    analyst = AnalystFactory(municipality=school.municipality)
    return school, operator, analyst


def _submitted(school, kind=ReportKind.STAFFING):
    campaign = CampaignFactory(municipality=school.municipality)
    return ReportFactory(
        school=school,
        year=campaign.year,
        kind=kind,
        campaign=campaign,
        status=Report.Status.SUBMITTED,
    )


def test_a_returned_report_tells_the_school_with_the_reason_and_mails_at_once(
    school_pair, django_capture_on_commit_callbacks
):
    school, operator, analyst = school_pair
    report = _submitted(school)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.report_return(
            report=report, reason="Нет данных о вакансиях", by=analyst
        )
    notice = Notice.objects.get(user=operator)
    assert notice.kind == Kind.RETURNED
    assert notice.title.startswith("Возвращён на доработку: «")
    assert "Нет данных о вакансиях" in notice.text
    assert notice.url == report.get_absolute_url()
    assert notice.read_at is None
    # The school wants a returned document at once (the default): one letter now.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [operator.email]
    assert "Нет данных о вакансиях" in mail.outbox[0].body
    assert Notice.objects.get(pk=notice.pk).emailed_at is not None
    # The analyst who returned it is not told of their own action.
    assert not Notice.objects.filter(user=analyst).exists()


def test_an_accepted_report_waits_for_the_morning_digest(
    school_pair, django_capture_on_commit_callbacks
):
    school, operator, analyst = school_pair
    reports = [_submitted(school), _submitted(school, ReportKind.SOCIAL)]
    with django_capture_on_commit_callbacks(execute=True):
        for report in reports:
            monitoring.report_accept(report=report, by=analyst)
    assert Notice.objects.filter(user=operator, kind=Kind.ACCEPTED).count() == 2
    assert mail.outbox == []
    assert notices.send_digests() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Портал мониторинга: уведомлений — 2"
    assert mail.outbox[0].body.count("Принят: «") == 2
    # Once only: the second morning has nothing new to send.
    assert notices.send_digests() == 0
    assert len(mail.outbox) == 1


def test_a_person_who_chose_the_portal_only_gets_no_letter(
    school_pair, django_capture_on_commit_callbacks
):
    school, operator, analyst = school_pair
    notices.settings_save(
        user=operator,
        channels={Kind.RETURNED: "none", Kind.ACCEPTED: "instant"},
    )
    returned, accepted = _submitted(school), _submitted(school, ReportKind.SOCIAL)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.report_return(report=returned, reason="Исправьте", by=analyst)
        monitoring.report_accept(report=accepted, by=analyst)
    assert Notice.objects.filter(user=operator).count() == 2
    assert [m.subject for m in mail.outbox] == [
        Notice.objects.get(kind=Kind.ACCEPTED).title
    ]
    assert notices.send_digests() == 0


def test_a_refused_action_tells_no_one(school_pair):
    school, operator, _ = school_pair
    report = _submitted(school)
    stranger = AnalystFactory()  # another municipality
    with pytest.raises(PermissionDenied):
        monitoring.report_return(report=report, reason="Чужой", by=stranger)
    assert not Notice.objects.exists()


def test_deadlines_in_three_days_and_overdue_are_told_once(school_pair):
    school, operator, _ = school_pair
    today = dt.date(2026, 11, 29)
    soon = CampaignFactory(
        municipality=school.municipality, deadline=today + dt.timedelta(days=3)
    )
    late = CampaignFactory(
        municipality=school.municipality,
        year=soon.year,
        deadline=today - dt.timedelta(days=1),
        title="Прошлый сбор",
    )
    later = CampaignFactory(
        municipality=school.municipality,
        year=soon.year,
        deadline=today + dt.timedelta(days=10),
        title="Будущий сбор",
    )
    for campaign, kind in zip((soon, late, later), ReportKind.values[:3], strict=True):
        ReportFactory(school=school, year=soon.year, campaign=campaign, kind=kind)
    assert deadlines_notify(today=today) == 2
    kinds = dict(Notice.objects.filter(user=operator).values_list("kind", "text"))
    assert kinds == {
        Kind.DUE_SOON: "Срок — 02.12.2026.",
        Kind.OVERDUE: "Срок прошёл 28.11.2026.",
    }
    # The next morning repeats nothing.
    assert deadlines_notify(today=today) == 0
    assert Notice.objects.count() == 2


def test_the_list_shows_only_ones_own_notices_and_opening_marks_read(
    client, school_pair
):
    school, operator, analyst = school_pair
    mine = Notice.objects.create(
        user=operator, kind=Kind.RETURNED, title="Мой отчёт возвращён", url="/tasks/"
    )
    Notice.objects.create(user=analyst, kind=Kind.APPROVED, title="Чужое уведомление")
    client.force_login(operator)
    page = client.get(reverse("notices")).content.decode()
    assert "Мой отчёт возвращён" in page
    assert "Чужое уведомление" not in page
    assert 'data-testid="notices-count">1<' in page
    response = client.post(reverse("notice-open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/tasks/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    page = client.get(reverse("notices")).content.decode()
    assert 'data-testid="notices-count"' not in page


def test_another_persons_notice_cannot_be_opened(client, school_pair):
    _, operator, analyst = school_pair
    theirs = Notice.objects.create(user=analyst, kind=Kind.APPROVED, title="Утверждено")
    client.force_login(operator)
    assert client.post(reverse("notice-open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_never_redirects_off_the_portal(client, school_pair):
    _, operator, _ = school_pair
    notice = Notice.objects.create(
        user=operator, kind=Kind.RETURNED, title="Ссылка", url="https://evil.example/"
    )
    client.force_login(operator)
    response = client.post(reverse("notice-open", args=[notice.pk]))
    assert response["Location"] == reverse("notices")


def test_read_all_marks_every_unread_notice(client, school_pair):
    _, operator, _ = school_pair
    for n in range(3):
        Notice.objects.create(user=operator, kind=Kind.ACCEPTED, title=f"Принят {n}")
    client.force_login(operator)
    client.post(reverse("notice-read-all"))
    assert not Notice.objects.filter(user=operator, read_at=None).exists()


def test_the_settings_page_stores_a_choice_per_kind(client, school_pair):
    _, operator, _ = school_pair
    client.force_login(operator)
    page = client.get(reverse("notice-settings")).content.decode()
    assert "Срок через 3 дня" in page
    choice = dict.fromkeys(Kind.values, "digest") | {Kind.RETURNED: "none"}
    response = client.post(reverse("notice-settings"), choice)
    assert response.status_code == 302
    assert notices.channels_for(operator)[Kind.RETURNED] == "none"
    assert NoticeSetting.objects.filter(user=operator).count() == len(Kind.values)
    # A channel that does not exist is a form error, not a stored value.
    response = client.post(reverse("notice-settings"), choice | {Kind.APPROVED: "sms"})
    assert response.status_code == 200
    assert notices.channels_for(operator)[Kind.APPROVED] == "digest"


def test_the_bell_and_the_tasks_are_counted_in_one_query(
    school_pair, django_assert_num_queries
):
    _, operator, _ = school_pair
    Notice.objects.create(user=operator, kind=Kind.ACCEPTED, title="Принят")
    Notice.objects.create(
        user=operator,
        kind=Kind.ACCEPTED,
        title="Прочитан",
        read_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    with django_assert_num_queries(1):
        assert inbox.unread_for(operator) == 1
        assert inbox.count_for(operator) == 0


def test_roadmap_items_keep_their_own_reminders_and_get_no_second_letter(
    school, operator, analyst
):
    """Items are reminded by roadmaps' own daily letter; the deadlines task skips them."""
    today = timezone.localdate()
    # A report of an open collection due in two days, and an overdue item the school answers for.
    campaign = CampaignFactory(
        municipality=school.municipality, deadline=today + dt.timedelta(days=2)
    )
    ReportFactory(school=school, year=campaign.year, campaign=campaign)
    roadmap = RoadmapFactory(
        municipality=school.municipality,
        status=Roadmap.Status.APPROVED,
        created_by=analyst,
    )
    item = ItemFactory(roadmap=roadmap, responsible=school.short_name)
    assert item.end < today
    assert list(items_due(operator)) == [item]  # a task of the school's operator
    told = deadlines_notify()
    titles = list(
        Notice.objects.filter(kind__in=[Kind.DUE_SOON, Kind.OVERDUE]).values_list(
            "title", flat=True
        )
    )
    assert told == len(titles) == 1
    assert any(t.startswith("Заполнить и сдать: ") for t in titles)
    assert not any(t.startswith("Исполнить мероприятие") for t in titles)
    assert Notice.objects.get().user == operator
