"""
The declared access rule of every URL of the portal (the admin's excepted).

A rule says which objects the URL takes — one of each of the world's three
municipalities — and who may GET and POST it. `tests/test_permission_sweep.py`
requests every pattern of the resolver with every object as every identity and
fails when a pattern has no rule here, so a new view cannot escape the sweep.

Audiences are read per object: STAFF is the staff whose scope holds the
object's municipality, SCHOOL the operator of the object's own school.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.world import Place, World

ROLES = {
    "admin": "admin",
    "region_analyst": "analyst",
    "analyst_a": "analyst",
    "approver_a": "approver",
    "operator_a1": "operator",
    "operator_a2": "operator",
    "analyst_b": "analyst",
    "approver_b": "approver",
    "operator_b1": "operator",
}
SCOPES = {
    "admin": {"A", "B", "C"},
    "region_analyst": {"A", "B"},
    "analyst_a": {"A"},
    "approver_a": {"A"},
    "operator_a1": {"A"},
    "operator_a2": {"A"},
    "analyst_b": {"B"},
    "approver_b": {"B"},
    "operator_b1": {"B"},
}
# The school (1-based, in its municipality) each operator works for.
SCHOOL_OF = {"operator_a1": 1, "operator_a2": 2, "operator_b1": 1}


@dataclass(frozen=True)
class Target:
    """What a URL is requested with: a municipality and one of its objects."""

    place: Place | None
    kwargs: dict[str, Any]
    school: int | None = None  # the object's own school, for SCHOOL
    tag: str = ""  # which of the URL's objects (when they differ in state)


class Audience:
    """Who may do something with a target: a predicate, combined with |."""

    def __init__(self, test: Callable[[str, Target], bool], name: str) -> None:
        self.test, self.name = test, name

    def __call__(self, identity: str, target: Target) -> bool:
        return identity != "anonymous" and self.test(identity, target)

    def __or__(self, other: Audience) -> Audience:
        return Audience(
            lambda i, t: self.test(i, t) or other.test(i, t),
            f"{self.name} | {other.name}",
        )

    def __repr__(self) -> str:
        return self.name


def _in_scope(identity: str, target: Target) -> bool:
    return target.place is None or target.place.key in SCOPES[identity]


def _roles(*roles: str) -> Audience:
    return Audience(lambda i, t: ROLES[i] in roles and _in_scope(i, t), "/".join(roles))


ANY = Audience(lambda i, t: True, "все")
ADMIN = _roles("admin")
ANALYSTS = _roles("admin", "analyst")
APPROVERS = _roles("admin", "approver")
STAFF = _roles("admin", "analyst", "approver")
OPERATORS = _roles("operator")
SCHOOL = Audience(
    lambda i, t: (
        ROLES[i] == "operator"
        and _in_scope(i, t)
        and t.school is not None
        and SCHOOL_OF[i] == t.school
    ),
    "оператор школы",
)
NOBODY = Audience(lambda i, t: False, "никто")
# Analysts change only operators; staff accounts belong to administrators.
ANALYSTS_OF_OPERATORS = Audience(
    lambda i, t: ROLES[i] == "analyst" and _in_scope(i, t) and t.school is not None,
    "аналитик (только операторы)",
)


@dataclass(frozen=True)
class Rule:
    """Who may GET and POST a URL, and with which objects it is requested."""

    get: Audience
    post: Audience
    targets: Callable[[World], list[Target]] = field(default=lambda world: [])
    public: bool = False  # open to visitors (the login and reset pages)
    ok: tuple[int, ...] = (200,)  # what a permitted GET answers


def each(*names_and_schools: tuple[str, int | None], **extra: Any) -> Callable:
    """Targets: named objects of every municipality; kwargs from `extra` (object → kwargs)."""

    def make(world: World) -> list[Target]:
        targets = []
        for place in world.places.values():
            for name, school in names_and_schools:
                obj = place.objects.get(name)
                kwargs = {key: value(place) for key, value in extra.items()} or {
                    "pk": obj.pk
                }
                targets.append(Target(place, kwargs, school))
        return targets

    return make


def of(name: str) -> Callable[[Place], int]:
    return lambda place: place.objects[name].pk


def school_pk(index: int) -> Callable[[Place], int]:
    return lambda place: place.schools[index - 1].pk


def places(**kwargs: Callable[[Place], Any]) -> Callable:
    """Targets: one per municipality, with kwargs taken from it."""

    def make(world: World) -> list[Target]:
        return [
            Target(place, {k: v(place) for k, v in kwargs.items()})
            for place in world.places.values()
        ]

    return make


def one(school: int, tag: str = "", **kwargs: Callable[[Place], Any]) -> Callable:
    """Targets: one per municipality, belonging to its `school`-th school."""

    def make(world: World) -> list[Target]:
        return [
            Target(place, {k: v(place) for k, v in kwargs.items()}, school, tag)
            for place in world.places.values()
        ]

    return make


def tagged(**audiences: Audience) -> Audience:
    """An audience that depends on which object it is: tag → audience."""
    return Audience(
        lambda i, t: t.tag in audiences and audiences[t.tag].test(i, t),
        " / ".join(f"{tag}: {a.name}" for tag, a in audiences.items()),
    )


def year_target(world: World) -> list[Target]:
    from schools.models import AcademicYear

    return [Target(None, {"pk": AcademicYear.objects.get(is_current=True).pk})]


def people(world: World) -> list[Target]:
    """An operator of each municipality (school 1) and an analyst of each."""
    return [
        target
        for place in world.places.values()
        for target in (
            Target(place, {"pk": place.operators[0].pk}, 1),
            Target(place, {"pk": place.analyst.pk}, None),
        )
    ]


REPORTS = each(("report_submitted", 1), ("report_accepted", 2), ("report_draft", 1))
PARTNERSHIP = one(1, pk=of("partnership"))
ROADMAP = one(1, "roadmap", pk=of("roadmap"))  # municipal, approved
PROGRAMME = one(1, "programme", pk=of("programme"))  # the school's own, a draft


def both_roadmaps(world: World) -> list[Target]:
    return ROADMAP(world) + PROGRAMME(world)


def items(world: World) -> list[Target]:
    return one(1, pk=of("item"))(world) + one(1, pk=of("programme_item"))(world)


def roadmap_items(world: World) -> list[Target]:
    return one(1, "roadmap", pk=of("roadmap"), item_pk=of("item"))(world) + one(
        1, "programme", pk=of("programme"), item_pk=of("programme_item")
    )(world)


# An approved roadmap is changed by the municipality's staff (with a reason); a
# draft programme by whoever prepares it: the school and МИМЦ.
ITEM_EDITORS = tagged(roadmap=ANALYSTS | APPROVERS, programme=ANALYSTS | SCHOOL)
IMPORTERS = tagged(programme=ANALYSTS | SCHOOL)


RULES: dict[str, Rule] = {
    # Signing in -----------------------------------------------------------------
    "home": Rule(ANY, ANY),
    "my-tasks": Rule(ANY, NOBODY),
    "notices": Rule(ANY, NOBODY),
    "notice-open": Rule(NOBODY, SCHOOL, targets=one(1, pk=of("notice"))),
    "notice-read-all": Rule(NOBODY, ANY),
    "notice-settings": Rule(ANY, ANY),
    "health": Rule(ANY, NOBODY, public=True),
    "login": Rule(ANY, ANY, public=True, ok=(200, 302)),
    "logout": Rule(NOBODY, ANY, public=True),
    "password_reset": Rule(ANY, ANY, public=True),
    "password_reset_done": Rule(ANY, NOBODY, public=True),
    "password_reset_confirm": Rule(
        ANY,
        ANY,
        public=True,
        targets=lambda world: [Target(None, {"uidb64": "MQ", "token": "bad-token"})],
    ),
    "password_reset_complete": Rule(ANY, NOBODY, public=True),
    "password_change": Rule(ANY, ANY),
    "password_change_done": Rule(ANY, NOBODY),
    "otp-verify": Rule(ANY, ANY, ok=(302,)),  # nobody has a device: to the setup
    "otp-setup": Rule(ANY, ANY),
    # The registry -----------------------------------------------------------------
    "schools:school-list": Rule(ANY, ANY),
    "schools:school-create": Rule(ANALYSTS, ANALYSTS),
    "schools:school-detail": Rule(
        STAFF | SCHOOL, STAFF | SCHOOL, one(1, pk=school_pk(1))
    ),
    "schools:school-edit": Rule(ANALYSTS, ANALYSTS, one(1, pk=school_pk(1))),
    "schools:school-set-active": Rule(NOBODY, ANALYSTS, one(1, pk=school_pk(1))),
    "schools:municipality-settings": Rule(
        ANALYSTS, ANALYSTS, places(pk=lambda p: p.municipality.pk)
    ),
    "schools:year-list": Rule(ANY, ANY),
    "schools:year-create": Rule(ADMIN, ADMIN),
    "schools:year-edit": Rule(ADMIN, ADMIN, year_target),
    "schools:year-make-current": Rule(NOBODY, ADMIN, year_target),
    "schools:user-list": Rule(ANALYSTS, ANALYSTS),
    "schools:audit-log": Rule(ANALYSTS, ANALYSTS),
    "schools:user-create": Rule(ANALYSTS, ANALYSTS),
    "schools:user-edit": Rule(
        ADMIN | ANALYSTS_OF_OPERATORS, ADMIN | ANALYSTS_OF_OPERATORS, people
    ),
    "schools:user-unlock": Rule(NOBODY, ADMIN, people),
    "schools:user-otp-reset": Rule(NOBODY, ADMIN, people),
    # Monitoring ---------------------------------------------------------------------
    "monitoring:index": Rule(ANY, ANY),
    "monitoring:campaign-create": Rule(ANALYSTS, ANALYSTS),
    # An operator sees the collection with the own school's row only.
    "monitoring:campaign-detail": Rule(
        STAFF | OPERATORS, STAFF | OPERATORS, each(("campaign", None))
    ),
    "monitoring:campaign-accept": Rule(NOBODY, ANALYSTS, each(("campaign", None))),
    "monitoring:campaign-remind": Rule(NOBODY, ANALYSTS, each(("campaign", None))),
    "monitoring:campaign-close": Rule(NOBODY, ANALYSTS, each(("campaign", None))),
    "monitoring:campaign-open": Rule(NOBODY, ANALYSTS, each(("campaign", None))),
    "monitoring:report-detail": Rule(STAFF | SCHOOL, ANALYSTS | SCHOOL, REPORTS),
    "monitoring:report-save-submit": Rule(NOBODY, ANALYSTS | SCHOOL, REPORTS),
    "monitoring:report-submit": Rule(NOBODY, ANALYSTS | SCHOOL, REPORTS),
    "monitoring:report-accept": Rule(NOBODY, ANALYSTS, REPORTS),
    "monitoring:report-return": Rule(NOBODY, ANALYSTS, REPORTS),
    "monitoring:report-reopen": Rule(NOBODY, ANALYSTS, REPORTS),
    "monitoring:report-history": Rule(STAFF | SCHOOL, STAFF | SCHOOL, REPORTS),
    "monitoring:import-list": Rule(ANALYSTS, ANALYSTS),
    "monitoring:import-create": Rule(ANALYSTS, ANALYSTS),
    "monitoring:import-detail": Rule(ANALYSTS, ANALYSTS, each(("import", None))),
    "monitoring:import-run": Rule(NOBODY, ANALYSTS, each(("import", None))),
    "monitoring:import-restart": Rule(NOBODY, ANALYSTS, each(("import", None))),
    "monitoring:import-errors": Rule(ANALYSTS, ANALYSTS, each(("import", None))),
    "monitoring:import-file": Rule(ANALYSTS, ANALYSTS, each(("import", None))),
    "monitoring:template": Rule(ANALYSTS, ANALYSTS),
    "monitoring:package-export": Rule(ANALYSTS, ANALYSTS),
    # Identification ---------------------------------------------------------------
    "identification:index": Rule(STAFF, STAFF),
    "identification:dashboard": Rule(STAFF, STAFF),
    "identification:run-dashboard": Rule(STAFF, STAFF, each(("run", None))),
    "identification:chart": Rule(
        STAFF, STAFF, places(pk=of("run"), name=lambda p: "fail-shares")
    ),
    "identification:run-report": Rule(STAFF, STAFF, each(("run", None))),
    "identification:profile": Rule(
        STAFF | SCHOOL, STAFF | SCHOOL, one(1, school_id=school_pk(1))
    ),
    "identification:run-create": Rule(ANALYSTS, ANALYSTS),
    "identification:run-detail": Rule(STAFF, STAFF, each(("run", None))),
    "identification:run-approve": Rule(NOBODY, APPROVERS, each(("run", None))),
    "identification:run-restart": Rule(NOBODY, ANALYSTS, each(("run", None))),
    "identification:run-school": Rule(
        STAFF, STAFF, one(1, pk=of("run"), school_id=school_pk(1))
    ),
    "identification:override": Rule(
        NOBODY, ANALYSTS, one(1, pk=of("run"), school_id=school_pk(1))
    ),
    # An operator sees the approved list with the own school's entry only.
    "identification:list-detail": Rule(
        STAFF | OPERATORS, STAFF | OPERATORS, each(("list", None))
    ),
    "identification:methodology-list": Rule(STAFF, STAFF),
    "identification:methodology-detail": Rule(
        STAFF, STAFF, each(("methodology", None))
    ),
    "identification:methodology-edit": Rule(
        ANALYSTS, ANALYSTS, each(("methodology", None))
    ),
    "identification:methodology-preview": Rule(
        NOBODY, ANALYSTS, each(("methodology", None))
    ),
    "identification:methodology-copy": Rule(
        NOBODY, ANALYSTS, each(("methodology", None))
    ),
    # Partnerships -------------------------------------------------------------------
    "partnerships:index": Rule(ANY, ANY),
    "partnerships:campaign-open": Rule(NOBODY, ANALYSTS),
    "partnerships:gradation": Rule(STAFF, ANALYSTS),
    "partnerships:suggest": Rule(ANALYSTS, ANALYSTS, each(("round", None))),
    "partnerships:general-plan": Rule(STAFF, STAFF, each(("round", None))),
    "partnerships:network": Rule(STAFF, STAFF, each(("round", None))),
    "partnerships:detail": Rule(STAFF | SCHOOL, NOBODY, PARTNERSHIP),
    **{
        f"partnerships:partnership-{verb}": Rule(NOBODY, STAFF | SCHOOL, PARTNERSHIP)
        for verb in ("accept", "decline", "submit", "approve", "return")
    },
    "partnerships:event-record": Rule(NOBODY, STAFF | SCHOOL, PARTNERSHIP),
    "partnerships:agreement-save": Rule(NOBODY, STAFF | SCHOOL, PARTNERSHIP),
    **{
        f"partnerships:general-plan-{verb}": Rule(
            NOBODY, STAFF, each(("general_plan", None))
        )
        for verb in ("submit", "approve", "return", "recall")
    },
    "partnerships:agreement": Rule(STAFF | SCHOOL, STAFF | SCHOOL, PARTNERSHIP),
    "partnerships:agreement-scan": Rule(STAFF | SCHOOL, STAFF | SCHOOL, PARTNERSHIP),
    "partnerships:event-file": Rule(
        STAFF | SCHOOL, STAFF | SCHOOL, one(1, pk=of("event"))
    ),
    "partnerships:activity-create": Rule(SCHOOL, SCHOOL, PARTNERSHIP),
    "partnerships:activity-edit": Rule(
        SCHOOL, SCHOOL, one(1, pk=of("partnership"), activity_pk=of("activity"))
    ),
    # Roadmaps -----------------------------------------------------------------------
    "roadmaps:list": Rule(ANY, ANY),
    "roadmaps:create": Rule(ANALYSTS | OPERATORS, ANALYSTS | OPERATORS),
    "roadmaps:tracking": Rule(ANY, ANY),
    "roadmaps:detail": Rule(STAFF | SCHOOL, STAFF | SCHOOL, both_roadmaps),
    "roadmaps:timeline": Rule(STAFF | SCHOOL, STAFF | SCHOOL, both_roadmaps),
    "roadmaps:item-create": Rule(ITEM_EDITORS, ITEM_EDITORS, both_roadmaps),
    "roadmaps:item-edit": Rule(ITEM_EDITORS, ITEM_EDITORS, roadmap_items),
    "roadmaps:import": Rule(IMPORTERS, IMPORTERS, both_roadmaps),
    "roadmaps:copy": Rule(NOBODY, ANALYSTS | SCHOOL, both_roadmaps),
    "roadmaps:indicator-add": Rule(NOBODY, STAFF | SCHOOL, both_roadmaps),
    "roadmaps:indicator-actual": Rule(
        NOBODY, STAFF | SCHOOL, one(1, pk=of("roadmap"), indicator_pk=of("indicator"))
    ),
    **{
        f"roadmaps:roadmap-{verb}": Rule(
            NOBODY, STAFF | SCHOOL, one(1, pk=of("roadmap"))
        )
        for verb in ("submit", "return", "approve", "start", "close")
    },
    "roadmaps:item": Rule(STAFF | SCHOOL, STAFF | SCHOOL, items),
    "roadmaps:evidence-file": Rule(
        STAFF | SCHOOL, STAFF | SCHOOL, one(1, pk=of("evidence"))
    ),
    "roadmaps:item-cancel": Rule(NOBODY, STAFF | SCHOOL, items),
    "roadmaps:item-delete": Rule(NOBODY, STAFF | SCHOOL, items),
}
