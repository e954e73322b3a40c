"""
The one gate that answers "may this person see or change this object".

Every app scopes its querysets through these functions (directly, or through
its own `permissions.py` built on them). Objects outside a person's scope are
answered with 404 (they do not exist for that person); visible objects that
the person may only read are answered with 403.

Scopes:
- administrator (role or superuser): everything;
- analyst / approver of a municipality: that municipality's schools;
- analyst / approver of a region: every school of the region;
- operator: the schools bound to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import AuditEvent, Municipality, Region, School, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    AnyUser = User | AnonymousUser

Role = User.Role

__all__ = [
    "assignable_roles",
    "audit_events_visible_to",
    "can_change_person",
    "can_edit_school",
    "can_enter_data",
    "can_manage_registry",
    "can_manage_users",
    "can_set_password",
    "get_school_for_user",
    "get_user_for_user",
    "is_administrator",
    "is_analyst",
    "is_approver",
    "is_operator",
    "municipalities_visible_to",
    "operators_of",
    "regions_visible_to",
    "requested_pk",
    "role_of",
    "schools_visible_to",
    "staff_of",
    "users_visible_to",
]


def requested_pk(raw: str | None) -> int | None:
    """
    The id a query parameter or a posted field names, or None: ASCII digits
    only («²» passes str.isdigit() and would fail int()).
    """
    if raw and raw.isascii() and raw.isdigit():
        return int(raw)
    return None


def role_of(user: AnyUser) -> str | None:
    """Return the person's effective role, or None for an anonymous or inactive one."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    return user.role


def is_administrator(user: AnyUser) -> bool:
    return role_of(user) == Role.ADMINISTRATOR


def is_analyst(user: AnyUser) -> bool:
    return role_of(user) == Role.ANALYST


def is_approver(user: AnyUser) -> bool:
    return role_of(user) == Role.APPROVER


def is_operator(user: AnyUser) -> bool:
    return role_of(user) == Role.OPERATOR


def is_staff(user: AnyUser) -> bool:
    """МИМЦ, the department or an administrator: anyone but a school's operator."""
    return role_of(user) not in (None, Role.OPERATOR)


def manages(user: AnyUser) -> bool:
    """МИМЦ's work (campaigns, reviews, runs, plans) — analysts and administrators."""
    return is_analyst(user) or is_administrator(user)


def manages_municipality(user: AnyUser, municipality_id: int | None) -> bool:
    """An analyst or administrator whose scope holds the municipality."""
    return (
        manages(user)
        and municipalities_visible_to(user).filter(pk=municipality_id).exists()
    )


def require(allowed: bool, message: str) -> None:
    """Refuse with a Russian reason unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def operators_of(*school_ids: int | None) -> QuerySet[User]:
    """The active operators of the schools: whom a school's documents concern."""
    return User.objects.filter(
        is_active=True, role=Role.OPERATOR, schools__in=[s for s in school_ids if s]
    ).distinct()


def staff_of(municipality_id: int | None, *roles: str) -> QuerySet[User]:
    """
    The active analysts or approvers (`roles`) whose scope holds the
    municipality — its own and the region's: the reverse of `_school_scope`.
    """
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return User.objects.none()
    return User.objects.filter(
        Q(municipality_id=municipality.pk) | Q(region_id=municipality.region_id),
        is_active=True,
        role__in=roles,
    )


def _school_scope(user: AnyUser) -> Q | None:
    """Return the filter on School for the person; None means everything."""
    role = role_of(user)
    if role is None:
        return Q(pk__in=[])
    if role == Role.ADMINISTRATOR:
        return None
    if role in (Role.ANALYST, Role.APPROVER):
        if user.municipality_id:
            return Q(municipality_id=user.municipality_id)
        if user.region_id:
            return Q(municipality__region_id=user.region_id)
        return Q(pk__in=[])
    # A subquery rather than a join keeps the queryset free of duplicates, so
    # callers may annotate and count it without distinct().
    return Q(
        pk__in=User.schools.through.objects.filter(user_id=user.pk).values("school_id")
    )


def schools_visible_to(user: AnyUser) -> QuerySet[School]:
    """Return the schools the person may see (active and inactive)."""
    scope = _school_scope(user)
    qs = School.objects.select_related("municipality__region")
    return qs if scope is None else qs.filter(scope)


def municipalities_visible_to(user: AnyUser) -> QuerySet[Municipality]:
    """Return the municipalities the person works with."""
    role = role_of(user)
    qs = Municipality.objects.select_related("region")
    if role == Role.ADMINISTRATOR:
        return qs
    if role in (Role.ANALYST, Role.APPROVER):
        if user.municipality_id:
            return qs.filter(pk=user.municipality_id)
        if user.region_id:
            return qs.filter(region_id=user.region_id)
    if role == Role.OPERATOR:
        return qs.filter(pk__in=schools_visible_to(user).values("municipality_id"))
    return qs.none()


def regions_visible_to(user: AnyUser) -> QuerySet[Region]:
    """Return the regions the person works in."""
    if is_administrator(user):
        return Region.objects.all()
    if role_of(user) in (Role.ANALYST, Role.APPROVER) and user.region_id:
        return Region.objects.filter(pk=user.region_id)
    return Region.objects.filter(
        pk__in=municipalities_visible_to(user).values("region_id")
    )


def can_manage_registry(user: AnyUser) -> bool:
    """Return whether the person may add and edit schools (in their scope)."""
    return role_of(user) in (Role.ADMINISTRATOR, Role.ANALYST)


def can_edit_school(user: AnyUser, school: School) -> bool:
    """Return whether the person may change the school's registry card."""
    if not can_manage_registry(user):
        return False
    return schools_visible_to(user).filter(pk=school.pk).exists()


def can_enter_data(user: AnyUser, school: School) -> bool:
    """Return whether the person may enter or correct the school's monitoring data."""
    role = role_of(user)
    if role not in (Role.ADMINISTRATOR, Role.ANALYST, Role.OPERATOR):
        return False
    return schools_visible_to(user).filter(pk=school.pk).exists()


def get_school_for_user(user: AnyUser, pk: int, *, write: bool = False) -> School:
    """
    Return the school with `pk` if the person may see it.

    Raise Http404 when it is outside their scope, PermissionDenied when
    `write` is asked of a person who may only read it.
    """
    try:
        school = schools_visible_to(user).get(pk=pk)
    except School.DoesNotExist:
        raise Http404("Школа не найдена.") from None
    if write and not can_manage_registry(user):
        raise PermissionDenied("Изменять карточку школы может только аналитик МИМЦ.")
    return school


# People -------------------------------------------------------------------


def can_manage_users(user: AnyUser) -> bool:
    """Return whether the person may open the people pages and add operators."""
    return role_of(user) in (Role.ADMINISTRATOR, Role.ANALYST)


def assignable_roles(user: AnyUser) -> list[str]:
    """
    Return the roles the person may give to others.

    «МИМЦ рассчитывает — управление утверждает»: an analyst who could make an
    approver could approve the analyst's own lists, so only administrators
    assign the analyst, approver and administrator roles; an analyst brings in
    the operators of the municipality's schools.
    """
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return [r.value for r in Role]
    if role == Role.ANALYST:
        return [Role.OPERATOR]
    return []


def can_change_person(user: AnyUser, person: User) -> bool:
    """
    Return whether the person may change `person`'s card, role, scope or access.

    Administrators change anyone; an analyst changes the operators of the
    schools they see and nobody else — not other staff, not themselves.
    """
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return True
    return (
        role == Role.ANALYST
        and person.pk != user.pk
        and person.role == Role.OPERATOR
        and not person.is_superuser
    )


def can_set_password(user: AnyUser, person: User) -> bool:
    """
    Return whether the person may type another person's password: only an
    administrator; everyone else sends a one-time link to the person's e-mail.
    """
    return is_administrator(user) and person.pk != user.pk


def users_visible_to(user: AnyUser) -> QuerySet[User]:
    """
    Return the people the person may see in the people list.

    An analyst sees the operators of their schools and the staff of their
    municipality (a region-level analyst: of the whole region); nobody but an
    administrator sees administrators.
    """
    role = role_of(user)
    qs = User.objects.select_related("municipality", "region").prefetch_related(
        "schools"
    )
    if role == Role.ADMINISTRATOR:
        return qs
    if role != Role.ANALYST:
        return qs.none()
    # Operators through a subquery rather than a join: no duplicates, so the
    # list and its count need no DISTINCT over every column of 1,500 people.
    operators = User.schools.through.objects.filter(
        school__in=schools_visible_to(user).values("pk")
    ).values("user_id")
    municipalities = municipalities_visible_to(user).values("pk")
    staff = Q(municipality__in=municipalities)
    if user.region_id:
        staff |= Q(region_id=user.region_id)
    return (
        qs.filter(is_superuser=False)
        .exclude(role=Role.ADMINISTRATOR)
        .filter(Q(role=Role.OPERATOR, pk__in=operators) | staff)
    )


def get_user_for_user(user: AnyUser, pk: int, *, write: bool = False) -> User:
    """Return the person with `pk` if visible; 404 otherwise, 403 if read-only."""
    try:
        person = users_visible_to(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404("Пользователь не найден.") from None
    if write and not can_change_person(user, person):
        raise PermissionDenied(
            "Сотрудников МИМЦ и управления образования, их роли и область работы "
            "назначает администратор портала."
        )
    return person


def audit_events_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    """
    Return the lines of the audit log the person may read: an administrator
    all of them, an analyst those of their municipality (a region-level
    analyst: of the region's municipalities); nobody else any.
    """
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return AuditEvent.objects.all()
    if role != Role.ANALYST:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        municipality__in=municipalities_visible_to(user).values("pk")
    )


def may_see_small_shares(user: AnyUser, school: School) -> bool:
    """
    Whether the person may see a school's shares computed on fewer than 10 pupils:
    always, unless the school's municipality hides them and the person is an
    operator of another school.
    """
    if not school.municipality.hide_small_shares or role_of(user) != Role.OPERATOR:
        return True
    return user.schools.filter(pk=school.pk).exists()
