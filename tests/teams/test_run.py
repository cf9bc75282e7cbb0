"""`shiftbrief run` with no credentials serves /api/messages on loopback, and says so at start-up."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.conftest import without_due_nudges, write_config
from tests.teams.conftest import BOT_ID, CHANNEL, TEAMS_CONFIG, TENANT
from tests.teams.fake_connector import FakeConnector

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_shiftbrief_run_without_credentials_serves_api_messages_in_emulator_mode(
    tmp_path: Path, connector: FakeConnector
) -> None:
    port = free_port()
    env = {**os.environ, "SHIFTBRIEF_CONFIG": str(write_config(tmp_path, without_due_nudges(TEAMS_CONFIG))),
           "SHIFTBRIEF_DB": str(tmp_path / "run.db"), "HOST": "127.0.0.1", "PORT": str(port)}
    env.pop("MICROSOFT_APP_ID", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=str(tmp_path), env={**env, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    install = {
        "type": "conversationUpdate", "id": "f:1", "channelId": "msteams", "serviceUrl": connector.url,
        "recipient": {"id": BOT_ID, "name": "shiftbrief"}, "membersAdded": [{"id": BOT_ID, "name": "shiftbrief"}],
        "from": {"id": "29:sgt", "name": "Sgt Patel"},
        "conversation": {"id": CHANNEL, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
        "channelData": {"team": {"id": CHANNEL}, "tenant": {"id": TENANT}},
    }
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(150):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with session.post(f"http://127.0.0.1:{port}/api/messages", json=install) as response:
                status = response.status
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=20)

    assert status == 200
    [welcome] = connector.replies()
    assert "Response Team A" in welcome.body["text"]
    assert "/api/messages in emulator mode" in err.decode()
