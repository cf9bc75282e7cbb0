"""Another process holding the database's write lock never freezes the server: the page, /healthz and a
click keep answering; a click that cannot be recorded in time says so and writes nothing; the next click
records it exactly once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import Config, load_settings
from content.model import Pack
from tests.conftest import FakeClock, shared_index
from tests.records import records

T = TypeVar("T")
LONGEST_HOLD = 30.0  # the holder lets go by itself after this, should a test die holding it

HOLDER = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))  # until the test lets go
conn.execute("ROLLBACK")
"""


@contextmanager
def write_lock_held(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process (a backup script, a second bot) holding the write lock until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(LONGEST_HOLD)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # end of input: the holder rolls back and exits
        holder.wait(timeout=LONGEST_HOLD + 10)


async def timed(awaitable: Awaitable[T]) -> tuple[T, float]:
    """What `awaitable` gave, and how many seconds it took."""
    started = time.monotonic()
    result = await awaitable
    return result, time.monotonic() - started


@pytest.fixture
async def client(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> AsyncIterator[TestClient]:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "ws.db"), "HOST": "127.0.0.1", "PORT": "0"})
    assembly = build_app(settings, config, pack, clock, index=shared_index(pack))
    async with TestClient(TestServer(assembly.web)) as test_client:
        yield test_client


async def test_a_held_write_lock_stalls_neither_the_page_nor_healthz_and_a_click_is_told_to_press_again(
    client: TestClient, tmp_path: Path
) -> None:
    await client.post("/identity", data={"person": "local:sgt-a"})
    await client.post("/teams/response-a/brief", data={"topic": ""})
    delivery = records(tmp_path / "ws.db").latest_delivery("response-a")
    assert delivery is not None
    await client.post("/identity", data={"person": "local:pc-1"})

    with write_lock_held(tmp_path / "ws.db"):
        health, health_took = await timed(client.get("/healthz"))
        page, page_took = await timed(client.get("/"))
        click, click_took = await timed(
            client.post(f"/deliveries/{delivery.id}/acknowledge", allow_redirects=False)
        )
        assert health.status == 200 and health_took < 0.5
        assert page.status == 200 and page_took < 0.5
        assert click.status == 303 and click_took < 3.0
        assert "not recorded" in unquote(click.cookies["sb_flash"].value)
        assert records(tmp_path / "ws.db").acknowledged_by(delivery.id) == []  # nothing half-written

    again = await client.post(f"/deliveries/{delivery.id}/acknowledge", allow_redirects=False)
    assert "you have acknowledged" in unquote(again.cookies["sb_flash"].value)
    await client.post(f"/deliveries/{delivery.id}/acknowledge", allow_redirects=False)
    assert records(tmp_path / "ws.db").acknowledged_by(delivery.id) == ["local:pc-1"]
