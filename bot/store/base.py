"""What every group of queries shares: the connection, one-statement writes, and transactions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from bot.store.records import AlreadyProcessed, iso


class Queries:
    """Base of the store's query groups; each public method is one transaction."""

    conn: sqlite3.Connection

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.conn:
            return self.conn.execute(sql, params)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self.conn.execute(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT: the write lock is taken first, so a busy database fails before anything
        is written, and an error inside rolls every statement back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _claim_event(self, key: str | None, now: datetime) -> None:
        """Inside a transaction: record a platform event key, or raise AlreadyProcessed (rolling back) if
        it is there already. The key commits with the work it guards, so a failed write lets a retry in."""
        if key is None:
            return
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO processed_events (key, at) VALUES (?, ?)", (key[:300], iso(now))
        )
        if cursor.rowcount == 0:
            raise AlreadyProcessed(key)

    def _save_person(self, person_id: str, name: str, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO people (id, name, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at "
            "WHERE people.name != excluded.name",
            (person_id, name[:80], iso(now)),
        )
