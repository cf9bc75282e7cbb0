"""Deliveries: claimed once, posted, failed or missed; the curriculum's history of a team."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.store.base import COUNTS, HOUR, HOURLY, Queries
from bot.store.records import Delivery, iso, parse_iso


class _AlreadyClaimed(Exception):
    """The occurrence is already on record."""


class DeliveryQueries(Queries):
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
        poster_name: str | None = None,
        audit: tuple[str, str] | None = None,
        event_key: str | None = None,
    ) -> Delivery | None:
        """Record a delivery as claimed, with the poster's name and an audit line in the same transaction.

        With an `occurrence` key already claimed, writes nothing and returns None."""
        delivery_id = "d-" + secrets.token_hex(8)
        try:
            with self._transaction():
                self._claim_event(event_key, now)
                if posted_by is not None and poster_name is not None:
                    self._save_person(posted_by, poster_name, now)
                cursor = self.conn.execute(
                    "INSERT OR IGNORE INTO deliveries (id, card_id, card_version, topic, team_id, channel, reason,"
                    " posted_by, shift_start, occurrence, created_at, state)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed')",
                    (
                        delivery_id, card_id, card_version, topic, team_id, channel, reason, posted_by,
                        iso(shift_start) if shift_start else None, occurrence, iso(now),
                    ),
                )
                if cursor.rowcount == 0:
                    raise _AlreadyClaimed  # rolls back the name and the event key too: nothing is written
                if audit is not None:
                    actor, action = audit
                    self.conn.execute(
                        "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                        (iso(now), actor, action, team_id, f"{delivery_id} {card_id} ({reason})"),
                    )
        except _AlreadyClaimed:
            return None
        return self.delivery(delivery_id)

    def delivery(self, delivery_id: str) -> Delivery | None:
        row = self._one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        return Delivery.from_row(row) if row else None

    def delivery_by_occurrence(self, occurrence: str) -> Delivery | None:
        row = self._one("SELECT * FROM deliveries WHERE occurrence = ?", (occurrence,))
        return Delivery.from_row(row) if row else None

    def mark_posting(self, delivery_id: str) -> bool:
        """Move a claimed delivery to `posting`; False if someone else already did."""
        cursor = self._write("UPDATE deliveries SET state = 'posting' WHERE id = ? AND state = 'claimed'", (delivery_id,))
        return cursor.rowcount == 1

    def reclaim(self, delivery_id: str) -> None:
        """Put a delivery caught mid-post back to `claimed` once the platform says it never arrived."""
        self._write("UPDATE deliveries SET state = 'claimed' WHERE id = ? AND state = 'posting'", (delivery_id,))

    def mark_posted(self, delivery_id: str, message_ref: dict[str, Any] | None, now: datetime) -> None:
        """Posted: from now on it counts in the force-wide hour it was posted in (moved, if posted again)."""
        counted = f"state, {HOUR} AS hour, {', '.join(COUNTS)}"
        with self._transaction():
            before = self.conn.execute(f"SELECT {counted} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()  # noqa: S608
            update = "UPDATE deliveries SET state = 'posted', posted_at = ?, message_ref = ?, error = NULL WHERE id = ?"
            after = self.conn.execute(
                f"{update} RETURNING {counted}",
                (iso(now), json.dumps(message_ref) if message_ref is not None else None, delivery_id),
            ).fetchone()
            if after is None:
                return
            if before["state"] == "posted":
                self._add_hour(before["hour"], -1, {h: -before[c] for c, h in zip(COUNTS, HOURLY, strict=True)})
            self._add_hour(after["hour"], 1, {h: after[c] for c, h in zip(COUNTS, HOURLY, strict=True)})

    def mark_failed(self, delivery_id: str, reason: str, *, retry_ok: bool = False) -> None:
        """Failed, with the reason. `retry_ok`: nothing reached the channel, so it may be posted again
        (`claim_retry`); otherwise (the outcome unknown) it never is."""
        self._write("UPDATE deliveries SET state = 'failed', error = ?, retry_ok = ? WHERE id = ? AND state != 'posted'",
                    (reason[:500], int(retry_ok), delivery_id))

    def claim_retry(self, delivery_id: str) -> bool:
        """Take a failed delivery that nothing of reached the channel back to `claimed`, to post it again;
        False if it may not be retried or someone else already took it."""
        cursor = self._write(
            "UPDATE deliveries SET state = 'claimed', retry_ok = 0 WHERE id = ? AND state = 'failed' AND retry_ok = 1",
            (delivery_id,),
        )
        return cursor.rowcount == 1

    def mark_missed(self, delivery_id: str, reason: str) -> None:
        self._write("UPDATE deliveries SET state = 'missed', error = ? WHERE id = ? AND state != 'posted'",
                    (reason[:500], delivery_id))

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
            "SELECT topic, SUM(recipients_n) AS recipients, SUM(acknowledged_n) AS acks, SUM(answered_n) AS answers,"
            " SUM(answered_n - correct_n) AS wrong FROM deliveries WHERE team_id = ? AND state = 'posted'"
            " GROUP BY topic",
            (team_id,),
        )
        return {r["topic"]: (r["recipients"], r["acks"], r["answers"], r["wrong"]) for r in rows}

    def team_on_record(self, team_id: str) -> bool:
        """Whether any card was ever posted to this team (configured or not)."""
        return self._one("SELECT 1 FROM deliveries WHERE team_id = ? LIMIT 1", (team_id,)) is not None
