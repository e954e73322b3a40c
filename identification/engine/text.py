"""Russian wording of numbers and procedures for the explanations."""

from __future__ import annotations

from schools import formatting


def year_name(start: int) -> str:
    return f"{start}/{start + 1}"


def num(value: float | int | None, places: int = 1) -> str:
    """Return «34,3» (Russian decimal comma); whole numbers without decimals."""
    return formatting.number(value, places)


def pct(value: float | None, places: int = 1) -> str:
    """Return «34,3 %» for 34.29."""
    return formatting.percent(value, places)


def share(part: int, whole: int) -> str:
    return formatting.share(part, whole)


def procedure_label(procedure: str, subject: str, grade: int, level: str = "") -> str:
    """Return «ВПР, математика, 5 класс» / «ЕГЭ, математика (профильный уровень)»."""
    if procedure == "ЕГЭ":
        return f"ЕГЭ, {subject}" + (f" ({level} уровень)" if level else "")
    if procedure == "ОГЭ":
        return f"ОГЭ, {subject}"
    return f"{procedure}, {subject}, {grade} класс"


def count_ru(n: int, forms: str) -> str:
    """Return «2 процедуры»: the number and its word form (schools.formatting.plural)."""
    return f"{formatting.integer(n)} {formatting.plural(n, forms)}"
