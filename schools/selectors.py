"""Reads of the registry, already scoped and prefetched for their pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .access import schools_visible_to, users_visible_to
from .models import AcademicYear, School, User


def school_search_q(value: str) -> Q:
    """Return a filter matching a school's name (any case), code or ИНН."""
    value = value.strip()
    match = Q(code__iexact=value.lower()) | Q(inn=value)
    # SQLite folds case of ASCII letters only; trying the usual spellings
    # makes «гимназия» find «Гимназия» on every database.
    for variant in {value, value.lower(), value.upper(), value.capitalize()}:
        match |= Q(short_name__icontains=variant) | Q(full_name__icontains=variant)
    return match


def school_list(*, user: User) -> QuerySet[School]:
    """Return the person's schools with their operator counts, for the list page."""
    return (
        schools_visible_to(user)
        .annotate(
            operator_count=Count(
                "operators", filter=Q(operators__is_active=True), distinct=True
            )
        )
        .order_by("municipality__name", "short_name")
    )


def school_operators(*, school: School) -> QuerySet[User]:
    """Return the active operators of a school."""
    return school.operators.filter(is_active=True).order_by("last_name", "username")


def current_year() -> AcademicYear | None:
    """Return the school year marked current, if any."""
    return AcademicYear.objects.filter(is_current=True).first()


def user_list(*, user: User) -> QuerySet[User]:
    """Return the people the person manages, in name order."""
    return users_visible_to(user).order_by("role", "last_name", "username")


def registry_summary(*, user: User) -> dict[str, int]:
    """Return counts for the analyst's home page: schools, inactive, without operator."""
    schools = schools_visible_to(user)
    active = schools.filter(is_active=True)
    return {
        "schools": active.count(),
        "inactive": schools.filter(is_active=False).count(),
        "without_operator": active.exclude(
            pk__in=User.objects.filter(
                is_active=True, role=User.Role.OPERATOR, schools__isnull=False
            ).values("schools")
        ).count(),
    }


HISTORY_TYPES = {"+": "создана", "~": "изменена", "-": "удалена"}


def school_history(*, school: School, limit: int = 20) -> list[dict]:
    """Return the card's changes, newest first: who, when, and each field's old → new."""
    records = list(
        school.history.select_related("history_user").order_by("-history_date")[
            : limit + 1
        ]
    )
    entries = []
    for record, previous in zip(records, [*records[1:], None], strict=False):
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = School._meta.get_field(change.field)
                changes.append(
                    {"field": field.verbose_name, "old": change.old, "new": change.new}
                )
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "action": HISTORY_TYPES.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    return entries[:limit]


def sign_in_state(*, person: User, viewer: Any) -> dict[str, Any]:
    """For an administrator: whether the person is locked out and uses a second factor."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .access import is_administrator

    if person.pk is None or not is_administrator(viewer):
        return {}
    failures = (
        AccessAttempt.objects.filter(username=person.username)
        .order_by("-failures_since_start")
        .values_list("failures_since_start", flat=True)
        .first()
        or 0
    )
    return {
        "show_sign_in": True,
        "locked": failures >= settings.AXES_FAILURE_LIMIT,
        "failures": failures,
        "has_otp": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
    }
