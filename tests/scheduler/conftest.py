"""Scheduler fixtures: a fake timer driven by the fake clock, teams on daily, 8-day and after-midnight rotas,
and the in-memory platform (tests/platform.py) recording what the bot sends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_runner
from bot.config import Config, load_config
from bot.core import Core
from bot.store import Database
from content.model import Pack
from scheduler.runner import Job, NudgeRunner
from tests.conftest import FakeClock, write_config
from tests.platform import RecordingPlatform
from tests.records import records

ROTAS_TOML = """
timezone = "Europe/London"
[[team]]
id = "daily"
name = "Daily Earlies"
channel = "local:daily"
sergeants = ["local:sgt-d"]
members = ["local:pc-d1", "local:pc-d2"]
rota_start = "2027-01-04"
rota = ["07:00"]
[[team]]
id = "eight"
name = "Response Eight"
channel = "local:eight"
sergeants = ["local:sgt-e"]
members = ["local:pc-e1"]
rota_start = "2027-03-24"
rota = ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]
[[team]]
id = "midnight"
name = "Night Cover"
channel = "local:midnight"
sergeants = ["local:sgt-m"]
rota_start = "2027-01-04"
rota = ["00:15"]
[[team]]
id = "gap"
name = "Early Cover"
channel = "local:gap"
sergeants = ["local:sgt-g"]
rota_start = "2027-01-04"
rota = ["01:30"]
nudge_minutes_before = 60
"""


class FakeTimer:
    """The runner's Timer, run by hand: jobs fire in time order and move the fake clock to their time."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.jobs: dict[str, tuple[datetime, Job, tuple[Any, ...]]] = {}
        self.fired: list[tuple[str, datetime]] = []

    def at(self, job_id: str, when: datetime, job: Job, *args: Any) -> None:
        assert when.tzinfo is not None
        self.jobs[job_id] = (when, job, args)

    async def run_until(self, until: datetime) -> None:
        while True:
            due = [(when, job_id) for job_id, (when, _job, _args) in self.jobs.items() if when <= until]
            if not due:
                break
            when, job_id = min(due)
            _when, job, args = self.jobs.pop(job_id)
            if when > self.clock():
                self.clock.set(when)
            self.fired.append((job_id, self.clock()))
            await job(*args)
        if self.clock() < until:
            self.clock.set(until)


class Bot:
    """One run of the bot: a core over a real SQLite file, its runner and a fake timer."""

    def __init__(self, config: Config, db: Path, pack: Pack, clock: FakeClock) -> None:
        self.clock = clock
        self.db = Database(db, clock())
        self.platform = RecordingPlatform.for_config(config)
        self.core = Core(config, self.db, pack, clock, {"local": self.platform})
        self.store = records(db)
        self.timer = FakeTimer(clock)
        self.runner: NudgeRunner = build_runner(self.core, clock, self.timer, self.store.first_opened())

    async def start(self) -> None:
        await self.core.recover()
        await self.runner.sweep()

    def close(self) -> None:
        self.db.close()


@pytest.fixture
def rotas(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path, ROTAS_TOML))


@pytest.fixture
def make_bot(rotas: Config, tmp_path: Path, pack: Pack) -> Iterator[Any]:
    bots: list[Bot] = []

    def make(clock: FakeClock, config: Config | None = None) -> Bot:
        bot = Bot(config or rotas, tmp_path / "sb.db", pack, clock)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        bot.close()
