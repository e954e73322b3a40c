"""
Periods of roadmap items: the phrases the documents use («октябрь – ноябрь 2020
года», «в течение учебного года», «2021 год», «25.11.2020») turned into start
and end dates, and dates turned back into such a phrase.

Pure. A phrase that does not follow one of the forms below is refused with a
Russian message — never guessed. A month without a year takes the year from
the roadmap's school year (September–December: its first calendar year,
January–August: its second), which is how the documents write it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from dataclasses import dataclass

MONTHS = {
    "январь": 1,
    "января": 1,
    "февраль": 2,
    "февраля": 2,
    "март": 3,
    "марта": 3,
    "апрель": 4,
    "апреля": 4,
    "май": 5,
    "мая": 5,
    "июнь": 6,
    "июня": 6,
    "июль": 7,
    "июля": 7,
    "август": 8,
    "августа": 8,
    "сентябрь": 9,
    "сентября": 9,
    "октябрь": 10,
    "октября": 10,
    "ноябрь": 11,
    "ноября": 11,
    "декабрь": 12,
    "декабря": 12,
}
MONTH_NAMES = [
    "",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
WHOLE_YEAR = {
    "в течение года",
    "в течение учебного года",
    "весь учебный год",
    "в течение всего учебного года",
    "постоянно",
}
DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
MONTH = r"([а-яё]+)(?:\s+(\d{4}))?"


class PeriodError(ValueError):
    """A phrase that is not a period of a known form; the message is for the person."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str


def school_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"\s*[–—‑-]\s*", " – ", text)
    text = re.sub(r"\b(?:учебного|уч\.)\s+года\b", "учебного года", text)
    text = re.sub(r"(\d{4})\s*(?:года|год|г\.?)(?=$|[\s,;–])", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip(" .;")
    return text


def _month(word: str) -> int:
    if word not in MONTHS:
        raise PeriodError(f"«{word}» — не название месяца.")
    return MONTHS[word]


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year_for(month: int, school_year: int | None, phrase: str) -> int:
    if school_year is None:
        raise PeriodError(
            f"В сроке «{phrase}» нет года, а учебный год не известен: укажите год."
        )
    return school_year if month >= 9 else school_year + 1


def _date(day: str, month: str, year: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise PeriodError(f"Даты {day}.{month}.{year} не существует.") from None


def parse(phrase: str, *, school_year: int | None = None) -> Period:
    """
    Return the period of a phrase. Forms: «в течение (учебного) года»; «2021 год»;
    «сентябрь 2020 года»; «октябрь – ноябрь 2020 года»; «декабрь 2020 – апрель 2021»;
    «ноябрь 2020, февраль 2021, апрель 2021» (from the first to the last);
    «25.11.2020»; «до 25.11.2020»; «01.10.2020 – 25.11.2020»; months without a year
    within the roadmap's school year.
    """
    text = _normalise(phrase or "")
    if not text:
        raise PeriodError(
            "Укажите срок: месяц и год, период («октябрь – ноябрь 2020 года») или даты."
        )
    if text in WHOLE_YEAR:
        if school_year is None:
            raise PeriodError(
                f"Срок «{phrase.strip()}» относится к учебному году, а он не известен."
            )
        start, end = school_year_bounds(school_year)
        return Period(start, end, "в течение учебного года")
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year} год")
    if m := re.fullmatch(rf"(?:до\s+)?{DATE}", text):
        day = _date(*m.groups())
        return Period(day, day, label(day, day))
    if m := re.fullmatch(rf"(?:с\s+)?{DATE} (?:–|по) {DATE}", text):
        start, end = _date(*m.groups()[:3]), _date(*m.groups()[3:])
        if end < start:
            raise PeriodError(f"В сроке «{phrase.strip()}» окончание раньше начала.")
        return Period(start, end, label(start, end))
    if m := re.fullmatch(rf"{MONTH} – {MONTH}", text):
        first, first_year, second, second_year = m.groups()
        m1, m2 = _month(first), _month(second)
        y2 = (
            int(second_year)
            if second_year
            else _year_for(m2, school_year, phrase.strip())
        )
        y1 = int(first_year) if first_year else (y2 if m1 <= m2 else y2 - 1)
        start, end = dt.date(y1, m1, 1), _last_day(y2, m2)
        if end < start:
            raise PeriodError(f"В сроке «{phrase.strip()}» окончание раньше начала.")
        return Period(start, end, label(start, end))
    if m := re.fullmatch(MONTH, text):
        month = _month(m.group(1))
        year = (
            int(m.group(2))
            if m.group(2)
            else _year_for(month, school_year, phrase.strip())
        )
        start, end = dt.date(year, month, 1), _last_day(year, month)
        return Period(start, end, label(start, end))
    parts = [p.strip() for p in re.split(r"\s*[,;]\s*", text) if p.strip()]
    if len(parts) > 1 and all(re.fullmatch(MONTH, p) for p in parts):
        months = [parse(p, school_year=school_year) for p in parts]
        if any(b.start < a.start for a, b in itertools.pairwise(months)):
            raise PeriodError(f"В сроке «{phrase.strip()}» месяцы идут не по порядку.")
        return Period(
            months[0].start,
            months[-1].end,
            ", ".join(_month_label(p.start) for p in months[:-1])
            + ", "
            + _month_label(months[-1].start)
            + " года",
        )
    raise PeriodError(
        f"Не удалось разобрать срок «{phrase.strip()}». Напишите месяц и год («сентябрь 2020 года»), "
        "период («октябрь – ноябрь 2020 года»), «в течение учебного года» или даты («25.11.2020»)."
    )


def _month_label(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month]} {day.year}"


def label(start: dt.date, end: dt.date, *, school_year: int | None = None) -> str:
    """The documents' way of writing a period: «октябрь – ноябрь 2020 года», «в течение учебного года», «25.11.2020»."""
    if school_year is not None and (start, end) == school_year_bounds(school_year):
        return "в течение учебного года"
    whole_months = start.day == 1 and end == _last_day(end.year, end.month)
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        return f"{start.year} год"
    if not whole_months:
        return (
            f"{start:%d.%m.%Y}"
            if start == end
            else f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"
        )
    if (start.year, start.month) == (end.year, end.month):
        return f"{MONTH_NAMES[start.month]} {start.year} года"
    if start.year == end.year:
        return f"{MONTH_NAMES[start.month]} – {MONTH_NAMES[end.month]} {end.year} года"
    return f"{MONTH_NAMES[start.month]} {start.year} – {MONTH_NAMES[end.month]} {end.year} года"
