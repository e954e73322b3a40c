"""What an importer hands to the plan: each school's report as the file has it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from schools.models import AcademicYear

from ..models import Subject
from .cells import CellError, norm_header
from .issues import IssueList
from .matching import NoMatch, SchoolMatcher, SchoolRef


@dataclass(frozen=True)
class Source:
    sheet: str
    row: int


@dataclass
class ReportRecord:
    """The figures one file gives for one school's report of one year."""

    school: SchoolRef
    year: int  # start year: 2020 for 2020/2021
    kind: str
    values: dict[str, Any] | None = None
    source: Source | None = None
    rows: dict[tuple, tuple[dict[str, Any], Source]] = field(default_factory=dict)
    comparisons: dict[tuple, tuple[dict[str, Any], Source]] = field(
        default_factory=dict
    )


@dataclass
class SchoolRecord:
    """A school card from the package's «Школы» sheet."""

    ref: SchoolRef
    data: dict[str, Any]
    source: Source


@dataclass
class Parsed:
    """Everything read from one file."""

    issues: IssueList = field(default_factory=IssueList)
    records: dict[tuple, ReportRecord] = field(default_factory=dict)
    schools: list[SchoolRecord] = field(default_factory=list)
    regional_means: dict[tuple, tuple[dict[str, Any], Source]] = field(
        default_factory=dict
    )
    rows_read: int = 0

    def record(self, school: SchoolRef, year: int, kind: str) -> ReportRecord:
        key = (school.pk, year, kind)
        if key not in self.records:
            self.records[key] = ReportRecord(school=school, year=year, kind=kind)
        return self.records[key]


def parse_year(value: Any) -> int:
    """Return the start year of «2020/2021»; raise CellError otherwise."""
    raw = norm_header(value).replace(" ", "")
    match = re.fullmatch(r"(\d{4})[/-](\d{4})", raw)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise CellError("учебный год пишется так: 2020/2021")
    return int(match[1])


def year_exists(start: int) -> bool:
    return AcademicYear.objects.filter(start_year=start).exists()


# Subject names as real files write them → the dictionary's names.
SUBJECT_SYNONYMS = {
    "русский": "русский язык",
    "рус. яз.": "русский язык",
    "рус.яз.": "русский язык",
    "математика (профиль)": "математика",
    "математика профильная": "математика",
    "математика профильного уровня": "математика",
    "математика (база)": "математика",
    "математика базовая": "математика",
    "математика базового уровня": "математика",
    "иностранные языки": "английский язык",
    "английский": "английский язык",
    "информатика и икт": "информатика",
    "информатика и икт (кегэ)": "информатика",
    "икт": "информатика",
    "немецкий": "немецкий язык",
    "французский": "французский язык",
}


class SubjectIndex:
    """Subjects of the dictionary by name, with the spellings of real files."""

    def __init__(self) -> None:
        Subject.objects.ensure_defaults()
        self.by_name = {s.name: s for s in Subject.objects.all()}

    def get(self, raw: Any) -> Subject:
        name = norm_header(raw).removesuffix(", чел.").removesuffix(" чел.").strip(" ,")
        name = SUBJECT_SYNONYMS.get(name, name)
        subject = self.by_name.get(name)
        if subject is None:
            known = ", ".join(sorted(self.by_name))
            raise CellError(f"предмета «{raw}» нет в справочнике (есть: {known})")
        return subject

    @staticmethod
    def level_of(raw: Any) -> str:
        """Return the ЕГЭ maths level a subject header implies («профиль» / «база»)."""
        name = norm_header(raw)
        if "проф" in name:
            return "профильный"
        if "баз" in name:
            return "базовый"
        return ""


def match_school(
    matcher: SchoolMatcher,
    issues: IssueList,
    raw: Any,
    *,
    sheet: str,
    row: int,
    column: str,
    name: str = "",
    login_only: bool = False,
) -> SchoolRef | None:
    """Return the row's school, or record why it matches none and return None."""
    try:
        return (
            matcher.login(str(raw), name=name)
            if login_only
            else matcher.code(str(raw), name=name)
        )
    except NoMatch as error:
        issues.add(str(error), sheet=sheet, row=row, column=column, value=raw)
        return None
