"""Reads of the registry, already scoped and prefetched for their pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

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


def school_list(*, user: User, operator_counts: bool = True) -> QuerySet[School]:
    """Return the person's schools in name order, with their operator counts if asked."""
    schools = schools_visible_to(user).order_by("municipality__name", "short_name")
    if not operator_counts:
        return schools
    # A subquery per shown row rather than a grouped join: the page of 50 and
    # its count() then cost the same at 10 schools and at 1,500.
    operators = (
        User.schools.through.objects.filter(
            school_id=OuterRef("pk"), user__is_active=True
        )
        .order_by()
        .values("school_id")
        .annotate(n=Count("user_id"))
        .values("n")
    )
    return schools.annotate(operator_count=Coalesce(Subquery(operators), 0))


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
    staffed = User.schools.through.objects.filter(
        user__is_active=True, user__role=User.Role.OPERATOR
    ).values("school_id")
    # One pass over the region's schools rather than a query per figure; the
    # staffed schools are an uncorrelated subquery, which PostgreSQL hashes
    # once (a correlated EXISTS would run once per school).
    return schools_visible_to(user).aggregate(
        schools=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        without_operator=Count("pk", filter=Q(is_active=True) & ~Q(pk__in=staffed)),
    )


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
