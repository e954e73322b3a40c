"""The hand-written revision tables (roadmaps, partnerships) moved into simple-history with their data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from partnerships.models import Partnership
from roadmaps.models import Item, Roadmap

BEFORE = [
    ("roadmaps", "0002_history_changes"),
    ("partnerships", "0003_history_changes"),
]


@pytest.mark.django_db(transaction=True)
def test_the_roadmaps_revisions_become_history_records_with_author_reason_and_changes():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    region = old.get_model("schools", "Region").objects.create(name="Край", code="24")
    town = old.get_model("schools", "Municipality").objects.create(
        region=region, name="Город"
    )
    year = old.get_model("schools", "AcademicYear").objects.create(
        start_year=2020, start_date=dt.date(2020, 9, 1), end_date=dt.date(2021, 8, 31)
    )
    author = old.get_model("schools", "User").objects.create(
        username="mimc", role="analyst", municipality=town
    )
    roadmap = old.get_model("roadmaps", "Roadmap").objects.create(
        level="municipal",
        municipality=town,
        year=year,
        title="Карта",
        status="approved",
    )
    item = old.get_model("roadmaps", "Item").objects.create(
        roadmap=roadmap,
        number="1.1",
        title="Семинар",
        start=dt.date(2020, 10, 1),
        end=dt.date(2020, 10, 30),
        period_label="октябрь 2020",
    )
    revisions = old.get_model("roadmaps", "Revision").objects
    long_reason = "Решение совещания от 12.01.2021 " * 5  # longer than 100 characters
    on_item = revisions.create(
        roadmap=roadmap,
        item=item,
        reason=long_reason,
        changes=[{"field": "срок", "before": "октябрь 2020", "after": "ноябрь 2020"}],
        by=author,
    )
    on_roadmap = revisions.create(
        roadmap=roadmap,
        reason="Добавлен показатель",
        changes=[{"field": "целевой показатель", "before": "", "after": "ГИА: 5"}],
        by=author,
    )
    schools = old.get_model("schools", "School").objects
    weak, strong = (
        schools.create(municipality=town, full_name=name, short_name=name, code=code)
        for name, code in (("Школа 1", "s1"), ("Школа 2", "s2"))
    )
    campaign = old.get_model("partnerships", "Campaign").objects.create(
        municipality=town,
        year=year,
        plan_deadline=dt.date(2020, 10, 1),
        general_plan_deadline=dt.date(2020, 10, 15),
        created_by=author,
    )
    partnership = old.get_model("partnerships", "Partnership").objects.create(
        campaign=campaign,
        school=weak,
        partner=strong,
        status="approved",
        created_by=author,
    )
    on_plan = old.get_model("partnerships", "Revision").objects.create(
        partnership=partnership,
        reason="Перенос по просьбе партнёра",
        changes=[{"field": "Начало", "before": "2020-11-01", "after": "2020-11-15"}],
        by=author,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    record = Item.history.get(id=item.pk, history_change_reason=long_reason)
    assert record.history_user_id == author.pk
    assert record.history_date == on_item.at
    assert record.changes == on_item.changes
    assert record.title == "Семинар"  # the item as it was
    record = Roadmap.history.get(
        id=roadmap.pk, history_change_reason="Добавлен показатель"
    )
    assert record.history_user_id == author.pk
    assert record.changes == on_roadmap.changes
    assert record.title == "Карта"
    record = Partnership.history.get(
        id=partnership.pk, history_change_reason="Перенос по просьбе партнёра"
    )
    assert (record.history_user_id, record.changes) == (author.pk, on_plan.changes)
    assert record.status == "approved"
    assert "roadmaps_revision" not in connection.introspection.table_names()
    assert "partnerships_revision" not in connection.introspection.table_names()
    assert timezone.is_aware(record.history_date)
