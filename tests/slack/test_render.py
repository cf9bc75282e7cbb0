"""Block Kit rendering stays valid and inside Slack's limits even for content larger than the pack allows."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft202012Validator

from bot.config import Config
from bot.core import Delivery
from bot.core.platform import CardView
from bot.slack.render import card_blocks, card_text, mrkdwn
from content.model import Card, CheckQuestion, Pack
from tests.conftest import SHARED

BLOCK_KIT = Draft202012Validator(json.loads((SHARED / "schemas" / "slack-block-kit.schema.json").read_text()))


def view_of(card: Card, config: Config) -> CardView:
    delivery = Delivery(id="d-0123456789abcdef", card_id=card.id, card_version=card.version, topic=card.topic,
                        team_id="response-a", channel="slack:C0RESPA", reason="sergeant", posted_by=None,
                        shift_start=None, created_at=datetime(2026, 11, 25, tzinfo=UTC), posted_at=None,
                        message_ref=None, state="posting", error=None)
    return CardView(delivery, card, config.teams[0], 2, 17)


def test_an_oversized_card_still_renders_within_slacks_limits(pack: Pack, config: Config) -> None:
    long_option = "An answer option written far longer than the seventy-five characters a button may carry"
    paragraph = "A paragraph of evidence that goes on. " * 60  # about 2,300 characters
    card = dataclasses.replace(
        pack.cards[0],
        title="T" * 200,
        body="\n\n".join([paragraph] * 60),
        check=CheckQuestion("Which?", (long_option, "Short", long_option + " too", "Four"), 2, "Because."),
    )
    blocks = card_blocks(view_of(card, config))

    assert list(BLOCK_KIT.iter_errors(blocks)) == []
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert all(len(e["text"]["text"]) <= 75 for e in buttons)
    assert [e["action_id"] for e in buttons] == ["acknowledge", "check_1", "check_2", "check_3", "check_4"]
    # A cut label is spelled out in full above the buttons, so nobody answers a truncated option.
    assert any(long_option in b["text"]["text"] for b in blocks if b["type"] == "section")
    assert blocks[-1]["elements"][0]["text"] == "Acknowledged by 2 of 17"
    assert len(card_text(view_of(card, config))) <= 3000


def test_every_card_in_the_pack_renders_as_valid_block_kit(pack: Pack, config: Config) -> None:
    problems: list[Any] = []
    for card in pack.cards:
        blocks = card_blocks(view_of(card, config))
        problems += [(card.id, e.message[:80]) for e in BLOCK_KIT.iter_errors(blocks)]
        assert len(blocks) <= 50, card.id
    assert problems == []


def test_card_markdown_becomes_slack_mrkdwn_and_cannot_ping_everyone() -> None:
    assert mrkdwn("**Jersey City** showed *no* move <!channel> & more") == (
        "*Jersey City* showed _no_ move &lt;!channel&gt; &amp; more"
    )
    assert mrkdwn("- one\n- two") == "\u2022 one\n\u2022 two"
    assert mrkdwn("see [the review](https://example.org/r)") == "see <https://example.org/r|the review>"
