"""Fixtures that build real objects: a real SQLite file in tmp_path, the real pack, an injected clock."""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.core import Core
from bot.store import Database, Store
from content import load_pack
from content.model import Pack
from content.search import Index
from tests.platform import RecordingPlatform

# The platforms' published schemas: shared/ beside the checkout when it is there (CI, developers), else the
# copy vendored in tests/schemas/ (a clone anywhere else). SHARED / "schemas" is the folder either way.
_BESIDE = Path(__file__).resolve().parents[2] / "shared"
SHARED = Path(os.environ.get("SHIFTBRIEF_SHARED") or (_BESIDE if (_BESIDE / "schemas").is_dir() else Path(__file__).parent))

CONFIG_TOML = """
timezone = "Europe/London"
[roles]
coordinators = ["local:coord", "slack:U0COORD"]
[people]
"local:coord" = "Insp. Coord"
"local:sgt-a" = "Sgt A"
"local:pc-1" = "PC One"
"local:pc-2" = "PC Two"
"local:pc-3" = "PC Three"
[[team]]
id = "response-a"
name = "Response Team A"
channel = "local:response-a"
sergeants = ["local:sgt-a"]
members = ["local:pc-1", "local:pc-2"]
rota_start = "2026-11-23"
rota = ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]
nudge_minutes_before = 30
[[team]]
id = "response-b"
name = "Response Team B"
channel = "local:response-b"
sergeants = ["local:sgt-b"]
members = ["local:pc-3"]
rota_start = "2026-11-23"
rota = ["19:00", "off"]
"""


class FakeClock:
    """A settable, timezone-aware clock."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None
        self.moment = moment


def without_due_nudges(text: str) -> str:
    """The same configuration with every rota starting in 2099, for tests that run `shiftbrief run` on the
    real clock: no scheduled card can then appear in the middle of what they assert."""
    return re.sub(r'rota_start = "\d{4}-\d{2}-\d{2}"', 'rota_start = "2099-01-05"', text)


def write_config(tmp_path: Path, text: str = CONFIG_TOML) -> Path:
    path = tmp_path / "shiftbrief.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack()


_INDEXES: dict[int, Index] = {}


def shared_index(pack: Pack) -> Index:
    """One search index per pack for the whole test session (building one takes seconds)."""
    if id(pack) not in _INDEXES:
        _INDEXES[id(pack)] = Index(pack)
    return _INDEXES[id(pack)]


_SILENT: dict[int, Index] = {}


def answering_nothing(pack: Pack) -> Index:
    """The pack's index with a threshold no confidence reaches: every question goes unanswered, as one the cards
    do not cover would, so a test can show what happens to a question near the topics (passed on) and to one
    plainly about something else (not). One per pack for the whole session."""
    if id(pack) not in _SILENT:
        _SILENT[id(pack)] = Index(pack, threshold=1.01)
    return _SILENT[id(pack)]


@pytest.fixture(scope="session")
def index(pack: Pack) -> Index:
    return shared_index(pack)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path))


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Iterator[Database]:
    database = Database(tmp_path / "shiftbrief.db", clock())
    yield database
    database.close()


@pytest.fixture
def store(db: Database) -> Store:
    """The same database file through a connection of the test's own, to check what is on record."""
    from tests.records import records

    return records(db.path)


@pytest.fixture
def platform(config: Config) -> RecordingPlatform:
    """The in-memory platform the `core` fixture posts to: each team's channel holds its configured people,
    and everything the core sends is kept for the test to look at (tests/platform.py)."""
    return RecordingPlatform.for_config(config)


@pytest.fixture
def core(config: Config, db: Database, pack: Pack, clock: FakeClock, index: Index, platform: RecordingPlatform) -> Core:
    """The core over a real SQLite file, the real pack and the fake clock, posting to `platform`."""
    return Core(config, db, pack, clock, {platform.name: platform}, index)
