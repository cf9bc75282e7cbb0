"""Storage: one SQLite file through sqlite-utils (WAL, foreign keys on, versioned schema).

Nothing outside this package writes SQL. Times are stored as UTC ISO-8601 text of fixed width, so
they sort as text.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.store.schema import migrate


def iso(moment: datetime) -> str:
    """UTC text of fixed width for storage; refuses naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware time")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Delivery:
    id: str
    card_id: str
    card_version: int
    topic: str
    team_id: str
    channel: str
    reason: str
    posted_by: str | None
    shift_start: datetime | None
    created_at: datetime
    posted_at: datetime | None
    message_ref: dict[str, Any] | None
    state: str
    error: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Delivery:
        return cls(
            id=row["id"],
            card_id=row["card_id"],
            card_version=row["card_version"],
            topic=row["topic"],
            team_id=row["team_id"],
            channel=row["channel"],
            reason=row["reason"],
            posted_by=row["posted_by"],
            shift_start=parse_iso(row["shift_start"]) if row["shift_start"] else None,
            created_at=parse_iso(row["created_at"]),
            posted_at=parse_iso(row["posted_at"]) if row["posted_at"] else None,
            message_ref=json.loads(row["message_ref"]) if row["message_ref"] else None,
            state=row["state"],
            error=row["error"],
        )


@dataclass(frozen=True)
class Engagement:
    """One recipient of one delivery, and what they did with it: the row every statistic counts."""

    delivery_id: str
    team_id: str
    topic: str
    card_id: str
    posted_at: datetime
    person_id: str
    name: str
    acknowledged: bool
    answered: bool
    correct: bool


class Store:
    """The one owner of the database. Open with `Store.open(path)`; every method is one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    @classmethod
    def open(cls, path: Path | str, now: datetime) -> Store:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, iso(now))
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    def first_opened(self) -> datetime:
        """When this database was created (its first migration): no nudge before then can have been missed."""
        row = self.conn.execute("SELECT applied_at FROM schema_migrations WHERE version = 1").fetchone()
        return parse_iso(row["applied_at"])

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.conn:
            return self.conn.execute(sql, params)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self.conn.execute(sql, params).fetchall())

    # -- people -------------------------------------------------------------------------------
    def save_people(self, people: Iterable[tuple[str, str]], now: datetime) -> None:
        rows = [(pid, name[:80], iso(now)) for pid, name in people]
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT INTO people (id, name, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at "
                "WHERE people.name != excluded.name",
                rows,
            )

    def person_name(self, person_id: str) -> str | None:
        row = self.conn.execute("SELECT name FROM people WHERE id = ?", (person_id,)).fetchone()
        return row["name"] if row else None

    # -- deliveries ---------------------------------------------------------------------------
    def create_delivery(
        self,
        *,
        card_id: str,
        card_version: int,
        topic: str,
        team_id: str,
        channel: str,
        reason: str,
        posted_by: str | None,
        now: datetime,
        shift_start: datetime | None = None,
        occurrence: str | None = None,
    ) -> Delivery | None:
        """Record a delivery as claimed. With an `occurrence` key already claimed, returns None."""
        delivery_id = "d-" + secrets.token_hex(8)
        cursor = self._write(
            "INSERT OR IGNORE INTO deliveries (id, card_id, card_version, topic, team_id, channel, reason, posted_by,"
            " shift_start, occurrence, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed')",
            (
                delivery_id, card_id, card_version, topic, team_id, channel, reason, posted_by,
                iso(shift_start) if shift_start else None, occurrence, iso(now),
            ),
        )
        if cursor.rowcount == 0:
            return None
        return self.delivery(delivery_id)

    def delivery(self, delivery_id: str) -> Delivery | None:
        row = self.conn.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        return Delivery.from_row(row) if row else None

    def delivery_by_occurrence(self, occurrence: str) -> Delivery | None:
        row = self.conn.execute("SELECT * FROM deliveries WHERE occurrence = ?", (occurrence,)).fetchone()
        return Delivery.from_row(row) if row else None

    def mark_posting(self, delivery_id: str) -> bool:
        """Move a claimed delivery to `posting`; False if someone else already did."""
        cursor = self._write(
            "UPDATE deliveries SET state = 'posting' WHERE id = ? AND state = 'claimed'", (delivery_id,)
        )
        return cursor.rowcount == 1

    def reclaim(self, delivery_id: str) -> None:
        """Put a delivery caught mid-post back to `claimed` once the platform says it never arrived."""
        self._write("UPDATE deliveries SET state = 'claimed' WHERE id = ? AND state = 'posting'", (delivery_id,))

    def mark_posted(self, delivery_id: str, message_ref: dict[str, Any] | None, now: datetime) -> None:
        self._write(
            "UPDATE deliveries SET state = 'posted', posted_at = ?, message_ref = ?, error = NULL WHERE id = ?",
            (iso(now), json.dumps(message_ref) if message_ref is not None else None, delivery_id),
        )

    def mark_failed(self, delivery_id: str, reason: str) -> None:
        self._write("UPDATE deliveries SET state = 'failed', error = ? WHERE id = ?", (reason[:500], delivery_id))

    def mark_missed(self, delivery_id: str, reason: str) -> None:
        self._write("UPDATE deliveries SET state = 'missed', error = ? WHERE id = ?", (reason[:500], delivery_id))

    def unfinished_deliveries(self) -> list[Delivery]:
        """Claimed or mid-post deliveries, e.g. after a crash: start-up finishes or settles them."""
        rows = self._rows("SELECT * FROM deliveries WHERE state IN ('claimed', 'posting') ORDER BY created_at")
        return [Delivery.from_row(r) for r in rows]

    def deliveries(
        self, *, team_ids: Sequence[str] | None = None, states: Sequence[str] = ("posted",), limit: int = 50
    ) -> list[Delivery]:
        """Most recent first."""
        sql = f"SELECT * FROM deliveries WHERE state IN ({','.join('?' * len(states))})"  # noqa: S608
        params: list[Any] = list(states)
        if team_ids is not None:
            sql += f" AND team_id IN ({','.join('?' * len(team_ids))})"
            params.extend(team_ids)
        sql += " ORDER BY created_at DESC LIMIT ?"
        params.append(limit)
        return [Delivery.from_row(r) for r in self._rows(sql, params)]

    def latest_delivery(self, team_id: str) -> Delivery | None:
        found = self.deliveries(team_ids=[team_id], limit=1)
        return found[0] if found else None

    def recent_problems(self, limit: int = 20) -> list[Delivery]:
        rows = self._rows(
            "SELECT * FROM deliveries WHERE state IN ('missed', 'failed') ORDER BY created_at DESC LIMIT ?", (limit,)
        )
        return [Delivery.from_row(r) for r in rows]

    def team_history(self, team_id: str) -> list[tuple[str, str, datetime]]:
        """(card id, topic, when) of every card posted to a team, oldest first: the curriculum's input."""
        rows = self._rows(
            "SELECT card_id, topic, COALESCE(posted_at, created_at) AS at FROM deliveries "
            "WHERE team_id = ? AND state IN ('posted', 'claimed', 'posting') ORDER BY at",
            (team_id,),
        )
        return [(r["card_id"], r["topic"], parse_iso(r["at"])) for r in rows]

    def topic_weakness(self, team_id: str) -> dict[str, tuple[int, int, int, int]]:
        """Per topic: (recipients, acknowledgements, check answers, wrong answers) for one team."""
        rows = self._rows(
            """
            SELECT d.topic,
                   COUNT(*) AS recipients,
                   COUNT(a.person_id) AS acks,
                   COUNT(c.person_id) AS answers,
                   COALESCE(SUM(CASE WHEN c.correct = 0 THEN 1 ELSE 0 END), 0) AS wrong
            FROM deliveries d
            JOIN recipients r ON r.delivery_id = d.id
            LEFT JOIN acknowledgements a ON a.delivery_id = d.id AND a.person_id = r.person_id
            LEFT JOIN check_answers c ON c.delivery_id = d.id AND c.person_id = r.person_id
            WHERE d.team_id = ? AND d.state = 'posted'
            GROUP BY d.topic
            """,
            (team_id,),
        )
        return {r["topic"]: (r["recipients"], r["acks"], r["answers"], r["wrong"]) for r in rows}

    # -- recipients, acknowledgements, answers -----------------------------------------------
    def add_recipients(self, delivery_id: str, person_ids: Iterable[str]) -> None:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)",
                [(delivery_id, pid) for pid in person_ids],
            )

    def recipients(self, delivery_id: str) -> list[str]:
        rows = self._rows("SELECT person_id FROM recipients WHERE delivery_id = ? ORDER BY person_id", (delivery_id,))
        return [r["person_id"] for r in rows]

    def acknowledge(self, delivery_id: str, person_id: str, via: str, now: datetime) -> bool:
        """Record one officer's acknowledgement once; True only the first time."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)", (delivery_id, person_id)
            )
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO acknowledgements (delivery_id, person_id, at, via) VALUES (?, ?, ?, ?)",
                (delivery_id, person_id, iso(now), via),
            )
            return cursor.rowcount == 1

    def acknowledged_by(self, delivery_id: str) -> list[str]:
        rows = self._rows("SELECT person_id FROM acknowledgements WHERE delivery_id = ?", (delivery_id,))
        return [r["person_id"] for r in rows]

    def ack_counts(self, delivery_id: str) -> tuple[int, int]:
        """(acknowledged, recipients) for 'Acknowledged by N of M'."""
        row = self.conn.execute(
            "SELECT (SELECT COUNT(*) FROM acknowledgements WHERE delivery_id = ?) AS n,"
            " (SELECT COUNT(*) FROM recipients WHERE delivery_id = ?) AS m",
            (delivery_id, delivery_id),
        ).fetchone()
        return int(row["n"]), int(row["m"])

    def has_acknowledged(self, delivery_id: str, person_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM acknowledgements WHERE delivery_id = ? AND person_id = ?", (delivery_id, person_id)
        ).fetchone()
        return row is not None

    def record_answer(
        self, delivery_id: str, person_id: str, choice: int, correct: bool, now: datetime
    ) -> bool:
        """The first answer counts; True only the first time."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)", (delivery_id, person_id)
            )
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO check_answers (delivery_id, person_id, choice, correct, at) VALUES (?, ?, ?, ?, ?)",
                (delivery_id, person_id, choice, int(correct), iso(now)),
            )
            return cursor.rowcount == 1

    def answer_of(self, delivery_id: str, person_id: str) -> tuple[int, bool] | None:
        row = self.conn.execute(
            "SELECT choice, correct FROM check_answers WHERE delivery_id = ? AND person_id = ?",
            (delivery_id, person_id),
        ).fetchone()
        return (int(row["choice"]), bool(row["correct"])) if row else None

    def record_nudge(self, delivery_id: str, person_id: str, kind: str, by: str | None, now: datetime) -> bool:
        """One nudge (or one reminder) per officer per delivery; True only the first time."""
        cursor = self._write(
            "INSERT OR IGNORE INTO nudges (delivery_id, person_id, kind, at, by) VALUES (?, ?, ?, ?, ?)",
            (delivery_id, person_id, kind, iso(now), by),
        )
        return cursor.rowcount == 1

    def nudged(self, delivery_id: str, kind: str = "nudge") -> set[str]:
        rows = self._rows("SELECT person_id FROM nudges WHERE delivery_id = ? AND kind = ?", (delivery_id, kind))
        return {r["person_id"] for r in rows}

    def forget_nudge(self, delivery_id: str, person_id: str, kind: str) -> None:
        """Undo a nudge record whose message could not be sent, so it can be tried again."""
        self._write(
            "DELETE FROM nudges WHERE delivery_id = ? AND person_id = ? AND kind = ?", (delivery_id, person_id, kind)
        )

    def nudges_for(self, person_id: str, limit: int = 10) -> list[tuple[str, str, datetime, str | None]]:
        """(delivery id, kind, when, by) of the nudges a person was sent, newest first."""
        rows = self._rows(
            "SELECT delivery_id, kind, at, by FROM nudges WHERE person_id = ? ORDER BY at DESC LIMIT ?",
            (person_id, limit),
        )
        return [(r["delivery_id"], r["kind"], parse_iso(r["at"]), r["by"]) for r in rows]

    # -- statistics ---------------------------------------------------------------------------
    def engagements(
        self,
        *,
        team_ids: Sequence[str] | None = None,
        person_id: str | None = None,
        since: datetime | None = None,
    ) -> list[Engagement]:
        sql = """
            SELECT d.id AS delivery_id, d.team_id, d.topic, d.card_id, COALESCE(d.posted_at, d.created_at) AS at,
                   r.person_id, COALESCE(p.name, r.person_id) AS name,
                   a.person_id IS NOT NULL AS acked, c.person_id IS NOT NULL AS answered,
                   COALESCE(c.correct, 0) AS correct
            FROM deliveries d
            JOIN recipients r ON r.delivery_id = d.id
            LEFT JOIN people p ON p.id = r.person_id
            LEFT JOIN acknowledgements a ON a.delivery_id = d.id AND a.person_id = r.person_id
            LEFT JOIN check_answers c ON c.delivery_id = d.id AND c.person_id = r.person_id
            WHERE d.state = 'posted'
        """
        params: list[Any] = []
        if team_ids is not None:
            sql += f" AND d.team_id IN ({','.join('?' * len(team_ids))})"
            params.extend(team_ids)
        if person_id is not None:
            sql += " AND r.person_id = ?"
            params.append(person_id)
        if since is not None:
            sql += " AND COALESCE(d.posted_at, d.created_at) >= ?"
            params.append(iso(since))
        sql += " ORDER BY at"
        return [
            Engagement(
                r["delivery_id"], r["team_id"], r["topic"], r["card_id"], parse_iso(r["at"]), r["person_id"],
                r["name"], bool(r["acked"]), bool(r["answered"]), bool(r["correct"]),
            )
            for r in self._rows(sql, params)
        ]

    # -- questions ----------------------------------------------------------------------------
    def record_question(
        self,
        *,
        asked_by: str | None,
        via: str,
        text: str,
        answered: bool,
        card_id: str | None,
        topic: str | None,
        score: float,
        now: datetime,
    ) -> int:
        cursor = self._write(
            "INSERT INTO questions (asked_by, via, asked_at, text, answered, card_id, topic, score)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (asked_by, via, iso(now), text[:2000], int(answered), card_id, topic, score),
        )
        return int(cursor.lastrowid or 0)

    def set_helpful(self, question_id: int, asked_by: str, helpful: bool) -> bool:
        cursor = self._write(
            "UPDATE questions SET helpful = ? WHERE id = ? AND asked_by = ?", (int(helpful), question_id, asked_by)
        )
        return cursor.rowcount == 1

    def questions(self, *, unanswered_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        sql = "SELECT id, asked_at, via, text, answered, card_id, topic, score, helpful FROM questions"
        if unanswered_only:
            sql += " WHERE answered = 0 OR helpful = 0"
        sql += " ORDER BY asked_at DESC LIMIT ?"
        return [dict(r) for r in self._rows(sql, (limit,))]

    # -- audit --------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str | None, detail: str | None, now: datetime) -> None:
        with self.conn:
            self.db.table("audit").insert({"at": iso(now), "actor": actor, "action": action, "target": target, "detail": detail})

    def audit_trail(self, limit: int = 100) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))]

    # -- platform bookkeeping -----------------------------------------------------------------
    def save_reference(self, channel: str, reference: dict[str, Any], now: datetime) -> None:
        self._write(
            "INSERT INTO conversation_refs (channel, reference, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(channel) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at",
            (channel, json.dumps(reference), iso(now)),
        )

    def reference(self, channel: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT reference FROM conversation_refs WHERE channel = ?", (channel,)).fetchone()
        return json.loads(row["reference"]) if row else None

    def first_time(self, key: str, now: datetime) -> bool:
        """True the first time `key` is seen: de-duplicates platform retries across restarts."""
        cursor = self._write("INSERT OR IGNORE INTO processed_events (key, at) VALUES (?, ?)", (key[:300], iso(now)))
        return cursor.rowcount == 1

    # -- maintenance --------------------------------------------------------------------------
    def backup(self, target: Path) -> None:
        """An online backup (SQLite's backup API): safe while the bot is running."""
        if target.exists():
            raise FileExistsError(f"{target} already exists; choose a new file")
        dest = sqlite3.connect(str(target))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    def purge(self, older_than: datetime) -> dict[str, int]:
        """Delete deliveries (with their acknowledgements and answers), questions and audit older than a time."""
        cutoff = iso(older_than)
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            deliveries = self.conn.execute("DELETE FROM deliveries WHERE created_at < ?", (cutoff,)).rowcount
            questions = self.conn.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
            audit = self.conn.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount
            events = self.conn.execute("DELETE FROM processed_events WHERE at < ?", (cutoff,)).rowcount
            self.conn.execute(
                "DELETE FROM people WHERE id NOT IN (SELECT person_id FROM recipients)"
                " AND id NOT IN (SELECT person_id FROM acknowledgements) AND updated_at < ?",
                (cutoff,),
            )
        return {"deliveries": deliveries, "questions": questions, "audit": audit, "events": events}
