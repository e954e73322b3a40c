"""Writes to the registry: schools, school years and people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .access import assignable_roles, schools_visible_to
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
    year.save()
    return year


@transaction.atomic
def academic_year_make_current(*, year: AcademicYear, by: User) -> AcademicYear:
    """Make the year the current one; every other year stops being current."""
    AcademicYear.objects.exclude(pk=year.pk).filter(is_current=True).update(
        is_current=False
    )
    year.is_current = True
    year.save(update_fields=["is_current"])
    return year


@transaction.atomic
def user_save(
    *,
    person: User,
    schools: Iterable[School],
    by: User,
    password: str | None = None,
) -> User:
    """
    Create or change a person and their scope.

    An analyst only grants roles and schools inside their own scope; schools of
    the person that lie outside the analyst's scope are kept as they were.
    """
    if person.role not in assignable_roles(by):
        raise ValidationError({"role": "Вы не можете назначить эту роль."})
    if person.pk == by.pk and not person.is_active:
        raise ValidationError("Нельзя отключить собственную учётную запись.")
    chosen = {s.pk for s in schools}
    kept: set[int] = set()
    if person.pk is not None:
        kept = set(
            person.schools.exclude(
                pk__in=schools_visible_to(by).values("pk")
            ).values_list("pk", flat=True)
        )
    if person.role == User.Role.OPERATOR and not (chosen | kept):
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
    person.save()
    person.schools.set(chosen | kept if person.role == User.Role.OPERATOR else [])
    return person


def user_invite(*, person: User, base_url: str) -> None:
    """E-mail the person a link to set their own password."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    link = base_url + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    body = (
        f"Здравствуйте, {person.display_name}!\n\n"
        "Для вас создана учётная запись на портале мониторинга качества образования.\n"
        f"Логин: {person.username}\n"
        f"Роль: {person.get_role_display()} ({person.scope_label})\n\n"
        f"Чтобы задать пароль и войти, откройте ссылку:\n{link}\n\n"
        "Если вы не ждали этого письма, просто проигнорируйте его."
    )
    send_mail(
        "Приглашение на портал мониторинга качества образования",
        body,
        None,
        [person.email],
    )
