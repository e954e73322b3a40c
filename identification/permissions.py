"""Who may see runs and lists, and who may run, decide and approve; built on schools.access."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from schools import access

from .models import IdentificationRun, Methodology, OfficialList

if TYPE_CHECKING:
    from schools.access import AnyUser


def can_run(user: AnyUser) -> bool:
    """Analysts run identification and edit methodologies."""
    return access.manages(user)


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


# Methodologies -----------------------------------------------------------------


def methodologies_visible_to(user: AnyUser) -> QuerySet[Methodology]:
    """
    The presets, and the own methodologies of the person's municipalities and
    of their regions (a region's methodology serves its municipalities).
    """
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return Methodology.objects.none()
    if access.is_administrator(user):
        return Methodology.objects.all()
    municipalities = access.municipalities_visible_to(user).values("pk")
    regions = access.regions_visible_to(user).values("pk")
    return Methodology.objects.filter(
        Q(is_preset=True) | Q(municipality__in=municipalities) | Q(region__in=regions)
    )


def methodologies_editable_by(user: AnyUser) -> QuerySet[Methodology]:
    """
    An own methodology is changed by the analysts of its owner: of its
    municipality (or of that municipality's region), or of its region; presets
    by nobody.
    """
    if not can_run(user):
        return Methodology.objects.none()
    own = Methodology.objects.filter(is_preset=False)
    if access.is_administrator(user):
        return own
    owners = Q(municipality__in=access.municipalities_visible_to(user).values("pk"))
    if user.region_id is not None:
        owners |= Q(municipality__isnull=True, region_id=user.region_id)
    return own.filter(owners)


def can_edit_methodology(user: AnyUser, methodology: Methodology) -> bool:
    """Whether the person may change the methodology (see methodologies_editable_by)."""
    if methodology.is_preset or not can_run(user):
        return False
    if access.is_administrator(user):
        return True
    return methodologies_editable_by(user).filter(pk=methodology.pk).exists()


def get_methodology_for_user(
    user: AnyUser, pk: int, *, write: bool = False
) -> Methodology:
    """Return a visible methodology; 404 outside the scope, 403 if read-only."""
    try:
        methodology = methodologies_visible_to(user).get(pk=pk)
    except Methodology.DoesNotExist:
        raise Http404("Методика не найдена.") from None
    if write and not can_edit_methodology(user, methodology):
        raise PermissionDenied(
            "Готовую методику изменить нельзя, а свою методику меняет МИМЦ, "
            "которому она принадлежит: создайте свою на её основе."
        )
    return methodology


def methodology_owners(user: AnyUser) -> list[tuple[str, str]]:
    """
    Return whom a new methodology of the person may belong to, as choices:
    their municipality; a region-level analyst their region or any of its
    municipalities; an administrator any.
    """
    if not can_run(user):
        return []
    choices = []
    if access.is_administrator(user) or user.region_id:
        for region in access.regions_visible_to(user):
            choices.append((f"region:{region.pk}", f"{region} (весь регион)"))
    for municipality in access.municipalities_visible_to(user):
        choices.append((f"municipality:{municipality.pk}", str(municipality)))
    return choices
