"""Socket Mode when SLACK_APP_TOKEN is set (against the fake's apps.connections.open and WebSocket), a
refused app token reported once and retried with back-off, the reconnect watchdog, and finding a card a
crash left half-posted so it is never posted twice."""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.slack.transport import Authorization, SocketModeConnection, build_bolt
from content.model import Pack
from tests.conftest import FakeClock
from tests.slack.conftest import APP_TOKEN, Bot, card_message, slack_settings, start_bot
from tests.slack.fake_slack import FakeSlack


async def test_socket_mode_is_chosen_when_an_app_token_is_set(
    tmp_path: Path, fake: FakeSlack, slack_config_path: Path, pack: Pack
) -> None:
    settings = slack_settings(tmp_path, fake, slack_config_path, slack_app_token=APP_TOKEN,
                              slack_signing_secret=None)
    bot, _server = await start_bot(settings, pack, fake, FakeClock())
    try:
        assert any("Socket Mode" in note for note in bot.assembly.notes)
        response = await bot.client.post("/slack/events", data=b"{}")
        assert response.status in (404, 405), "no inbound Slack endpoint in Socket Mode"

        opened = await fake.wait_for(lambda: fake.called("apps.connections.open"))
        assert opened[0].token == APP_TOKEN
        envelope = {
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"token": "legacy", "team_id": "T0FORCE", "channel_id": "C0RESPA", "user_id": "U0SGT",
                        "user_name": "stone", "command": "/brief", "text": "now displacement",
                        "api_app_id": "A0SHIFT", "trigger_id": "trig.socket", "response_url": "unused"},
        }
        await fake.push(envelope)
        await fake.wait_for(lambda: any(f.get("envelope_id") == "env-1" for f in fake.socket_frames))
        await fake.wait_for(lambda: fake.private_to("U0SGT"))
        assert card_message(fake).metadata["event_payload"]["delivery"] == bot.store.latest_delivery("response-a").id

        await fake.push({**envelope, "envelope_id": "env-2", "retry_attempt": 1})  # Slack redelivers
        await fake.wait_for(lambda: any(f.get("envelope_id") == "env-2" for f in fake.socket_frames))
        await bot.drain()
        assert len(fake.called("chat.postMessage")) == 1
    finally:
        await bot.close()


async def test_a_refused_app_token_is_one_clear_error_then_one_line_per_retry_backing_off(
    bot: Bot, fake: FakeSlack, tmp_path: Path, slack_config_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake.failing["apps.connections.open"] = "invalid_auth"
    settings = slack_settings(tmp_path, fake, slack_config_path, slack_app_token="xapp-bad", slack_signing_secret=None)
    bolt = build_bolt(bot.core, bot.platform, settings, Authorization(bot.platform.client))
    connection = SocketModeConnection(bolt, "xapp-bad", first_retry=0.05, longest_retry=0.2)
    await connection.start()
    try:
        calls = await fake.wait_for(lambda: len(fake.called("apps.connections.open")) >= 5 and
                                    fake.called("apps.connections.open"), within=5)
        gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
        assert gaps[0] >= 0.04 and gaps[2] > gaps[0] * 1.5 and max(gaps) < 0.5  # backs off, up to the cap
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert "SLACK_APP_TOKEN" in errors[0].getMessage() and "invalid_auth" in errors[0].getMessage()
        retries = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert retries and all("\n" not in m and "invalid_auth" in m for m in retries)
        assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)

        del fake.failing["apps.connections.open"]  # the admin fixes the token
        await fake.wait_for(lambda: "Slack Socket Mode connected" in caplog.text, within=5)
        assert await connection.connected()
    finally:
        await connection.stop()


class _StuckClient:
    def __init__(self) -> None:
        self.closed = False

    async def is_connected(self) -> bool:
        return False


class _StuckHandler:
    """A handler whose session never comes back, as after the SDK's known reconnect stalls."""

    made: ClassVar[list[_StuckHandler]] = []

    def __init__(self, app: Any, token: str) -> None:
        self.client = _StuckClient()
        _StuckHandler.made.append(self)

    async def connect_async(self) -> None:
        return None

    async def close_async(self) -> None:
        self.client.closed = True


async def test_the_watchdog_replaces_a_connection_that_stays_down() -> None:
    _StuckHandler.made = []
    connection = SocketModeConnection(object(), APP_TOKEN, check_every=0.02, unhealthy_after=2,  # type: ignore[arg-type]
                                      handler_factory=_StuckHandler)  # type: ignore[arg-type]
    await connection.start()
    try:
        for _ in range(100):
            if connection.reconnects >= 1:
                break
            await asyncio.sleep(0.02)
        assert connection.reconnects >= 1
        assert _StuckHandler.made[0].client.closed, "the stalled handler is closed, not left running"
        assert connection.handler is not _StuckHandler.made[0]
    finally:
        await connection.stop()


async def test_a_card_posted_just_before_a_crash_is_found_not_posted_again(bot: Bot, fake: FakeSlack) -> None:
    core, store = bot.core, bot.store
    card = (await core.choose_card(core.team("response-a")))
    delivery = store.create_delivery(card_id=card.id, card_version=card.version, topic=card.topic,
                                     team_id="response-a", channel="slack:C0RESPA", reason="sergeant",
                                     posted_by="slack:U0SGT", now=bot.clock())
    assert store.mark_posting(delivery.id)
    await bot.platform.post_card(await core.ctx.view(store.delivery(delivery.id)))  # reached Slack; then the crash

    counts = await core.recover()
    assert counts["found"] == 1 and counts["posted"] == 0
    assert len(fake.called("chat.postMessage")) == 1
    assert store.delivery(delivery.id).message_ref == {"channel": "C0RESPA", "ts": card_message(fake).ts}


async def test_a_card_that_never_reached_slack_is_posted_on_recovery(bot: Bot, fake: FakeSlack) -> None:
    core, store = bot.core, bot.store
    card = (await core.choose_card(core.team("response-a")))
    delivery = store.create_delivery(card_id=card.id, card_version=card.version, topic=card.topic,
                                     team_id="response-a", channel="slack:C0RESPA", reason="sergeant",
                                     posted_by="slack:U0SGT", now=bot.clock())
    assert store.mark_posting(delivery.id)

    counts = await core.recover()
    assert counts == {"posted": 1, "missed": 0, "failed": 0, "found": 0}
    assert card_message(fake).metadata["event_payload"]["delivery"] == delivery.id
