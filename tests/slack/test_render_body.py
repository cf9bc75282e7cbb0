"""Slack shows a card body as mrkdwn built from the parsed body: items on their own lines, *bold*, _italic_,
<address|links>, and Slack's control characters in the text escaped."""

from __future__ import annotations

import dataclasses
import re

from bot.config import Config
from bot.slack.render import answer_message, card_blocks, card_text, mrkdwn, plain_text
from content.model import Pack
from content.search import Answer
from tests.slack.test_render import BLOCK_KIT, view_of

SEVEN_STEPS = "what-is-hsp-college-seven-steps"


def test_the_seven_steps_are_seven_numbered_lines_of_the_posted_card(pack: Pack, config: Config) -> None:
    card = pack.card(SEVEN_STEPS)
    assert card is not None
    blocks = card_blocks(view_of(card, config))
    assert list(BLOCK_KIT.iter_errors(blocks)) == []

    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    steps = re.findall(r"^(\d+)\. (.*)$", text, re.M)
    assert [number for number, _step in steps] == ["1", "2", "3", "4", "5", "6", "7"]
    assert steps[0][1] == "*Thinking*: implementation and barriers to success"
    assert "to be followed in order:\n\n1. *Thinking*" in text


def test_bullets_after_a_lead_in_line_are_bullet_lines() -> None:
    assert mrkdwn("They found:\n- fewer arrests\n* more trust") == (
        "They found:\n\n\u2022 fewer arrests\n\u2022 more trust"
    )


def test_a_numbered_list_keeps_its_first_number() -> None:
    assert mrkdwn("3. third\n4) fourth") == "3. third\n4. fourth"


def test_bold_italics_and_links_become_slack_mrkdwn() -> None:
    assert mrkdwn("**Jersey City** showed *no* move, _see_ [the **review**](https://example.org/r?a=1&b=2)") == (
        "*Jersey City* showed _no_ move, _see_ <https://example.org/r?a=1&amp;b=2|the review>"
    )


def test_text_that_looks_like_slack_markup_is_escaped_and_cannot_ping_or_forge_a_link() -> None:
    assert mrkdwn("stats <team id> & <!channel> <https://evil.example|Click>") == (
        "stats &lt;team id&gt; &amp; &lt;!channel&gt; &lt;https://evil.example|Click&gt;"
    )
    assert mrkdwn("[<!here> | win](https://example.org)") == "<https://example.org|&lt;!here&gt; / win>"


def test_the_plain_text_fallback_has_no_markup_and_one_item_a_line() -> None:
    assert plain_text("In order:\n1. **Thinking**: first\n2. *Enabling*\n\nSee [it](https://example.org).") == (
        "In order:\n1. Thinking: first\n2. Enabling\nSee it (https://example.org)."
    )


def test_a_myth_and_the_notification_read_as_written(pack: Pack, config: Config) -> None:
    card = dataclasses.replace(pack.cards[0], myth="It *just* moves <round the corner>")
    view = view_of(card, config)
    sections = [b["text"]["text"] for b in card_blocks(view) if b["type"] == "section"]
    assert "*Myth:* It _just_ moves &lt;round the corner&gt;" in sections
    assert "It just moves &lt;round the corner&gt;." in card_text(view)


def test_an_answers_fallback_ends_its_sentence_after_an_escaped_bracket(pack: Pack) -> None:
    card = dataclasses.replace(pack.cards[0], body="Officers said:\n- it moved <round the corner>")
    text, _blocks = answer_message(Answer(answered=True, card=card, score=1.0, query="q"), 7)
    assert "Officers said:\n\u2022 it moved &lt;round the corner&gt;.\nSource:" in text
