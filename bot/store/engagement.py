"""Recipients, acknowledgements, check answers and nudges: what officers did with each delivery."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.store.base import HOURLY, Queries
from bot.store.records import (
    BAND_COLUMNS,
    CardState,
    Engagement,
    Nudge,
    Tally,
    band_of,
    band_sql,
    iso,
    parse_iso,
)

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
                self._add_recipient(delivery_id, person_id)

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
            self._add_recipient(delivery_id, person_id)
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO acknowledgements (delivery_id, person_id, at, via) VALUES (?, ?, ?, ?)",
                (delivery_id, person_id, iso(now), via),
            )
            if cursor.rowcount == 1:
                self._count_acknowledgement(delivery_id, now)
            acknowledged, recipients = self.ack_counts(delivery_id)
            return cursor.rowcount == 1, acknowledged, recipients

    def acknowledged_by(self, delivery_id: str) -> list[str]:
        rows = self._rows("SELECT person_id FROM acknowledgements WHERE delivery_id = ?", (delivery_id,))
        return [r["person_id"] for r in rows]

    def ack_counts(self, delivery_id: str) -> tuple[int, int]:
        """(acknowledged, recipients) for 'Acknowledged by N of M', from the delivery's own counts."""
        row = self._one("SELECT acknowledged_n, recipients_n FROM deliveries WHERE id = ?", (delivery_id,))
        return (int(row["acknowledged_n"]), int(row["recipients_n"])) if row is not None else (0, 0)

    def _add_recipient(self, delivery_id: str, person_id: str) -> None:
        """Inside a transaction: a recipient, counted on the delivery the first time."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO recipients (delivery_id, person_id) VALUES (?, ?)", (delivery_id, person_id)
        )
        if cursor.rowcount == 1:
            self._bump(delivery_id, recipients_n=1)

    def _count_acknowledgement(self, delivery_id: str, at: datetime) -> None:
        """Inside a transaction: a first acknowledgement counted on its delivery, on time (before the shift
        it was for began) or late, in its band of minutes after posting."""
        row = self.conn.execute(
            "SELECT shift_start, COALESCE(posted_at, created_at) AS posted FROM deliveries WHERE id = ?",
            (delivery_id,),
        ).fetchone()
        if row is None:
            return
        shift = row["shift_start"]
        on_time = int(shift is not None and iso(at) <= shift)
        late = int(shift is not None and iso(at) > shift)
        band = BAND_COLUMNS[band_of((at - parse_iso(row["posted"])).total_seconds())]
        self._bump(delivery_id, acknowledged_n=1, on_time_n=on_time, late_n=late, **{band: 1})

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
            self._add_recipient(delivery_id, person_id)
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO check_answers (delivery_id, person_id, choice, correct, at) VALUES (?, ?, ?, ?, ?)",
                (delivery_id, person_id, choice, int(correct), iso(now)),
            )
            if cursor.rowcount == 1:
                self._bump(delivery_id, answered_n=1, correct_n=int(correct))
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
        """Delivered, acknowledged (on time, late, by band of minutes), answered and right, added up in SQL
        per officer, team, topic or UTC hour of posting: one row per group, however many acknowledgements.

        Teams, topics and hours add up the counts each delivery keeps, one row per card posted. Officers add
        up their own rows, and follow the person: with `team_ids`, everyone those teams' cards reached,
        with everything delivered to them (in any team) since `since`."""
        if by == "officer":
            return self._officer_tallies(team_ids, since)
        if by == "hour" and team_ids is None:
            return self._force_hours(since)
        key = TALLY_KEYS[by]
        where, params = _posted_to(team_ids, None, since)
        bands = ", ".join(f"SUM({c}) AS {c}" for c in BAND_COLUMNS)
        sql = f"""
            SELECT {key} AS key, COUNT(*) AS deliveries, SUM(recipients_n) AS delivered,
                   SUM(acknowledged_n) AS acknowledged, SUM(answered_n) AS answered, SUM(correct_n) AS correct,
                   SUM(on_time_n) AS on_time, SUM(late_n) AS late, {bands}
            FROM deliveries d {where} GROUP BY key
        """  # noqa: S608
        return [_tally(r, "") for r in self._rows(sql, params)]

    def _force_hours(self, since: datetime | None) -> list[Tally]:
        """Every team's figures per UTC hour, from the hourly figures kept as they happen."""
        rows = self._rows(
            f"SELECT hour AS key, deliveries, {', '.join(HOURLY)} FROM hourly_tallies"  # noqa: S608
            " WHERE hour >= ? AND deliveries > 0",
            (iso(since)[:13] if since else "",),
        )
        return [
            Tally(r["key"], "", r["deliveries"], r["delivered"], r["acknowledged"], r["answered"], r["correct"],
                  r["on_time"], r["late"], tuple(r[c] for c in BAND_COLUMNS))
            for r in rows
        ]

    def _officer_tallies(self, team_ids: Sequence[str] | None, since: datetime | None) -> list[Tally]:
        where, params = _posted_to(None, None, since)
        if team_ids is not None:
            reached, reached_params = _posted_to(team_ids, None, since)
            where += (" AND r.person_id IN (SELECT r.person_id FROM deliveries d"  # noqa: S608 (placeholders only)
                      f" JOIN recipients r ON r.delivery_id = d.id {reached})")
            params += reached_params
        bands = ", ".join(
            f"SUM(CASE WHEN a.person_id IS NOT NULL AND {band_sql('a.at', 'COALESCE(d.posted_at, d.created_at)')} = {i}"
            f" THEN 1 ELSE 0 END) AS {c}"
            for i, c in enumerate(BAND_COLUMNS)
        )
        sql = f"""
            SELECT r.person_id AS key, COALESCE(MAX(p.name), r.person_id) AS name, COUNT(DISTINCT d.id) AS deliveries,
                   COUNT(*) AS delivered, COUNT(a.person_id) AS acknowledged, COUNT(c.person_id) AS answered,
                   COALESCE(SUM(c.correct), 0) AS correct,
                   SUM(CASE WHEN d.shift_start IS NOT NULL AND a.at <= d.shift_start THEN 1 ELSE 0 END) AS on_time,
                   SUM(CASE WHEN d.shift_start IS NOT NULL AND a.at > d.shift_start THEN 1 ELSE 0 END) AS late,
                   {bands}, GROUP_CONCAT(DISTINCT d.topic) AS topics
            {RECIPIENT_ROWS.format(people=PEOPLE)} {where} GROUP BY r.person_id
        """
        return [_tally(r, str(r["name"]), frozenset((r["topics"] or "").split(","))) for r in self._rows(sql, params)]

    def reach(self, team_ids: Sequence[str] | None = None, since: datetime | None = None) -> int:
        """How many people at least one posted card reached (of these teams, since then): a count, no one named."""
        where, params = _posted_to(team_ids, None, since)
        row = self._one(f"SELECT COUNT(DISTINCT r.person_id) AS n FROM deliveries d JOIN recipients r"  # noqa: S608
                        f" ON r.delivery_id = d.id {where}", params)
        return int(row["n"]) if row is not None else 0

    def coverage(self, team_ids: Sequence[str] | None = None, since: datetime | None = None) -> dict[str, dict[str, int]]:
        """Cards posted to each team on each topic (team -> topic -> cards), one row per card counted in SQL."""
        where, params = _posted_to(team_ids, None, since)
        rows = self._rows(f"SELECT d.team_id, d.topic, COUNT(*) AS n FROM deliveries d {where}"  # noqa: S608
                          " GROUP BY d.team_id, d.topic", params)
        result: dict[str, dict[str, int]] = {}
        for r in rows:
            result.setdefault(str(r["team_id"]), {})[str(r["topic"])] = int(r["n"])
        return result

    def archived_tallies(
        self, by: str, *, team_ids: Sequence[str] | None = None, since_week: str | None = None
    ) -> list[Tally]:
        """The anonymous weekly figures `purge` kept, per team, topic or local week (never per officer)."""
        key = {"team": "team_id", "topic": "topic", "week": "week"}[by]
        where, params = ["1 = 1"], list[Any]()
        if team_ids is not None:
            where.append(f"team_id IN ({','.join('?' * len(team_ids))})")
            params.extend(team_ids)
        if since_week is not None:
            where.append("week >= ?")
            params.append(since_week)
        bands = ", ".join(f"SUM({c}) AS {c}" for c in BAND_COLUMNS)
        sql = f"""
            SELECT {key} AS key, SUM(deliveries) AS deliveries, SUM(delivered) AS delivered,
                   SUM(acknowledged) AS acknowledged, SUM(answered) AS answered, SUM(correct) AS correct,
                   SUM(on_time) AS on_time, SUM(late) AS late, {bands}
            FROM weekly_archive WHERE {" AND ".join(where)} GROUP BY key
        """  # noqa: S608
        return [_tally(r, "") for r in self._rows(sql, params)]

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
                   COALESCE(c.correct, 0) AS correct, a.at AS acked_at, d.shift_start
            {RECIPIENT_ROWS.format(people=PEOPLE)} {where} ORDER BY at
        """
        return [
            Engagement(
                r["delivery_id"], r["team_id"], r["topic"], r["card_id"], parse_iso(r["at"]), r["person_id"],
                r["name"], bool(r["acked"]), bool(r["answered"]), bool(r["correct"]),
                parse_iso(r["acked_at"]) if r["acked_at"] else None,
                parse_iso(r["shift_start"]) if r["shift_start"] else None,
            )
            for r in self._rows(sql, params)
        ]


def _tally(row: Any, name: str, topics: frozenset[str] = frozenset()) -> Tally:
    return Tally(
        str(row["key"]), name, int(row["deliveries"]), int(row["delivered"] or 0), int(row["acknowledged"] or 0),
        int(row["answered"] or 0), int(row["correct"] or 0), int(row["on_time"] or 0), int(row["late"] or 0),
        tuple(int(row[c] or 0) for c in BAND_COLUMNS), topics,
    )
