"""The plain-text `text` of a card or an answer (what notifications and screen readers show) reads as plain
sentences: no Markdown left over, no doubled punctuation."""

from __future__ import annotations

import re

from bot.config import Config
from bot.slack.render import answer_message, card_text
from content.model import Pack
from content.search import Answer
from tests.slack.conftest import Bot, card_message, direct_message
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_render import view_of

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
    await bot.event(direct_message("U0PC1", "won't they just move round the corner?"), "Ev0CORNER")
    answer = (await fake.wait_for(lambda: fake.in_channel("DU0PC1")))[0]
    for text in (card_message(fake).text, answer.text):
        assert "**" not in text and "?." not in text and "?:" not in text, text
