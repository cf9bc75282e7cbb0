"""The schema and its migrations: a new file is created at the latest version, an old one is brought up to
date once, and a migration that fails leaves the file as it was."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, StoreUnavailable, iso
from bot.store import schema as schema_module
from bot.store.schema import MIGRATIONS
from bot.store.store import connect
from scheduler.occurrence import occurrence_key
from tests.store.conftest import NOW

SHIFT = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 07:00 in London (GMT)
SUMMER_SHIFT = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 07:00 in London (BST)


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def claimed_by(store: Store, team: str, shift_start: datetime) -> str | None:
    """The delivery holding the scheduler's key for this team's shift, if any."""
    delivery = store.delivery_by_occurrence(occurrence_key(team, shift_start))
    return delivery.id if delivery else None


def version_1_file(path: Path, rows: list[tuple[str, str, str | None, datetime | None, str | None]]) -> None:
    """A database as version 1 of the schema left it: (id, reason, occurrence, shift start, team) rows."""
    conn = connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO schema_migrations VALUES (1, ?)", (iso(NOW - timedelta(days=30)),))
    for delivery_id, reason, occurrence, shift_start, team in rows:
        conn.execute(
            "INSERT INTO deliveries (id, card_id, card_version, topic, team_id, channel, reason, shift_start,"
            " occurrence, created_at, state) VALUES (?, 'card-1', 1, 'what-is-hsp', ?, 'local:x', ?, ?, ?, ?, 'posted')",
            (delivery_id, team or "response-a", reason, iso(shift_start) if shift_start else None, occurrence,
             iso(NOW - timedelta(days=1))),
        )
    conn.close()


def test_a_new_file_is_created_at_the_latest_version_and_knows_when_it_was_first_opened(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "new.db", NOW)
    try:
        assert store.first_opened() == NOW
    finally:
        store.close()
    assert versions(tmp_path / "new.db") == list(range(1, len(MIGRATIONS) + 1))
    again = Store.open(tmp_path / "new.db", NOW + timedelta(days=1))  # opening again changes nothing
    try:
        assert again.first_opened() == NOW
    finally:
        again.close()
    assert versions(tmp_path / "new.db") == list(range(1, len(MIGRATIONS) + 1))


def test_migration_2_rewrites_old_occurrence_keys_to_the_schedulers_utc_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    version_1_file(path, [
        ("d-winter", "scheduled", "response-a|2026-11-25T07:00:00+00:00", SHIFT, None),
        ("d-summer", "scheduled", "response-a|2026-06-01T07:00:00+01:00", SUMMER_SHIFT, None),
        ("d-other-team", "scheduled", "nights|2026-11-25T07:00:00+00:00", SHIFT, "nights"),
        ("d-new-format", "scheduled", occurrence_key("response-b", SHIFT), SHIFT, "response-b"),
        ("d-demo", "scheduled", "demo|response-a|1", SHIFT, None),
        ("d-sergeant", "sergeant", None, None, None),
    ])

    store = Store.open(path, NOW)
    try:
        # Each old key is now the key the scheduler claims, so the shift it was for is never posted again.
        assert claimed_by(store, "response-a", SHIFT) == "d-winter"
        assert claimed_by(store, "response-a", SUMMER_SHIFT) == "d-summer"
        assert claimed_by(store, "nights", SHIFT) == "d-other-team"
        keys = dict(store.conn.execute("SELECT id, occurrence FROM deliveries").fetchall())
        assert keys["d-new-format"] == "nudge|response-b|2026-11-25T07:00:00+00:00"  # already new: untouched
        assert keys["d-demo"] == "demo|response-a|1" and keys["d-sergeant"] is None
        assert store.first_opened() == NOW - timedelta(days=30)  # still the day version 1 was applied
    finally:
        store.close()
    assert versions(path) == list(range(1, len(MIGRATIONS) + 1))


def test_migration_3_counts_what_older_files_recorded_on_each_delivery(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    version_1_file(path, [("d-1", "scheduled", "x", SHIFT, None)])
    conn = sqlite3.connect(path)
    posted = NOW - timedelta(days=1)
    conn.execute("INSERT INTO people VALUES ('local:pc-1', 'One', ?), ('local:pc-2', 'Two', ?)", (iso(NOW), iso(NOW)))
    conn.execute("INSERT INTO recipients VALUES ('d-1', 'local:pc-1'), ('d-1', 'local:pc-2')")
    conn.execute("INSERT INTO acknowledgements VALUES ('d-1', 'local:pc-1', ?, 'local')",
                 (iso(posted + timedelta(minutes=20)),))
    conn.execute("INSERT INTO check_answers VALUES ('d-1', 'local:pc-1', 1, 0, ?)", (iso(posted),))
    conn.commit()
    conn.close()
    store = Store.open(path, NOW)
    try:
        assert store.ack_counts("d-1") == (1, 2)
        [tally] = store.tallies("team")
        assert (tally.delivered, tally.acknowledged, tally.answered, tally.correct) == (2, 1, 1, 0)
        assert tally.bands[2] == 1  # 20 minutes after posting: the 15-30 minute band
        assert tally.on_time + tally.late == 1
    finally:
        store.close()


def test_migration_5_keeps_older_unanswered_questions_on_the_content_gap_list(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    version_1_file(path, [])
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO questions (via, asked_at, text, answered, score) VALUES"
                 " ('local', ?, 'is my rest day cancelled?', 0, 0.1), ('local', ?, 'why 15 mins?', 1, 0.9)",
                 (iso(NOW - timedelta(days=2)), iso(NOW - timedelta(days=1))))
    conn.commit()
    conn.close()
    store = Store.open(path, NOW)
    try:
        # Asked before the bot told near from off-topic, every unanswered question was passed on: it stays a gap.
        assert [(q["text"], q["off_topic"]) for q in store.questions()] == [
            ("why 15 mins?", 0), ("is my rest day cancelled?", 0)]
        assert [g["text"] for g in store.content_gaps(10)["unanswered"]] == ["is my rest day cancelled?"]
        plan = " ".join(str(tuple(row)) for row in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM questions WHERE answered = 0 AND off_topic = 0"))
        assert "questions_unanswered" in plan
    finally:
        store.close()
    assert versions(path) == list(range(1, len(MIGRATIONS) + 1))


def test_a_migration_that_fails_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shiftbrief.db"
    Store.open(path, NOW).close()
    broken = "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1)"
    monkeypatch.setattr(schema_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(StoreUnavailable, match="no_such_table"):
        Store.open(path, NOW)
    assert versions(path) == list(range(1, len(MIGRATIONS) + 1))
    with sqlite3.connect(path) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables
