"""The navigation bar: each role sees only what it may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from . import access, inbox
from .home import nav_items_for
from .selectors import current_year


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the menu items of the signed-in person (none for a visitor)."""
    # Context processors run for every template rendered with the request, and
    # the home page renders each panel so: the menu is worked out once.
    menu = getattr(request, "_navigation", None)
    if menu is None:
        menu = request._navigation = _menu(request)  # type: ignore[attr-defined]
    return menu


def _menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or access.role_of(user) is None:
        return {"nav_items": []}
    items = [("Главная", reverse("home"), "house")]
    if access.is_operator(user):
        schools = list(user.schools.values_list("pk", flat=True)[:2])
        if len(schools) == 1:
            items.append(
                (
                    "Моя школа",
                    reverse("schools:school-detail", args=schools),
                    "building",
                )
            )
        else:
            items.append(("Мои школы", reverse("schools:school-list"), "building"))
    else:
        items.append(("Школы", reverse("schools:school-list"), "buildings"))
    items += nav_items_for(user)
    if access.can_manage_users(user):
        items.append(("Пользователи", reverse("schools:user-list"), "people"))
    # The administrator's own pages (school years, Django's admin) are in the
    # user menu: the bar fits a 1366 px screen for every role.
    path = request.path
    return {
        "nav_items": [
            {
                "label": label,
                "url": url,
                "icon": icon,
                "compact": url == "/",
                "active": url == path if url == "/" else path.startswith(url),
            }
            for label, url, icon in items
        ],
        "user_role": access.role_of(user),
        # Called only where the navbar shows it: one query.
        "inbox_count": lambda: inbox.count_for(user),
        "unread_notices": lambda: inbox.unread_for(user),
        "current_year_label": current_year(),
    }
