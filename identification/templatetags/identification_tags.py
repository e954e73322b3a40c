"""Status badges and criterion cells, rendered in Python: a dashboard page has hundreds of them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from schools.templatetags.portal import ru_number

from ..columns import STATE_LABELS

register = template.Library()

BADGES = {
    "ШНОР и ШНСУ": "text-bg-danger",
    "ШНОР": "text-bg-danger",
    "ШНСУ": "text-bg-warning",
    "нет данных": "text-bg-secondary",
    "нет": "text-bg-success",
}
MARKS = {
    "flagged": (
        '<span class="text-danger fw-bold" aria-hidden="true">●</span>',
        "text-danger",
    ),
    "not_flagged": (
        '<span class="text-success" aria-hidden="true">○</span>',
        "text-muted",
    ),
    "no_data": ('<span class="text-muted" aria-hidden="true">?</span>', "text-muted"),
    "not_applicable": (
        '<span class="text-muted" aria-hidden="true">—</span>',
        "text-muted",
    ),
    # Known value, not ranked: the group is smaller than the methodology's minimum.
    "too_few": ('<span class="text-muted" aria-hidden="true">≈</span>', "text-muted"),
}


STATE_BADGES = {
    "flagged": "text-bg-danger",
    "not_flagged": "text-bg-success",
    "no_data": "text-bg-secondary",
    "not_applicable": "text-bg-light border",
    "too_few": "text-bg-light border",
}


@register.filter
def state_badge(state: str) -> SafeString:
    """A criterion's state as a badge: «отмечен», «нет данных», «мало школ для сравнения»…"""
    return format_html(
        '<span class="badge {}">{}</span>',
        STATE_BADGES.get(state, "text-bg-light border"),
        STATE_LABELS.get(state, state),
    )


@register.filter
def status_badge(status: str) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGES.get(status, "text-bg-light"),
        status or "—",
    )


@register.filter
def criterion_cell(item: Any) -> SafeString:
    """● / ○ / ? / — with the value; the title tells the state, value, threshold and rank."""
    if item is None:
        return format_html('<span class="text-muted">·</span>')
    label = STATE_LABELS.get(item.state, item.state)
    title = [label]
    if item.value is not None:
        title.append(f"значение {ru_number(item.value, 2)}")
    if item.threshold is not None:
        title.append(f"порог {ru_number(item.threshold, 2)}")
    if item.rank:
        title.append(f"место {item.rank} снизу")
    mark, tone = MARKS.get(item.state, MARKS["no_data"])
    value = (
        format_html(' <span class="small {}">{}</span>', tone, ru_number(item.value, 1))
        if item.value is not None
        else ""
    )
    # A title needs a mouse; data-tip shows the same on a tap (static/js/portal.js).
    return format_html(
        '<span class="cell-tip" role="button" tabindex="0" title="{0}" data-tip="{0}">'
        '{1}<span class="visually-hidden">{2}</span>{3}</span>',
        "; ".join(title),
        SafeString(mark),
        label,
        value,
    )
