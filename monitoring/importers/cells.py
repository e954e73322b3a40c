"""Reading cell values the way real files write them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Look-alike placeholders for "not attempted" in ВПР task cells (Latin X, Cyrillic Х).
NOT_ATTEMPTED = {"x", "х", "не пройд.", "не пройд", "н/п"}
SPACES = re.compile(r"[\s\u00a0\u202f]+")


class Clear:
    """
    A cell that asks to erase the stored value («—» or «очистить»). An empty
    cell never erases anything: it means "not in this file".
    """

    def __repr__(self) -> str:
        return "CLEAR"

    def __bool__(self) -> bool:
        return False


CLEAR = Clear()
CLEAR_MARKS = {"—", "очистить", "удалить значение"}


def clearing(read: Any) -> Any:
    """Wrap a cell reader so that the clearing mark reads as CLEAR."""

    def read_or_clear(value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in CLEAR_MARKS:
            return CLEAR
        return read(value)

    read_or_clear.reads = read  # type: ignore[attr-defined]
    return read_or_clear


def given(values: dict[str, Any]) -> dict[str, Any]:
    """The values a row sets: CLEAR as None (checks see an empty value)."""
    return {k: (None if v is CLEAR else v) for k, v in values.items()}


class CellError(ValueError):
    """A cell that cannot be read; the message is Russian and ready for the user."""


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def text(value: Any) -> str:
    """Return a cell as trimmed text; numbers written without a trailing ".0"."""
    kind = type(value)
    if kind is str:
        # str.split() splits on every Unicode space (NBSP and the narrow NBSP
        # included) — the same as SPACES, at a fraction of the cost per cell.
        return " ".join(value.split())
    if value is None:
        return ""
    if kind is float:
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    if kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y")
    return SPACES.sub(" ", str(value)).strip()


def norm_header(value: Any) -> str:
    """Return a header for matching: lower case, single spaces, «ё» = «е»."""
    return text(value).lower().replace("ё", "е")


def decimal(value: Any, *, percent: bool = False) -> Decimal | None:
    """
    Return a cell as a Decimal: spaces and NBSP inside numbers, a decimal comma
    and (for percentages) a trailing «%» are accepted; empty is None.
    """
    kind = type(value)
    if kind is float:
        if value != value:  # NaN: an empty cell in a frame
            return None
        number = Decimal(str(value))
        if not number.is_finite():
            raise CellError("ожидается число")
        return number
    if kind is int:
        return Decimal(value)
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError("ожидается число")
    if isinstance(value, int | float):
        return Decimal(str(value))
    raw = SPACES.sub("", str(value))
    if percent or raw.endswith("%"):
        raw = raw.removesuffix("%")
    raw = raw.replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError("ожидается число") from None
    if not number.is_finite():
        raise CellError("ожидается число")
    return number


def integer(value: Any) -> int | None:
    """Return a cell as a whole number ≥ 0 or None; «12,0» is 12, «12,5» is an error."""
    # Whole numbers as the reader gives them skip the Decimal round trip.
    kind = type(value)
    if kind is int:
        return value
    if kind is float and value.is_integer():
        return int(value)
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError("ожидается целое число")
    return int(number)


def score(value: Any) -> Decimal | None:
    """Return a task score; the «not attempted» placeholders (X, Х, не пройд.) are None."""
    if isinstance(value, str) and value.strip().lower() in NOT_ATTEMPTED:
        return None
    try:
        return decimal(value)
    except CellError:
        raise CellError("ожидается балл или «X» (не приступал)") from None


def yes_no(value: Any) -> bool | None:
    raw = norm_header(value)
    if not raw:
        return None
    if raw in {"да", "1", "true"}:
        return True
    if raw in {"нет", "0", "false"}:
        return False
    raise CellError("ожидается «да» или «нет»")


def num(value: Any) -> str:
    """Return a number for a Russian message: «22», «51,5» (no trailing zeros)."""
    if value is None:
        return "пусто"
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f").replace(".", ",")
