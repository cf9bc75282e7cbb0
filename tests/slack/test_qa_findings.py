"""What QA found driving the real bot from outside: de-duplication keys, bad timestamps, `brief …` typed
to the bot, plain-text fallbacks, a refused SLACK_APP_TOKEN, personal data and noise in logs, and what
`shiftbrief post` says when Slack is not set up."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.slack.render import answer_message, card_text
from bot.slack.transport import Authorization, SocketModeConnection, build_bolt
from content.model import Pack
from content.search import Answer
from tests.conftest import FakeClock
from tests.records import records
from tests.slack.conftest import BOT_TOKEN, CHANNEL, Bot, card_message, sign, slack_settings, start_bot
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_render import view_of


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])


# -- 1. one delivery of one request -------------------------------------------------------------
async def test_two_peoples_clicks_sharing_a_trigger_id_are_both_counted(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id

    await bot.click("U0PC1", "acknowledge", delivery_id, trigger="trig.shared", action_ts="1764061200.100000")
    await bot.click("U0PC2", "acknowledge", delivery_id, trigger="trig.shared", action_ts="1764061200.200000")
    await fake.wait_for(lambda: fake.private_to("U0PC1") and fake.private_to("U0PC2"))
    assert bot.store.ack_counts(delivery_id) == (2, 3)

    # Slack's retry of the very same request is still handled once.
    await bot.click("U0PC1", "acknowledge", delivery_id, trigger="trig.shared", retry=1)
    await fake.settle(0.4)
    assert len(fake.private_to("U0PC1")) == 1


async def test_two_peoples_commands_sharing_a_trigger_id_are_both_answered(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0PC1", "me", trigger="trig.cmd")
    await bot.command("U0PC2", "me", trigger="trig.cmd")
    await fake.wait_for(lambda: fake.private_to("U0PC1") and fake.private_to("U0PC2"))
    await bot.command("U0PC1", "me", trigger="trig.cmd", retry=1)  # Slack resending the same request
    await fake.settle(0.4)
    assert len(fake.private_to("U0PC1")) == 1 and len(fake.private_to("U0PC2")) == 1


# -- 2 and 6. bad signatures: 401, one line, no body ---------------------------------------------
async def test_a_non_numeric_timestamp_is_refused_like_a_bad_signature(
    bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"command=%2Fbrief&text=now&user_id=U0SGT&channel_id=C0RESPA&trigger_id=t1"
    for stamp in ("abc", "", "1e9", "-5", "\u0661\u0662"):
        response = await bot.client.post("/slack/events", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, int(time.time())),
        })
        assert response.status == 401, stamp
    await fake.settle()
    assert fake.called("chat.postMessage") == []
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


async def test_a_forged_request_is_logged_as_one_reason_without_its_body(
    bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"command=%2Fbrief&text=ask+about+my+neighbour&user_id=U0PRIVATE&channel_id=C0RESPA&trigger_id=t1"
    now = int(time.time())
    assert await bot.send(body, "application/x-www-form-urlencoded", signature=sign(body, now, "wrong")) == 401
    assert await bot.send(body, "application/x-www-form-urlencoded", timestamp=now - 3600,
                          signature=sign(body, now - 3600)) == 401
    logged = everything_logged(caplog)
    assert "U0PRIVATE" not in logged and "neighbour" not in logged
    reasons = [r.getMessage() for r in caplog.records if r.name == "bot.slack.transport"]
    assert len(reasons) == 2 and "does not match SLACK_SIGNING_SECRET" in reasons[0] and "old" in reasons[1]
    assert all(logging.getLogger(n).getEffectiveLevel() >= logging.WARNING for n in ("slack_bolt", "slack_sdk"))


# -- 3. `brief …` typed to the bot is the /brief command ------------------------------------------
def dm(user: str, text: str) -> dict[str, object]:
    return {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text,
            "ts": "1764061300.000100", "event_ts": "1764061300.000100"}


async def test_brief_after_an_at_mention_is_the_command_not_a_question(bot: Bot, fake: FakeSlack) -> None:
    event = {"type": "app_mention", "channel": CHANNEL, "user": "U0SGT", "ts": "1764061400.000200",
             "text": "<@U0BOT> brief now displacement", "event_ts": "1764061400.000200"}
    await bot.event(event, "Ev0BRIEFNOW")
    posted = await fake.wait_for(lambda: fake.private_to("U0SGT"))
    assert posted[0].text.startswith("Posted")
    assert bot.core.card(bot.store.latest_delivery("response-a").card_id).topic == "displacement"
    card_message(fake)  # one card, and nothing else in the channel (no answer in a thread)
    assert len(fake.in_channel(CHANNEL)) == 1
    assert bot.store.questions() == []

    officer = {**event, "user": "U0PC1", "text": "<@U0BOT> Brief now"}
    await bot.event(officer, "Ev0OFFICERNOW")
    refused = await fake.wait_for(lambda: fake.private_to("U0PC1"))
    assert "Only a team's sergeants or a coordinator can post a briefing" in refused[0].text
    await fake.settle(0.3)
    assert len(fake.in_channel(CHANNEL)) == 1


async def test_brief_in_a_direct_message_is_the_command_and_gets_the_same_reply(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(dm("U0SGT", "brief now"), "Ev0DMNOW")
    await bot.event(dm("U0PC1", "brief me"), "Ev0DMME")
    await bot.event(dm("U0PC2", "brief"), "Ev0DMHELP")
    await bot.command("U0SGT", "now", channel="DU0SGT")  # the same command as a slash command, for comparison
    same = (await fake.wait_for(lambda: fake.private_to("U0SGT")))[0].text
    replies = await fake.wait_for(
        lambda: len([m for m in fake.messages if not m.metadata]) == 3
        and {m.channel: m.text for m in fake.messages if not m.metadata}
    )
    # Outside a team's channel a command is about the person's only team: the sergeant's posts there.
    assert replies["DU0SGT"].startswith("Posted") and same.startswith("Posted") and "Response Team A" in same
    assert len([m for m in fake.messages if m.metadata and m.channel == "C0RESPA"]) == 2
    assert replies["DU0PC1"].startswith("No briefing has been delivered to you yet")
    assert replies["DU0PC2"].startswith("Here is what I can do")
    assert bot.store.questions() == []

    await bot.event(dm("U0PC1", "how do I brief my shift on displacement?"), "Ev0DMQUESTION")  # still a question
    await fake.wait_for(lambda: bot.store.questions())


# -- 4. plain-text fallbacks ------------------------------------------------------------------
ODD = re.compile(r"\*\*|[?!.]\.|[?!.]:|\]\(")


def test_card_and_answer_fallbacks_are_clean_plain_text(pack: Pack, config: Config) -> None:
    problems = []
    for card in pack.cards:
        text = card_text(view_of(card, config))
        answer = Answer(answered=True, card=card, score=1.0, query="q")
        fallback, _blocks = answer_message(answer, 7)
        problems += [(card.id, m.group(0), where) for where, t in (("card", text), ("answer", fallback))
                     for m in ODD.finditer(t)]
    assert problems == []


async def test_the_corner_card_and_answer_read_as_plain_sentences(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now displacement")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    await bot.event(dm("U0PC1", "won't they just move round the corner?"), "Ev0CORNER")
    answer = (await fake.wait_for(lambda: fake.in_channel("DU0PC1")))[0]
    for text in (card_message(fake).text, answer.text):
        assert "**" not in text and "?." not in text and "?:" not in text, text


# -- 5. a refused SLACK_APP_TOKEN ---------------------------------------------------------------
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
                                    fake.called("apps.connections.open"), timeout=5)
        gaps = [b.at - a.at for a, b in zip(calls, calls[1:], strict=False)]
        assert gaps[0] >= 0.04 and gaps[2] > gaps[0] * 1.5 and max(gaps) < 0.5  # backs off, up to the cap
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert "SLACK_APP_TOKEN" in errors[0].getMessage() and "invalid_auth" in errors[0].getMessage()
        retries = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert retries and all("\n" not in m and "invalid_auth" in m for m in retries)
        assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)

        del fake.failing["apps.connections.open"]  # the admin fixes the token
        await fake.wait_for(lambda: "Slack Socket Mode connected" in caplog.text, timeout=5)
        assert await connection.connected()
    finally:
        await connection.stop()


# -- 7. no start-up warning; auth.test once --------------------------------------------------------
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
        await bot.event(dm("U0PC1", "why fifteen minutes?"), "Ev0AFTER")
        await fake.wait_for(lambda: fake.in_channel("DU0PC1"))
        assert len(fake.called("auth.test")) == 1
    finally:
        await bot.client.close()


# -- 8. `shiftbrief post` when Slack is not set up ----------------------------------------------
def test_post_to_a_slack_team_without_slack_names_the_missing_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack_config_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(slack_config_path))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(tmp_path / "shiftbrief.db"))
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["post", "--team", "response-a"]) == 1
    said = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in said and "SLACK_SIGNING_SECRET" in said and "SLACK_APP_TOKEN" in said, said

    monkeypatch.setenv("SLACK_SIGNING_SECRET", "set")
    assert main(["post", "--team", "response-a", "--json"]) == 1
    said = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in said and "SLACK_SIGNING_SECRET" not in said, said


def test_start_up_says_slack_is_off_and_why_when_teams_use_slack_channels(
    tmp_path: Path, slack_config_path: Path, pack: Pack
) -> None:
    from bot.app import build_app
    from bot.config import Settings, load_config

    settings = Settings(config_path=slack_config_path, db_path=tmp_path / "s.db", host="127.0.0.1", port=0)
    assembly = build_app(settings, load_config(slack_config_path), pack, FakeClock())
    try:
        notes = [n for n in assembly.notes if n.startswith("Slack")]
        assert len(notes) == 1 and "SLACK_BOT_TOKEN is not set" in notes[0] and "response-a" in notes[0]
    finally:
        records(assembly.core).close()



async def test_post_to_slack_without_a_token_names_the_variable_and_records_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    from tests.slack.conftest import SLACK_CONFIG

    (tmp_path / "shiftbrief.toml").write_text(SLACK_CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(SHIFTBRIEF_CONFIG=str(tmp_path / "shiftbrief.toml"), SHIFTBRIEF_DB=str(tmp_path / "sb.db"))
    team = next(line.split('"')[1] for line in SLACK_CONFIG.splitlines() if line.startswith("id = "))
    result = subprocess.run([sys.executable, "-m", "bot", "post", "--team", team], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "SLACK_BOT_TOKEN" in result.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "sb.db") as db:
        assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0
