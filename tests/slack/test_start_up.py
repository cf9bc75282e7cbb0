"""What the bot says about Slack as it starts, and how it first reaches it: no spurious token warning,
`auth.test` once however many requests arrive together, and a clear note when Slack is not set up."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import Settings, load_config
from content.model import Pack
from tests.conftest import FakeClock
from tests.records import records
from tests.slack.conftest import BOT_TOKEN, direct_message, slack_settings, start_bot
from tests.slack.fake_slack import FakeSlack


async def test_no_unused_token_warning_and_auth_test_once_however_many_requests_arrive_together(
    tmp_path: Path, fake: FakeSlack, slack_config_path: Path, pack: Pack, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)  # as in production, where bolt reads it too
    bot, _server = await start_bot(slack_settings(tmp_path, fake, slack_config_path), pack, fake, FakeClock())
    try:
        assert "`token`" not in caplog.text and "will be unused" not in caplog.text
        await asyncio.gather(*(bot.command(user, "me") for user in ("U0PC1", "U0PC2", "U0SGT", "U0COORD")))
        await fake.wait_for(lambda: len(fake.ephemerals) == 4)
        await bot.event(direct_message("U0PC1", "why fifteen minutes?"), "Ev0AFTER")
        await fake.wait_for(lambda: fake.in_channel("DU0PC1"))
        assert len(fake.called("auth.test")) == 1
    finally:
        await bot.close()


def test_start_up_says_slack_is_off_and_why_when_teams_use_slack_channels(
    tmp_path: Path, slack_config_path: Path, pack: Pack
) -> None:
    settings = Settings(config_path=slack_config_path, db_path=tmp_path / "s.db", host="127.0.0.1", port=0)
    assembly = build_app(settings, load_config(slack_config_path), pack, FakeClock())
    try:
        notes = [n for n in assembly.notes if n.startswith("Slack")]
        assert len(notes) == 1 and "SLACK_BOT_TOKEN is not set" in notes[0] and "response-a" in notes[0]
    finally:
        records(assembly.core).close()
