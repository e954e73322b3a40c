"""
Writing many rows fast, with their history records.

On PostgreSQL, large inserts go through COPY with primary keys taken from the
table's sequence first (so the history rows can point at them); elsewhere, and
for small batches, Django's bulk_create with simple-history's bulk history.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

COPY_FROM = 200  # below this, bulk_create is as fast and simpler
NULL = r"\N"


def _csv(rows: Sequence[Sequence[Any]]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([NULL if value is None else value for value in row])
    buffer.seek(0)
    return buffer


def _copy(table: str, columns: Sequence[str], buffer: io.StringIO) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        # One read of the whole buffer: read in small pieces, a copy running on
        # a worker would wait for the interpreter lock at every piece.
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')",
            buffer,
            size=max(len(buffer.getvalue()), 8192),
        )


def _allocate_ids(model: type, count: int) -> list[int]:
    """
    Take `count` consecutive primary keys from the table's sequence.

    The table is locked against other inserts until the transaction ends, so
    the block is ours alone; imports are rare and short, forms wait a moment.
    """
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [table, model._meta.pk.column, table, model._meta.pk.column, count],
        )
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


def insert(
    model: type, rows: list[dict[str, Any]], *, by: Any = None, history: bool = False
) -> list[int]:
    """
    Insert new rows given as {attname: value} and return their primary keys;
    with `history`, also one «+» history record each, made by `by`.

    Values must already be what the database stores (ints, Decimals, strings,
    None); fields left out take their model default.
    """
    return Writer().insert(model, rows, by=by, history=history)


class Writer:
    """
    Inserts tables in the order asked, as `insert` does.

    With a worker sharing this thread's connection (`schools.sharing.beside`),
    each COPY on PostgreSQL — with the history records made from it and its
    foreign-key checks, made immediate — runs on the worker, so that the
    database stores one batch while Python prepares the next. Between `insert`
    calls this thread must not use the connection except through the writer;
    `wait` returns once everything is written (and raises what failed).
    """

    CHUNK = 60_000  # rows per COPY: the next chunk is prepared while one is stored

    def __init__(self, pool: ThreadPoolExecutor | None = None) -> None:
        self.pool = pool if connection.vendor == "postgresql" else None
        self.pending: list[Future[None]] = []
        if self.pool is not None:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def copies(self, count: int) -> bool:
        """Whether `count` new rows go by COPY."""
        return connection.vendor == "postgresql" and count >= COPY_FROM

    def reserve(self, model: type, count: int) -> list[int] | None:
        """Primary keys for `count` rows to be inserted by COPY; None when they won't be."""
        if not self.copies(count):
            return None
        self.wait()
        return _allocate_ids(model, count)

    def insert(
        self,
        model: type,
        rows: list[dict[str, Any]],
        *,
        by: Any = None,
        history: bool = False,
        ids: list[int] | None = None,
    ) -> list[int]:
        """Insert `rows` (after those asked before); with `ids` from `reserve`, under those keys."""
        if not rows:
            return []
        if not self.copies(len(rows)):
            self.wait()
            created = model.objects.bulk_create(
                [model(**row) for row in rows], batch_size=5000
            )
            if history:
                model.history.bulk_history_create(
                    created, batch_size=5000, default_user=by
                )
            return [obj.pk for obj in created]
        key = model._meta.pk.attname
        if key in rows[0]:
            ids = [row[key] for row in rows]
        elif ids is None:
            ids = self.reserve(model, len(rows))
        assert ids is not None
        assert len(ids) == len(rows)
        now = timezone.now()
        for start in range(0, len(rows), self.CHUNK):
            part = slice(start, start + self.CHUNK)
            columns, buffer = _copy_input(model, rows[part], ids[part], now)
            self._run(
                _copy_with_history,
                model,
                columns,
                buffer,
                ids[part] if history else None,
                now,
                getattr(by, "pk", None),
            )
        return ids

    def wait(self) -> None:
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        """Wait for everything, then give the foreign-key checks back their default."""
        self.wait()
        if self.pool is not None:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _run(self, fn: Any, *args: Any) -> None:
        if self.pool is None:
            fn(*args)
        else:
            self.pending.append(self.pool.submit(fn, *args))


def _copy_input(
    model: type, rows: list[dict[str, Any]], ids: list[int], now: Any
) -> tuple[list[str], io.StringIO]:
    """The columns and the CSV that COPY inserts `rows` with, under `ids`."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        else f.get_default()
        for f in fields
        if f.attname not in rows[0]
    }
    columns = [pk.column] + [f.column for f in fields]
    pairs = [(f.attname, defaults.get(f.attname)) for f in fields]
    json_columns = [
        i + 1 for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"
    ]
    values = [
        [key, *[row.get(a, d) for a, d in pairs]]
        for key, row in zip(ids, rows, strict=True)
    ]
    for row in values:
        for index in json_columns:
            row[index] = json.dumps(
                row[index], ensure_ascii=False, cls=DjangoJSONEncoder
            )
    return columns, _csv(values)


def _copy_with_history(
    model: type,
    columns: list[str],
    buffer: io.StringIO,
    ids: list[int] | None,
    now: Any,
    user_id: int | None,
) -> None:
    _copy(model._meta.db_table, columns, buffer)
    if ids:
        _history_from_table(model, columns, ids, now, user_id)


def _history_from_table(
    model: type, columns: list[str], ids: list[int], now: Any, user_id: int | None
) -> None:
    """Write the «+» history records inside the database, from the rows just copied."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    pk = quote(model._meta.pk.column)
    low, high = min(ids), max(ids)
    contiguous = high - low + 1 == len(ids)
    where, params = (
        (f"{pk} BETWEEN %s AND %s", [low, high])
        if contiguous
        else (f"{pk} = ANY(%s)", [ids])
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model.history.model._meta.db_table)} "  # noqa: S608 - names come from model metadata
            f"({names}, history_date, history_change_reason, history_type, history_user_id) "
            f"SELECT {names}, %s, NULL, '+', %s FROM {quote(model._meta.db_table)} WHERE {where}",
            [now, user_id, *params],
        )


def insert_frame(model: type, frame: Any) -> None:
    """
    Insert a pandas frame whose columns are the model's attnames, set-based.

    PostgreSQL: one COPY written by pandas' CSV writer (the fastest path for
    hundreds of thousands of narrow rows); elsewhere bulk_create.
    """
    if frame.empty:
        return
    if connection.vendor != "postgresql":
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        model.objects.bulk_create([model(**row) for row in records], batch_size=5000)
        return
    frame = frame.copy()
    pk = model._meta.pk
    if pk.attname not in frame.columns and pk.get_internal_type() in (
        "AutoField",
        "BigAutoField",
    ):
        frame.insert(0, pk.attname, _allocate_ids(model, len(frame)))
    columns = [_column(model, name) for name in frame.columns]
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep=NULL, lineterminator="\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')",
            buffer,
        )


# PostgreSQL's binary COPY: fixed-width big-endian numbers, texts as their bytes.
BINARY_TYPES = {
    "bigint": ">i8",
    "integer": ">i4",
    "smallint": ">i2",
    "double precision": ">f8",
    "boolean": "?",
}
BINARY_HEADER = (
    b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
)


def copy_frame(model: type, frame: Any) -> None:
    """
    Insert a frame of numbers and a few distinct texts (codes, states) by
    binary COPY on PostgreSQL — no number is formatted or parsed, which makes
    half a million rows several times faster than CSV; elsewhere insert_frame.

    NaN is NULL. Rows of the same texts and missing values form one
    fixed-width numpy record array each.
    """
    if connection.vendor != "postgresql" or frame.empty:
        insert_frame(model, frame)
        return
    import numpy as np

    frame = frame.copy()
    pk = model._meta.pk
    if pk.attname not in frame.columns and pk.get_internal_type() in (
        "AutoField",
        "BigAutoField",
    ):
        frame.insert(0, pk.attname, _allocate_ids(model, len(frame)))
    fields = [
        next(f for f in model._meta.concrete_fields if f.attname == name)
        for name in frame.columns
    ]
    kinds = [
        BINARY_TYPES.get(
            f.rel_db_type(connection) if f.is_relation else f.db_type(connection),
            "text",
        )
        for f in fields
    ]
    texts = [
        name for name, kind in zip(frame.columns, kinds, strict=True) if kind == "text"
    ]
    missing = {
        name: frame[name].isna()
        for name, kind in zip(frame.columns, kinds, strict=True)
        if kind != "text"
    }
    keys = [frame[name].astype(object) for name in texts] + [
        missing[name] for name in missing
    ]
    # Each group is one record array; the records are then placed in the
    # frame's own order, so that indexes on ordered columns grow at their end.
    lengths = np.zeros(len(frame), dtype=np.int64)
    groups = []
    for key, positions in frame.groupby(keys, sort=False, dropna=False).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        text_of = dict(zip(texts, key[: len(texts)], strict=True))
        null_of = dict(zip(missing, key[len(texts) :], strict=True))
        layout, fill = [("n", ">i2")], {"n": len(fields)}
        for i, (name, kind) in enumerate(zip(frame.columns, kinds, strict=True)):
            if kind == "text":
                data = str(text_of[name]).encode()
                layout += (
                    [(f"l{i}", ">i4"), (f"d{i}", f"S{len(data)}")]
                    if data
                    else [(f"l{i}", ">i4")]
                )
                fill[f"l{i}"] = len(data)
                if data:
                    fill[f"d{i}"] = data
            elif null_of[name]:
                layout.append((f"l{i}", ">i4"))
                fill[f"l{i}"] = -1
            else:
                layout += [(f"l{i}", ">i4"), (f"d{i}", kind)]
                fill[f"l{i}"] = np.dtype(kind).itemsize
                fill[f"d{i}"] = frame[name].to_numpy()[positions]
        records = np.empty(len(positions), dtype=layout)
        for name, value in fill.items():
            records[name] = value
        lengths[positions] = records.dtype.itemsize
        groups.append(
            (
                positions,
                records.view(np.uint8).reshape(len(positions), records.dtype.itemsize),
            )
        )
    starts = np.cumsum(lengths) - lengths + len(BINARY_HEADER)
    data = np.empty(len(BINARY_HEADER) + int(lengths.sum()) + 2, dtype=np.uint8)
    data[: len(BINARY_HEADER)] = np.frombuffer(BINARY_HEADER, dtype=np.uint8)
    data[-2:] = 255  # the trailer: a field count of −1
    for positions, raw in groups:
        data[starts[positions][:, None] + np.arange(raw.shape[1])] = raw
    _copy_binary(model, fields, io.BytesIO(data.tobytes()))


def copy_blobs(model: type, rows: list[dict[str, Any]]) -> None:
    """
    Insert a few thousand rows of ids and large bytes (compressed blocks) by
    binary COPY on PostgreSQL — bytes go as they are, not as hex text, which
    halves what travels; elsewhere bulk_create.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        return
    import struct

    names = list(rows[0])
    pk = model._meta.pk
    ids = _allocate_ids(model, len(rows)) if pk.attname not in names else None
    fields = ([pk] if ids else []) + [
        next(f for f in model._meta.concrete_fields if f.attname == name)
        for name in names
    ]
    kinds = {
        f.rel_db_type(connection) if f.is_relation else f.db_type(connection)
        for f in fields
    }
    if not kinds <= {"bigint", "bytea"}:
        raise ValueError(
            f"copy_blobs writes bigint and bytea columns only, not {kinds}"
        )
    buffer = io.BytesIO()
    buffer.write(BINARY_HEADER)
    for i, row in enumerate(rows):
        values = ([ids[i]] if ids else []) + [row[name] for name in names]
        buffer.write(struct.pack(">h", len(values)))
        for value in values:
            data = (
                bytes(value)
                if isinstance(value, bytes | bytearray | memoryview)
                else struct.pack(">q", value)
            )
            buffer.write(struct.pack(">i", len(data)) + data)
    buffer.write(struct.pack(">h", -1))
    buffer.seek(0)
    _copy_binary(model, fields, buffer)


def _copy_binary(model: type, fields: list[Any], buffer: io.BytesIO) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT binary)",
            buffer,
        )


def _column(model: type, attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.column
    raise KeyError(attname)
