"""`Database`: queries run off the event loop; a write waits at most its deadline for the write lock and
then fails having written nothing; reads go on while another process holds the lock."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Database, DatabaseBusy, Store
from tests.store.conftest import NOW

PC1 = [("local:pc-1", "PC One")]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "shiftbrief.db", NOW)
    yield database
    database.close()


@pytest.fixture
def elsewhere(db: Database) -> Iterator[sqlite3.Connection]:
    """Another connection to the same file (as another process would have), holding the write lock."""
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO people (id, name, updated_at) VALUES ('local:other', 'Not committed', 'x')")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def hold_until(store: Store, moment: float) -> None:
    """Keep the writer thread busy until `moment` (time.monotonic)."""
    while time.monotonic() < moment:
        time.sleep(0.001)


async def test_a_write_waits_at_most_its_deadline_for_the_lock_and_then_writes_nothing(
    db: Database, elsewhere: sqlite3.Connection
) -> None:
    started = time.monotonic()
    with pytest.raises(DatabaseBusy, match="nothing was written"):
        await db.write_within(0.2, Store.save_people, PC1, NOW)
    assert time.monotonic() - started < 1.5  # the deadline (0.2 s), not SQLite's 30 s default
    elsewhere.execute("ROLLBACK")
    assert await db.read(Store.person_name, "local:pc-1") is None
    await db.write_within(0.2, Store.save_people, PC1, NOW)  # with the lock free, the same write goes through
    assert await db.read(Store.person_name, "local:pc-1") == "PC One"


async def test_a_transaction_that_cannot_get_the_lock_writes_none_of_its_statements(
    db: Database, elsewhere: sqlite3.Connection
) -> None:
    with pytest.raises(DatabaseBusy):
        await db.write_within(0.1, Store.save_people, [*PC1, ("local:pc-2", "PC Two")], NOW)
    elsewhere.execute("ROLLBACK")
    assert await db.read(Store.person_names, ["local:pc-1", "local:pc-2"]) == {}


async def test_reads_go_on_while_another_process_holds_the_write_lock(
    db: Database, elsewhere: sqlite3.Connection
) -> None:
    assert elsewhere.in_transaction
    started = time.monotonic()
    assert await db.read(Store.person_name, "local:other") is None  # what is not committed is not seen
    assert await db.read(Store.questions) == []
    assert time.monotonic() - started < 1.0  # no waiting on the lock (a reader would give up after 2 s)
    assert elsewhere.in_transaction  # the lock was held throughout


async def test_a_queued_write_whose_deadline_passed_while_it_waited_is_not_run(db: Database) -> None:
    # The writer thread is busy with an earlier write until the queued one's deadline has passed.
    deadline = 0.05
    busy = asyncio.ensure_future(db.write(hold_until, time.monotonic() + deadline * 3))
    queued = asyncio.ensure_future(db.write_within(deadline, Store.save_people, PC1, NOW))
    await busy
    with pytest.raises(DatabaseBusy):
        await queued
    assert await db.read(Store.person_name, "local:pc-1") is None


async def test_closing_waits_for_queued_writes_and_then_refuses_work(db: Database, tmp_path: Path) -> None:
    queued = asyncio.ensure_future(db.write(Store.save_people, PC1, NOW))
    await asyncio.sleep(0)  # the write is handed to the writer thread
    db.close()
    await queued
    with sqlite3.connect(tmp_path / "shiftbrief.db") as conn:
        assert conn.execute("SELECT name FROM people").fetchall() == [("PC One",)]
    with pytest.raises(RuntimeError, match="closed"):
        await db.read(Store.person_name, "local:pc-1")


async def test_an_in_memory_database_reads_what_it_wrote() -> None:
    memory = Database(":memory:", NOW)
    try:
        await memory.write(Store.save_people, PC1, NOW)
        assert await memory.read(Store.person_name, "local:pc-1") == "PC One"
    finally:
        memory.close()
