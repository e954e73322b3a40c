"""«Мои задачи»: each demo role sees exactly the demo's pending work, built from the tables."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from identification import services as identification_services
from identification.models import OfficialList
from monitoring.models import Report
from roadmaps import services as roadmap_services
from roadmaps.models import Item, Responsible, Roadmap
from schools.inbox import count_for, groups_for
from schools.models import AcademicYear, Notice, User
from schools.workflow import REGISTRY

pytestmark = pytest.mark.django_db

S = Report.Status


def _titles(user, kind=None):
    return {
        (t.kind, t.title)
        for g in groups_for(user)
        for t in g.tasks
        if kind is None or t.kind == kind
    }


def _report_title(report):
    return f"«{report.get_kind_display()}» — {report.school.short_name}, {report.year}"


def _items_due(**responsible):
    """Items of approved roadmaps, not done, due within a month, answered for so."""
    today = timezone.localdate()
    return {
        item: f"{item.number}. {Truncator(item.title).chars(90)}"
        for item in Item.objects.filter(
            roadmap__status__in=(Roadmap.Status.APPROVED, Roadmap.Status.IN_EXECUTION),
            done_at=None,
            cancelled_reason="",
            end__lte=today + dt.timedelta(days=31),
            **{f"responsible__{k}": v for k, v in responsible.items()},
        ).distinct()
    }


def test_the_operator_sees_the_schools_reports_to_fill_its_items_and_the_overdue_ones(
    demo,
):
    operator = User.objects.get(username="sch242706")
    school = operator.schools.get()
    waiting = Report.objects.filter(
        school=school, status__in=(S.DRAFT, S.RETURNED), campaign__is_open=True
    ).select_related("school", "year", "campaign")
    items = _items_due(school=school)
    today = timezone.localdate()
    expected = {("Заполнить и сдать", _report_title(r)) for r in waiting} | {
        ("Исполнить мероприятие дорожной карты", title) for title in items.values()
    }
    assert waiting
    assert items
    assert _titles(operator) == expected
    groups = groups_for(operator)
    overdue = {t.title for g in groups if g.kind == "Просрочено" for t in g.tasks}
    assert overdue == {
        _report_title(r) for r in waiting if r.campaign.deadline < today
    } | {title for item, title in items.items() if item.end < today}
    assert count_for(operator) == len(expected)


def test_the_analyst_sees_the_reports_to_review_and_nothing_of_the_schools(demo):
    analyst = User.objects.get(username="mimc")
    submitted = Report.objects.filter(
        school__municipality=analyst.municipality, status=S.SUBMITTED
    ).select_related("school", "year")
    assert submitted
    assert _titles(analyst) == {
        ("Проверить отчёт", _report_title(r)) for r in submitted
    } | {
        ("Исполнить мероприятие дорожной карты", title)
        for title in _items_due(kind=Responsible.Kind.MIMC).values()
    }
    # A report handed in is not overdue for the one who reviews it.
    late = [t for g in groups_for(analyst) if g.kind == "Просрочено" for t in g.tasks]
    assert all(t.kind != "Проверить отчёт" for t in late)


def test_a_roadmap_sent_for_approval_appears_for_the_department_and_its_counter(
    demo, client
):
    approver, analyst = (
        User.objects.get(username="uo"),
        User.objects.get(username="mimc"),
    )
    # The department answers for items of the demo's roadmap, and approves nothing yet.
    items = {
        ("Исполнить мероприятие дорожной карты", title)
        for title in _items_due(kind=Responsible.Kind.DEPARTMENT).values()
    }
    assert items
    assert _titles(approver) == items
    client.force_login(approver)
    home = client.get("/").content.decode()
    assert f'data-testid="my-tasks-count">{len(items)}<' in home
    assert ">Утвердить</a>" not in home
    roadmap = roadmap_services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=analyst.municipality,
        school=None,
        year=AcademicYear.objects.order_by("-start_year").first(),
        title="Дорожная карта на 2022/2023",
        by=analyst,
    )
    roadmap_services.item_save(
        roadmap=roadmap,
        by=analyst,
        responsible="МБУ «МИМЦ»",
        data={"title": "Семинар", "period": "октябрь 2022 года"},
    )
    roadmap_services.roadmap_submit(obj=roadmap, by=analyst)
    assert _titles(approver) == items | {("Утвердить", "Дорожная карта на 2022/2023")}
    page = client.get(reverse("my-tasks")).content.decode()
    assert roadmap.get_absolute_url() in page
    home = client.get("/").content.decode()
    assert f'data-testid="my-tasks-count">{len(items) + 1}<' in home
    # The home page's «Что сделать» says the same as the list, never the opposite.
    assert ">Утвердить</a>: 1" in home
    assert roadmap.get_absolute_url() in home


def test_with_nothing_waiting_the_person_is_told_so(client, demo):
    admin = User.objects.get(username="admin")
    assert groups_for(admin) == []
    client.force_login(admin)
    page = client.get(reverse("my-tasks")).content.decode()
    assert "Сейчас ничего не ждёт ваших действий." in page
    assert 'data-testid="my-tasks-count"' not in client.get("/").content.decode()


def test_every_task_is_an_action_the_table_lets_the_person_take(demo):
    """The list never offers what the page would refuse."""
    checked = 0
    for user in User.objects.all():
        for workflow in REGISTRY.values():
            for transition in workflow.transitions:
                if transition.task_for is None or workflow.visible is None:
                    continue
                scope = transition.task_for(user)
                if scope is None:
                    continue
                objects = workflow.visible(user).filter(
                    scope, **{f"{workflow.state_field}__in": transition.source}
                )
                for obj in objects:
                    assert transition.allowed(user, obj), (user, obj, transition.action)
                    checked += 1
    assert checked


def test_the_department_approves_the_latest_runs_list_until_one_is_in_force(demo):
    approver = User.objects.get(username="uo")
    official = OfficialList.objects.get(superseded_at=None)
    run = official.run
    assert (
        "Утвердить список ШНОР/ШНСУ",
        f"Список выявления № {run.pk} на {run.target_year}",
    ) not in _titles(approver)
    OfficialList.objects.filter(pk=official.pk).update(superseded_at=timezone.now())
    assert _titles(approver, "Утвердить список ШНОР/ШНСУ") == {
        (
            "Утвердить список ШНОР/ШНСУ",
            f"Список выявления № {run.pk} на {run.target_year}",
        )
    }
    identification_services.list_approve(
        run=run,
        municipality=official.municipality,
        order_number="999",
        order_date=timezone.localdate(),
        by=approver,
        confirmed=True,
    )
    assert _titles(approver, "Утвердить список ШНОР/ШНСУ") == set()
    # МИМЦ is told the list was approved.
    assert Notice.objects.filter(
        user__username="mimc", kind=Notice.Kind.APPROVED, url__contains="/lists/"
    ).exists()
