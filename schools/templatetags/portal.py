"""Template helpers shared by every page: Russian plurals, numbers and shares on small bases."""

from typing import Any

from django import template
from django.utils.html import format_html

from schools import formatting
from schools.access import may_see_small_shares
from schools.formatting import plural as plural_ru

register = template.Library()


register.filter("pluralize_ru", plural_ru)


@register.filter
def yesno_ru(value: object) -> object:
    """Show booleans as «да»/«нет» and empty values as «—»; pass others through."""
    if value is True:
        return "да"
    if value is False:
        return "нет"
    if value in (None, ""):
        return "—"
    return value


SMALL_BASE = 10


def ru_number(value: float, places: int = 1) -> str:
    """Return «34,3» (Russian decimal comma, minus sign): schools.formatting.number."""
    return formatting.number(value, places)


@register.simple_tag(takes_context=True)
def share(context: dict[str, Any], part: Any, whole: Any, school: Any = None) -> str:
    """
    Show a share «34,3 %»; on fewer than 10 pupils with its base «3 из 5 (60 %)» and a
    «малая выборка» mark, or hidden from operators of other schools when the
    school's municipality asks for it.
    """
    if part is None or whole in (None, 0):
        return "—"
    value = 100 * float(part) / float(whole)
    if float(whole) >= SMALL_BASE:
        return f"{ru_number(value)} %"
    request = context.get("request")
    if (
        school is not None
        and request is not None
        and not may_see_small_shares(request.user, school)
    ):
        return format_html(
            '<span class="text-muted" title="Доля на выборке меньше {} человек скрыта по решению муниципалитета">скрыто</span>',
            SMALL_BASE,
        )
    return format_html(
        '{} из {} ({} %) <span class="badge text-bg-light border" title="Меньше {} человек: доля неустойчива">малая выборка</span>',
        ru_number(float(part), 0),
        ru_number(float(whole), 0),
        ru_number(value),
        SMALL_BASE,
    )


@register.filter
def ru_num_abs(value: Any, places: int = 1) -> str:
    """«0,26» for −0,26: after «снизился на», the sign is in the words."""
    if value in (None, ""):
        return "—"
    return ru_number(abs(float(value)), int(places))


@register.filter
def ru_num(value: Any, places: int = 1) -> str:
    """«34,3»; «—» for empty values."""
    if value in (None, ""):
        return "—"
    return ru_number(float(value), int(places))


@register.inclusion_tag("workflow/_actions.html", takes_context=True)
def workflow_actions(context: dict[str, Any], obj: Any) -> dict[str, Any]:
    """The buttons of exactly the actions the person may take on `obj` now."""
    from schools.workflow import REGISTRY

    workflow = REGISTRY[type(obj)]
    user = context["request"].user
    return {
        "obj": obj,
        "actions": [
            {"transition": t, "url": workflow.url_name(t)}
            for t in workflow.available(user, obj)
        ],
        "csrf_token": context.get("csrf_token"),
    }
