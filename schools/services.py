"""Writes to the registry: schools, school years and people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import access, audit, mail
from .models import AcademicYear, School, User

SCHOOL_FIELDS = (
    "municipality",
    "full_name",
    "short_name",
    "code",
    "inn",
    "oge_code",
    "ege_code",
    "school_type",
    "is_rural",
    "distance_km",
    "is_active",
)


def _set_history_user(obj: Any, by: User) -> None:
    # simple-history records the request user through middleware; commands and
    # services called outside a request name the actor explicitly.
    obj._history_user = by


def school_create(*, data: dict[str, Any], by: User) -> School:
    """Create a school from cleaned form data."""
    school = School(**{k: v for k, v in data.items() if k in SCHOOL_FIELDS})
    school.full_clean()
    _set_history_user(school, by)
    school.save()
    return school


def school_update(*, school: School, data: dict[str, Any], by: User) -> School:
    """Change a school's registry card; the previous values stay in its history."""
    for field, value in data.items():
        if field in SCHOOL_FIELDS:
            setattr(school, field, value)
    school.full_clean()
    _set_history_user(school, by)
    school.save()
    return school


def school_set_active(*, school: School, active: bool, by: User) -> School:
    """Deactivate (or restore) a school; it and all its data are kept."""
    school.is_active = active
    _set_history_user(school, by)
    school.save(update_fields=["is_active"])
    return school


def academic_year_save(*, year: AcademicYear, by: User) -> AcademicYear:
    """Create or change a school year's dates."""
    year.full_clean()
    _set_history_user(year, by)
    year.save()
    return year


@transaction.atomic
def academic_year_make_current(*, year: AcademicYear, by: User) -> AcademicYear:
    """Make the year the current one; every other year stops being current."""
    AcademicYear.objects.exclude(pk=year.pk).filter(is_current=True).update(
        is_current=False
    )
    year.is_current = True
    _set_history_user(year, by)
    year.save(update_fields=["is_current"])
    return year


@transaction.atomic
def user_save(
    *,
    person: User,
    schools: Iterable[School],
    by: User,
    password: str = "",
) -> User:
    """
    Create or change a person and their scope.

    The approval chain holds here whatever the form sent: only an
    administrator assigns staff roles and scopes (`access.assignable_roles`,
    `access.can_change_person`) or types someone's password; nobody changes
    their own role, scope or access. An analyst's changes of an operator keep
    the operator's schools outside the analyst's scope.
    """
    before = User.objects.select_for_update().get(pk=person.pk) if person.pk else None
    if before is not None and not access.can_change_person(by, before):
        raise PermissionDenied(
            "Сотрудников МИМЦ и управления образования, их роли и область работы "
            "назначает администратор портала."
        )
    if password and not access.can_set_password(by, person):
        raise PermissionDenied(
            "Пароль другого человека задаёт только администратор; отправьте "
            "человеку ссылку для установки пароля."
        )
    chosen = {s.pk for s in schools}
    kept: set[int] = set()
    if before is not None:
        kept = set(
            before.schools.exclude(
                pk__in=access.schools_visible_to(by).values("pk")
            ).values_list("pk", flat=True)
        )
    scope = chosen | kept if person.role == User.Role.OPERATOR else set()
    if before is not None and before.pk == by.pk:
        _refuse_own_scope_change(before, person, scope)
    elif person.role not in access.assignable_roles(by):
        raise ValidationError({"role": "Вы не можете назначить эту роль."})
    if person.role == User.Role.OPERATOR and not scope:
        raise ValidationError(
            {"schools": "Оператору нужно назначить хотя бы одну школу."}
        )
    if person.role == User.Role.ADMINISTRATOR:
        person.is_staff = person.is_superuser = True
    elif person.pk is None or not person.is_superuser:
        person.is_staff = False
    if password:
        person.set_password(password)
    elif person.pk is None:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    _set_history_user(person, by)
    person.save()
    person.schools.set(scope)
    changes = _access_changes(before, person, scope)
    if changes:
        audit.record(
            None, audit.Event.ACCESS_CHANGED, by=by, target=person, detail=changes
        )
    if password:
        audit.record(None, audit.Event.PASSWORD_SET, by=by, target=person)
    return person


def _access_changes(before: User | None, after: User, schools: set[int]) -> str:
    """Describe, in Russian, how the person's role, scope or access changed."""

    def scope(person: User | None, ids: set[int]) -> dict[str, str]:
        if person is None:
            return {}
        names = School.objects.filter(pk__in=ids).values_list("short_name", flat=True)
        return {
            "роль": person.get_role_display(),
            "муниципалитет": str(person.municipality or "—"),
            "регион": str(person.region or "—"),
            "школы": ", ".join(sorted(names)) or "—",
            "доступ": "открыт" if person.is_active else "закрыт",
        }

    old_ids = set(before.schools.values_list("pk", flat=True)) if before else set()
    old, new = scope(before, old_ids), scope(after, schools)
    if before is None:
        return "создан: " + "; ".join(f"{k}: {v}" for k, v in new.items())
    return "; ".join(f"{k}: {old[k]} → {v}" for k, v in new.items() if old[k] != v)


def _refuse_own_scope_change(before: User, after: User, schools: set[int]) -> None:
    """Nobody widens, narrows or closes their own access: another person does."""
    if not after.is_active:
        raise ValidationError("Нельзя отключить собственную учётную запись.")
    same = (
        before.role == after.role
        and before.municipality_id == after.municipality_id
        and before.region_id == after.region_id
        and set(before.schools.values_list("pk", flat=True)) == schools
    )
    if not same:
        raise ValidationError(
            "Свою роль и область работы изменить нельзя: это делает другой "
            "администратор."
        )


def user_send_password_link(
    *, person: User, by: User, base_url: str, new: bool = False
) -> None:
    """
    E-mail the person a one-time link to set their own password (Django's
    password reset token: it stops working once the password is set).
    """
    if not access.can_change_person(by, person) and person.pk != by.pk:
        raise PermissionDenied("Ссылку для установки пароля отправляет администратор.")
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    link = base_url + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    opening = (
        "Для вас создана учётная запись на портале мониторинга качества образования."
        if new
        else "Для вашей учётной записи на портале мониторинга качества образования "
        "запрошена установка нового пароля."
    )
    body = (
        f"Здравствуйте, {person.display_name}!\n\n"
        f"{opening}\n"
        f"Логин: {person.username}\n"
        f"Роль: {person.get_role_display()} ({person.scope_label})\n\n"
        f"Чтобы задать пароль и войти, откройте ссылку (она действует один раз):\n"
        f"{link}\n\n"
        "Если вы не ждали этого письма, просто проигнорируйте его."
    )
    subject = (
        "Приглашение на портал мониторинга качества образования"
        if new
        else "Установка пароля на портале мониторинга качества образования"
    )
    mail.send(subject, body, [person.email])
