"""On Slack a card's videos and podcasts are named links with their length, the transcript linked as
"transcript"; cards and answers with media stay valid Block Kit."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from bot.slack.render import answer_message, card_blocks, media_mrkdwn
from content.model import Media, Pack
from content.search import Answer
from tests.slack.test_render import BLOCK_KIT, view_of

VIDEO = Media("video", "Hot spots policing in ten minutes", "https://example.org/v?a=1&b=2", 12,
              "https://example.org/v/transcript")
PODCAST = Media("podcast", "Why fifteen minutes | <!here>", "https://example.org/p", 45)


def test_a_video_is_its_title_linked_with_its_length_and_a_transcript_link() -> None:
    assert media_mrkdwn(VIDEO) == ("\u25b6 Video: <https://example.org/v?a=1&amp;b=2|Hot spots policing in ten minutes>"
                                   " (12 min) \u00b7 <https://example.org/v/transcript|transcript>")


def test_a_podcast_without_a_transcript_cannot_break_its_link_or_ping_anyone() -> None:
    assert media_mrkdwn(PODCAST) == "\U0001f3a7 Podcast: <https://example.org/p|Why fifteen minutes / &lt;!here&gt;> (45 min)"


def test_cards_and_answers_with_media_are_valid_block_kit(pack: Pack, config: Config) -> None:
    card = dataclasses.replace(pack.cards[0], media=(VIDEO, PODCAST))
    blocks = card_blocks(view_of(card, config))
    assert list(BLOCK_KIT.iter_errors(blocks)) == []
    shown = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert media_mrkdwn(VIDEO) in shown and media_mrkdwn(PODCAST) in shown
    _text, answer = answer_message(Answer(True, card, 0.9, "is there a video"), 7)
    assert list(BLOCK_KIT.iter_errors(answer)) == []
    assert any(media_mrkdwn(VIDEO) in str(b) for b in answer)
