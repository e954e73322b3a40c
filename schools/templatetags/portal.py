"""Template helpers shared by every page: Russian plurals."""

from django import template

register = template.Library()


def plural_ru(n: int, forms: str) -> str:
    """Return the Russian word form for `n` from "одна,две,пять" (школа,школы,школ)."""
    one, few, many = (f.strip() for f in forms.split(","))
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


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
