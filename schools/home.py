"""
Panels of the home page contributed by other apps.

The registry keeps the dependency direction of the architecture: schools knows
nothing of monitoring or identification; those apps register a panel in their
AppConfig.ready(), and the home view renders whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]
    order: int = 100


PanelProvider = Callable[[HttpRequest], Panel | None]
_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    """Register a function that returns the request's panel (or None)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request: HttpRequest) -> list[Panel]:
    """Return the panels to show this person, in their order."""
    panels = [
        p for p in (provider(request) for provider in _providers) if p is not None
    ]
    return sorted(panels, key=lambda p: p.order)


def _register(registry: list[tuple[int, Any]], provider: Any, order: int) -> None:
    """Add a provider once, keeping the registry in `order`."""
    if all(p is not provider for _, p in registry):
        registry.append((order, provider))
        registry.sort(key=lambda item: item[0])


NavProvider = Callable[[Any], "tuple[str, str, str] | None"]
_nav: list[tuple[int, NavProvider]] = []


def register_nav_item(provider: NavProvider, *, order: int = 100) -> NavProvider:
    """Register a function returning a menu item (label, url, icon) for a person, or None."""
    _register(_nav, provider, order)
    return provider


def nav_items_for(user: Any) -> list[tuple[str, str, str]]:
    return [item for item in (p(user) for _, p in _nav) if item is not None]


# Links to a school's pages in other apps, (school, user) → (label, url, icon):
# on its profile, and on its registry card.
SchoolLinkProvider = Callable[[Any, Any], "list[tuple[str, str, str]]"]
_school_links: list[tuple[int, SchoolLinkProvider]] = []
_related_pages: list[tuple[int, SchoolLinkProvider]] = []


def register_school_links(provider: SchoolLinkProvider) -> SchoolLinkProvider:
    """Register a function (school, user) → links (label, url, icon) shown on the school's profile."""
    _register(_school_links, provider, 100)
    return provider


def school_links_for(school: Any, user: Any) -> list[tuple[str, str, str]]:
    return [link for _, provider in _school_links for link in provider(school, user)]


def register_related_pages(
    provider: SchoolLinkProvider, *, order: int = 100
) -> SchoolLinkProvider:
    """
    Register a function (school, user) → links (label, url, icon) to the school's
    pages in another app, shown on its registry card in `order`. It is called
    only for a school the person sees, makes a bounded number of queries, and
    returns a link only to a page that exists and that the person may open
    (asking the app's permissions.py).
    """
    _register(_related_pages, provider, order)
    return provider


def related_pages_for(school: Any, user: Any) -> list[tuple[str, str, str]]:
    return [link for _, provider in _related_pages for link in provider(school, user)]
