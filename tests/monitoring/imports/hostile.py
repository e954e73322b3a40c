"""
Hostile workbooks made byte by byte: files a spreadsheet program would never
write, built to make a reader allocate, loop or crash.
"""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b"%s</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
SHEET_TYPE = (
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
)
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx(sheets: dict[str, bytes], *, targets: dict[str, str] | None = None) -> bytes:
    """
    Return an xlsx whose sheets hold the given <sheetData> (or whole sheet XML
    when it starts with "<?xml"); `targets` names a sheet's part path.
    """
    targets = targets or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        overrides = b""
        relations = b""
        entries = b""
        for index, (name, body) in enumerate(sheets.items(), start=1):
            path = targets.get(name, f"worksheets/sheet{index}.xml")
            overrides += (
                b'<Override PartName="/xl/%s" ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                % path.encode()
            )
            relations += b'<Relationship Id="rId%d" Type="%s" Target="%s"/>' % (
                index,
                SHEET_TYPE,
                path.encode(),
            )
            entries += b'<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (
                name.encode(),
                index,
                index,
            )
            xml = body if body.startswith(b"<?xml") else sheet_xml(body)
            book.writestr(f"xl/{path}", xml)
        book.writestr("[Content_Types].xml", CONTENT_TYPES % overrides)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr(
            "xl/workbook.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="%s" '
            b'xmlns:r="%s"><sheets>%s</sheets></workbook>' % (MAIN, REL_NS, entries),
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
            b'schemas.openxmlformats.org/package/2006/relationships">%s'
            b"</Relationships>" % relations,
        )
    return buffer.getvalue()


def sheet_xml(data: bytes, *, dimension: str = "") -> bytes:
    head = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s">%s'
        b"<sheetData>%s</sheetData></worksheet>" % (MAIN, head, data)
    )


def cell(ref: str, value: str = "1") -> bytes:
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (
        ref.encode(),
        value.encode(),
    )


def corner() -> bytes:
    """The 1.6 KB bomb: only A1 and XFD1048576 (the reader allocates 17 billion cells)."""
    return xlsx(
        {
            "Лист1": b'<row r="1">%s</row><row r="1048576">%s</row>'
            % (cell("A1", "Код ОО"), cell("XFD1048576"))
        }
    )


def million_rows() -> bytes:
    """A million one-cell rows: a few hundred KB packed, a gigabyte read."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
        for n in range(1, 1_048_577)
    )
    return xlsx({"Лист1": rows})


def declared_huge() -> bytes:
    """Three real cells under a dimension that claims the whole sheet."""
    rows = b'<row r="1">%s</row>' % cell("A1", "Код ОО")
    return xlsx({"Лист1": sheet_xml(rows, dimension="A1:XFD1048576")})


def unaddressed_wide() -> bytes:
    """Cells without addresses: each sits after the previous one (positional)."""
    row = b"<row>" + b"<c><v>1</v></c>" * 20_000 + b"</row>"
    return xlsx({"Лист1": row + b'<row r="400000"><c r="A400000"><v>1</v></c></row>'})


def cell_outside_its_row() -> bytes:
    """Row 1 holds a cell that says it is in row 400,000 of column KZ."""
    return xlsx({"Лист1": b'<row r="1">%s%s</row>' % (cell("A1"), cell("KZ400000"))})


def hidden_sheet_part() -> bytes:
    """A sheet stored under a picture's name, reached through the workbook's relations."""
    return xlsx(
        {"Лист1": b'<row r="1">%s%s</row>' % (cell("A1"), cell("XFD1048576"))},
        targets={"Лист1": "media/image1.png"},
    )


def zip_bomb() -> bytes:
    """A part that unpacks to 1 GB of one repeated byte."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book,
        book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        block = b"A" * (1 << 20)
        for _ in range(1024):
            part.write(block)
    return buffer.getvalue()


def lying_size() -> bytes:
    """A part whose directory entry claims 1 KB while it unpacks to 50 MB."""
    honest = io.BytesIO()
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * (50 << 20) + b"</sst>")
    data = bytearray(honest.getvalue())
    # Patch the uncompressed size in the local header (offset 22) and in the
    # central directory entry (offset 24 from its signature).
    data[22:26] = (1024).to_bytes(4, "little")
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1024).to_bytes(4, "little")
    return bytes(data)


def xls_corner() -> bytes:
    """The corner bomb in the old format: A1 and IV65536 of a .xls."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Лист1")
    sheet.write(0, 0, "Код ОО")
    sheet.write(65535, 255, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def many_sheets(count: int = 300) -> bytes:
    return xlsx({f"Лист{n}": b'<row r="1">%s</row>' % cell("A1") for n in range(count)})


def truncated(content: bytes) -> bytes:
    return content[: len(content) // 2]


BOMBS = {
    "угол A1 и XFD1048576": corner,
    "миллион строк": million_rows,
    "объявленный размер на весь лист": declared_huge,
    "ячейки без адресов": unaddressed_wide,
    "ячейка вне своей строки": cell_outside_its_row,
    "лист под именем картинки": hidden_sheet_part,
    "zip-бомба": zip_bomb,
    "ложный размер части": lying_size,
    "триста листов": many_sheets,
    "xls: ячейки в углах листа": xls_corner,
}
