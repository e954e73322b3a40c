"""
Numbers as Russian documents write them, for pages, exports, messages and the
engine's explanations alike: digits grouped by a no-break space (1 048 576), a
decimal comma, a true minus, never «−0». A share or mark rounded to one place
drops a «,0» («30 %», whether the value was 30 or 30,04); indices keep their
places («0,50»). static/js/portal.js `portalFormat` applies the same rules live.
Pure Python: the identification engine uses it without Django.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\xa0"
MINUS = "−"


def rounded_half_up(value: float, places: int) -> float:
    """
    Round as people and spreadsheets do, half away from zero on the number as
    written (12,25 → 12,3; 0,285 → 0,29), not Python's half-to-even on the
    binary value; never −0.
    """
    written = Decimal(repr(float(value)))
    exact = written.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0  # + 0.0 turns −0.0 into 0.0


def number(value: float | int | Decimal | None, places: int = 1) -> str:
    """Return «34,3», «30», «−0,79», «1 048 576»; «—» for a missing value."""
    if value is None:
        return "—"
    as_float = float(value)
    if as_float != as_float:  # NaN
        return "—"
    rounded = rounded_half_up(as_float, places)
    shown = 0 if places <= 1 and rounded.is_integer() else max(places, 0)
    text = f"{abs(rounded):,.{shown}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if rounded < 0 else "") + text


def percent(value: float | int | Decimal | None, places: int = 1) -> str:
    """Return «34,3 %»; «—» for a missing value."""
    return "—" if value is None else f"{number(value, places)} %"


def share(part: float | int, whole: float | int, places: int = 1) -> str:
    """Return the share of a whole as «33,3 %»; «—» for an empty whole."""
    return percent(100 * part / whole, places) if whole else "—"


def change(before: float, after: float, places: int = 1) -> float:
    """
    The difference of two values as they are shown (each rounded first): beside
    «23,5 → 23,1» the change is −0,4, not the raw −0,48 rounded to −0,5.
    """
    return rounded_half_up(
        rounded_half_up(after, places) - rounded_half_up(before, places), places
    )


def integer(value: int) -> str:
    """Return «1 048 576» (groups joined by a no-break space, as Django's ru locale)."""
    return f"{int(value):,}".replace(",", NBSP).replace("-", "−")


def day(value: dt.date) -> str:
    """Return a date as «05.10.2021» (a datetime's own day: make an aware one local first)."""
    return f"{value:%d.%m.%Y}"


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
