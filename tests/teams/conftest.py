"""The real aiohttp app (emulator mode: SHIFTBRIEF_TEAMS_EMULATOR=1, HOST loopback) with a local fake connector
as the activities' serviceUrl.

Every test checks what the bot sent: each outgoing activity against the Bot Framework protocol schema,
each Adaptive Card against the 1.5 schema. No test may reach the internet: name lookups and connections
to anything but loopback fail.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Assembly, build_app
from bot.config import Settings, load_config
from bot.core import Core
from bot.teams.platform import TeamsPlatform
from content.model import Pack
from tests.conftest import SHARED, FakeClock, shared_index, write_config
from tests.teams.fake_connector import Call, FakeConnector, Member

BOT_ID = "28:00000000-0000-0000-0000-00000000b0b0"
TENANT = "tenant-1"
CHANNEL = "19:respa-general@thread.tacv2"
CHANNEL_B = "19:respb-general@thread.tacv2"
MENTION = "<at>shiftbrief</at>"

SGT = Member("29:sgt", "aad-sgt", "Sgt Patel")
PC1 = Member("29:pc1", "aad-pc1", "PC Ahmed")
PC2 = Member("29:pc2", "aad-pc2", "PC Brown")
PC3 = Member("29:pc3", "aad-pc3", "PCSO Clarke")
ROSTER = [SGT, PC1, PC2, PC3]
COORD = Member("29:coord", "aad-coord", "Insp Okafor")  # a coordinator (TEAMS_CONFIG), not in the channel
SGT_B = Member("29:sgtb", "aad-sgtb", "Sgt Walsh")  # Response Team B's sergeant

TEAMS_CONFIG = f"""
timezone = "Europe/London"
[roles]
coordinators = ["teams:aad-coord"]
[[team]]
id = "response-a"
name = "Response Team A"
channel = "teams:{CHANNEL}"
sergeants = ["teams:aad-sgt"]
rota_start = "2026-11-23"
rota = ["off"]
[[team]]
id = "response-b"
name = "Response Team B"
channel = "teams:{CHANNEL_B}"
sergeants = ["teams:aad-sgtb"]
rota_start = "2026-11-23"
rota = ["off"]
"""

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def emulator_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emulator mode is opt-in: these tests opt in, and so does any `shiftbrief run` they start."""
    monkeypatch.setenv("SHIFTBRIEF_TEAMS_EMULATOR", "1")


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any lookup of, or connection to, a host that is not this machine (Microsoft included)."""
    real_lookup = socket.getaddrinfo
    real_connect = socket.socket.connect

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _LOOPBACK and host is not None:
            raise OSError(f"test tried to look up {host!r}")
        return real_lookup(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in _LOOPBACK:
            raise OSError(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket.socket, "connect", connect)


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SHARED / "schemas" / name).read_text(encoding="utf-8"))


_CARD_SCHEMA = _schema("adaptive-card-1.5.0.json")
CARD_VALIDATOR = jsonschema.validators.validator_for(_CARD_SCHEMA)(_CARD_SCHEMA)
_PROTOCOL = _schema("botframework-protocol.schema.json")
ACTIVITY_VALIDATOR = jsonschema.Draft7Validator({"$ref": "#/definitions/Activity", "definitions": _PROTOCOL["definitions"]})


def assert_valid_card(card: dict[str, Any]) -> None:
    """Adaptive Card 1.5, strictly, exactly as sent: nothing set aside (no Teams-only `msteams` key either)."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in CARD_VALIDATOR.iter_errors(card)]
    assert not errors, errors
    assert card["version"] in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")


def assert_valid_activity(activity: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in ACTIVITY_VALIDATOR.iter_errors(activity)]
    assert not errors, errors
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            assert_valid_card(attachment["content"])


def outgoing_activities(calls: list[Call]) -> list[dict[str, Any]]:
    """The activities inside the bot's calls to the connector: new posts, replies, updates."""
    found = []
    for call in calls:
        if call.method == "GET" or not isinstance(call.body, dict):
            continue
        if call.path == "/v3/conversations":
            if call.body.get("activity") is not None:
                found.append(call.body["activity"])
        else:
            found.append(call.body)
    return found


def cards_in(call: Call) -> list[dict[str, Any]]:
    body = call.body.get("activity", call.body) if call.path == "/v3/conversations" else call.body
    return [a["content"] for a in body.get("attachments") or [] if a.get("contentType", "").endswith("card.adaptive")]


def progress_of(card: dict[str, Any]) -> str:
    return next(b["text"] for b in card["body"] if b.get("id") == "progress")


def submit_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    return next(dict(a["data"]) for a in card["actions"] if a["title"] == title)


@dataclass
class Teams:
    """The running bot and its fake Teams: send activities as people, see what the bot sent."""

    client: TestClient
    connector: FakeConnector
    assembly: Assembly
    settings: Settings
    config_path: Path
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def core(self) -> Core:
        return self.assembly.core

    @property
    def platform(self) -> TeamsPlatform:
        platform = self.core.platforms["teams"]
        assert isinstance(platform, TeamsPlatform)
        return platform

    def activity(self, **fields: Any) -> dict[str, Any]:
        base = {
            "type": "message",
            "id": f"1700000000{next(self.ids):03d}",
            "timestamp": "2026-11-25T09:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "recipient": {"id": BOT_ID, "name": "shiftbrief"},
            "locale": "en-GB",
        }
        base.update(fields)
        return base

    def install_activity(self, channel: str = CHANNEL) -> dict[str, Any]:
        return self.activity(
            type="conversationUpdate",
            membersAdded=[{"id": BOT_ID, "name": "shiftbrief"}],
            **{"from": {"id": SGT.user_id, "name": SGT.name, "aadObjectId": SGT.aad}},
            conversation={"id": channel, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
            channelData={"eventType": "teamMemberAdded", "team": {"id": channel, "name": "Response A"},
                         "tenant": {"id": TENANT}},
        )

    def channel_message(self, who: Member, text: str, thread: str = "1700000000999") -> dict[str, Any]:
        return self.activity(
            text=f"{MENTION} {text}",
            textFormat="plain",
            **{"from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad}},
            conversation={"id": f"{CHANNEL};messageid={thread}", "conversationType": "channel", "isGroup": True,
                          "tenantId": TENANT},
            entities=[{"type": "mention", "text": MENTION, "mentioned": {"id": BOT_ID, "name": "shiftbrief"}}],
            channelData={"teamsChannelId": CHANNEL, "teamsTeamId": CHANNEL, "channel": {"id": CHANNEL},
                         "team": {"id": CHANNEL}, "tenant": {"id": TENANT}},
        )

    def personal_message(self, who: Member, text: str) -> dict[str, Any]:
        return self.activity(
            text=text,
            textFormat="plain",
            **{"from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad}},
            conversation={"id": f"a:personal-{who.user_id}", "conversationType": "personal", "tenantId": TENANT},
            channelData={"tenant": {"id": TENANT}},
        )

    def card_click(self, who: Member, post: Call, title: str, choice: str | None = None) -> dict[str, Any]:
        """What Teams sends when `who` presses a button on the card the bot posted in `post`."""
        card = cards_in(post)[0]
        value = submit_data(card, title)
        if choice is not None:
            value["choice"] = choice
        root = post.response_id
        return self.activity(
            **{"from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad}},
            conversation={"id": f"{CHANNEL};messageid={root}", "conversationType": "channel", "isGroup": True,
                          "tenantId": TENANT},
            replyToId=root,
            value=value,
            channelData={"channel": {"id": CHANNEL}, "team": {"id": CHANNEL}, "tenant": {"id": TENANT},
                         "source": {"name": "message"}},
        )

    async def send(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> ClientResponse:
        assert_valid_activity(activity)  # what the tests send is itself a well-formed activity
        return await self.client.post("/api/messages", json=activity, headers=headers or {})

    async def install(self) -> None:
        response = await self.send(self.install_activity())
        assert response.status == 200, await response.text()

    def check_everything_sent(self) -> None:
        for activity in outgoing_activities(self.connector.calls):
            assert_valid_activity(activity)


async def sergeant_briefs(teams: Teams) -> Call:
    """The bot is added to Response Team A and its sergeant types `brief now displacement`: the post."""
    await teams.install()
    response = await teams.send(teams.channel_message(SGT, "brief now displacement"))
    assert response.status == 200, await response.text()
    [post] = teams.connector.posts()
    return post


def teams_settings(tmp_path: Path, config_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"config_path": config_path, "db_path": tmp_path / "shiftbrief.db", "host": "127.0.0.1",
                              "port": 0, "teams_emulator": True}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector(list(ROSTER))
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def teams(tmp_path: Path, pack: Pack, clock: FakeClock, connector: FakeConnector) -> AsyncIterator[Teams]:
    config_path = write_config(tmp_path, TEAMS_CONFIG)
    settings = teams_settings(tmp_path, config_path)
    assembly = build_app(settings, load_config(config_path), pack, clock, index=shared_index(pack))
    client = TestClient(TestServer(assembly.web, host="127.0.0.1"))
    await client.start_server()
    harness = Teams(client, connector, assembly, settings, config_path)
    try:
        yield harness
        harness.check_everything_sent()
    finally:
        await client.close()
