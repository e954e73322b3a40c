"""
One workflow layer for everything that is submitted, approved, returned and
reopened.

A workflow model declares its transition table: for each action, the states it
starts from, the state it leads to, its Russian name, who may take it (a rule
built on the access module), whether a reason is required, and what else the
action checks or writes. `perform` is the only way to change such a state: it
locks the row, checks the table, writes the state, records the history with
its author and reason (django-simple-history) and runs what follows after the
commit. Views, the action buttons and the transition tests are all built from
the same table, so a person sees exactly the actions they may take now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from . import notices

# A state: a status's value, or open/closed for a yes/no field.
State = str | bool
# (user, obj) → may this person take the action on this object (its state aside)?
Rule = Callable[[Any, Any], bool]
# (obj, by, step) → check and set what else the action writes; raise ValidationError to refuse.
Effect = Callable[[Any, Any, "Step"], None]


@dataclass(frozen=True)
class Transition:
    """One row of a transition table."""

    action: str  # the URL's verb: "submit", "approve"…
    label: str  # the button: «Утвердить»
    source: tuple[State, ...]  # the states it starts from
    target: State  # the state it leads to
    allowed: Rule
    refusal: str  # why a person who may not take it is refused
    done: str  # what the person is told after it; «{obj.…}» names the object as written
    reason: str = ""  # the reason's label when one is required: «Что исправить»
    reason_missing: str = (
        ""  # what to say when it is not given (default: name the field)
    )
    effect: Effect | None = None
    fields: tuple[str, ...] = ()  # other fields the effect writes
    style: str = "btn-outline-primary"
    order: bool = False  # asks for the order's number and date
    # «Мои задачи»: what the waiting object is called in the person's list
    # («Проверить»), and whose job it is — a filter on the objects the person
    # sees (the table's own `allowed` must hold for every one of them).
    task: str = ""
    task_for: Callable[[Any], Any] | None = None  # user → Q
    # Whom it tells, in the portal and by e-mail as each chose (schools.notices):
    # obj → the people, the notice's kind and its heading (default: the new state).
    notify: Callable[[Any], Iterable[Any]] | None = None
    notice: str = ""
    told: str = ""


@dataclass
class Step:
    """What one request brings to a transition."""

    reason: str = ""
    today: dt.date | None = None
    data: dict[str, Any] = field(default_factory=dict)
    confirmed: bool = False  # the person confirmed a warning the effect raised


class NeedsConfirmation(ValidationError):
    """The action may go on once the person confirms what this message says."""


@dataclass(frozen=True)
class Workflow:
    """The transition table of one model's state field."""

    name: str  # e.g. "roadmap": the prefix of the services and URL names
    model: type[models.Model]
    transitions: tuple[Transition, ...]
    state_field: str = "status"
    # «Мои задачи»: the objects a person sees, a title and a due date for each.
    visible: Callable[[Any], Any] | None = None  # user → QuerySet
    title: Callable[[Any], str] = str
    due: Callable[[Any], dt.date | None] | None = None
    note: Callable[[Any], str] | None = None  # the reason it came back, say
    related: tuple[str, ...] = ()  # what the title and due date read: one query
    after: Callable[[Any, Transition, Any], None] | None = None  # after the commit
    # A model whose history is its own table (a report's events) writes it here,
    # in the same transaction: (obj, transition, by, old state, reason).
    record: Callable[[Any, Transition, Any, str, str], None] | None = None

    def __getitem__(self, action: str) -> Transition:
        for transition in self.transitions:
            if transition.action == action:
                return transition
        raise KeyError(action)

    def state_label(self, state: State) -> str:
        field = self.model._meta.get_field(self.state_field)
        choices = dict(getattr(field, "choices", None) or [])
        return str(choices.get(state, state))

    def available(self, user: Any, obj: Any) -> list[Transition]:
        """The actions this person may take on the object now."""
        state = getattr(obj, self.state_field)
        return [
            t for t in self.transitions if state in t.source and t.allowed(user, obj)
        ]

    def __post_init__(self) -> None:
        REGISTRY[self.model] = self

    def url_name(self, transition: Transition) -> str:
        """The URL name of the transition's view: «roadmaps:roadmap-approve»."""
        return f"{self.model._meta.app_label}:{self.name}-{transition.action}"


def for_role(is_role: Callable[[Any], bool], scope: Any = None) -> Callable[[Any], Any]:
    """
    `Transition.task_for` for a task that waits for everyone of a role, among
    the objects they see (narrowed by `scope`, a Q, when given).
    """
    where = scope if scope is not None else Q()
    return lambda user: where if is_role(user) else None


# Every workflow by its model: the action buttons find the table of an object.
REGISTRY: dict[type[models.Model], Workflow] = {}


def perform(
    workflow: Workflow,
    action: str,
    *,
    obj: Any,
    by: Any,
    reason: str = "",
    today: dt.date | None = None,
    data: dict[str, Any] | None = None,
    confirmed: bool = False,
) -> Any:
    """
    Take `action` on `obj` as `by`; return the object as written.

    Under a row lock: two people approving the same document in the same
    second — the second is told it is already approved. Refusals are a
    PermissionDenied (who) or a Russian ValidationError (when, or what is
    missing); either way nothing is written.
    """
    transition = workflow[action]
    step = Step(
        reason=(reason or "").strip(),
        today=today or timezone.localdate(),
        data=data or {},
        confirmed=confirmed,
    )
    with transaction.atomic():
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        # Who first: a person who may never take the action is refused the
        # same way whatever state the object is in.
        if not transition.allowed(by, locked):
            raise PermissionDenied(transition.refusal)
        state = getattr(locked, workflow.state_field)
        if state not in transition.source:
            if state == transition.target:
                raise ValidationError(
                    f"Уже {workflow.state_label(state)}: действие «{transition.label}» "
                    "кто-то выполнил раньше вас."
                )
            raise ValidationError(
                f"«{transition.label}» нельзя: сейчас «{workflow.state_label(state)}», "
                f"а нужно «{_states(workflow, transition.source)}»."
            )
        if transition.reason and not step.reason:
            raise ValidationError(
                transition.reason_missing or f"Заполните поле «{transition.reason}»."
            )
        if transition.effect is not None:
            transition.effect(locked, by, step)
        setattr(locked, workflow.state_field, transition.target)
        # django-simple-history reads the author and the reason from these.
        setattr(locked, "_history_user", by)  # noqa: B010
        setattr(locked, "_change_reason", _history_reason(transition, step.reason))  # noqa: B010
        locked.save(update_fields=[workflow.state_field, *transition.fields])
        if workflow.record is not None:
            workflow.record(locked, transition, by, state, step.reason)
        if transition.notify is not None:
            _tell(workflow, transition, locked, by, step.reason)
        if workflow.after is not None:
            after = workflow.after
            transaction.on_commit(lambda: after(locked, transition, by))
    for name in (workflow.state_field, *transition.fields):
        setattr(obj, name, getattr(locked, name))
    return locked


def _tell(
    workflow: Workflow, transition: Transition, obj: Any, by: Any, reason: str
) -> None:
    assert transition.notify is not None
    state = transition.told or workflow.state_label(transition.target)
    notices.notify(
        (person for person in transition.notify(obj) if person.pk != by.pk),
        kind=transition.notice,
        title=f"{state[:1].upper()}{state[1:]}: {workflow.title(obj)}",
        text=f"{transition.reason}: {reason}" if reason and transition.reason else "",
        url=obj.get_absolute_url(),
    )


def _states(workflow: Workflow, states: Iterable[State]) -> str:
    return "» или «".join(workflow.state_label(s) for s in states)


def _history_reason(transition: Transition, reason: str) -> str:
    return transition.label if not reason else f"{transition.label}: {reason}"


def check_order(
    *, number: str, date: dt.date | None, submitted: dt.date | None, today: dt.date
) -> tuple[str, dt.date]:
    """
    The order that approves a document: a number and a date not in the future
    and not before the document was submitted.
    """
    number = (number or "").strip()
    errors = []
    if not number:
        errors.append("Укажите номер приказа.")
    if date is None:
        errors.append("Укажите дату приказа (ДД.ММ.ГГГГ).")
    elif date > today:
        errors.append(
            f"Дата приказа {date:%d.%m.%Y} ещё не наступила (сегодня {today:%d.%m.%Y})."
        )
    elif submitted is not None and date < submitted:
        errors.append(
            f"Дата приказа {date:%d.%m.%Y} раньше, чем документ отправлен "
            f"на утверждение ({submitted:%d.%m.%Y})."
        )
    if errors:
        raise ValidationError(errors)
    assert date is not None
    return number, date


def confirm_order_reuse(used: Any, *, number: str, date: dt.date, step: Step) -> None:
    """
    An order number the municipality already used that year, for another
    document (`used`, or None), asks for the person's confirmation.
    """
    if used is not None and not step.confirmed:
        raise NeedsConfirmation(
            f"Приказ № {number} {date.year} года уже утвердил документ «{used}». "
            "Если это тот же приказ, подтвердите."
        )
