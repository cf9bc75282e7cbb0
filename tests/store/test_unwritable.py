"""A database that cannot take a write (disk full, read-only) fails the write cleanly: nothing written, a
DatabaseUnwritable the core turns into 'not recorded, try again', and /healthz can tell."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import Database, DatabaseBusy, DatabaseUnwritable, Store
from tests.store.conftest import NOW


async def test_a_full_disk_is_an_unwritable_database_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(tmp_path / "full.db", NOW)
    try:
        def full(_store: Store, *_args: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        with pytest.raises(DatabaseUnwritable) as caught:
            await db.write_within(2.0, full)
        assert isinstance(caught.value, DatabaseBusy)  # callers that say "try again" handle it too
        assert await db.write_within(2.0, Store.first_time, "after", NOW)  # and the next write works
    finally:
        db.close()


async def test_a_read_only_database_file_is_unwritable(tmp_path: Path) -> None:
    Store.open(tmp_path / "ro.db", NOW).close()
    db = Database(tmp_path / "ro.db", NOW)
    try:
        db.blocking().conn.execute("PRAGMA query_only = ON")  # as a read-only file would behave
        with pytest.raises(DatabaseUnwritable):
            await db.write_within(2.0, Store.first_time, "k", NOW)
    finally:
        db.close()
