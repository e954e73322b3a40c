"""
A run's facts per municipality as one compact binary block (RunDetail.payload).

A block is zlib of a JSON header line — for every table (a criterion's facts,
or its items) its name, columns and number of rows — followed by the tables
as float64 matrices. States are stored as their position in columns.STATES.
Explanations and components are worded from these facts when a page asks
(engine.explain), so a country-wide run stores numbers, not half a million
sentences.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from . import columns as c
from .engine import explain

ITEMS = ":items"
STATE_CODES = {state: i for i, state in enumerate(c.STATES)}


def pack(
    facts: dict[str, pd.DataFrame],
    items: dict[str, pd.DataFrame],
    municipality_of: pd.Series,
) -> dict[int, bytes]:
    """Return {municipality: block} of the run's facts and items (set-based: a slice per table and municipality)."""
    tables = {
        code: frame.reset_index().assign(
            **{c.STATE: frame[c.STATE].map(STATE_CODES).to_numpy()}
        )
        for code, frame in facts.items()
    }
    tables |= {code + ITEMS: frame for code, frame in items.items()}
    chunks: dict[int, list[bytes]] = defaultdict(list)
    headers: dict[int, list[list[Any]]] = defaultdict(list)
    for name, table in tables.items():
        if table.empty:
            continue
        municipality = table[c.SCHOOL_ID].map(municipality_of).to_numpy()
        order = np.argsort(municipality, kind="stable")
        matrix = np.ascontiguousarray(table.to_numpy(dtype="float64")[order])
        ids, starts = np.unique(municipality[order], return_index=True)
        ends = np.append(starts[1:], len(order))
        columns = list(table.columns)
        for m, start, end in zip(
            ids.tolist(), starts.tolist(), ends.tolist(), strict=True
        ):
            headers[m].append([name, columns, end - start])
            chunks[m].append(matrix[start:end].tobytes())
    return {
        int(m): zlib.compress(
            json.dumps(headers[m], ensure_ascii=False).encode()
            + b"\n"
            + b"".join(chunks[m]),
            1,
        )
        for m in headers
    }


def unpack(block: bytes) -> dict[str, pd.DataFrame]:
    """Return the tables of a block as frames (states back as their names)."""
    data = zlib.decompress(block)
    end = data.index(b"\n")
    tables, offset = {}, end + 1
    for name, columns, rows in json.loads(data[:end]):
        matrix = np.frombuffer(
            data, dtype="float64", count=rows * len(columns), offset=offset
        ).reshape(rows, len(columns))
        offset += matrix.nbytes
        frame = pd.DataFrame(matrix, columns=columns)
        if c.STATE in frame and not name.endswith(ITEMS):
            frame[c.STATE] = np.asarray(c.STATES, dtype=object)[
                frame[c.STATE].astype(int).to_numpy()
            ]
        tables[name] = frame
    return tables


def word(
    tables: dict[str, pd.DataFrame], context: dict[str, Any]
) -> dict[int, dict[str, list[Any]]]:
    """Return {school: {criterion: [explanation, components]}} worded from unpacked tables."""
    facts = {name: frame for name, frame in tables.items() if not name.endswith(ITEMS)}
    items = {
        name.removesuffix(ITEMS): frame
        for name, frame in tables.items()
        if name.endswith(ITEMS)
    }
    return explain.word_all(facts, items, context)
