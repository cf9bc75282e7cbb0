"""What every group of queries shares: the connection, one-statement writes, and transactions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from bot.store.records import BAND_COLUMNS, AlreadyProcessed, iso

COUNTS = ("recipients_n", "acknowledged_n", "on_time_n", "late_n", "answered_n", "correct_n", *BAND_COLUMNS)
"""What each delivery counts as officers act (migration 3)."""
HOURLY = ("delivered", "acknowledged", "on_time", "late", "answered", "correct", *BAND_COLUMNS)
"""The same counts in the force-wide hourly figures (migration 4), in the same order."""
HOUR = "substr(COALESCE(posted_at, created_at), 1, 13)"
"""The UTC hour a delivery counts in: the force's weeks are folded from hours by the core."""


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

    def _bump(self, delivery_id: str, **deltas: int) -> None:
        """Inside a transaction: add to a delivery's counts (COUNTS), and to the force-wide hour it counts
        in once it is posted."""
        names = [c for c in COUNTS if deltas.get(c)]
        if not names:
            return
        sets = ", ".join(f"{c} = {c} + ?" for c in names)
        row = self.conn.execute(
            f"UPDATE deliveries SET {sets} WHERE id = ? RETURNING state, {HOUR} AS hour",  # noqa: S608
            [deltas[c] for c in names] + [delivery_id],
        ).fetchone()
        if row is not None and row["state"] == "posted":
            self._add_hour(row["hour"], 0, {HOURLY[COUNTS.index(c)]: deltas[c] for c in names})

    def _add_hour(self, hour: str, deliveries: int, counts: dict[str, int]) -> None:
        """Inside a transaction: add (or, negative, take away) deliveries and counts to one UTC hour."""
        columns = ["deliveries", *counts]
        values = [deliveries, *counts.values()]
        adds = ", ".join(f"{c} = {c} + excluded.{c}" for c in columns)
        self.conn.execute(
            f"INSERT INTO hourly_tallies (hour, {', '.join(columns)}) VALUES (?, {', '.join('?' * len(columns))})"  # noqa: S608
            f" ON CONFLICT(hour) DO UPDATE SET {adds}",
            [hour, *values],
        )

    def _rebuild_hours(self) -> None:
        """Inside a transaction: the force-wide hourly figures made again from every posted delivery."""
        self.conn.execute("DELETE FROM hourly_tallies")
        self.conn.execute(
            f"INSERT INTO hourly_tallies (hour, deliveries, {', '.join(HOURLY)})"  # noqa: S608
            f" SELECT {HOUR} AS hour, COUNT(*), {', '.join(f'SUM({c})' for c in COUNTS)}"
            " FROM deliveries WHERE state = 'posted' GROUP BY hour"
        )
