"""Status badges and lookups for the monitoring pages."""

from django import template
from django.utils.html import format_html

register = template.Library()

BADGES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "accepted": "text-bg-success",
    "returned": "text-bg-warning",
}


@register.simple_tag
def status_badge(report):
    """Render a report's state; overdue drafts are red, empty drafts say «не начат»."""
    if report is None:
        return format_html('<span class="text-muted">—</span>')
    label = "возвращён" if report.status == "returned" else report.get_status_display()
    if report.status == "draft" and not report.version:
        label = "не начат"
    css = BADGES.get(report.status, "text-bg-light")
    if getattr(report, "overdue", False):
        css, label = "text-bg-danger", f"{label}, просрочен"
    elif getattr(report, "late", False):
        return format_html(
            '<span class="badge {}">{} <i class="bi bi-clock-history" title="сдан после срока" '
            'aria-label="сдан после срока"></i></span>',
            css,
            label,
        )
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.filter
def get_item(mapping, key):
    """Return mapping[key], or None when the mapping or the key is missing."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def days_left_ru(days):
    """Return «осталось 5 дней», «сегодня последний день» or «просрочено на 2 дня»."""
    from schools.templatetags.portal import plural_ru

    if days is None:
        return ""
    if days > 0:
        return f"осталось {days} {plural_ru(days, 'день,дня,дней')}"
    if days == 0:
        return "сегодня последний день"
    return f"срок прошёл {-days} {plural_ru(-days, 'день,дня,дней')} назад"


@register.filter
def split_words(value):
    return value.split()


@register.filter
def field_errors(form, name):
    """Return the errors of a form field by name (empty when there are none)."""
    return form.errors.get(name, [])


def problems_id(row_form):
    """The id of the line under a result row that lists the row's problems."""
    return f"{row_form.prefix}-problems"


@register.simple_tag
def row_field(row_form, field):
    """
    Render a result row's input, outlined when it has an error (red) or a
    warning (yellow) and pointing at the line under the row that says what.
    """
    css = field.field.widget.attrs.get("class", "")
    if field.errors:
        attrs = {"class": f"{css} is-invalid", "aria-invalid": "true"}
    elif (getattr(row_form, "warnings", None) or {}).get(field.name):
        attrs = {"class": f"{css} border-warning"}
    else:
        return field.as_widget()
    return field.as_widget(attrs={**attrs, "aria-describedby": problems_id(row_form)})


@register.simple_tag
def row_problems(row_form):
    """
    Return a result row's problems as (label, message, is_warning), field by
    field in the row's order, then those of the whole row (label None).
    """
    warned = getattr(row_form, "warnings", None) or {}

    def named(label, message):
        # «Понизили + подтвердили + … = 18, …» names its field already.
        return None if message.startswith(str(label)) else label

    problems = [
        (named(field.label, message), message, False)
        for field in row_form
        for message in field.errors
    ]
    problems += [
        (named(field.label, message), message, True)
        for field in row_form
        for message in warned.get(field.name, [])
    ]
    problems += [(None, message, False) for message in row_form.non_field_errors()]
    problems += [
        (None, message, True)
        for name, messages in warned.items()
        if name not in row_form.fields
        for message in messages
    ]
    return problems
