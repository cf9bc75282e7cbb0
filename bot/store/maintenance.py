"""Backups and retention."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from bot.store.base import Queries
from bot.store.records import iso


class MaintenanceQueries(Queries):
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
        with self._transaction():
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
