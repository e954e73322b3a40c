"""Every service that takes `by` records it: history rows made outside a request name their author."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring import services as monitoring
from monitoring.models import ReminderLog, Report
from partnerships import services as partnerships
from partnerships.models import Partnership
from roadmaps import services as roadmaps
from roadmaps.models import Item, Roadmap
from schools import services as schools
from schools.models import AcademicYear, User

pytestmark = pytest.mark.django_db


def test_a_deleted_draft_item_names_who_deleted_it(demo):
    mimc = User.objects.get(username="mimc")
    draft = roadmaps.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=mimc.municipality,
        school=None,
        year=AcademicYear.objects.get(start_year=2021),
        title="Проект карты",
        by=mimc,
    )
    item = roadmaps.item_save(
        roadmap=draft,
        by=mimc,
        responsible="МБУ «МИМЦ»",
        data={"title": "Семинар", "period": "октябрь 2021 года"},
    )
    pk = item.pk
    roadmaps.item_delete(item=item, by=mimc)
    record = Item.history.filter(id=pk, history_type="-").get()
    assert record.history_user == mimc


def test_an_agreement_names_who_recorded_it(demo):
    pair = Partnership.objects.filter(status=Partnership.Status.APPROVED).first()
    operator = User.objects.filter(schools=pair.school).first()
    partnerships.agreement_save(
        partnership=pair,
        number="15",
        date=dt.date(2021, 12, 1),
        until=None,
        scan=None,
        by=operator,
    )
    record = pair.history.latest("history_date")
    assert (record.history_user, record.history_change_reason) == (
        operator,
        "Соглашение № 15",
    )


def test_the_current_year_names_who_changed_it(demo):
    admin = User.objects.get(username="admin")
    year = AcademicYear.objects.filter(is_current=False).first()
    schools.academic_year_make_current(year=year, by=admin)
    assert year.history.latest("history_date").history_user == admin


def test_a_manual_reminder_names_who_sent_it(demo):
    mimc = User.objects.get(username="mimc")
    report = Report.objects.filter(
        status=Report.Status.DRAFT, campaign__is_open=True
    ).first()
    assert monitoring.reports_remind(reports=[report], by=mimc) == 1
    assert ReminderLog.objects.get(report=report, kind="manual").sent_by == mimc
