"""What platforms need kept between requests: conversation references and seen event keys."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.base import Queries
from bot.store.records import AlreadyProcessed, iso


class PlatformStateQueries(Queries):
    def save_reference(self, channel: str, reference: dict[str, Any], now: datetime) -> None:
        self._write(
            "INSERT INTO conversation_refs (channel, reference, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(channel) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at",
            (channel, json.dumps(reference), iso(now)),
        )

    def reference(self, channel: str) -> dict[str, Any] | None:
        row = self._one("SELECT reference FROM conversation_refs WHERE channel = ?", (channel,))
        if row is None:
            return None
        value: dict[str, Any] = json.loads(row["reference"])
        return value

    def first_time(self, key: str, now: datetime) -> bool:
        """Record a platform event key on its own; True the first time it is seen."""
        try:
            with self._transaction():
                self._claim_event(key, now)
        except AlreadyProcessed:
            return False
        return True

    def probe_write(self, now: datetime) -> None:
        """A real write that changes nothing lasting (for /healthz): fails if the disk is full or read-only."""
        with self._transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO processed_events (key, at) VALUES ('health:probe', ?)", (iso(now),)
            )
            self.conn.execute("DELETE FROM processed_events WHERE key = 'health:probe'")

    def seen(self, key: str) -> bool:
        return self._one("SELECT 1 FROM processed_events WHERE key = ?", (key[:300],)) is not None
