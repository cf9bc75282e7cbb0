"""Text the bot passes on in Teams is shown as written, never read as markup (review B4): an officer's question
forwarded to the questions channel, a sergeant's or team's name in a nudge. Teams reads a message's text as
Markdown with HTML in it, so `<`, `>`, `&` become entities and Markdown's punctuation numeric references: no
`<at>` mention, HTML link, `[words](address)`, image, emphasis or code survives as markup."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import load_config
from bot.teams.commands import escape
from content.model import Pack
from tests.conftest import FakeClock, answering_nothing, write_config
from tests.teams.conftest import CHANNEL, CHANNEL_B, PC1, PC2, SGT, TEAMS_CONFIG, Teams, teams_settings
from tests.teams.fake_connector import FakeConnector

# Typed in Teams, a literal `<` arrives as `&lt;` in the activity's text (which is HTML); the bot reads it back.
# A question near the topics (so it is passed on), with every kind of markup in it.
QUESTION = ("<at>Everyone</at> why do we stay <a href=\"https://evil.example/login\">15 minutes</a> at a "
            "[hot spot](https://evil.example/login) ![x](https://evil.example/p.png) "
            "**and** _not_ `longer` ~~or shorter~~ # koper & curve?")
SERGEANT = "Sgt <b>Patel</b> & [Co](https://evil.example/login) **now**"
TEAM = "Response <i>Team</i> A & _B_"
MARKUP = re.compile(r"[<>*_`~|\\]|(?<!&)#|\]\(|\]\[|\]:")  # a raw character markup is made of (not `&#…;`)


def plain_in_teams(text: str) -> bool:
    """Nothing Teams would read as HTML or Markdown: no tag, link, emphasis, code, strikethrough or heading."""
    return MARKUP.search(text) is None


@pytest.fixture
async def odd(tmp_path: Path, pack: Pack, clock: FakeClock, connector: FakeConnector) -> AsyncIterator[Teams]:
    """The Teams bot with a questions channel (Response Team B's) and names that hold markup, over an index that
    answers nothing, so a question near the topics is passed on."""
    text = TEAMS_CONFIG.replace('timezone = "Europe/London"\n',
                                f'timezone = "Europe/London"\nquestions_channel = "teams:{CHANNEL_B}"\n')
    text = text.replace('name = "Response Team A"', f'name = "{TEAM}"')
    text += f'[people]\n"teams:aad-sgt" = "{SERGEANT}"\n'
    config_path = write_config(tmp_path, text)
    settings = teams_settings(tmp_path, config_path)
    assembly = build_app(settings, load_config(config_path), pack, clock, index=answering_nothing(pack))
    client = TestClient(TestServer(assembly.web, host="127.0.0.1"))
    await client.start_server()
    harness = Teams(client, connector, assembly, settings, config_path)
    try:
        yield harness
        harness.check_everything_sent()
    finally:
        await client.close()


def test_escape_shows_plain_text_as_typed() -> None:
    for text in (QUESTION, SERGEANT, TEAM, "a\\*b\\* 1 < 2 && 3 > 2 [topic] [x]: https://evil.example"):
        assert plain_in_teams(escape(text)), escape(text)
        assert html.unescape(escape(text)) == text


async def test_a_forwarded_question_cannot_mention_anyone_or_hide_a_link(odd: Teams) -> None:
    teams = odd
    assert (await teams.send(teams.install_activity(CHANNEL_B))).status == 200
    typed = teams.personal_message(PC1, html.escape(QUESTION, quote=False))

    assert (await teams.send(typed)).status == 200

    [post] = [c for c in teams.connector.posts() if c.body["channelData"]["channel"]["id"] == CHANNEL_B]
    sent = post.body["activity"]
    assert sent["textFormat"] == "markdown" and not sent.get("attachments") and not sent.get("entities")
    assert plain_in_teams(sent["text"]), sent["text"]
    assert html.unescape(sent["text"]) == f"Unanswered question for the content team: \u201c{QUESTION}\u201d"


async def test_a_nudge_shows_the_sergeants_and_teams_names_as_written(odd: Teams) -> None:
    teams = odd
    await teams.install()
    assert (await teams.send(teams.channel_message(SGT, "brief now displacement"))).status == 200
    assert (await teams.send(teams.channel_message(SGT, "nudge"))).status == 200

    nudges = [c.body for c in teams.connector.replies() if "a:personal-" in c.path]
    assert {c.path for c in teams.connector.replies() if "a:personal-" in c.path} >= {
        f"/v3/conversations/a:personal-{who.user_id}/activities" for who in (PC1, PC2)}
    for nudge in nudges:
        assert nudge["textFormat"] == "markdown"
        assert plain_in_teams(nudge["text"]), nudge["text"]
        assert html.unescape(nudge["text"]).startswith(f"{SERGEANT} asks you to read today's briefing in {TEAM}: \u201c")
    assert not [c for c in teams.connector.replies() if CHANNEL in c.path and "<b>" in (c.body.get("text") or "")]
