"""A database constraint never reaches a person as «Нарушено ограничение "…"»."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, UniqueConstraint

from partnerships.models import Activity

OURS = {"schools", "monitoring", "identification", "partnerships", "roadmaps"}


def _constraints():
    for model in apps.get_models():
        if model._meta.app_label in OURS:
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_check_and_conditional_unique_constraint_speaks_russian():
    checked = 0
    for model, constraint in _constraints():
        # A plain unique constraint is worded by Django («… уже существует»).
        if isinstance(constraint, UniqueConstraint) and constraint.condition is None:
            continue
        assert isinstance(constraint, CheckConstraint | UniqueConstraint)
        message = constraint.get_violation_error_message()
        where = f"{model.__name__}.{constraint.name}"
        assert constraint.name not in message, where
        assert "ограничение" not in message, where
        assert any("а" <= ch <= "я" for ch in message.lower()), where
        checked += 1
    assert checked >= 15


@pytest.mark.django_db
def test_an_activity_that_ends_before_it_starts_is_told_so_in_russian():
    activity = Activity(
        title="Семинар",
        start="2021-11-20",
        end="2021-11-10",
        responsible_school="завуч",
        responsible_partner="руководитель МО",
    )
    with pytest.raises(ValidationError) as caught:
        activity.validate_constraints()
    assert caught.value.messages == [
        "Окончание мероприятия раньше начала: проверьте даты."
    ]
