"""
Finding the registry's school for a row: by ФИС ОКО login, ОГЭ/ЕГЭ code or ИНН.

Never by name: a row that matches no school, or several, is an error that lists
the likely candidates so that a person can fix the file.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from schools.access import is_administrator, regions_visible_to, schools_visible_to
from schools.models import SCHOOL_CODE_RE, School, normalize_school_code

LOGIN_IN_TEXT = re.compile(r"\b((?:sch|edu|ksh)\d{6,8})\b", re.IGNORECASE)


class NoMatch(Exception):
    """The row names no school of the registry (or several); the message says which."""


@dataclass
class SchoolRef:
    """A school as the import sees it: registered, or new from the package's «Школы»."""

    pk: int  # negative for schools the same import creates
    code: str
    name: str
    municipality_id: int | None = None


@dataclass
class SchoolMatcher:
    """Index of the registry for one import, limited to what the person may import."""

    user: object | None  # None: the command line, which may touch every school
    schools: dict[str, SchoolRef] = field(default_factory=dict)
    by_code: dict[tuple[str, str], list[SchoolRef]] = field(
        default_factory=lambda: defaultdict(list)
    )
    allowed: set[int] | None = None
    region_codes: set[str] = field(default_factory=set)
    _new: int = 0

    @classmethod
    def build(cls, user: object | None) -> SchoolMatcher:
        matcher = cls(user=user)
        rows = School.objects.values_list(
            "pk", "code", "short_name", "inn", "oge_code", "ege_code", "municipality_id"
        )
        for pk, code, name, inn, oge, ege, municipality_id in rows:
            ref = SchoolRef(pk, code, name, municipality_id)
            matcher.schools[code] = ref
            for kind, value in (("inn", inn), ("oge", oge), ("ege", ege)):
                if value:
                    matcher.by_code[(kind, value.strip().lower())].append(ref)
        if user is not None and not is_administrator(user):
            matcher.allowed = set(schools_visible_to(user).values_list("pk", flat=True))
            matcher.region_codes = set(
                regions_visible_to(user).values_list("code", flat=True)
            )
        return matcher

    def add_new(self, code: str, name: str) -> SchoolRef:
        """Register a school that the same package creates (sheet «Школы»)."""
        self._new -= 1
        ref = SchoolRef(self._new, code, name)
        self.schools[code] = ref
        return ref

    def candidates(self, name: str, limit: int = 3) -> str:
        """Return «кандидаты: …» with the closest registry names, for a helpful error."""
        if not name:
            return ""
        pool = {
            ref.name.lower(): ref for ref in self.schools.values() if self._may(ref)
        }
        close = difflib.get_close_matches(name.lower(), list(pool), n=limit, cutoff=0.5)
        if not close:
            return ""
        return (
            " Похожие школы в реестре: "
            + "; ".join(f"{pool[c].name} ({pool[c].code})" for c in close)
            + "."
        )

    def _may(self, ref: SchoolRef) -> bool:
        return self.allowed is None or ref.pk < 0 or ref.pk in self.allowed

    def _checked(self, ref: SchoolRef) -> SchoolRef:
        if not self._may(ref):
            raise NoMatch(
                f"школа {ref.name} ({ref.code}) не относится к вашему муниципалитету — её данные загружает её МИМЦ"
            )
        return ref

    def login(self, raw: str, *, name: str = "") -> SchoolRef:
        """Return the school of a ФИС ОКО login (`edu…` is the same as `sch…`)."""
        value = (raw or "").strip()
        found = LOGIN_IN_TEXT.search(value)
        if not found or not SCHOOL_CODE_RE.match(found.group(1).lower()):
            raise NoMatch(
                f"«{value}» — не логин ФИС ОКО (ожидается sch, edu или ksh и 6–8 цифр)"
            )
        code = normalize_school_code(found.group(1))
        region = code[3:5]
        if self.region_codes and region not in self.region_codes:
            raise NoMatch(
                f"логин {code} относится к региону {region}, а ваши школы — к региону "
                f"{', '.join(sorted(self.region_codes))}; данные другого региона не загружаются"
            )
        ref = self.schools.get(code)
        if ref is None:
            raise NoMatch(
                f"школы с логином {code} нет в реестре.{self.candidates(name)}"
            )
        return self._checked(ref)

    def code(self, raw: str, *, name: str = "") -> SchoolRef:
        """Return the school of any identifier: login, ОГЭ/ЕГЭ code or ИНН."""
        value = (raw or "").strip().lower()
        if not value:
            raise NoMatch(f"не указан код школы.{self.candidates(name)}")
        if LOGIN_IN_TEXT.search(value):
            return self.login(value, name=name)
        kinds = (
            ("inn", "ege", "oge")
            if len(value) == 10 and value.isdigit()
            else ("ege", "oge", "inn")
        )
        found: dict[int, SchoolRef] = {}
        for kind in kinds:
            for ref in self.by_code.get((kind, value), []):
                found[ref.pk] = ref
        if not found:
            raise NoMatch(
                f"школы с кодом «{raw}» (логин, код ЕГЭ/ОГЭ или ИНН) нет в реестре.{self.candidates(name)}"
            )
        if len(found) > 1:
            listed = "; ".join(f"{r.name} ({r.code})" for r in found.values())
            raise NoMatch(
                f"код «{raw}» есть у нескольких школ: {listed} — укажите логин ФИС ОКО"
            )
        return self._checked(next(iter(found.values())))
