"""
Every transition of every workflow, generated from the transition tables
(schools.workflow.REGISTRY): for each state the object can be in and each
person, `perform` either writes the new state with a history record naming the
author and the reason, or refuses and writes nothing. A workflow without a
world below fails the first test, so a new table cannot go untested.

Who may take each action is checked against independent expectations by the
permission and workflow sweeps; here the table's own rules are the oracle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import monitoring.workflows  # noqa: F401
import partnerships.workflows  # noqa: F401  (registers the tables)
import roadmaps.workflows  # noqa: F401
from monitoring.models import Campaign, Report
from partnerships.models import GeneralPlan, Partnership
from roadmaps import services as roadmap_services
from roadmaps.models import Roadmap
from schools.models import AcademicYear, Notice, User
from schools.workflow import REGISTRY, Workflow, perform


@dataclass
class World:
    objects: list[Any]  # one object per variant the rules tell apart
    people: dict[str, User]


def _roadmap_world() -> World:
    mimc = User.objects.get(username="mimc")
    municipal = roadmap_services.roadmap_create(
        level=Roadmap.Level.MUNICIPAL,
        municipality=mimc.municipality,
        school=None,
        year=AcademicYear.objects.get(start_year=2020),
        title="Проект",
        by=mimc,
    )
    programme = Roadmap.objects.get(level=Roadmap.Level.SCHOOL)
    roadmap_services.item_save(
        roadmap=municipal,
        by=mimc,
        responsible="МБУ «МИМЦ»",
        data={"title": "Семинар", "period": "октябрь 2020 года"},
    )
    operator = User.objects.filter(
        schools=programme.school, role=User.Role.OPERATOR
    ).first()
    return World(
        [municipal, programme],
        {
            "analyst": mimc,
            "approver": User.objects.get(username="uo"),
            "operator": operator,
            "administrator": User.objects.filter(role=User.Role.ADMINISTRATOR).first(),
        },
    )


def _staff() -> dict[str, User]:
    return {
        "analyst": User.objects.get(username="mimc"),
        "approver": User.objects.get(username="uo"),
        "administrator": User.objects.filter(role=User.Role.ADMINISTRATOR).first(),
    }


def _operator_of(school: Any) -> User:
    return User.objects.filter(schools=school, role=User.Role.OPERATOR).first()


def _partnership_world() -> World:
    pair = Partnership.objects.filter(activities__isnull=False).first()
    return World(
        [pair],
        {
            **_staff(),
            "operator": _operator_of(pair.school),
            "partner": _operator_of(pair.partner),
        },
    )


def _general_plan_world() -> World:
    plan = GeneralPlan.objects.select_related("campaign").first()
    school = plan.campaign.municipality.schools.first()
    return World([plan], {**_staff(), "operator": _operator_of(school)})


def _report_world() -> World:
    """A filled staffing report (it can be handed in) and a results report."""
    reports = []
    for kind in ("staffing", "results"):
        report = (
            Report.objects.filter(kind=kind, campaign__is_open=True)
            .exclude(status=Report.Status.DRAFT)
            .select_related("school")
            .first()
        )
        reports.append(report)
    return World(
        reports,
        {
            **_staff(),
            "operator": _operator_of(reports[0].school),
            "other school": User.objects.filter(role=User.Role.OPERATOR)
            .exclude(schools=reports[0].school)
            .exclude(schools=reports[1].school)
            .first(),
        },
    )


def _campaign_world() -> World:
    campaign = Campaign.objects.filter(is_open=True).first()
    school = campaign.municipality.schools.first()
    return World([campaign], {**_staff(), "operator": _operator_of(school)})


WORLDS: dict[type, Callable[[], World]] = {
    Roadmap: _roadmap_world,
    Partnership: _partnership_world,
    GeneralPlan: _general_plan_world,
    Report: _report_world,
    Campaign: _campaign_world,
}


def test_every_workflow_has_a_world():
    assert set(REGISTRY) == set(WORLDS)


CASES = [
    pytest.param(workflow, t.action, id=f"{workflow.name} {t.action}")
    for workflow in REGISTRY.values()
    for t in workflow.transitions
]


def _history_count(obj: Any) -> int:
    if isinstance(obj, Report):
        return obj.events.count()
    return obj.history.count()


def _action_label(obj: Any, transition: Any) -> str:
    if isinstance(obj, Report):
        from monitoring.models import ReportEvent

        return str(ReportEvent.Action(transition.action).label)
    return transition.label


def _last_entry(obj: Any) -> tuple[Any, str, str]:
    """The latest history entry: its author, its action and its reason."""
    if isinstance(obj, Report):
        event = obj.events.latest("pk")
        return event.by, event.get_action_display(), event.reason
    record = obj.history.latest("history_date")
    return (
        record.history_user,
        record.history_change_reason,
        record.history_change_reason,
    )


def _put_in_state(workflow: Workflow, obj: Any, state: str) -> None:
    type(obj)._default_manager.filter(pk=obj.pk).update(**{workflow.state_field: state})
    obj.refresh_from_db()


@pytest.mark.parametrize(("workflow", "action"), CASES)
def test_transition_follows_its_table(demo, workflow: Workflow, action: str):
    transition = workflow[action]
    world = WORLDS[workflow.model]()
    field = workflow.model._meta.get_field(workflow.state_field)
    states = [value for value, _ in field.choices]
    taken = refused = told = 0
    for obj in world.objects:
        for state in states:
            for role, person in world.people.items():
                _put_in_state(workflow, obj, state)
                before = _history_count(obj)
                last_notice = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
                may = state in transition.source and transition.allowed(person, obj)
                sid = transaction.savepoint()
                error: Exception | None = None
                try:
                    written = perform(
                        workflow,
                        action,
                        obj=obj,
                        by=person,
                        reason="по замечаниям",
                        today=timezone.localdate(),
                        data={
                            "order_number": f"{obj.pk}-{state}-{role}",
                            "order_date": timezone.localdate(),
                        },
                    )
                except (PermissionDenied, ValidationError) as caught:
                    error = caught
                where = f"{obj} [{state}] {role}"
                if error is not None:
                    transaction.savepoint_rollback(sid)
                    obj.refresh_from_db()
                    assert not may, f"{where}: refused ({error}) but the table allows"
                    assert getattr(obj, workflow.state_field) == state, where
                    assert _history_count(obj) == before, where
                    assert not Notice.objects.filter(pk__gt=last_notice).exists()
                    refused += 1
                    continue
                assert may, f"{where}: taken but the table refuses"
                assert getattr(written, workflow.state_field) == transition.target
                author, action_text, reason = _last_entry(written)
                assert author == person, where
                assert action_text.startswith(_action_label(written, transition))
                if transition.reason:
                    assert "по замечаниям" in reason, where
                # Those the table tells, and no one else, get a notice of its kind.
                expected = {
                    p.pk
                    for p in (transition.notify(written) if transition.notify else [])
                    if p.pk != person.pk
                }
                new = Notice.objects.filter(pk__gt=last_notice)
                assert set(new.values_list("user_id", flat=True)) == expected, where
                assert set(new.values_list("kind", flat=True)) <= {transition.notice}
                if transition.reason and expected:
                    assert all("по замечаниям" in n.text for n in new), where
                told += len(expected)
                transaction.savepoint_rollback(sid)
                taken += 1
    # Each transition is somebody's to take, and not everybody's.
    assert taken
    assert refused
    # A transition that tells people tells someone in the demo's world.
    assert bool(told) == (transition.notify is not None)


def test_a_reason_is_required_where_the_table_asks_for_one(demo):
    world = _roadmap_world()
    roadmap = world.objects[0]
    _put_in_state(REGISTRY[Roadmap], roadmap, Roadmap.Status.ON_APPROVAL)
    with pytest.raises(ValidationError, match="Напишите, что исправить"):
        roadmap_services.roadmap_return(
            obj=roadmap, by=world.people["approver"], reason="  "
        )
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.ON_APPROVAL


def _outcome(act: Callable[[], Any]) -> str:
    """Take an action as one person would, on this thread's own connection."""
    from django.db import connection

    try:
        act()
        return "approved"
    except ValidationError as error:
        return " ".join(error.messages)
    finally:
        connection.close()


def _waiting_on_locks() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _race(model: type, pk: int, acts: list[Callable[[], Any]]) -> list[str]:
    """
    Run the actions "in the same second". On PostgreSQL each runs on its own
    connection while a third holds the row, so all are waiting on the lock
    when it is released; on SQLite (one connection) one after the other.
    """
    import threading
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return [_outcome(act) for act in acts]
    results: list[str] = []
    release = threading.Event()

    def hold() -> None:
        from django.db import connection as own

        with transaction.atomic():
            model._default_manager.select_for_update().get(pk=pk)
            release.wait(30)
        own.close()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)  # the holder takes the row first
    racers = [
        threading.Thread(target=lambda act=act: results.append(_outcome(act)))
        for act in acts
    ]
    for racer in racers:
        racer.start()
    for _ in range(300):
        if _waiting_on_locks() >= len(acts):
            break
        time.sleep(0.05)
    assert _waiting_on_locks() >= len(acts)
    release.set()
    for thread in (holder, *racers):
        thread.join(30)
        # A thread still running would keep its session and the database.
        assert not thread.is_alive()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_the_same_roadmap_at_once_approve_it_once():
    """
    Two department heads press «Утвердить» in the same second: one approves,
    the other is told it is already approved, and the history holds one
    approval.
    """
    from django.core.management import call_command

    call_command("load_demo")
    world = _roadmap_world()
    roadmap, approver = world.objects[0], world.people["approver"]
    roadmap_services.roadmap_submit(obj=roadmap, by=world.people["analyst"])

    def approve(number: str) -> Callable[[], Any]:
        return lambda: roadmap_services.roadmap_approve(
            obj=Roadmap.objects.get(pk=roadmap.pk),
            by=approver,
            order_number=number,
            order_date=timezone.localdate(),
        )

    results = sorted(_race(Roadmap, roadmap.pk, [approve("1"), approve("2")]))
    assert results[0] == "approved"
    assert "Уже утверждена" in results[1]
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.APPROVED
    approvals = roadmap.history.filter(history_change_reason="Утвердить").count()
    assert approvals == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_the_same_official_list_at_once_make_one_list():
    """The same order pressed twice for a run's list: one list, one refusal."""
    from django.core.management import call_command

    from identification import services as identification
    from identification.demo import drop_runs
    from identification.models import IdentificationRun, Methodology, OfficialList
    from schools.models import Municipality, School

    call_command("load_demo")
    drop_runs(School.objects.all())
    identification.ensure_presets()
    municipality = Municipality.objects.get(name="г. Лесосибирск")
    run = identification.run_create(
        target_year=AcademicYear.objects.get(start_year=2021),
        municipalities=[municipality],
        version=Methodology.objects.get(code="combined").current,
        only_accepted=False,
        by=User.objects.get(username="mimc"),
        enqueue=False,
    )
    identification.run_execute(run=run)
    approver = User.objects.get(username="uo")

    def approve() -> Any:
        return identification.list_approve(
            run=IdentificationRun.objects.get(pk=run.pk),
            municipality=municipality,
            order_number="128",
            order_date="2021-10-01",
            by=approver,
        )

    results = sorted(_race(IdentificationRun, run.pk, [approve, approve]))
    assert results[0] == "approved"
    assert "Уже утверждён" in results[1]
    assert OfficialList.objects.filter(run=run).count() == 1


def test_an_order_dated_in_the_future_or_before_the_submission_is_refused(demo):
    import datetime as dt

    world = _roadmap_world()
    roadmap, approver = world.objects[0], world.people["approver"]
    roadmap_services.roadmap_submit(obj=roadmap, by=world.people["analyst"])
    today = timezone.localdate()
    for date, message in (
        (today + dt.timedelta(days=1), "ещё не наступила"),
        (today - dt.timedelta(days=1), "раньше, чем документ отправлен"),
    ):
        with pytest.raises(ValidationError, match=message):
            roadmap_services.roadmap_approve(
                obj=roadmap, by=approver, order_number="12", order_date=date
            )
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.ON_APPROVAL


def test_an_order_number_used_that_year_asks_for_confirmation(demo, client):
    from django.urls import reverse

    world = _roadmap_world()
    roadmap, approver = world.objects[0], world.people["approver"]
    roadmap_services.roadmap_submit(obj=roadmap, by=world.people["analyst"])
    today = timezone.localdate()
    Roadmap.objects.filter(pk=world.objects[1].pk).update(
        order_number="77", order_date=today
    )
    client.force_login(approver)
    url = reverse("roadmaps:roadmap-approve", args=[roadmap.pk])
    form = {"order_number": "77", "order_date": f"{today:%Y-%m-%d}"}
    page = client.post(url, form).content.decode()
    assert "Приказ № 77" in page
    assert "уже утвердил документ" in page
    assert 'name="confirmed" value="1"' in page
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.ON_APPROVAL
    client.post(url, {**form, "confirmed": "1"})
    roadmap.refresh_from_db()
    assert (roadmap.status, roadmap.order_number) == (Roadmap.Status.APPROVED, "77")


def test_the_buttons_are_exactly_the_actions_the_person_may_take_now(demo, client):
    from django.urls import reverse

    world = _roadmap_world()
    roadmap = world.objects[0]
    _put_in_state(REGISTRY[Roadmap], roadmap, Roadmap.Status.ON_APPROVAL)
    expected = {
        "analyst": set(),
        "approver": {"approve", "return"},
    }
    for role, actions in expected.items():
        client.force_login(world.people[role])
        page = client.get(reverse("roadmaps:detail", args=[roadmap.pk])).content
        shown = {
            t.action
            for t in REGISTRY[Roadmap].transitions
            if f'data-testid="action-{t.action}"'.encode() in page
        }
        assert shown == actions, role
