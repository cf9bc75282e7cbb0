"""Backups and retention."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from bot.store.base import Queries
from bot.store.records import iso


class BackupFailed(OSError):
    """A backup could not be written, or the copy is damaged; the message names the file and why."""


class MaintenanceQueries(Queries):
    def backup(self, target: Path) -> None:
        """An online backup (SQLite's backup API), safe while the bot is running, readable by its owner only;
        the copy's integrity is checked, and a damaged copy is reported, not passed off as a backup."""
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise FileExistsError(f"{target} already exists; choose a new file") from None
        except OSError as exc:
            raise BackupFailed(f"cannot write the backup {target}: {exc.strerror or exc}") from None
        try:
            dest = sqlite3.connect(str(target))
            try:
                self.conn.backup(dest)
                verdict = [str(row[0]) for row in dest.execute("PRAGMA integrity_check").fetchall()]
            finally:
                dest.close()
        except sqlite3.Error as exc:
            raise BackupFailed(f"cannot write the backup {target}: {exc}") from None
        if verdict != ["ok"]:
            raise BackupFailed(f"the backup {target} was written but is damaged ({'; '.join(verdict[:3])}): "
                               "the database itself needs repair; keep both files and ask for help")

    def clear_demo(self) -> int:
        """Delete the made-up history `demo seed` wrote (deliveries whose occurrence is `demo|…`, with
        their acknowledgements and answers); real records are untouched. Returns the deliveries removed."""
        with self._transaction():
            return int(self.conn.execute("DELETE FROM deliveries WHERE occurrence LIKE 'demo|%'").rowcount)

    def purge(self, older_than: datetime) -> dict[str, int]:
        """Delete deliveries (with their acknowledgements and answers), questions and audit older than a time."""
        cutoff = iso(older_than)
        with self._transaction():
            deliveries = self.conn.execute("DELETE FROM deliveries WHERE created_at < ?", (cutoff,)).rowcount
            questions = self.conn.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
            audit = self.conn.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount
            events = self.conn.execute("DELETE FROM processed_events WHERE at < ?", (cutoff,)).rowcount
            people = self.conn.execute(
                "DELETE FROM people WHERE id NOT IN (SELECT person_id FROM recipients)"
                " AND id NOT IN (SELECT person_id FROM acknowledgements) AND updated_at < ?",
                (cutoff,),
            ).rowcount
            # A Teams person's private-chat reference (name, user id, 1:1 chat) goes with their last record.
            references = self.conn.execute(
                "DELETE FROM conversation_refs WHERE channel LIKE 'teams:person:%'"
                " AND 'teams:' || substr(channel, length('teams:person:') + 1) NOT IN (SELECT id FROM people)"
                " AND 'teams:' || substr(channel, length('teams:person:') + 1)"
                "     NOT IN (SELECT asked_by FROM questions WHERE asked_by IS NOT NULL)"
                " AND updated_at < ?",
                (cutoff,),
            ).rowcount
        return {"deliveries": deliveries, "questions": questions, "audit": audit, "events": events,
                "people": people, "references": references}
