"""Teams shows a card body as Adaptive Card TextBlocks built from the parsed body, in the Markdown TextBlocks
render (**bold**, _italic_, `- ` and `1. ` lines, [links](…)); text a person typed never becomes markup."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bot.config import Config
from bot.teams.card import body_text_blocks, escape, render_answer, render_card
from content.model import Pack
from tests.slack.test_render import view_of
from tests.teams.conftest import assert_valid_card

SEVEN_STEPS = "what-is-hsp-college-seven-steps"
ZWSP = "\u200b"


def texts(card: dict[str, Any]) -> list[str]:
    return [b["text"] for b in card["body"] if b["type"] == "TextBlock"]


def test_the_seven_steps_are_one_textblock_of_seven_numbered_lines(pack: Pack, config: Config) -> None:
    card = pack.card(SEVEN_STEPS)
    assert card is not None
    rendered = render_card(view_of(card, config))
    assert_valid_card(rendered)

    [steps] = [text for text in texts(rendered) if text.startswith("1. ")]
    lines = steps.split("\n")
    assert [line.split(". ", 1)[0] for line in lines] == ["1", "2", "3", "4", "5", "6", "7"]
    assert lines[0] == "1. **Thinking**: implementation and barriers to success"
    lead_in = texts(rendered)[texts(rendered).index(steps) - 1]
    assert lead_in.endswith("is built around **seven steps**, to be followed in order:")
    assert "_Serious violence hot spots policing guide_" in lead_in


def test_bullets_after_a_lead_in_line_are_their_own_textblock_one_item_a_line() -> None:
    assert [b["text"] for b in body_text_blocks("They found:\n- fewer arrests\n* more trust")] == [
        "They found:", "- fewer arrests\n- more trust",
    ]
    assert [b["text"] for b in body_text_blocks("3. third\n4) fourth")] == ["3. third\n4. fourth"]


def test_bold_italics_and_links_use_the_markdown_textblocks_render() -> None:
    markdown = "**Jersey City** showed *no* move, _see_ [the **review**](https://example.org/r_1?a=1&b=2)"
    [block] = body_text_blocks(markdown)
    assert block["text"] == (
        "**Jersey City** showed _no_ move, _see_ [the **review**](https://example.org/r_1?a=1&b=2)"
    )


def test_markup_typed_as_text_stays_visible_text() -> None:
    typed = "stats <team id> & <b>x</b> &amp; snake_case 5*3*2 [not](a link)"
    shown = escape(typed)
    # No HTML tag, entity, emphasis or link can start from it...
    assert not re.search(r"<[A-Za-z/!?]|&#?\w+;|(?<!\\)[*_\[\]]", shown)
    # ...and, zero-width spaces and Markdown's backslash escapes aside, it reads exactly as typed.
    assert re.sub(r"\\(.)", r"\1", shown.replace(ZWSP, "")) == typed


def test_a_line_that_would_start_a_list_or_heading_of_its_own_does_not() -> None:
    blocks = body_text_blocks("\\# not a heading\n\n\\- not a bullet\n\n2019\\. not a list\n\n\\> not a quote")
    assert [b["text"] for b in blocks] == [
        f"{ZWSP}# not a heading", f"{ZWSP}- not a bullet", f"{ZWSP}2019. not a list", f"{ZWSP}> not a quote",
    ]


def test_title_myth_public_line_and_question_show_what_was_typed(pack: Pack, config: Config) -> None:
    card = dataclasses.replace(
        pack.cards[0],
        title="Checking <team id> with snake_case",
        myth="It *just* moves <round the corner>",
        say_to_public="We do *not* use _quotas_",
        check=dataclasses.replace(pack.cards[0].check, question="1. Which comes first?"),
    )
    rendered = render_card(view_of(card, config))
    assert_valid_card(rendered)
    shown = texts(rendered)
    assert f"Checking <{ZWSP}team id> with snake\\_case" in shown
    assert f"Myth: \u201cIt _just_ moves <{ZWSP}round the corner>\u201d" in shown
    assert f"{ZWSP}1. Which comes first?" in shown  # a question, not a one-item list
    assert "We do \\*not\\* use \\_quotas\\_" in [b["text"] for c in rendered["body"] if c["type"] == "Container"
                                               for b in c["items"]]
    assert rendered["fallbackText"].startswith("Checking <team id> with snake_case: ")


def test_every_card_in_the_pack_renders_as_a_valid_adaptive_card_and_answer(pack: Pack, config: Config) -> None:
    for card in pack.cards:
        rendered = render_card(view_of(card, config))
        assert_valid_card(rendered)
        assert_valid_card(render_answer(card, 7))
        heading = next(i for i, t in enumerate(texts(rendered)) if t.startswith("Source: ") or t == "Sources")
        shown = [texts(rendered)[heading].removeprefix("Source: ")] if len(card.sources) == 1 else \
            texts(rendered)[heading + 1: heading + 1 + len(card.sources)]
        for source, text in zip(card.sources, shown, strict=True):
            if source.link:  # the title is the link's words, never "link" or a bare host name
                found = re.search(r"\[((?:\\.|[^\]\\])+)\]\((https?://[^\s)]+)\)", text)
                assert found, text
                assert re.sub(r"\\(.)", r"\1", found.group(1)) == source.title
            else:  # no confirmed link: the full citation alone, no link at all
                assert "](" not in text and text.endswith(".")
