"""Every service that takes `by` records it: history rows made outside a request name their author."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring import services as monitoring
from monitoring.models import ReminderLog, Report
from partnerships import services as partnerships
from roadmaps import services as roadmaps
from roadmaps.models import Item, Roadmap
from schools import services as schools
from schools.models import AcademicYear
from tests.factories import AcademicYearFactory, CampaignFactory, ReportFactory
from tests.factories.partnerships import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_a_deleted_draft_item_names_who_deleted_it(analyst):
    draft = roadmaps.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=analyst.municipality,
        school=None,
        year=AcademicYearFactory(start_year=2021),
        title="Проект карты",
        by=analyst,
    )
    item = roadmaps.item_save(
        roadmap=draft,
        by=analyst,
        responsible="МБУ «МИМЦ»",
        data={"title": "Семинар", "period": "октябрь 2021 года"},
    )
    pk = item.pk
    roadmaps.item_delete(item=item, by=analyst)
    record = Item.history.filter(id=pk, history_type="-").get()
    assert record.history_user == analyst


def test_an_agreement_names_who_recorded_it(municipality, school, operator):
    pair = PartnershipFactory(
        campaign__municipality=municipality, school=school, approved=True
    )
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


def test_the_current_year_names_who_changed_it(administrator):
    AcademicYearFactory(start_year=2021, is_current=True)
    year = AcademicYearFactory(start_year=2020)
    schools.academic_year_make_current(year=year, by=administrator)
    assert AcademicYear.objects.get(is_current=True) == year
    assert year.history.latest("history_date").history_user == administrator


def test_a_manual_reminder_names_who_sent_it(analyst, school, operator):
    campaign = CampaignFactory(municipality=school.municipality, is_open=True)
    report = ReportFactory(school=school, year=campaign.year, campaign=campaign)
    assert report.status == Report.Status.DRAFT
    assert monitoring.reports_remind(reports=[report], by=analyst) == 1
    log = ReminderLog.objects.get(report=report, kind="manual")
    assert (log.sent_by, log.recipients) == (analyst, operator.email)
