"""Who may see runs and lists, and who may run, decide and approve; built on schools.access."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from schools import access

from .models import IdentificationRun, OfficialList

if TYPE_CHECKING:
    from schools.access import AnyUser


def can_run(user: AnyUser) -> bool:
    """Analysts run identification and edit methodologies."""
    return access.is_analyst(user) or access.is_administrator(user)


def can_approve(user: AnyUser) -> bool:
    return access.is_approver(user) or access.is_administrator(user)


def runs_visible_to(user: AnyUser) -> QuerySet[IdentificationRun]:
    """Runs over the person's municipalities (staff only; operators see their school's profile)."""
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return IdentificationRun.objects.none()
    municipalities = access.municipalities_visible_to(user).values("pk")
    # EXISTS rather than a join: no DISTINCT over runs that span many municipalities.
    covers = IdentificationRun.municipalities.through.objects.filter(
        identificationrun_id=OuterRef("pk"), municipality_id__in=municipalities
    )
    return IdentificationRun.objects.filter(Exists(covers)).select_related(
        "target_year", "version__methodology", "created_by"
    )


def get_run_for_user(
    user: AnyUser, pk: int, *, write: bool = False
) -> IdentificationRun:
    try:
        run = runs_visible_to(user).get(pk=pk)
    except IdentificationRun.DoesNotExist:
        raise Http404("Выявление не найдено.") from None
    if write and not can_run(user):
        raise PermissionDenied("Это действие доступно аналитику МИМЦ.")
    return run


def lists_visible_to(user: AnyUser) -> QuerySet[OfficialList]:
    """Approved lists of the person's municipalities (operators: of their schools' municipalities)."""
    municipalities = access.municipalities_visible_to(user).values("pk")
    return OfficialList.objects.filter(municipality__in=municipalities).select_related(
        "municipality", "year", "approved_by", "run"
    )


def get_list_for_user(user: AnyUser, pk: int) -> Any:
    try:
        return lists_visible_to(user).get(pk=pk)
    except OfficialList.DoesNotExist:
        raise Http404("Список не найден.") from None
