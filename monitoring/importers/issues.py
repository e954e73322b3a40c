"""The findings of an import, with everything a person needs to fix the file."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .cells import text


@dataclass(frozen=True)
class Issue:
    """An error (nothing is written) or a warning (shown, the import may go on)."""

    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as Excel shows it
    column: str = ""
    value: Any = None
    warning: bool = False

    def text(self) -> str:
        """Return «Лист "Результаты", строка 47, столбец "«2»": 12 больше …»."""
        where = []
        if self.sheet:
            where.append(f'Лист "{self.sheet}"')
        if self.row:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f'столбец "{self.column}"')
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = text(self.value)
        return data


class IssueList(list):
    """Issues collected while reading; `add` keeps call sites short."""

    def add(
        self,
        message: str,
        *,
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        value: Any = None,
        warning: bool = False,
    ) -> None:
        self.append(Issue(message, sheet, row, column, value, warning))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self if not i.warning]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self if i.warning]
