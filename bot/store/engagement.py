"""Recipients, acknowledgements, check answers and nudges: what officers did with each delivery."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.store.base import Queries
from bot.store.records import CardState, Engagement, Nudge, Tally, iso, parse_iso

TALLY_KEYS = {
    "officer": "r.person_id",
    "team": "d.team_id",
    "topic": "d.topic",
    "hour": "substr(COALESCE(d.posted_at, d.created_at), 1, 13)",  # UTC hour: folded into local weeks by the core
}


RECIPIENT_ROWS = """
    FROM deliveries d
    JOIN recipients r ON r.delivery_id = d.id
    {people}
    LEFT JOIN acknowledgements a ON a.delivery_id = d.id AND a.person_id = r.person_id
    LEFT JOIN check_answers c ON c.delivery_id = d.id AND c.person_id = r.person_id
"""
"""One row per recipient of a posted delivery, with what they did: what every statistic counts."""
PEOPLE = "LEFT JOIN people p ON p.id = r.person_id"


def _posted_to(
    team_ids: Sequence[str] | None, person_id: str | None, since: datetime | None
) -> tuple[str, list[Any]]:
    """The WHERE clause (posted deliveries, optionally of some teams, one person, since a time) and its values."""
    where, params = ["d.state = 'posted'"], list[Any]()
    if team_ids is not None:
        where.append(f"d.team_id IN ({','.join('?' * len(team_ids))})")
        params.extend(team_ids)
    if person_id is not None:
        where.append("r.person_id = ?")
        params.append(person_id)
    if since is not None:
        where.append("COALESCE(d.posted_at, d.created_at) >= ?")
        params.append(iso(since))
    return "WHERE " + " AND ".join(where), params


class EngagementQueries(Queries):
    def add_recipients(self, delivery_id: str, people: Iterable[tuple[str, str]], now: datetime) -> None:
        """The channel's members when the card went out, with their names, in one transaction."""
        with self._transaction():
            for person_id, name in people:
                self._save_person(person_id, name, now)
                self.conn.execute(
                    "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)", (delivery_id, person_id)
                )

    def recipients(self, delivery_id: str) -> list[str]:
        rows = self._rows("SELECT person_id FROM recipients WHERE delivery_id = ? ORDER BY person_id", (delivery_id,))
        return [r["person_id"] for r in rows]

    def is_recipient(self, delivery_id: str, person_id: str) -> bool:
        row = self._one("SELECT 1 FROM recipients WHERE delivery_id = ? AND person_id = ?", (delivery_id, person_id))
        return row is not None

    def acknowledge(
        self, delivery_id: str, person_id: str, name: str, via: str, now: datetime, event_key: str | None = None
    ) -> tuple[bool, int, int]:
        """Record one officer's acknowledgement once (and their name), in one transaction: (first time,
        acknowledged, recipients) for 'Acknowledged by N of M' as it stands after it.

        Raises AlreadyProcessed, writing nothing, when `event_key` was seen before."""
        with self._transaction():
            self._claim_event(event_key, now)
            self._save_person(person_id, name, now)
            self.conn.execute(
                "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)", (delivery_id, person_id)
            )
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO acknowledgements (delivery_id, person_id, at, via) VALUES (?, ?, ?, ?)",
                (delivery_id, person_id, iso(now), via),
            )
            acknowledged, recipients = self.ack_counts(delivery_id)
            return cursor.rowcount == 1, acknowledged, recipients

    def acknowledged_by(self, delivery_id: str) -> list[str]:
        rows = self._rows("SELECT person_id FROM acknowledgements WHERE delivery_id = ?", (delivery_id,))
        return [r["person_id"] for r in rows]

    def ack_counts(self, delivery_id: str) -> tuple[int, int]:
        """(acknowledged, recipients) for 'Acknowledged by N of M'."""
        row = self._one(
            "SELECT (SELECT COUNT(*) FROM acknowledgements WHERE delivery_id = ?) AS n,"
            " (SELECT COUNT(*) FROM recipients WHERE delivery_id = ?) AS m",
            (delivery_id, delivery_id),
        )
        assert row is not None
        return int(row["n"]), int(row["m"])

    def card_states(self, delivery_ids: Sequence[str], person_id: str) -> dict[str, CardState]:
        """What one person has done with each of these deliveries (acknowledged, their check answer)."""
        if not delivery_ids:
            return {}
        marks = ",".join("?" * len(delivery_ids))
        acked = {r["delivery_id"] for r in self._rows(
            f"SELECT delivery_id FROM acknowledgements WHERE person_id = ? AND delivery_id IN ({marks})",  # noqa: S608
            [person_id, *delivery_ids],
        )}
        answers = {r["delivery_id"]: (int(r["choice"]), bool(r["correct"])) for r in self._rows(
            f"SELECT delivery_id, choice, correct FROM check_answers WHERE person_id = ? AND delivery_id IN ({marks})",  # noqa: S608
            [person_id, *delivery_ids],
        )}
        states = {}
        for did in delivery_ids:
            answer = answers.get(did)
            states[did] = CardState(did in acked, answer[0] if answer else None, answer[1] if answer else None)
        return states

    def record_answer(
        self, delivery_id: str, person_id: str, name: str, choice: int, correct: bool, now: datetime,
        event_key: str | None = None,
    ) -> tuple[bool, int, bool]:
        """The first answer counts: (first time, the choice kept, whether it was right), in one transaction."""
        with self._transaction():
            self._claim_event(event_key, now)
            self._save_person(person_id, name, now)
            self.conn.execute(
                "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)", (delivery_id, person_id)
            )
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO check_answers (delivery_id, person_id, choice, correct, at) VALUES (?, ?, ?, ?, ?)",
                (delivery_id, person_id, choice, int(correct), iso(now)),
            )
            if cursor.rowcount == 1:
                return True, choice, correct
            row = self.conn.execute(
                "SELECT choice, correct FROM check_answers WHERE delivery_id = ? AND person_id = ?",
                (delivery_id, person_id),
            ).fetchone()
            return False, int(row["choice"]), bool(row["correct"])

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

    def nudges_for(self, person_id: str, limit: int = 10) -> list[Nudge]:
        """The nudges and reminders a person was sent, newest first."""
        rows = self._rows(
            "SELECT delivery_id, kind, at, by FROM nudges WHERE person_id = ? ORDER BY at DESC LIMIT ?",
            (person_id, limit),
        )
        return [Nudge(r["delivery_id"], r["kind"], parse_iso(r["at"]), r["by"]) for r in rows]

    def tallies(
        self, by: str, *, team_ids: Sequence[str] | None = None, since: datetime | None = None
    ) -> list[Tally]:
        """Delivered, acknowledged, answered and right, added up in SQL per officer, team, topic or UTC hour
        of posting: one row per group, however many acknowledgements there are."""
        key = TALLY_KEYS[by]
        name = "COALESCE(MAX(p.name), r.person_id)" if by == "officer" else "''"
        people = PEOPLE if by == "officer" else ""
        where, params = _posted_to(team_ids, None, since)
        sql = f"""
            SELECT {key} AS key, {name} AS name, COUNT(DISTINCT d.id) AS deliveries, COUNT(*) AS delivered,
                   COUNT(a.person_id) AS acknowledged, COUNT(c.person_id) AS answered,
                   COALESCE(SUM(c.correct), 0) AS correct
            {RECIPIENT_ROWS.format(people=people)} {where} GROUP BY key
        """
        return [
            Tally(str(r["key"]), str(r["name"]), int(r["deliveries"]), int(r["delivered"]), int(r["acknowledged"]),
                  int(r["answered"]), int(r["correct"]))
            for r in self._rows(sql, params)
        ]

    def engagements(
        self,
        *,
        team_ids: Sequence[str] | None = None,
        person_id: str | None = None,
        since: datetime | None = None,
    ) -> list[Engagement]:
        where, params = _posted_to(team_ids, person_id, since)
        sql = f"""
            SELECT d.id AS delivery_id, d.team_id, d.topic, d.card_id, COALESCE(d.posted_at, d.created_at) AS at,
                   r.person_id, COALESCE(p.name, r.person_id) AS name,
                   a.person_id IS NOT NULL AS acked, c.person_id IS NOT NULL AS answered,
                   COALESCE(c.correct, 0) AS correct
            {RECIPIENT_ROWS.format(people=PEOPLE)} {where} ORDER BY at
        """
        return [
            Engagement(
                r["delivery_id"], r["team_id"], r["topic"], r["card_id"], parse_iso(r["at"]), r["person_id"],
                r["name"], bool(r["acked"]), bool(r["answered"]), bool(r["correct"]),
            )
            for r in self._rows(sql, params)
        ]
