"""Links of partnerships on other apps' pages."""

from __future__ import annotations

from django.urls import reverse

from schools import access


def school_links(school, user) -> list[tuple[str, str, str]]:
    """The profile links to the gradation of the school's municipality (staff)."""
    if access.role_of(user) in (None, access.Role.OPERATOR):
        return []
    return [("Градация школ муниципалитета по уровням результативности", f"{reverse('partnerships:gradation')}?municipality={school.municipality_id}", "bar-chart-steps")]


def nav_item(user) -> tuple[str, str, str] | None:
    if access.role_of(user) is None:
        return None
    return ("Партнёрство", reverse("partnerships:index"), "people-fill")
