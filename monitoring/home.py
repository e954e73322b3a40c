"""The home-page panel of monitoring (open campaigns, days left, report states), its menu item and the registry card's link to the school's reports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from schools import access
from schools.home import Panel

from . import permissions, selectors

# A region's analyst has an open campaign in each of its ~100 municipalities:
# the home page shows the nearest deadlines and totals, the list page the rest.
HOME_CAMPAIGNS = 5


def campaigns_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if access.role_of(user) is None:
        return None
    is_operator = access.is_operator(user)
    # Staff see counts only; an operator sees each of the school's reports.
    campaigns = selectors.home_campaigns(
        user=user,
        limit=None if is_operator else HOME_CAMPAIGNS,
        with_reports=is_operator,
    )
    return Panel(
        "monitoring/_home_panel.html",
        {
            "open_campaigns": campaigns.shown,
            "more_campaigns": campaigns.hidden,
            "totals": campaigns.totals,
            "can_manage_campaigns": permissions.can_manage_campaigns(user),
            "is_operator": is_operator,
        },
        order=10,
    )


def nav_item(user) -> tuple[str, str, str] | None:
    role = access.role_of(user)
    if role is None:
        return None
    label = "Отчёты" if role == access.Role.OPERATOR else "Сбор данных"
    return (label, reverse("monitoring:index"), "clipboard-data")


def related_pages(school: Any, user: Any) -> list[tuple[str, str, str]]:
    """The registry card's link to the school's reports, when it has any the person sees."""
    if not permissions.reports_visible_to(user).filter(school=school).exists():
        return []
    return [
        (
            "Отчёты школы",
            f"{reverse('monitoring:index')}?school={school.pk}",
            "clipboard-data",
        )
    ]
