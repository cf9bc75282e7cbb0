"""On Teams a card's videos and podcasts are named links with their length, the transcript linked as
"transcript"; cards and answers with media stay valid Adaptive Cards."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from bot.teams.card import media_markdown, render_answer, render_card
from content.model import Media, Pack
from tests.slack.test_render import view_of
from tests.teams.conftest import assert_valid_card

VIDEO = Media("video", "Hot spots [part 1]", "https://example.org/v_(1)", 12, "https://example.org/v/transcript")
PODCAST = Media("podcast", "Why *fifteen* minutes", "https://example.org/p", 45)


def test_a_video_is_its_title_linked_with_its_length_and_a_transcript_link() -> None:
    assert media_markdown(VIDEO) == ("\u25b6 Video: [Hot spots \\[part 1\\]](https://example.org/v_%281%29) (12 min)"
                                     " \u00b7 [transcript](https://example.org/v/transcript)")


def test_a_podcast_without_a_transcript_shows_its_title_as_typed() -> None:
    assert media_markdown(PODCAST) == "\U0001f3a7 Podcast: [Why \\*fifteen\\* minutes](https://example.org/p) (45 min)"


def test_cards_and_answers_with_media_are_valid_adaptive_cards(pack: Pack, config: Config) -> None:
    card = dataclasses.replace(pack.cards[0], media=(VIDEO, PODCAST))
    rendered = render_card(view_of(card, config))
    assert_valid_card(rendered)
    texts = [b["text"] for b in rendered["body"] if b["type"] == "TextBlock"]
    assert media_markdown(VIDEO) in texts and media_markdown(PODCAST) in texts
    answer = render_answer(card, 7)
    assert_valid_card(answer)
    assert media_markdown(PODCAST) in [b["text"] for b in answer["body"] if b["type"] == "TextBlock"]
