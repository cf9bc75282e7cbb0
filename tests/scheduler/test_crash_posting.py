"""`shiftbrief run` as a real process, killed with SIGKILL while posting due nudges to many Slack
channels and started again: every nudge ends up in its channel exactly once, and none is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from tests.conftest import SHARED
from tests.process import free_port
from tests.slack.fake_slack import FakeSlack

TEAMS = 30
LONDON = ZoneInfo("Europe/London")


class HoldingSlack(FakeSlack):
    """Answers the first few card posts at once, then takes each later one into its channel but holds its
    answer until `release()`: a kill then lands while the bot waits to hear back, with cards that reached
    Slack although the bot never learned they did. No timing window decides where the kill lands."""

    answered = 3

    async def start(self) -> HoldingSlack:
        self.held = 0
        self._release = asyncio.Event()
        await super().start()
        return self

    async def _api(self, request: web.Request) -> web.StreamResponse:
        response = await super()._api(request)
        if request.match_info["method"] == "chat.postMessage" and len(self.messages) > self.answered:
            self.held += 1
            await self._release.wait()
        return response

    def release(self) -> None:
        """Answer what is held (to a process that is gone by then), and every later post at once."""
        self.answered = TEAMS * 2
        self._release.set()


def config_with_nudges_due_now(home: Path) -> None:
    """TEAMS teams on a daily rota whose shift starts in about 15 minutes: each nudge was due 15 minutes ago."""
    now = datetime.now(LONDON)
    shift = (now + timedelta(minutes=16)).strftime("%H:%M")
    anchor = (now - timedelta(days=2)).date().isoformat()
    teams = "".join(
        f'\n[[team]]\nid = "team-{n:02d}"\nname = "Team {n}"\nchannel = "slack:C0TEAM{n:02d}"\n'
        f'sergeants = ["slack:U0SGT"]\nrota_start = "{anchor}"\nrota = ["{shift}"]\nnudge_minutes_before = 31\n'
        for n in range(TEAMS)
    )
    (home / "shiftbrief.toml").write_text(f'timezone = "Europe/London"\n{teams}', encoding="utf-8")


def launch(home: Path, port: int, fake: FakeSlack, log_name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "SHIFTBRIEF_CONFIG": str(home / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(home / "sb.db"),
        "HOST": "127.0.0.1", "PORT": str(port), "SLACK_BOT_TOKEN": "xoxb-fake",
        "SLACK_SIGNING_SECRET": "test-signing-secret-not-real", "SLACK_API_URL": fake.url, "SLACK_APP_TOKEN": "",
    }
    with open(home / log_name, "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=home, env=env,
                                stdout=subprocess.DEVNULL, stderr=log)


def states(home: Path) -> Counter[str]:
    if not (home / "sb.db").exists():
        return Counter()
    with sqlite3.connect(f"file:{home / 'sb.db'}?mode=ro", uri=True, timeout=10) as db:
        try:
            return Counter(state for (state,) in db.execute("SELECT state FROM deliveries"))
        except sqlite3.OperationalError:  # not created yet
            return Counter()


def occurrences(home: Path) -> Counter[str]:
    with sqlite3.connect(f"file:{home / 'sb.db'}?mode=ro", uri=True, timeout=10) as db:
        return Counter(team for (team,) in db.execute("SELECT team_id FROM deliveries WHERE reason = 'scheduled'"))


async def wait_until(condition: Callable[[], object], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.01)


def healthy(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
        return True
    except (urllib.error.URLError, ConnectionError):
        return False


async def test_sigkill_while_posting_then_restart_posts_every_due_nudge_exactly_once(tmp_path: Path) -> None:
    fake = await HoldingSlack(SHARED / "schemas").start()
    fake.members = {f"C0TEAM{n:02d}": ["U0SGT", "U0PC1"] for n in range(TEAMS)}
    config_with_nudges_due_now(tmp_path)
    port = free_port()
    process = launch(tmp_path, port, fake, "first.log")
    try:
        # Kill once some cards have reached Slack and been answered, and others reached it unanswered:
        # those are mid-post in the database, and the rest are not started yet.
        # (The bot posts four at a time, so three can be held while a fourth is on its way.)
        await wait_until(lambda: fake.held >= 3, 60, "cards reach Slack and wait for their answer")
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 10)
        fake.release()
        before = states(tmp_path)
        in_slack_before = len(fake.messages)
        assert before["posting"] >= 1, f"the kill did not land mid-post: {before}"
        assert sum(before.values()) < TEAMS and before["posted"] < in_slack_before, before

        process = launch(tmp_path, port, fake, "second.log")
        await wait_until(lambda: states(tmp_path)["posted"] == TEAMS, 60, "every nudge is posted")
        await wait_until(lambda: healthy(port), 10, "the bot answers")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 20)
        fake.release()
        await fake.idle()  # the bot has exited: everything it sent Slack has been taken in
        await fake.stop()

    assert states(tmp_path) == Counter({"posted": TEAMS})
    assert occurrences(tmp_path) == Counter({f"team-{n:02d}": 1 for n in range(TEAMS)})
    cards = Counter(m.channel for m in fake.messages if m.metadata)
    assert cards == Counter({f"C0TEAM{n:02d}": 1 for n in range(TEAMS)}), "a channel got no card, or two"
    assert fake.problems == []
