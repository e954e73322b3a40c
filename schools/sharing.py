"""A worker thread on the same database connection, to let Python and PostgreSQL work at once."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def beside() -> Iterator[ThreadPoolExecutor]:
    """
    A worker thread that shares this thread's database connection (and so its
    transaction): the two must not query at the same time.
    """
    alias = DEFAULT_DB_ALIAS
    shared = connections[alias]
    shared.inc_thread_sharing()

    def share() -> None:
        connections[alias] = shared

    try:
        with ThreadPoolExecutor(max_workers=1, initializer=share) as pool:
            yield pool
    finally:
        shared.dec_thread_sharing()
