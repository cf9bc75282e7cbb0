"""The database seen from the event loop: every query runs on a connection thread, never on the loop.

Writes go to one writer thread (one connection, so this process never contends with itself); reads go
to a small pool of reader threads, each with its own connection (WAL lets them read while another
process holds the write lock). Each write has a deadline: if the write lock cannot be had by then, it
fails with DatabaseBusy having written nothing, so a click is answered in time instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from bot.store.store import Store, connect

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
WRITE_DEADLINE = 30.0
"""Seconds a write may wait for the lock unless the caller says otherwise (background work)."""
READ_BUSY_TIMEOUT_MS = 2000


class DatabaseBusy(Exception):
    """Another process held the database's write lock past the deadline; nothing was written."""


class DatabaseUnwritable(DatabaseBusy):
    """The database cannot take a write now (disk full, read-only file, I/O error); nothing was written.
    A kind of DatabaseBusy, so callers that tell the person to try again handle both."""


_UNWRITABLE = ("full", "readonly", "read-only", "disk i/o", "unable to open")


class Database:
    """Runs Store methods off the event loop: `await db.read(Store.recipients, delivery_id)`."""

    def __init__(self, path: Path | str, now: datetime, *, readers: int = 2) -> None:
        self.path = str(path)
        self._writer_pool = ThreadPoolExecutor(1, thread_name_prefix="shiftbrief-db-write")
        self._shared = self.path == ":memory:"  # one connection can be the only view of an in-memory database
        self._reader_pool = (
            self._writer_pool if self._shared else ThreadPoolExecutor(readers, thread_name_prefix="shiftbrief-db-read")
        )
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        # Open and migrate on the writer thread, synchronously: start-up wants to fail loudly and early.
        self._writer: Store = self._writer_pool.submit(Store.open, self.path, now).result()
        self._connections.append(self._writer.conn)

    def _reader(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(connect(self.path, busy_timeout_ms=READ_BUSY_TIMEOUT_MS))
            self._local.store = store
            with self._lock:
                self._connections.append(store.conn)
        return store

    async def read(self, query: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a read-only Store method on a reader thread."""
        if self._shared:
            return await self._run(self._writer_pool, lambda: query(self._writer, *args, **kwargs))
        return await self._run(self._reader_pool, lambda: query(self._reader(), *args, **kwargs))

    async def write(
        self, work: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a Store method that writes on the writer thread, waiting up to WRITE_DEADLINE for the lock."""
        return await self.write_within(WRITE_DEADLINE, work, *args, **kwargs)

    async def write_within(
        self, seconds: float, work: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """A write that must finish (or fail, having written nothing) within `seconds` of being asked for,
        including any time spent waiting behind other writes of this process."""
        due = time.monotonic() + seconds

        def job() -> T:
            left = due - time.monotonic()
            if left <= 0:
                raise DatabaseBusy("the database was busy; nothing was written")
            self._writer.set_busy_timeout(int(left * 1000))
            try:
                return work(self._writer, *args, **kwargs)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise DatabaseBusy(f"the database was busy ({exc}); nothing was written") from None
                if any(word in str(exc).lower() for word in _UNWRITABLE):
                    log.error("the database %s cannot be written: %s", self.path, exc)
                    raise DatabaseUnwritable(f"the database cannot be written ({exc}); nothing was written") from None
                raise

        return await self._run(self._writer_pool, job)

    async def _run(self, pool: ThreadPoolExecutor, job: Callable[[], T]) -> T:
        if self._closed:
            raise RuntimeError("the database is closed")
        return await asyncio.get_running_loop().run_in_executor(pool, job)

    def blocking(self) -> Store:
        """The writer's Store, for code that is not on an event loop (the CLI, start-up, tests)."""
        return self._writer

    def close(self) -> None:
        """Wait for queued work, then close every connection."""
        if self._closed:
            return
        self._closed = True
        self._reader_pool.shutdown(wait=True)
        self._writer_pool.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
