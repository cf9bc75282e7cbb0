"""`/healthz` says when the database cannot be written (review break B10: it kept answering ok on a full disk),
and does not mistake a write lock held elsewhere for a fault.

503 `{"ok": false, "database": "not writable"}` while a write fails (a read-only database, a full disk);
200 `{"ok": true}` otherwise, within half a second even while another process holds the write lock and this
process's own click is queued behind it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Assembly, build_app
from bot.config import Config, load_settings
from bot.store import Store
from content.model import Pack
from tests.conftest import FakeClock, shared_index
from tests.records import records
from tests.test_database_lock import timed, write_lock_held


@pytest.fixture
async def assembly(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> Assembly:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "health.db"), "HOST": "127.0.0.1", "PORT": "0"})
    return build_app(settings, config, pack, clock, index=shared_index(pack))


@pytest.fixture
async def client(assembly: Assembly) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(assembly.web, host="127.0.0.1")) as test_client:
        yield test_client


def read_only(assembly: Assembly, on: bool) -> None:
    """Make the bot's own connection refuse writes as a read-only database file does (SQLITE_READONLY);
    chmod cannot, as the tests may run as root."""
    assembly.core.db.blocking().conn.execute(f"PRAGMA query_only = {int(on)}")


async def test_healthz_is_ok_while_the_database_takes_writes(client: TestClient, tmp_path: Path) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"ok": True}
    assert not records(tmp_path / "health.db").seen("health:probe")  # the probe leaves nothing behind


async def test_healthz_answers_503_while_the_database_is_read_only_and_200_once_it_is_not(
    client: TestClient, assembly: Assembly
) -> None:
    read_only(assembly, True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):  # the real failure, as a full disk gives
        assembly.core.db.blocking().probe_write(assembly.core.now())

    refused = await client.get("/healthz")

    assert refused.status == 503
    assert await refused.json() == {"ok": False, "database": "not writable"}
    read_only(assembly, False)
    again = await client.get("/healthz")
    assert again.status == 200 and await again.json() == {"ok": True}


async def test_healthz_answers_503_on_a_full_disk(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_store: Store, *_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "probe_write", full)

    response = await client.get("/healthz")

    assert response.status == 503
    assert await response.json() == {"ok": False, "database": "not writable"}


async def test_a_failing_database_is_logged_once_when_it_fails_and_once_when_it_recovers(
    client: TestClient, assembly: Assembly, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    read_only(assembly, True)
    for _ in range(3):
        assert (await client.get("/healthz")).status == 503
    read_only(assembly, False)
    for _ in range(2):
        assert (await client.get("/healthz")).status == 200

    lines = [r.getMessage() for r in caplog.records if "/healthz answers" in r.getMessage()]
    assert len(lines) == 2
    assert "health.db cannot be written" in lines[0] and "can be written again" in lines[1]


async def test_a_write_lock_held_by_another_process_is_not_a_fault_and_healthz_still_answers_in_time(
    client: TestClient, tmp_path: Path
) -> None:
    with write_lock_held(tmp_path / "health.db"):
        response, took = await timed(client.get("/healthz"))

    assert response.status == 200 and await response.json() == {"ok": True}
    assert took < 0.5


async def test_healthz_answers_in_time_while_this_processs_own_click_waits_for_the_lock(
    client: TestClient, tmp_path: Path
) -> None:
    """The click holds the bot's one writer thread for up to two seconds; the probe would queue behind it."""
    await client.post("/identity", data={"person": "local:sgt-a"})
    await client.post("/teams/response-a/brief", data={"topic": ""})
    delivery = records(tmp_path / "health.db").latest_delivery("response-a")
    assert delivery is not None
    await client.post("/identity", data={"person": "local:pc-1"})

    with write_lock_held(tmp_path / "health.db"):
        click = asyncio.ensure_future(client.post(f"/deliveries/{delivery.id}/acknowledge", allow_redirects=False))
        await asyncio.sleep(0.1)  # the click is now waiting for the lock on the writer thread
        response, took = await timed(client.get("/healthz"))
        await click

    assert response.status == 200 and took < 0.5
