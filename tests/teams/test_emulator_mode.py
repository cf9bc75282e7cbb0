"""Emulator mode (no MICROSOFT_APP_ID, no token checked) is opt-in and for this machine only; /api/messages
takes only `application/json`; `deliveryMode: expectReplies` is answered in the body.

Review breaks B2 (a cross-site `text/plain; x=application/json` form reached the unauthenticated endpoint on
every loopback start) and B12 (`expectReplies` answered 500).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import ConfigError, load_config, load_settings
from bot.core import PostFailed
from bot.core.roles import SYSTEM
from content.model import Pack
from tests.conftest import FakeClock, shared_index, write_config
from tests.records import records
from tests.teams.conftest import (
    CHANNEL,
    COORD,
    PC1,
    SGT,
    TEAMS_CONFIG,
    Teams,
    sergeant_briefs,
    teams_settings,
)
from tests.teams.fake_connector import FakeConnector


@pytest.fixture
async def closed(tmp_path: Path, pack: Pack, clock: FakeClock, connector: FakeConnector) -> AsyncIterator[Teams]:
    """Loopback, no MICROSOFT_APP_ID and no SHIFTBRIEF_TEAMS_EMULATOR: what a plain `shiftbrief run` gets."""
    config_path = write_config(tmp_path, TEAMS_CONFIG)
    settings = teams_settings(tmp_path, config_path, teams_emulator=False)
    assembly = build_app(settings, load_config(config_path), pack, clock, index=shared_index(pack))
    client = TestClient(TestServer(assembly.web, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Teams(client, connector, assembly, settings, config_path)
    finally:
        await client.close()


# -- opt-in --------------------------------------------------------------------------------------
async def test_without_the_variable_an_unauthenticated_activity_is_refused_with_401_saying_why(closed: Teams) -> None:
    response = await closed.send(closed.install_activity())

    assert response.status == 401
    assert "SHIFTBRIEF_TEAMS_EMULATOR=1" in (await response.json())["error"]
    assert closed.connector.calls == []
    assert records(closed.core).reference(f"teams:{CHANNEL}") is None
    [note] = [n for n in closed.assembly.notes if "Microsoft Teams" in n]
    assert "401" in note and "emulator mode is off" in note and "SHIFTBRIEF_TEAMS_EMULATOR=1" in note


async def test_without_the_variable_the_b2_cross_site_request_gets_nothing(closed: Teams) -> None:
    """The review's request: a browser form posting a personal-chat `stats` as the coordinator."""
    activity = closed.personal_message(COORD, "stats response-a")
    for content_type in ("application/json", "text/plain; x=application/json"):
        response = await closed.client.post("/api/messages", json=activity, headers={"Content-Type": content_type})
        assert response.status == 401
    assert closed.connector.calls == []


async def test_without_teams_set_up_a_post_to_a_teams_channel_names_the_variables_and_records_nothing(
    closed: Teams,
) -> None:
    with pytest.raises(PostFailed, match="MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID"):
        await closed.core.post_briefing(SYSTEM, "response-a")
    assert closed.connector.calls == []
    states = ("claimed", "posting", "posted", "failed", "missed")
    assert records(closed.core).deliveries(team_ids=["response-a"], states=states) == []  # refused before any record


def test_a_process_without_teams_set_up_never_imports_botbuilder(tmp_path: Path) -> None:
    """Some 16 MB of memory a force running Slack only (or the local workspace) need not carry."""
    script = (
        "import sys\n"
        "from bot.app import build_app\n"
        "from bot.config import load_config, load_settings\n"
        "from content import load_pack\n"
        "from tests.conftest import FakeClock\n"
        "from datetime import UTC, datetime\n"
        f"settings = load_settings({{'SHIFTBRIEF_DB': {str(tmp_path / 'sb.db')!r}, 'HOST': '127.0.0.1'}})\n"
        "build_app(settings, load_config(settings.config_path), load_pack(), FakeClock(datetime(2026, 12, 1, tzinfo=UTC)))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('botbuilder', 'botframework'))}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2], check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("TRUE", True), ("0", False), ("false", False), ("", False), (" 1 ", True)],
)
def test_the_variable_reads_one_true_zero_false_or_empty(value: str, expected: bool) -> None:
    assert load_settings({"SHIFTBRIEF_TEAMS_EMULATOR": value}).teams_emulator is expected
    assert load_settings({}).teams_emulator is False


@pytest.mark.parametrize("value", ["yes", "on", "2", "enabled", "1.0", "-1", "tru"])
def test_any_other_value_stops_start_up_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"SHIFTBRIEF_TEAMS_EMULATOR": value})
    assert refused.value.key == "SHIFTBRIEF_TEAMS_EMULATOR" and repr(value) in str(refused.value)


async def test_emulator_mode_is_refused_off_loopback_and_start_up_says_so(tmp_path: Path, pack: Pack, clock: FakeClock) -> None:
    config_path = write_config(tmp_path, TEAMS_CONFIG)
    settings = teams_settings(tmp_path, config_path, host="0.0.0.0", teams_emulator=True)
    assembly = build_app(settings, load_config(config_path), pack, clock, index=shared_index(pack))
    async with TestClient(TestServer(assembly.web, host="127.0.0.1")) as client:
        response = await client.post("/api/messages", json={"type": "message"})
    assert response.status in (404, 405)
    assert any("SHIFTBRIEF_TEAMS_EMULATOR=1 is honoured only on a loopback HOST" in n for n in assembly.notes)


def test_with_an_app_id_the_variable_is_ignored_and_start_up_says_so(tmp_path: Path, pack: Pack, clock: FakeClock) -> None:
    config_path = write_config(tmp_path, TEAMS_CONFIG)
    settings = teams_settings(tmp_path, config_path, teams_emulator=True, microsoft_app_id="app",
                              microsoft_app_password="not-a-secret", microsoft_app_tenant_id="tenant")
    assembly = build_app(settings, load_config(config_path), pack, clock, index=shared_index(pack))
    assert any("token is checked" in n and "SHIFTBRIEF_TEAMS_EMULATOR is ignored" in n for n in assembly.notes)


# -- this machine only -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "status"),
    [({"Host": "evil.example:{port}"}, 421), ({"Host": "localhost.evil.example:{port}"}, 421),
     ({"Host": "127.0.0.1:1"}, 421), ({"X-Forwarded-For": "203.0.113.9"}, 403),
     ({"Forwarded": "for=203.0.113.9"}, 403), ({"X-Forwarded-Host": "bot.force.example"}, 403)],
)
async def test_in_emulator_mode_only_requests_made_on_this_machine_are_accepted(
    teams: Teams, headers: dict[str, str], status: int
) -> None:
    port = teams.client.port
    response = await teams.send(teams.install_activity(), headers={k: v.format(port=port) for k, v in headers.items()})

    assert response.status == status
    assert "Set-Cookie" not in response.headers
    assert teams.connector.calls == []
    assert records(teams.core).reference(f"teams:{CHANNEL}") is None


async def test_in_emulator_mode_localhost_and_ipv6_loopback_names_are_accepted(teams: Teams) -> None:
    for host in (f"localhost:{teams.client.port}", f"[::1]:{teams.client.port}"):
        response = await teams.send(teams.install_activity(), headers={"Host": host})
        assert response.status == 200, host


# -- the media type --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type",
    ["text/plain; x=application/json", "text/plain;charset=utf-8;application/json", "text/plain",
     "application/x-www-form-urlencoded", "multipart/form-data; boundary=application/json", "application/jsonx",
     "application/json-seq", "application/vnd.api+json", "", "application"],
)
async def test_only_the_media_type_application_json_is_accepted(teams: Teams, content_type: str) -> None:
    response = await teams.client.post("/api/messages", json=teams.personal_message(PC1, "help"),
                                       headers={"Content-Type": content_type})

    assert response.status == 415
    assert "application/json" in (await response.json())["error"]
    assert teams.connector.calls == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"])
async def test_application_json_with_parameters_is_accepted(teams: Teams, content_type: str) -> None:
    response = await teams.client.post("/api/messages", json=teams.personal_message(PC1, "help"),
                                       headers={"Content-Type": content_type})

    assert response.status == 200
    assert "Here is what I can do" in teams.connector.replies()[-1].body["text"]


# -- deliveryMode: expectReplies (B12) -----------------------------------------------------------------
async def test_expect_replies_gets_the_replies_in_the_body(teams: Teams) -> None:
    response = await teams.send(teams.personal_message(PC1, "help") | {"deliveryMode": "expectReplies"})

    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    [reply] = body["activities"]
    assert reply["type"] == "message" and "Here is what I can do" in reply["text"]
    assert teams.connector.replies() == []  # answered in the body, not through the connector


async def test_expect_replies_in_a_channel_answers_in_the_body_and_logs_no_invoke_none(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    await sergeant_briefs(teams)
    caplog.set_level(logging.INFO)
    replies_before = len(teams.connector.replies())

    response = await teams.send(teams.channel_message(SGT, "help") | {"deliveryMode": "expectReplies"})

    assert response.status == 200, await response.text()
    [reply] = (await response.json())["activities"]
    assert "Here is what I can do" in reply["text"]
    assert len(teams.connector.replies()) == replies_before
    assert not [r for r in caplog.records if "invoke None" in r.getMessage()]


def test_log_lines_name_an_activity_by_its_type_not_as_invoke_none() -> None:
    from botbuilder.schema import Activity

    from bot.teams.endpoint import _describe

    assert _describe(Activity(type="message", id="17", delivery_mode="expectReplies")) == "message 17 (expectReplies)"
    assert _describe(Activity(type="message", id="17")) == "message 17"
    assert _describe(Activity(type="invoke", name="adaptiveCard/action")) == "invoke 'adaptiveCard/action'"
