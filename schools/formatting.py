"""
Numbers as Russian documents write them, for pages, exports and messages alike:
digits grouped by a no-break space (1 048 576), a decimal comma, a true minus.
"""

from __future__ import annotations

NBSP = "\xa0"


def integer(value: int) -> str:
    """Return «1 048 576» (groups joined by a no-break space, as Django's ru locale)."""
    return f"{int(value):,}".replace(",", NBSP).replace("-", "−")


def megabytes(size: int) -> str:
    """Return a size in bytes as whole megabytes: «300 МБ»."""
    return f"{integer(round(size / 1024 / 1024))}{NBSP}МБ"


def plural(n: int, forms: str) -> str:
    """Return the Russian word form for `n` from "одна,две,пять" (школа,школы,школ)."""
    one, few, many = (f.strip() for f in forms.split(","))
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, forms: str) -> str:
    """Return «21 школа», «1 048 576 строк»: the number and its word form."""
    return f"{integer(n)}{NBSP}{plural(n, forms)}"
