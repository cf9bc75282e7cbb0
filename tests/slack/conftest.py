"""The real bolt AsyncApp on the real aiohttp server, a local fake Slack Web API, signed requests."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Assembly, build_app
from bot.config import Settings, load_config
from bot.slack.platform import SlackPlatform
from bot.store import Store
from content.model import Pack
from content.search import Index
from tests.conftest import SHARED, FakeClock, answering_nothing, shared_index, write_config
from tests.records import records
from tests.slack.fake_slack import FakeSlack

SECRET = "test-signing-secret-not-real"
BOT_TOKEN = "xoxb-fake"
APP_TOKEN = "xapp-fake"
CHANNEL = "C0RESPA"

SLACK_CONFIG = """
timezone = "Europe/London"
questions_channel = "slack:C0QUEST"
[roles]
coordinators = ["slack:U0COORD"]
[[team]]
id = "response-a"
name = "Response Team A"
channel = "slack:C0RESPA"
sergeants = ["slack:U0SGT"]
rota_start = "2026-11-23"
rota = ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]
[[team]]
id = "response-b"
name = "Response Team B"
channel = "slack:C0RESPB"
sergeants = ["slack:U0SGTB"]
rota_start = "2026-11-23"
rota = ["19:00", "off"]
"""


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """Slack's v0 request signature."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack(SHARED / "schemas").start()
    slack.members = {"C0RESPA": ["U0SGT", "U0PC1", "U0PC2", "U0BOT", "U0GONE"], "C0RESPB": ["U0PC3"]}
    yield slack
    await slack.stop()
    assert slack.problems == [], "the bot sent Slack something it would reject"


@pytest.fixture
def slack_config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path, SLACK_CONFIG)


def slack_settings(tmp_path: Path, fake: FakeSlack, config_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        config_path=config_path, db_path=tmp_path / "shiftbrief.db", host="127.0.0.1", port=0,
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET, slack_api_url=fake.url,
    )
    values.update(overrides)
    return Settings(**values)


class ListenerWork:
    """The bot's work after `ack()`, seen from the event loop: bolt runs each listener as a task once the
    request is acknowledged, and a listener may start more (a card update waiting its two-second turn).

    Kept by a task factory on the test's loop: every listener task bolt starts, and every task started
    from one of those. `drain()` waits for all of them, so "nothing else happened" is proven by the work
    being finished, not by a quiet spell on the clock.
    """

    # bolt's AsyncioListenerRunner: the listener after ack(). Should a bolt upgrade rename it, `started` stays 0
    # and test_a_dm_question_is_answered_once_even_when_slack_retries_the_event says so.
    LISTENER = "run_ack_function_asynchronously"

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.started = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._previous = self.loop.get_task_factory()
        self.loop.set_task_factory(self._factory)

    def _factory(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        parent = asyncio.current_task(loop)
        task = self._previous(loop, coro, **kwargs) if self._previous else asyncio.Task(coro, loop=loop, **kwargs)
        is_listener = getattr(coro, "__qualname__", "").endswith(self.LISTENER)
        if is_listener or parent in self._tasks:
            self.started += is_listener
            assert isinstance(task, asyncio.Task)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, within: float = 15.0) -> None:
        """Wait until every listener started so far, and everything it started, has finished."""
        deadline = self.loop.time() + within
        while self._tasks:
            left = deadline - self.loop.time()
            if left <= 0:
                raise AssertionError(f"listener work still running after {within} s: {sorted(map(str, self._tasks))}")
            await asyncio.wait(set(self._tasks), timeout=left)

    def close(self) -> None:
        self.loop.set_task_factory(self._previous)


@dataclass
class Bot:
    """The running bot, and a way to act in Slack as someone."""

    assembly: Assembly
    client: TestClient[Any, Any]
    fake: FakeSlack
    clock: FakeClock
    work: ListenerWork
    _triggers: itertools.count[int]
    _sent: dict[str, bytes] = field(default_factory=dict)  # click bodies by trigger: a retry resends the same body

    async def drain(self) -> None:
        """Wait for the bot to finish what it was asked so far: after this, nothing more will reach Slack
        from those requests (see ListenerWork)."""
        await self.work.drain()

    async def close(self) -> None:
        await self.client.close()
        self.work.close()

    @property
    def core(self) -> Any:
        return self.assembly.core

    @property
    def store(self) -> Store:
        return records(self.assembly.core)

    @property
    def platform(self) -> SlackPlatform:
        platform = self.assembly.core.platforms["slack"]
        assert isinstance(platform, SlackPlatform)
        return platform

    def trigger(self) -> str:
        return f"trig.{next(self._triggers)}"

    async def send(self, body: bytes, content_type: str, *, timestamp: int | None = None,
                   signature: str | None = None, retry: int | None = None) -> int:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, ts),
        }
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        response = await self.client.post("/slack/events", data=body, headers=headers)
        await response.read()
        return response.status

    async def command(self, user: str, text: str, channel: str = CHANNEL, *, trigger: str | None = None,
                      retry: int | None = None) -> int:
        form = {
            "token": "legacy", "team_id": "T0FORCE", "team_domain": "force", "channel_id": channel,
            "channel_name": "response-a", "user_id": user, "user_name": user.lower(), "command": "/brief",
            "text": text, "api_app_id": "A0SHIFT", "response_url": self.fake.url + "hooks-not-used",
            "trigger_id": trigger or self.trigger(),
        }
        return await self.send(urlencode(form).encode(), "application/x-www-form-urlencoded", retry=retry)

    async def click(self, user: str, action_id: str, value: str, channel: str = CHANNEL, *,
                    trigger: str | None = None, retry: int | None = None, action_ts: str | None = None) -> int:
        """A button press; with `retry`, Slack's redelivery of the earlier press with that trigger (same body)."""
        if retry is not None and trigger in self._sent:
            return await self.send(self._sent[trigger], "application/x-www-form-urlencoded", retry=retry)
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0FORCE"},
            "api_app_id": "A0SHIFT", "token": "legacy", "trigger_id": trigger or self.trigger(),
            "team": {"id": "T0FORCE", "domain": "force"},
            "container": {"type": "message", "message_ts": "1764061200.000001", "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel, "name": "response-a"},
            "response_url": self.fake.url + "hooks-not-used",
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                         "text": {"type": "plain_text", "text": "x"}, "action_ts": action_ts or f"{time.time():.6f}"}],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        self._sent[str(payload["trigger_id"])] = body
        return await self.send(body, "application/x-www-form-urlencoded", retry=retry)

    async def event(self, event: dict[str, Any], event_id: str, *, retry: int | None = None) -> int:
        body = {
            "token": "legacy", "team_id": "T0FORCE", "api_app_id": "A0SHIFT", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": "T0FORCE", "user_id": "U0BOT", "is_bot": True}],
        }
        return await self.send(json.dumps(body).encode(), "application/json", retry=retry)


async def start_bot(settings: Settings, pack: Pack, fake: FakeSlack, clock: FakeClock,
                    index: Index | None = None) -> tuple[Bot, TestServer]:
    config = load_config(settings.config_path)
    assembly = build_app(settings, config, pack, clock, index=index or shared_index(pack))
    server = TestServer(assembly.web, host="127.0.0.1")
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    return Bot(assembly, client, fake, clock, ListenerWork(), itertools.count(1)), server


@pytest.fixture
async def bot(tmp_path: Path, fake: FakeSlack, slack_config_path: Path, pack: Pack) -> AsyncIterator[Bot]:
    clock = FakeClock()
    running, _server = await start_bot(slack_settings(tmp_path, fake, slack_config_path), pack, fake, clock)
    yield running
    await running.close()


@pytest.fixture
async def unanswering_bot(tmp_path: Path, fake: FakeSlack, slack_config_path: Path, pack: Pack) -> AsyncIterator[Bot]:
    """The bot over an index that answers nothing (`answering_nothing`), for questions near the topics that no
    card answers."""
    running, _server = await start_bot(slack_settings(tmp_path, fake, slack_config_path), pack, fake, FakeClock(),
                                       answering_nothing(pack))
    yield running
    await running.close()


def direct_message(user: str, text: str) -> dict[str, object]:
    """The Events API `message` event of `user` writing `text` to the bot in their direct message channel."""
    return {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text,
            "ts": "1764061300.000100", "event_ts": "1764061300.000100"}


def card_message(fake: FakeSlack, channel: str = CHANNEL) -> Any:
    cards = [m for m in fake.in_channel(channel) if m.metadata]
    assert len(cards) == 1, f"expected one card in {channel}, found {len(cards)}"
    return cards[0]


def progress(message: Any) -> str:
    """The 'Acknowledged by N of M' line of a posted card, as Slack now shows it."""
    for block in message.blocks:
        if block.get("block_id") == "progress":
            return str(block["elements"][0]["text"])
    raise AssertionError("the card has no progress line")


def button_values(message: Any, action_prefix: str) -> list[str]:
    return [
        element["value"]
        for block in message.blocks if block["type"] == "actions"
        for element in block["elements"] if element["action_id"].startswith(action_prefix)
    ]
