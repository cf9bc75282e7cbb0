"""Backups and retention."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.store.base import COUNTS, HOURLY, Queries
from bot.store.records import BAND_COLUMNS, iso, week_of_hour

DEMO_PEOPLE = "local:demo-"
"""The id prefix of the made-up officers of `demo seed --officers`."""
DEMO_DELIVERY_COLUMNS = (
    "id", "card_id", "card_version", "topic", "team_id", "channel", "reason", "shift_start", "occurrence",
    "created_at", "posted_at", "state", *COUNTS,
)


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
        their recipients, acknowledgements, answers and nudges, and the made-up officers `local:demo-…` left
        with no record); real records are untouched. Returns the deliveries removed."""
        demo = "SELECT id FROM deliveries WHERE occurrence LIKE 'demo|%'"
        with self._transaction():
            for table in ("acknowledgements", "check_answers", "nudges", "recipients"):
                self.conn.execute(f"DELETE FROM {table} WHERE delivery_id IN ({demo})")  # noqa: S608
            removed = int(self.conn.execute("DELETE FROM deliveries WHERE occurrence LIKE 'demo|%'").rowcount)
            if removed:
                self._rebuild_hours()
            self.conn.execute(
                f"DELETE FROM people WHERE id LIKE '{DEMO_PEOPLE}%' AND id NOT IN (SELECT person_id FROM recipients)"  # noqa: S608
            )
            return removed

    def insert_demo(
        self,
        people: Sequence[tuple[str, str, str]],
        deliveries: Sequence[Sequence[Any]],
        recipients: Sequence[tuple[str, str]],
        acknowledgements: Sequence[tuple[str, str, str, str]],
        answers: Sequence[tuple[str, str, int, int, str]],
    ) -> None:
        """One batch of a made-up force, in one transaction, its counts already made (bot.demo.seed_force):
        people (id, name, updated_at), deliveries (every column of DEMO_DELIVERY_COLUMNS), recipients,
        acknowledgements (delivery, person, at, via) and answers (delivery, person, choice, correct, at)."""
        if any(not str(row[DEMO_DELIVERY_COLUMNS.index("occurrence")]).startswith("demo|") for row in deliveries):
            raise ValueError("a demo delivery's occurrence must start with demo|")
        # Made here, consistent by construction: foreign keys are not checked row by row (they are back on
        # for everything else the moment the batch is in), and a large page cache keeps the indexes in memory.
        self.conn.execute("PRAGMA cache_size = -262144")
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            self._insert_demo(people, deliveries, recipients, acknowledgements, answers)
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _insert_demo(
        self,
        people: Sequence[tuple[str, str, str]],
        deliveries: Sequence[Sequence[Any]],
        recipients: Sequence[tuple[str, str]],
        acknowledgements: Sequence[tuple[str, str, str, str]],
        answers: Sequence[tuple[str, str, int, int, str]],
    ) -> None:
        with self._transaction():
            self.conn.executemany(
                "INSERT INTO people (id, name, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING", people
            )
            self.conn.executemany(
                f"INSERT INTO deliveries ({', '.join(DEMO_DELIVERY_COLUMNS)})"  # noqa: S608
                f" VALUES ({', '.join('?' * len(DEMO_DELIVERY_COLUMNS))})",
                deliveries,
            )
            self.conn.executemany("INSERT INTO recipients (delivery_id, person_id) VALUES (?, ?)", recipients)
            self.conn.executemany(
                "INSERT INTO acknowledgements (delivery_id, person_id, at, via) VALUES (?, ?, ?, ?)", acknowledgements
            )
            self.conn.executemany(
                "INSERT INTO check_answers (delivery_id, person_id, choice, correct, at) VALUES (?, ?, ?, ?, ?)",
                answers,
            )
            hours: dict[str, list[int]] = {}
            first = DEMO_DELIVERY_COLUMNS.index(COUNTS[0])
            for row in deliveries:  # posted, every one: each counts in the hour it was posted in
                sums = hours.setdefault(str(row[DEMO_DELIVERY_COLUMNS.index("posted_at")])[:13], [0] * (len(COUNTS) + 1))
                for index, value in enumerate((1, *row[first:first + len(COUNTS)])):
                    sums[index] += int(value)
            for hour, (count, *counts) in hours.items():
                self._add_hour(hour, count, dict(zip(HOURLY, counts, strict=True)))

    def purge(self, older_than: datetime, zone: ZoneInfo) -> dict[str, int]:
        """Delete deliveries (with their acknowledgements and answers), questions and audit older than a time,
        keeping what the deleted deliveries added up to as anonymous weekly figures (per local week, team and
        topic: no person), so the reports' history by week, team and topic stays whole."""
        cutoff = iso(older_than)
        with self._transaction():
            weeks = self._archive_weeks(cutoff, zone)
            deliveries = self.conn.execute("DELETE FROM deliveries WHERE created_at < ?", (cutoff,)).rowcount
            if deliveries:
                self._rebuild_hours()
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
        return {"deliveries": deliveries, "weeks_kept": weeks, "questions": questions, "audit": audit, "events": events,
                "people": people, "references": references}

    def _archive_weeks(self, cutoff: str, zone: ZoneInfo) -> int:
        """Inside a transaction: add the counts of the posted deliveries about to be purged to the weekly
        archive; returns how many weekly rows they touched."""
        bands = ", ".join(f"SUM({c})" for c in BAND_COLUMNS)
        groups = self.conn.execute(
            f"SELECT substr(COALESCE(posted_at, created_at), 1, 13) AS hour, team_id, topic, COUNT(*),"  # noqa: S608
            f" SUM(recipients_n), SUM(acknowledged_n), SUM(on_time_n), SUM(late_n), SUM(answered_n), SUM(correct_n),"
            f" {bands} FROM deliveries WHERE created_at < ? AND state = 'posted' GROUP BY hour, team_id, topic",
            (cutoff,),
        ).fetchall()
        weeks: dict[tuple[str, str, str], list[int]] = {}
        for hour, team_id, topic, *counts in groups:
            sums = weeks.setdefault((week_of_hour(hour, zone), team_id, topic), [0] * len(counts))
            for index, value in enumerate(counts):
                sums[index] += int(value or 0)
        columns = ["deliveries", "delivered", "acknowledged", "on_time", "late", "answered", "correct", *BAND_COLUMNS]
        adds = ", ".join(f"{c} = {c} + excluded.{c}" for c in columns)
        self.conn.executemany(
            f"INSERT INTO weekly_archive (week, team_id, topic, {', '.join(columns)})"  # noqa: S608
            f" VALUES (?, ?, ?, {', '.join('?' * len(columns))})"
            f" ON CONFLICT(week, team_id, topic) DO UPDATE SET {adds}",
            [(*key, *sums) for key, sums in weeks.items()],
        )
        return len(weeks)
