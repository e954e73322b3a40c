"""The home-page panel of monitoring: open campaigns, days left, report states."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from schools import access
from schools.home import Panel

from . import permissions, selectors


def campaigns_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if access.role_of(user) is None:
        return None
    return Panel(
        "monitoring/_home_panel.html",
        {
            "open_campaigns": selectors.home_campaigns(user=user),
            "can_manage_campaigns": permissions.can_manage_campaigns(user),
            "is_operator": access.is_operator(user),
        },
        order=10,
    )


def nav_item(user) -> tuple[str, str, str] | None:
    role = access.role_of(user)
    if role is None:
        return None
    label = "Отчёты" if role == access.Role.OPERATOR else "Сбор данных"
    return (label, reverse("monitoring:index"), "clipboard-data")
