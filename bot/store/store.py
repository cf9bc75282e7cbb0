"""The Store: every query group on one SQLite connection. Use it from one thread at a time (bot.store.database)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from bot.store.audit import AuditQueries
from bot.store.deliveries import DeliveryQueries
from bot.store.engagement import EngagementQueries
from bot.store.maintenance import MaintenanceQueries
from bot.store.people import PeopleQueries
from bot.store.platform_state import PlatformStateQueries
from bot.store.questions import QuestionQueries
from bot.store.records import iso, parse_iso
from bot.store.schema import migrate

BUSY_TIMEOUT_MS = 30_000


def create_private(path: Path | str) -> None:
    """Create `path` empty and readable by its owner only (0600), unless it exists already. SQLite gives
    the -wal and -shm files the database file's permissions, so they are private too."""
    if str(path) == ":memory:":
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def connect(path: Path | str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL: durable against a crash of this process, not against power loss; chosen for throughput.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Store(
    PeopleQueries,
    DeliveryQueries,
    EngagementQueries,
    QuestionQueries,
    AuditQueries,
    PlatformStateQueries,
    MaintenanceQueries,
):
    """The one owner of the database. Open with `Store.open(path, now)`; every method is one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        self.conn = conn

    @classmethod
    def open(cls, path: Path | str, now: datetime, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Store:
        """Open (creating it readable by its owner only, and migrating if needed) the database at `path`."""
        try:
            create_private(path)
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the database {path} (SHIFTBRIEF_DB): {exc.strerror or exc}") from None
        try:
            conn = connect(path, busy_timeout_ms=busy_timeout_ms)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {path} (SHIFTBRIEF_DB): {exc}") from None
        try:
            migrate(conn, iso(now))
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            raise StoreUnavailable(
                f"the database {path} (SHIFTBRIEF_DB) cannot be used: {exc}. If the file is damaged, restore it "
                "from a backup (`shiftbrief db backup` makes them)"
            ) from None
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    def set_busy_timeout(self, milliseconds: int) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(milliseconds))}")

    def first_opened(self) -> datetime:
        """When this database was created (its first migration): no nudge before then can have been missed."""
        row = self._one("SELECT applied_at FROM schema_migrations WHERE version = 1")
        assert row is not None
        return parse_iso(row["applied_at"])


class StoreUnavailable(OSError):
    """The database file cannot be opened; the message names the path and the variable."""
