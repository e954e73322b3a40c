"""Opening uploaded workbooks safely: format, size, emptiness and personal data."""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import olefile
from django.conf import settings
from python_calamine import CalamineWorkbook

from . import bounds
from .cells import is_empty, norm_header

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted xlsx and old .xls are OLE containers

# Only anonymised codes and aggregates are accepted: headers that name a person,
# a birth date, an address or a СНИЛС mean the file holds personal data.
PERSONAL_HEADERS = re.compile(
    r"\bфио\b|фамили|\bотчеств|\bимя\b|дата рождения|год рождения|снилс|адрес прожив|"
    r"место жительства|паспорт\b(?! школы)|телефон родител"
)
SNILS = re.compile(r"^\d{3}-\d{3}-\d{3}[ -]\d{2}$")


DAMAGED = (
    "Файл повреждён или это не таблица Excel: откройте его в Excel и сохраните "
    "заново как «Книга Excel (.xlsx)»."
)


class FileRejected(Exception):
    """The whole file cannot be read; the message says why, in Russian."""


Range = tuple[int, int, int, int]  # first row, first column, last row, last column


@dataclass
class Workbook:
    """
    Every sheet's rows as the cells hold them (0-based, from A1), and each
    sheet's merged ranges: a merged cell's value stands in its first cell only.
    """

    sheets: dict[str, list[list[Any]]]
    merged: dict[str, list[Range]] = field(default_factory=dict)

    def sheet(self, name: str) -> list[list[Any]] | None:
        """Return a sheet by name, ignoring case, spaces and «ё»."""
        wanted = norm_header(name)
        for title, rows in self.sheets.items():
            if norm_header(title) == wanted:
                return rows
        return None

    def unmerged(self, title: str) -> list[list[Any]]:
        """
        Return the sheet's rows with each merged range's value copied into all
        of its cells (a school's code merged down its rows reads on every row).
        Ranges are clipped to the sheet's data, so a hostile merge of the whole
        sheet costs nothing.
        """
        rows = [list(row) for row in self.sheets[title]]
        height, width = len(rows), max((len(r) for r in rows), default=0)
        for top, left, bottom, right in self.merged.get(title, []):
            if top >= height or left >= width:
                continue
            value = rows[top][left] if left < len(rows[top]) else None
            for r in range(top, min(bottom, height - 1) + 1):
                for c in range(left, min(right, width - 1) + 1):
                    if c < len(rows[r]) and is_empty(rows[r][c]):
                        rows[r][c] = value
        return rows


def max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def read_workbook(content: bytes) -> Workbook:
    """
    Return every sheet's rows, or raise FileRejected with the reason.

    The one way a workbook is read in the portal: the file's size, its zip
    structure and the size of every sheet are checked (`bounds`) before the
    cell reader allocates anything, so that a small hostile file cannot take
    the server's memory.
    """
    if not content:
        raise FileRejected("Файл пустой.")
    if len(content) > max_bytes():
        size = len(content) / 1024 / 1024
        limit = max_bytes() / 1024 / 1024
        raise FileRejected(
            f"Файл слишком большой: {size:.1f} МБ при ограничении {limit:.0f} МБ. "
            "Разделите его на части (например, по предметам).".replace(".", ",", 1)
        )
    if content.startswith(OLE_MAGIC):
        _check_xls(content)
    elif content.startswith(ZIP_MAGIC):
        _check_size(content)
    else:
        raise FileRejected(
            "Это не файл Excel (.xlsx или .xls). Сохраните таблицу как «Книга Excel "
            "(.xlsx)»."
        )
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets, merged = {}, {}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            sheets[name] = sheet.to_python(skip_empty_area=False)
            merged[name] = [
                (top, left, bottom, right)
                for (top, left), (bottom, right) in sheet.merged_cell_ranges or []
            ]
    except Exception:
        logger.warning("Unreadable workbook", exc_info=True)
        raise FileRejected(DAMAGED) from None
    sheets = {name: _trim(rows) for name, rows in sheets.items()}
    if not any(sheets.values()):
        raise FileRejected("В файле нет ни одной заполненной строки.")
    return Workbook(sheets, merged)


def _check_size(content: bytes) -> None:
    """Refuse a workbook over the limits before its cells are read."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            bounds.check_xlsx(archive, bounds.Limits.from_settings())
    except bounds.TooLarge as error:
        raise FileRejected(str(error)) from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        OSError,
        ValueError,
        RuntimeError,
    ):
        # A damaged archive, a wrong checksum, an unknown compression or an
        # encrypted part: nothing of it is read further.
        logger.info("Damaged workbook archive", exc_info=True)
        raise FileRejected(DAMAGED) from None


def _check_xls(content: bytes) -> None:
    """
    An old Excel file (.xls) is an OLE container: a password-protected .xlsx
    is one too. Refuse the latter, measure the former before its cells are read.
    """
    try:
        with olefile.OleFileIO(io.BytesIO(content)) as container:
            if container.exists("EncryptionInfo") or container.exists(
                "EncryptedPackage"
            ):
                raise FileRejected(
                    "Файл защищён паролем. Снимите пароль (Файл → Сведения → Защита "
                    "книги) и сохраните файл снова."
                )
            name = next((n for n in ("Workbook", "Book") if container.exists(n)), None)
            if name is None:
                raise FileRejected(DAMAGED)
            stream = container.openstream(name).read()
        bounds.check_xls(stream, bounds.Limits.from_settings(), _xls_names(stream))
    except bounds.TooLarge as error:
        raise FileRejected(str(error)) from None
    except FileRejected:
        raise
    except Exception:
        logger.info("Damaged .xls container", exc_info=True)
        raise FileRejected(DAMAGED) from None


def _xls_names(stream: bytes) -> list[str]:
    """The sheet names of a BIFF8 stream (its BOUNDSHEET records), in order."""
    names = []
    position = 0
    while position + 4 <= len(stream):
        kind = int.from_bytes(stream[position : position + 2], "little")
        length = int.from_bytes(stream[position + 2 : position + 4], "little")
        body = stream[position + 4 : position + 4 + length]
        position += 4 + length
        if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET
            chars, flags = body[6], body[7]
            raw = body[8 : 8 + chars * (2 if flags & 1 else 1)]
            names.append(raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"))
        elif kind == 0x000A:  # the end of the workbook globals
            break
    return names


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows and columns (Excel keeps formatting far below the data)."""
    while rows and all(is_empty(v) for v in rows[-1]):
        rows.pop()
    width = 0
    for row in rows:
        # Only the cells beyond the widest row so far can widen the table.
        end = len(row)
        while end > width and is_empty(row[end - 1]):
            end -= 1
        width = max(width, end)
    return [list(r[:width]) + [None] * (width - len(r)) for r in rows]


def personal_data_columns(headers: Iterable[Any]) -> list[str]:
    """Return the headers that look like personal data (names, birth dates, СНИЛС)."""
    return [str(h) for h in headers if PERSONAL_HEADERS.search(norm_header(h))]


def looks_like_snils(values: Iterable[Any]) -> bool:
    return any(isinstance(v, str) and SNILS.match(v.strip()) for v in values)
