"""Text the bot passes on is shown, never acted on (review B4): an officer's question forwarded to the questions
channel, a sergeant's name or a team's name in a nudge, the bot's own confirmations. Slack's control characters
(`&`, `<`, `>`) are escaped once: `<!channel>` cannot ping, `<https://…|words>` cannot hide an address behind
words. Every call reaches the fake Slack, which checks it against Slack's method reference and Block Kit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from content.model import Pack
from tests.conftest import FakeClock, write_config
from tests.slack.conftest import SLACK_CONFIG, Bot, direct_message, slack_settings, start_bot
from tests.slack.fake_slack import FakeSlack

# A question near the topics (so it is passed on) with everything Slack would act on: pings and a hidden link.
PHISHING = ("<!channel> <!here> <@U0COORD> why do we stay 15 minutes at a hot spot and not longer?"
            " <https://evil.example/login|see the koper curve>")
CONTROL = re.compile(r"<[!@#]|<https?:|<mailto:")  # what Slack would act on: a mention, a channel, a link
SERGEANT = "Sgt <!channel> Stone & <https://evil.example/login|Sons>"
TEAM = "Response <Team> A & B"


def defused(mrkdwn: str) -> bool:
    """No control sequence Slack acts on, and no raw `<` or `>` that could start one."""
    return CONTROL.search(mrkdwn) is None and "<" not in mrkdwn and ">" not in mrkdwn


def shown(mrkdwn: str) -> str:
    """What Slack shows for escaped text: its three entities read back as characters."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.fixture
async def odd_names(tmp_path: Path, fake: FakeSlack, pack: Pack) -> AsyncIterator[Bot]:
    """The bot with a sergeant and a team whose configured names hold Slack markup."""
    text = SLACK_CONFIG.replace('name = "Response Team A"', f'name = "{TEAM}"')
    text = text.replace("[roles]", f'[people]\n"slack:U0SGT" = "{SERGEANT}"\n[roles]')
    path = write_config(tmp_path, text)
    running, _server = await start_bot(slack_settings(tmp_path, fake, path), pack, fake, FakeClock())
    yield running
    await running.close()


async def test_a_forwarded_question_cannot_ping_the_channel_or_hide_a_link(unanswering_bot: Bot, fake: FakeSlack) -> None:
    bot = unanswering_bot
    await bot.event(direct_message("U0PC1", PHISHING), "Ev0PHISH")
    forwarded = (await fake.wait_for(lambda: fake.in_channel("C0QUEST")))[0]
    await bot.drain()

    assert defused(forwarded.text), forwarded.text
    assert forwarded.blocks is None  # the text alone, no mrkdwn block to slip past
    assert shown(forwarded.text) == f"Unanswered question for the content team: \u201c{PHISHING}\u201d"
    assert "https://evil.example/login|see the koper curve" in shown(forwarded.text)  # the address is visible
    [call] = [c for c in fake.called("chat.postMessage") if c.args["channel"] == "C0QUEST"]
    assert str(call.args.get("unfurl_links")).lower() == "false"  # and not previewed either
    assert bot.store.questions()[0]["text"] == PHISHING  # kept as the officer typed it


async def test_the_askers_own_reply_shows_the_question_escaped_once(unanswering_bot: Bot, fake: FakeSlack) -> None:
    bot = unanswering_bot
    await bot.event(direct_message("U0PC1", "why do we stay 15 minutes at the R&D <b>hot spot</b>?"), "Ev0AMP")
    reply = (await fake.wait_for(lambda: fake.in_channel("DU0PC1")))[0]
    forwarded = (await fake.wait_for(lambda: fake.in_channel("C0QUEST")))[0]
    asked = str(reply.blocks)

    assert "R&amp;D &lt;b&gt;hot spot&lt;/b&gt;?" in asked
    assert "R&amp;D &lt;b&gt;hot spot&lt;/b&gt;?" in forwarded.text
    assert "&amp;amp;" not in asked + forwarded.text and "&amp;lt;" not in asked + forwarded.text


async def test_a_nudge_shows_the_sergeants_and_teams_names_as_written(odd_names: Bot, fake: FakeSlack) -> None:
    bot = odd_names
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    await bot.command("U0SGT", "nudge")
    await bot.drain()

    nudges = [m for m in fake.messages if m.channel.startswith("D")]
    assert sorted(m.channel for m in nudges) == ["DU0PC1", "DU0PC2"]
    for message in nudges:
        assert defused(message.text), message.text
        assert shown(message.text).startswith(f"{SERGEANT} asks you to read today's briefing in {TEAM}: \u201c")
    for ephemeral in fake.private_to("U0SGT"):  # the sergeant's own replies (rendered mrkdwn) too
        assert defused(ephemeral.text), ephemeral.text


async def test_confirmations_of_a_click_are_escaped_once(odd_names: Bot, fake: FakeSlack) -> None:
    bot = odd_names
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id

    await bot.click("U0PC1", "acknowledge", delivery_id, channel="C0RESPB")  # refused: the text names the team
    refusal = (await fake.wait_for(lambda: fake.private_to("U0PC1")))[0]
    assert defused(refusal.text) and TEAM in shown(refusal.text) and "&amp;amp;" not in refusal.text


async def test_plain_text_is_escaped_and_rendered_mrkdwn_is_sent_as_it_is(bot: Bot, fake: FakeSlack) -> None:
    await bot.platform.post_text("slack:C0RESPB", "a & b <!here> *c*")
    await bot.platform.send_direct("slack:U0PC3", "<@U0SGT> & co")
    await bot.platform.post_mrkdwn("slack:C0RESPB", "*bold* &amp; <https://example.org|a link>")

    texts = [m.text for m in fake.messages]
    assert texts == ["a &amp; b &lt;!here&gt; *c*", "&lt;@U0SGT&gt; &amp; co", "*bold* &amp; <https://example.org|a link>"]
