"""
The size of a workbook, measured before a single cell is read.

A spreadsheet library allocates the rectangle between the first and the last
cell of a sheet: a 1.6 KB file whose only cells are A1 and XFD1048576 asks for
hundreds of GiB, and a file of a million one-cell rows for about a gigabyte.
`check_xlsx` therefore reads the zip directory and streams every XML part once,
in chunks, counting what a reader would build — the declared dimension, the
rows and columns present, the cells of the rectangles — and refuses the file
against the limits in settings before it reaches the cell reader.
"""

from __future__ import annotations

import functools
import re
import string
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from django.conf import settings

from schools.formatting import count, integer, megabytes

CHUNK = 4 << 20
# The longest opening tag kept across a chunk boundary; real row and cell tags
# are a few dozen bytes.
MAX_TAG = 64 * 1024
MAX_PARTS = 10_000
DAMAGED = "В файле есть повреждённый фрагмент разметки."
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELATIONS = "xl/_rels/workbook.xml.rels"
MAX_INDEX_BYTES = 4 << 20
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384

# Spreadsheet writers put the address first: <row r="7">, <c r="B7" …>. Those
# are read by fast literal searches; any other shape sends the part to the
# exact (slower) parse.
ROW_NUMBER = re.compile(rb'<row r="0*([0-9]+)"')
ROW_WITHOUT_ADDRESS = re.compile(rb'<row(?! r="[0-9])[ >/]')
PREFIXED = re.compile(rb":(?:c|row)[ >/]")
DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?" + rb"""dimension\s[^>]*?ref\s*=\s*["']([^"']*)["']"""
)
REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class TooLarge(Exception):
    """The workbook is over a limit; the message names it, in Russian."""


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold; defaults are about twice the largest real file."""

    rows: int
    columns: int
    cells: int
    unpacked_bytes: int
    sheets: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.WORKBOOK_MAX_ROWS,
            columns=settings.WORKBOOK_MAX_COLUMNS,
            cells=settings.WORKBOOK_MAX_CELLS,
            unpacked_bytes=settings.WORKBOOK_MAX_UNPACKED_BYTES,
            sheets=settings.WORKBOOK_MAX_SHEETS,
        )


@dataclass
class PartSize:
    """What one XML part would become: its rows, its widest row and its rectangle."""

    declared: tuple[int, int] | None = None
    rows: int = 0
    last_row: int = 0
    last_column: int = 0

    @property
    def cells(self) -> int:
        return self.last_row * self.last_column


def column_letters(number: int) -> str:
    """Return A for 1, AA for 27, XFD for 16384."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """Return 1 for A, 27 for AA, 16384 for XFD."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def check_xlsx(archive: zipfile.ZipFile, limits: Limits) -> list[PartSize]:
    """
    Measure every XML part of an xlsx archive; raise TooLarge past a limit.

    The declared sizes of the zip directory are checked first; each part is
    then streamed (at most CHUNK bytes in memory), so that a part whose real
    size differs from the declared one fails the zip's own CRC check.
    """
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise TooLarge(
            f"В файле {count(len(parts), 'часть,части,частей')} — это не похоже "
            "на таблицу Excel."
        )
    unpacked = sum(p.file_size for p in parts)
    if unpacked > limits.unpacked_bytes:
        raise TooLarge(
            f"Файл в распакованном виде занимает {megabytes(unpacked)} — больше "
            f"ограничения {megabytes(limits.unpacked_bytes)}. Разделите таблицу "
            "на части."
        )
    sheets = _sheet_parts(archive)
    if len(sheets) > limits.sheets:
        raise TooLarge(
            f"В файле {count(len(sheets), 'лист,листа,листов')} — больше "
            f"ограничения {integer(limits.sheets)}. Оставьте в файле только "
            "нужные листы."
        )
    sizes = []
    total = 0
    for part in parts:
        if not (part.filename.lower().endswith(".xml") or part.filename in sheets):
            continue
        name = sheets.get(part.filename) or part.filename.rsplit("/", 1)[-1]
        with archive.open(part) as stream:
            size = measure_part(stream, limits=limits, name=name)
        total += size.cells
        if total > limits.cells:
            raise TooLarge(
                f"Листы файла вместе занимают {count(total, CELLS)} — больше "
                f"ограничения {count(limits.cells, CELLS)}. Разделите таблицу на "
                "части."
            )
        sizes.append(size)
    return sizes


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """
    Return the parts the workbook names as its sheets, with the sheets' names:
    the cell reader follows these relations, so each is measured even when its
    name does not end in .xml, and a refusal names the sheet as Excel shows it.
    """
    targets = {}
    for tag, attrs in _tags(archive, WORKBOOK_RELATIONS):
        if tag == "Relationship":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attrs.get("Id", "")] = path
    names = dict.fromkeys(targets.values(), "")
    for tag, attrs in _tags(archive, WORKBOOK):
        if tag == "sheet":
            ids = [v for k, v in attrs.items() if k.rsplit(":", 1)[-1] == "id"]
            for key in ids:
                if key in targets:
                    names[targets[key]] = attrs.get("name", "")
    return names


def _tags(archive: zipfile.ZipFile, name: str) -> list[tuple[str, dict[str, str]]]:
    """Return the opening tags of a small part (local names), refusing DTDs."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return []
    if info.file_size > MAX_INDEX_BYTES:
        raise TooLarge("В файле слишком много листов и связей между частями.")
    tags: list[tuple[str, dict[str, str]]] = []
    parser = _parser(lambda tag, attrs: tags.append((tag.rsplit(":", 1)[-1], attrs)))
    try:
        parser.Parse(archive.read(info), True)
    except expat.ExpatError:
        raise TooLarge(DAMAGED) from None
    return tags


def _parser(start: Callable[[str, dict[str, str]], None]) -> expat.XMLParserType:
    """An expat parser that refuses document type declarations (and so entities)."""

    def refuse(*args: object) -> None:
        raise TooLarge(DAMAGED)

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


ROWS, COLUMNS, CELLS = (
    "строка,строки,строк",
    "столбец,столбца,столбцов",
    "ячейка,ячейки,ячеек",
)


def _check_part(name: str, size: PartSize, limits: Limits) -> None:
    """Refuse a part whose rows, columns or cells seen so far pass a limit."""
    where = f"Лист «{name}»"
    rows = max(size.rows, size.last_row)
    if rows > limits.rows:
        # Refused while reading: the sheet has at least this many rows.
        raise TooLarge(
            f"{where}: не меньше {count(rows, ROWS)} — больше ограничения "
            f"{count(limits.rows, ROWS)}. Разделите таблицу на части."
        )
    if size.last_column > limits.columns:
        raise TooLarge(
            f"{where}: есть данные в столбце {column_letters(size.last_column)} — "
            f"это {integer(size.last_column)}-й столбец, больше ограничения "
            f"{count(limits.columns, COLUMNS)}. Удалите лишние столбцы."
        )
    if size.cells > limits.cells:
        raise TooLarge(
            f"{where} занимает не меньше {count(size.last_row, ROWS)} × "
            f"{count(size.last_column, COLUMNS)} = {count(size.cells, CELLS)} — "
            f"больше ограничения {count(limits.cells, CELLS)}. Разделите таблицу "
            "на части."
        )


def _check_declared(name: str, size: PartSize, limits: Limits) -> None:
    """
    Refuse a part that declares more than the limits: checked once its real
    content has passed, so that the message names what is really there.
    """
    if size.declared is None:
        return
    rows, columns = size.declared
    if rows > limits.rows or columns > limits.columns:
        raise TooLarge(
            f"Лист «{name}» по размеру, записанному в файле, занимает "
            f"{count(rows, ROWS)} × {count(columns, COLUMNS)} — больше "
            f"ограничения {count(limits.rows, ROWS)} × "
            f"{count(limits.columns, COLUMNS)}, хотя данных в нём меньше. "
            "Скопируйте данные на новый лист и сохраните файл."
        )


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """Yield the part in chunks that never cut an opening tag in two."""
    tail = b""
    while True:
        data = stream.read(CHUNK)
        if not data:
            if tail:
                yield tail
            return
        data = tail + data
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:
            data, tail = data[:cut], data[cut:]
            if len(tail) > MAX_TAG:
                raise TooLarge(DAMAGED)
        else:
            tail = b""
        yield data


def measure_part(stream: IO[bytes], *, limits: Limits, name: str) -> PartSize:
    """
    Return the rows and the rectangle of one XML part, reading it once; raise
    TooLarge as soon as a limit is passed.

    Per chunk, the row tags are counted and their numbers read; cells are not
    visited one by one but searched for an address beyond the widest column or
    the last row seen so far, which a real file (cells in their own rows, left
    to right) answers with one search per chunk. Anything else — a row or cell
    without an address, a prefixed tag, a lower-case address, a cell outside
    its row — is measured exactly by a full parse.
    """
    size = PartSize()
    column = ""
    first = True
    for chunk in _chunks(stream):
        if first:
            size.declared = _declared(chunk)
            first = False
        rows = ROW_NUMBER.findall(chunk)
        if rows:
            size.rows += len(rows)
            size.last_row = max(size.last_row, *map(int, rows))
        if ROW_WITHOUT_ADDRESS.search(chunk) or PREFIXED.search(chunk):
            return _measure_exactly(stream, size.declared, limits=limits, name=name)
        found = _cells_beyond(column, size.last_row).search(chunk)
        while found:
            if found[1] is None or _number(found[2]) > size.last_row:
                # A cell below the rows seen, without an address or with a
                # lower-case one: the fast search cannot place it.
                return _measure_exactly(stream, size.declared, limits=limits, name=name)
            column = found[1].decode()
            if len(column) > 3:
                raise TooLarge("В файле есть ячейка за пределами листа Excel.")
            size.last_column = column_number(column)
            if size.last_column > limits.columns:
                _check_part(name, size, limits)
            found = _cells_beyond(column, size.last_row).search(chunk, found.end())
        _check_part(name, size, limits)
    _check_part(name, size, limits)
    _check_declared(name, size, limits)
    return size


def _number(digits: bytes) -> int:
    """Return the row number of an address; any longer than Excel's is too far."""
    return int(digits) if len(digits) <= 7 else EXCEL_ROWS + 1


def _greater(value: str, alphabet: str) -> str:
    """
    Return a pattern of the strings over `alphabet` that sort after `value`:
    longer ones, or as long and greater at the first difference.
    """
    every = f"[{alphabet}]"
    lead = f"[{alphabet[1:]}]" if alphabet[0] == "0" else every
    options = [f"{lead}{every}{{{len(value)},}}"]
    for index, char in enumerate(value):
        higher = alphabet[alphabet.index(char) + 1 :]
        if higher:
            rest = len(value) - index - 1
            options.append(f"{value[:index]}[{higher}]{every}{{{rest}}}")
    return "(?:" + "|".join(options) + ")"


@functools.lru_cache(maxsize=256)
def _cells_beyond(column: str, row: int) -> re.Pattern[bytes]:
    """
    Return a search for the cells a real file does not have: the groups are
    the column and row of a cell to the right of `column` (any cell when it is
    empty); a match without them is a cell below `row`, one without an
    address or with a lower-case one.
    """
    letters = _greater(column, string.ascii_uppercase) if column else "[A-Z]+"
    below = _greater(str(row), string.digits)
    return re.compile(
        b'<c(?: r="(?:('
        + letters.encode()
        + b")0*+([0-9]++)|[A-Z]++0*+"
        + below.encode()
        + b'(?![0-9]))|(?! r="[A-Z]+[0-9])[ >/])'
    )


def _declared(chunk: bytes) -> tuple[int, int] | None:
    """Return the rows and columns the sheet declares before its data, if any."""
    data = chunk.find(b"sheetData")
    match = DIMENSION.search(chunk, 0, data if data >= 0 else len(chunk))
    if match is None:
        return None
    last = match[1].decode("ascii", "replace").split(":")[-1]
    ref = REF.match(last.strip())
    if ref is None:
        return None
    return int(ref[2]), column_number(ref[1])


def _measure_exactly(
    stream: IO[bytes], declared: tuple[int, int] | None, *, limits: Limits, name: str
) -> PartSize:
    stream.seek(0)
    size = PartSize(declared=declared)
    state = {"row": 0, "column": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            size.rows += 1
            ref = attrs.get("r", "")
            state["row"] = int(ref) if ref.isdigit() else state["row"] + 1
            state["column"] = 0
            size.last_row = max(size.last_row, state["row"])
        elif local == "c":
            ref = REF.match(attrs.get("r", ""))
            if ref:
                state["column"] = column_number(ref[1])
                size.last_row = max(size.last_row, int(ref[2]))
            else:
                state["column"] += 1
            size.last_column = max(size.last_column, state["column"])

    parser = _parser(start)
    try:
        while data := stream.read(CHUNK):
            parser.Parse(data, False)
            _check_part(name, size, limits)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise TooLarge(DAMAGED) from None
    _check_part(name, size, limits)
    _check_declared(name, size, limits)
    return size


# .xls (BIFF8 in an OLE container) ------------------------------------------------

BOF, EOF, DIMENSIONS = 0x0809, 0x000A, 0x0200
WORKSHEET = 0x0010
# Records of cells with a value: row at offset 0, column at offset 2
# (MULRK: several columns, the last one in the record's last two bytes).
CELL_RECORDS = {0x0203, 0x00FD, 0x0204, 0x027E, 0x0205, 0x0006, 0x00D6}
MULRK = 0x00BD


def check_xls(stream: bytes, limits: Limits, names: list[str]) -> None:
    """
    Measure every worksheet of a BIFF8 workbook stream from its cell records,
    before the cell reader builds a rectangle for each sheet; raise TooLarge
    past a limit. `names` are the sheets in workbook order, for the messages.
    """
    view = memoryview(stream)
    position, end = 0, len(stream)
    sheets = -1
    size: PartSize | None = None
    total = 0
    while position + 4 <= end:
        kind = int.from_bytes(view[position : position + 2], "little")
        length = int.from_bytes(view[position + 2 : position + 4], "little")
        body = view[position + 4 : position + 4 + length]
        position += 4 + length
        if kind == BOF and len(body) >= 4:
            if int.from_bytes(body[2:4], "little") == WORKSHEET:
                sheets += 1
                if sheets + 1 > limits.sheets:
                    raise TooLarge(
                        f"В файле больше {count(limits.sheets, 'листа,листов,листов')}"
                        " — оставьте в файле только нужные листы."
                    )
                size = PartSize()
            continue
        if size is None:
            continue
        if kind == EOF:
            name = names[sheets] if sheets < len(names) else str(sheets + 1)
            _check_part(name, size, limits)
            total += size.cells
            if total > limits.cells:
                raise TooLarge(
                    f"Листы файла вместе занимают {count(total, CELLS)} — больше "
                    f"ограничения {count(limits.cells, CELLS)}. Разделите таблицу на "
                    "части."
                )
            size = None
        elif kind == DIMENSIONS and len(body) >= 12:
            size.declared = (
                int.from_bytes(body[4:8], "little"),
                int.from_bytes(body[10:12], "little"),
            )
        elif (kind in CELL_RECORDS or kind == MULRK) and len(body) >= 4:
            row = int.from_bytes(body[0:2], "little") + 1
            column = int.from_bytes(body[2:4], "little") + 1
            if kind == MULRK and len(body) >= 6:
                column = int.from_bytes(body[-2:], "little") + 1
            size.last_row = max(size.last_row, row)
            size.last_column = max(size.last_column, column)
            size.rows = max(size.rows, row)
