"""
Who sees and changes roadmaps, built on schools.access.

Staff see the roadmaps of their municipalities; analysts (and administrators)
prepare them, the department approves. A school's operator sees the school's
own programme (and edits it while it is a draft) and the items of any roadmap
the school or the person answers for, to which they add execution information.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from schools import access, history

from .models import Evidence, Item, Responsible, Roadmap, TargetIndicator

if TYPE_CHECKING:
    from schools.access import AnyUser


def _duty_q(user: AnyUser, prefix: str = "") -> Q:
    """Items the operator answers for: as a person, or through one of their schools."""
    schools = access.schools_visible_to(user).values("pk")
    return Q(**{f"{prefix}responsible__user": user}) | Q(
        **{f"{prefix}responsible__school__in": schools}
    )


def duties_of(user: AnyUser) -> Q | None:
    """
    The items the person answers for: named in person, through their school,
    or as МИМЦ (analysts) or the department (approvers). None: no duties.
    """
    role = access.role_of(user)
    if role == access.Role.OPERATOR:
        return _duty_q(user)
    body = {
        access.Role.ANALYST: Responsible.Kind.MIMC,
        access.Role.APPROVER: Responsible.Kind.DEPARTMENT,
    }.get(role)
    if body is None:
        return None
    return Q(responsible__user=user) | Q(responsible__kind=body)


def roadmaps_visible_to(user: AnyUser) -> QuerySet[Roadmap]:
    if access.is_staff(user):
        return Roadmap.objects.filter(
            municipality__in=access.municipalities_visible_to(user).values("pk")
        )
    if access.role_of(user) != access.Role.OPERATOR:
        return Roadmap.objects.none()
    own = Q(
        level=Roadmap.Level.SCHOOL,
        school__in=access.schools_visible_to(user).values("pk"),
    )
    duties = Q(pk__in=Item.objects.filter(_duty_q(user)).values("roadmap_id"))
    return Roadmap.objects.filter(own | duties)


def items_visible_to(user: AnyUser, roadmap: Roadmap | None = None) -> QuerySet[Item]:
    """All items of the visible roadmaps for staff and for a school's own programme; elsewhere only the operator's duties."""
    items = Item.objects.all() if roadmap is None else roadmap.items.all()
    if access.is_staff(user):
        return items.filter(roadmap__in=roadmaps_visible_to(user).values("pk"))
    own = Q(
        roadmap__level=Roadmap.Level.SCHOOL,
        roadmap__school__in=access.schools_visible_to(user).values("pk"),
    )
    return items.filter(own | Q(pk__in=Item.objects.filter(_duty_q(user)).values("pk")))


def sees_only_duties(user: AnyUser, roadmap: Roadmap) -> bool:
    """A school's operator sees of a municipal roadmap only the items it answers for."""
    return not access.is_staff(user) and roadmap.level == Roadmap.Level.MUNICIPAL


def revisions_visible_to(user: AnyUser, roadmap: Roadmap) -> list[history.Revision]:
    """
    The recorded changes of an approved roadmap that the person may read: those
    of the items they see, and those of the roadmap as a whole (its indicators).
    """
    items = Item.history.filter(
        roadmap_id=roadmap.pk, id__in=items_visible_to(user, roadmap).values("pk")
    )
    return history.revisions(
        (items, lambda record: f"мероприятие {record.number}"),
        (
            TargetIndicator.history.filter(roadmap_id=roadmap.pk),
            lambda record: f"целевой показатель «{record.title}»",
        ),
        (roadmap.history.all(), lambda record: ""),
    )


def get_roadmap_for_user(user: AnyUser, pk: int) -> Roadmap:
    try:
        return (
            roadmaps_visible_to(user)
            .select_related("municipality", "school", "year")
            .get(pk=pk)
        )
    except Roadmap.DoesNotExist:
        raise Http404("Дорожная карта не найдена.") from None


def get_item_for_user(user: AnyUser, pk: int) -> Item:
    try:
        return (
            items_visible_to(user)
            .select_related("roadmap__municipality", "roadmap__school", "roadmap__year")
            .get(pk=pk)
        )
    except Item.DoesNotExist:
        raise Http404("Мероприятие не найдено.") from None


def get_evidence_for_user(user: AnyUser, pk: int) -> Evidence:
    """Return evidence of an item the person may see; 404 otherwise."""
    try:
        return Evidence.objects.select_related("item").get(
            pk=pk, item__in=items_visible_to(user).values("pk")
        )
    except Evidence.DoesNotExist:
        raise Http404("Подтверждение не найдено.") from None


def can_prepare(user: AnyUser, roadmap: Roadmap) -> bool:
    """Analysts prepare any roadmap of their scope; a school's operator its own programme."""
    if access.manages(user):
        return access.manages_municipality(user, roadmap.municipality_id)
    if access.is_operator(user) and roadmap.level == Roadmap.Level.SCHOOL:
        return access.schools_visible_to(user).filter(pk=roadmap.school_id).exists()
    return False


def can_edit_items(user: AnyUser, roadmap: Roadmap) -> bool:
    """A draft is edited by whoever prepares it; an approved roadmap only by staff, through a revision."""
    if roadmap.status == Roadmap.Status.CLOSED:
        return False
    if roadmap.is_locked:
        return (
            access.is_staff(user)
            and (
                access.is_analyst(user)
                or access.is_administrator(user)
                or access.is_approver(user)
            )
            and access.municipalities_visible_to(user)
            .filter(pk=roadmap.municipality_id)
            .exists()
        )
    return roadmap.status == Roadmap.Status.DRAFT and can_prepare(user, roadmap)


def can_approve(user: AnyUser, roadmap: Roadmap) -> bool:
    return (
        access.is_approver(user) or access.is_administrator(user)
    ) and access.municipalities_visible_to(user).filter(
        pk=roadmap.municipality_id
    ).exists()


def can_report(user: AnyUser, item: Item) -> bool:
    """Execution information: the item's responsible (school operators, the person), or staff of the municipality."""
    if access.is_staff(user):
        return items_visible_to(user).filter(pk=item.pk).exists()
    return items_visible_to(user).filter(pk=item.pk).exists() and (
        Item.objects.filter(_duty_q(user), pk=item.pk).exists()
        or (
            item.roadmap.level == Roadmap.Level.SCHOOL
            and access.schools_visible_to(user)
            .filter(pk=item.roadmap.school_id)
            .exists()
        )
    )
