"""
The workflow sweep: every state-changing action of the portal, with its object
put in every state it can be in, by every identity that must not take it —
refused, and nothing changed (neither the state nor the history).

Each request runs in a transaction that is rolled back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from identification.models import IdentificationRun, OfficialList, StatusOverride
from monitoring.models import Campaign, ImportJob, Report, ReportEvent
from partnerships.models import GeneralPlan, Partnership
from roadmaps.models import Item, Roadmap
from schools.models import AuditEvent, Notice
from tests.access_rules import (
    ANALYSTS,
    APPROVERS,
    SCHOOL,
    Audience,
    Target,
    tagged,
)
from tests.world import IDENTITIES, Place

REFUSED = (403, 404, 405)


@dataclass(frozen=True)
class Action:
    """A state-changing action: where it is posted, what it changes, who may take it."""

    url: Callable[[Place], str]
    data: dict[str, str]
    model: type
    obj: Callable[[Place], Any]
    states: list[Any]  # values of `field` to put the object in
    allowed: Audience
    field: str = "status"
    school: int | None = 1
    tag: str = ""


def url(name: str, **kwargs: Callable[[Place], Any]) -> Callable[[Place], str]:
    return lambda place: reverse(name, kwargs={k: v(place) for k, v in kwargs.items()})


def obj(name: str) -> Callable[[Place], Any]:
    return lambda place: place.objects[name]


def pk(name: str) -> Callable[[Place], int]:
    return lambda place: place.objects[name].pk


REPORT_STATES = list(Report.Status.values)
ROADMAP_STATES = list(Roadmap.Status.values)
PARTNERSHIP_STATES = list(Partnership.Status.values)
PLAN_STATES = list(GeneralPlan.Status.values)
REVIEWERS = ANALYSTS
ROADMAP_PREPARERS = tagged(roadmap=ANALYSTS, programme=ANALYSTS | SCHOOL)
ROADMAP_MANAGERS = tagged(
    roadmap=ANALYSTS | APPROVERS, programme=ANALYSTS | SCHOOL | APPROVERS
)
PARTNERSHIP_SIDES = SCHOOL | ANALYSTS  # the two schools, or МИМЦ


def _roadmap_actions() -> dict[str, Action]:
    actions = {}
    who = {
        "submit": ROADMAP_PREPARERS,
        "return": APPROVERS,
        "approve": APPROVERS,
        "start": ROADMAP_MANAGERS,
        "close": ROADMAP_MANAGERS,
    }
    data = {"reason": "итоги", "order_number": "7", "order_date": "2021-10-01"}
    for tag in ("roadmap", "programme"):
        for verb, audience in who.items():
            actions[f"roadmap {verb} ({tag})"] = Action(
                url(f"roadmaps:roadmap-{verb}", pk=pk(tag)),
                data,
                Roadmap,
                obj(tag),
                ROADMAP_STATES,
                audience,
                tag=tag,
            )
    return actions


ACTIONS: dict[str, Action] = {
    "report save": Action(
        url("monitoring:report-detail", pk=pk("report_draft")),
        {"version": "0"},
        Report,
        obj("report_draft"),
        REPORT_STATES,
        ANALYSTS | SCHOOL,
    ),
    "report submit": Action(
        url("monitoring:report-submit", pk=pk("report_submitted")),
        {},
        Report,
        obj("report_submitted"),
        REPORT_STATES,
        ANALYSTS | SCHOOL,
    ),
    **{
        f"report {verb}": Action(
            url(f"monitoring:report-{verb}", pk=pk("report_submitted")),
            {"reason": "проверьте"},
            Report,
            obj("report_submitted"),
            REPORT_STATES,
            REVIEWERS,
        )
        for verb in ("accept", "return", "reopen")
    },
    **{
        f"collection {verb}": Action(
            url(f"monitoring:campaign-{verb}", pk=pk("campaign")),
            {"reason": "поздняя правка"},
            Campaign,
            obj("campaign"),
            [True, False],
            ANALYSTS,
            field="is_open",
        )
        for verb in ("close", "open")
    },
    "collection accept": Action(
        url("monitoring:campaign-accept", pk=pk("campaign")),
        {"reports": "1"},
        Campaign,
        obj("campaign"),
        [True, False],
        ANALYSTS,
        field="is_open",
    ),
    # Interrupted background work is restarted by МИМЦ only (world marks the
    # job and the run interrupted, so a missing check would let it through).
    "import restart": Action(
        url("monitoring:import-restart", pk=pk("import")),
        {},
        ImportJob,
        obj("import"),
        list(ImportJob.Status.values),
        ANALYSTS,
    ),
    "run restart": Action(
        url("identification:run-restart", pk=pk("run")),
        {},
        IdentificationRun,
        obj("run"),
        list(IdentificationRun.Status.values),
        ANALYSTS,
    ),
    "list approve": Action(
        url("identification:run-approve", pk=pk("run")),
        {"order_number": "9", "order_date": "2021-10-02"},
        OfficialList,
        obj("list"),
        [None],
        APPROVERS,
        field="superseded_at",
    ),
    "status override": Action(
        url(
            "identification:override",
            pk=pk("run"),
            school_id=lambda p: p.schools[1].pk,
        ),
        {"status": "нет", "reason": "решение"},
        StatusOverride,
        lambda p: StatusOverride.objects.filter(
            school=p.schools[0], is_active=True
        ).first(),
        [True, False],
        ANALYSTS,
        field="is_active",
    ),
    **_roadmap_actions(),
    "item cancel": Action(
        url("roadmaps:item-cancel", pk=pk("item")),
        {"reason": "отменено"},
        Roadmap,
        obj("roadmap"),
        ROADMAP_STATES,
        ANALYSTS | APPROVERS,
    ),
    **{
        f"partnership {verb}": Action(
            url(f"partnerships:partnership-{verb}", pk=pk("partnership")),
            {"reason": "нет"},
            Partnership,
            obj("partnership"),
            PARTNERSHIP_STATES,
            allowed,
        )
        for verb, allowed in (
            ("accept", Audience(lambda i, t: False, "школа-партнёр")),
            ("decline", Audience(lambda i, t: False, "школа-партнёр")),
            ("submit", SCHOOL),
            ("approve", ANALYSTS),
            ("return", ANALYSTS),
        )
    },
    **{
        f"general plan {verb}": Action(
            url("partnerships:general-plan", pk=pk("round"))
            if verb == "compile"
            else url(f"partnerships:general-plan-{verb}", pk=pk("general_plan")),
            {"order_number": "3", "order_date": "2021-12-01"},
            GeneralPlan,
            obj("general_plan"),
            PLAN_STATES,
            allowed,
        )
        for verb, allowed in (
            ("compile", ANALYSTS),
            ("submit", ANALYSTS),
            ("approve", APPROVERS),
            ("return", APPROVERS),
            ("recall", ANALYSTS),
        )
    },
}

# What a refused action must leave as it was, besides the object's state.
TRAILS = (
    ReportEvent,
    Item.history.model,
    Roadmap.history.model,
    OfficialList,
    StatusOverride,
    AuditEvent,
    Item,
    Notice,
)


def _counts():
    counts = {model.__name__: model.objects.count() for model in TRAILS}
    # Signing the identity in is logged; only what the action would leave counts.
    counts["AuditEvent"] = AuditEvent.objects.exclude(event="login").count()
    return counts


def _attempt(client, person, action, place, state):
    with transaction.atomic():
        target = action.obj(place)
        action.model.objects.filter(pk=target.pk).update(**{action.field: state})
        before = _counts()
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.post(action.url(place), action.data)
        after_state = action.model.objects.filter(pk=target.pk).values_list(
            action.field, flat=True
        )[0]
        after = _counts()
        transaction.set_rollback(True)
    return response, after_state, before, after


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_workflow_sweep(name, client, db, world):
    action = ACTIONS[name]
    problems = []
    for place in world.places.values():
        target = Target(place, {}, action.school, action.tag)
        for identity in IDENTITIES:
            if identity != "anonymous" and action.allowed(identity, target):
                continue
            for state in action.states:
                response, after, before, counts = _attempt(
                    client, world.people[identity], action, place, state
                )
                status = response.status_code
                refused = status in REFUSED or (
                    identity == "anonymous"
                    and status == 302
                    and response["Location"].startswith("/accounts/login/")
                )
                changed = after != state or counts != before
                if not refused or changed:
                    problems.append(
                        f"{identity} [{place.key}, {state}]: {status}"
                        + (", изменено" if changed else "")
                    )
    assert not problems, "\n".join(problems)
