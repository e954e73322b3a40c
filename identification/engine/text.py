"""Russian wording of numbers and procedures for the explanations."""

from __future__ import annotations


def year_name(start: int) -> str:
    return f"{start}/{start + 1}"


def num(value: float | int | None, places: int = 1) -> str:
    """Return «34,3» (Russian decimal comma); integers without decimals."""
    if value is None or value != value:  # None or NaN
        return "—"
    if places <= 1 and value % 1 == 0:
        text = str(int(value))
    else:
        text = f"{value:.{places}f}".replace(".", ",")
    return text.replace("-", "−") if value < 0 else text


def pct(value: float | None, places: int = 1) -> str:
    """Return «34,3 %» for 34.29."""
    return f"{num(value, places)} %" if value is not None else "—"


def share(part: int, whole: int) -> str:
    return pct(100 * part / whole) if whole else "—"


def procedure_label(procedure: str, subject: str, grade: int, level: str = "") -> str:
    """Return «ВПР, математика, 5 класс» / «ЕГЭ, математика (профильный уровень)»."""
    if procedure == "ЕГЭ":
        return f"ЕГЭ, {subject}" + (f" ({level} уровень)" if level else "")
    if procedure == "ОГЭ":
        return f"ОГЭ, {subject}"
    return f"{procedure}, {subject}, {grade} класс"


def count_ru(n: int, forms: str) -> str:
    one, few, many = forms.split(",")
    n_abs = abs(n)
    if n_abs % 10 == 1 and n_abs % 100 != 11:
        word = one
    elif 2 <= n_abs % 10 <= 4 and not 12 <= n_abs % 100 <= 14:
        word = few
    else:
        word = many
    return f"{n} {word}"
