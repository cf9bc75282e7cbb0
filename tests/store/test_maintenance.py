"""Backups taken while the bot runs, and purging old records."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.store import Store
from tests.store.conftest import NOW, posted


def test_a_backup_is_a_usable_copy_and_never_overwrites_a_file(store: Store, tmp_path: Path) -> None:
    delivery = posted(store)
    store.acknowledge(delivery.id, "local:pc-1", "PC One", "local", NOW)
    target = tmp_path / "backup.db"
    store.backup(target)
    copy = Store.open(target, NOW)
    try:
        assert copy.acknowledged_by(delivery.id) == ["local:pc-1"]
    finally:
        copy.close()
    with pytest.raises(FileExistsError, match="already exists"):
        store.backup(target)

LONDON = ZoneInfo("Europe/London")


def test_purge_removes_what_is_older_than_the_cut_off_and_keeps_the_rest(store: Store) -> None:
    old = posted(store, at=NOW - timedelta(days=400), people=[("local:gone", "PC Gone"), ("local:pc-1", "PC One")])
    store.acknowledge(old.id, "local:gone", "PC Gone", "local", NOW - timedelta(days=400))
    new = posted(store, at=NOW, people=[("local:pc-1", "PC One")])
    store.record_question(asked_by="local:gone", via="local", text="old?", answered=False, card_id=None, topic=None,
                          score=0.0, now=NOW - timedelta(days=400))
    store.audit("local:sgt-a", "post", "response-a", None, NOW - timedelta(days=400))
    store.first_time("slack:event:old", NOW - timedelta(days=400))
    store.first_time("slack:event:new", NOW)

    counts = store.purge(NOW - timedelta(days=365), LONDON)

    assert counts == {"deliveries": 1, "weeks_kept": 1, "questions": 1, "audit": 1, "events": 1, "people": 1,
                      "references": 0}
    assert store.delivery(old.id) is None and store.recipients(old.id) == [] and store.acknowledged_by(old.id) == []
    assert store.delivery(new.id) is not None and store.recipients(new.id) == ["local:pc-1"]
    assert store.person_name("local:gone") is None  # on no remaining delivery, and not renamed since
    assert store.person_name("local:pc-1") == "PC One"
    assert store.seen("slack:event:new") and not store.seen("slack:event:old")


def test_purge_keeps_what_the_purged_cards_added_up_to_by_week_team_and_topic_without_anyone(store: Store) -> None:
    when = NOW - timedelta(days=400)
    old = posted(store, at=when, people=[("local:pc-1", "PC One"), ("local:pc-2", "PC Two")])
    store.acknowledge(old.id, "local:pc-1", "PC One", "local", when + timedelta(minutes=7))
    store.record_answer(old.id, "local:pc-1", "PC One", 1, False, when)
    before = {by: (store.tallies(by), store.archived_tallies(by)) for by in ("team", "topic")}

    store.purge(NOW - timedelta(days=365), LONDON)

    assert store.tallies("officer") == []  # nobody's own record is left
    for by in ("team", "topic"):
        [live], [] = before[by]
        [kept] = store.archived_tallies(by)
        assert (kept.key, kept.deliveries, kept.delivered, kept.acknowledged, kept.answered, kept.correct) == (
            live.key, 1, 2, 1, 1, 0)
        assert kept.bands == live.bands
    [week] = store.archived_tallies("week")
    local = when.astimezone(LONDON).date()
    assert week.key == (local - timedelta(days=local.weekday())).isoformat()
    kept_rows = store.conn.execute("SELECT * FROM weekly_archive").fetchall()
    assert not any("local:" in str(value) for row in kept_rows for value in row)  # no person in what is kept


def test_purge_removes_a_teams_persons_private_chat_reference_with_their_last_record(store: Store) -> None:
    store.save_people([("teams:aad-gone", "PC Gone"), ("teams:aad-here", "PC Here")], NOW - timedelta(days=400))
    for aad in ("aad-gone", "aad-here"):
        store.save_reference(f"teams:person:{aad}", {"user_id": "29:x", "name": "PC", "conversation_id": "a:1"},
                             NOW - timedelta(days=400))
    posted(store, at=NOW, people=[("teams:aad-here", "PC Here")])

    counts = store.purge(NOW - timedelta(days=365), LONDON)

    assert counts["references"] == 1
    assert store.reference("teams:person:aad-gone") is None  # name, user id and chat id gone with the person
    assert store.reference("teams:person:aad-here") is not None


def test_a_new_database_and_its_backups_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "private.db", NOW)
    try:
        store.backup(tmp_path / "copy.db")
    finally:
        store.close()
    assert (tmp_path / "private.db").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600


def test_a_damaged_database_is_one_clear_error_naming_the_file(tmp_path: Path) -> None:
    from bot.store import StoreUnavailable

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match=r"damaged\.db"):
        Store.open(damaged, NOW)


def test_a_backup_that_cannot_be_written_says_where_and_why(store: Store, tmp_path: Path) -> None:
    from bot.store.maintenance import BackupFailed

    with pytest.raises(BackupFailed, match="cannot write the backup"):
        store.backup(tmp_path / "no-such-folder" / "copy.db")


def test_the_force_wide_hourly_figures_always_match_the_cards_they_add_up(store: Store) -> None:
    """Kept as officers act, moved when a card is posted again, rebuilt after a purge or a demo clear:
    the force-wide hours read the same as adding up every posted card (the path a team filter takes)."""
    from bot.demo import seed_force
    from content.load import load_pack

    def both() -> tuple[list[object], list[object]]:
        teams = [r[0] for r in store.conn.execute("SELECT DISTINCT team_id FROM deliveries").fetchall()]
        return sorted(store.tallies("hour"), key=str), sorted(store.tallies("hour", team_ids=teams), key=str)

    old = posted(store, at=NOW - timedelta(days=400), people=[("local:pc-1", "PC One"), ("local:pc-2", "PC Two")])
    store.acknowledge(old.id, "local:pc-1", "PC One", "local", NOW - timedelta(days=400))
    new = posted(store, at=NOW, people=[("local:pc-1", "PC One")])
    store.record_answer(new.id, "local:pc-1", "PC One", 1, True, NOW)
    store.acknowledge(new.id, "local:pc-3", "PC Three", "local", NOW)  # joined the channel since
    store.mark_posted(new.id, None, NOW + timedelta(hours=3))  # posted again, later: moves hour
    seed_force(store, load_pack(), NOW, LONDON, 30, 10)
    forced, scanned = both()
    assert forced == scanned and len(forced) > 10
    store.clear_demo()
    assert both()[0] == both()[1] and len(both()[0]) == 2
    store.purge(NOW - timedelta(days=365), LONDON)
    forced, scanned = both()
    assert forced == scanned and [t.delivered for t in forced] == [2]
