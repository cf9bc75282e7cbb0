"""A card body is parsed once into paragraphs, lists and inline spans that every surface renders."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.body import (
    Body,
    Bold,
    BulletList,
    Italic,
    Link,
    NumberedList,
    Paragraph,
    Text,
    inline_text,
    parse_body,
    parse_inline,
)
from content.model import Pack

SEVEN_STEPS = "what-is-hsp-college-seven-steps"


def test_the_seven_steps_after_their_lead_in_line_are_one_numbered_list_of_seven(pack: Pack) -> None:
    card = pack.card(SEVEN_STEPS)
    assert card is not None
    lead_in, steps, *rest = card.parsed_body.blocks

    assert isinstance(lead_in, Paragraph) and inline_text(lead_in.spans).endswith("to be followed in order:")
    assert isinstance(steps, NumberedList) and steps.start == 1 and len(steps.items) == 7
    assert steps.items[0] == (Bold((Text("Thinking"),)), Text(": implementation and barriers to success"))
    assert [number for number, _item in steps.numbered()] == [1, 2, 3, 4, 5, 6, 7]
    assert all(isinstance(block, Paragraph) for block in rest) and len(rest) == 3


def test_a_bulleted_list_may_follow_its_lead_in_line_too() -> None:
    assert parse_body("They found:\n- fewer arrests\n* more trust").blocks == (
        Paragraph((Text("They found:"),)),
        BulletList(((Text("fewer arrests"),), (Text("more trust"),))),
    )


def test_a_numbered_list_keeps_the_number_it_starts_at_and_either_delimiter() -> None:
    third, fourth = (Text("third"),), (Text("fourth"),)
    assert parse_body("3. third\n4) fourth").blocks == (NumberedList((third, fourth), start=3),)


def test_the_lines_of_one_paragraph_are_joined_with_a_space() -> None:
    assert parse_body("one line\nthe next\r\nand a third\n\nanother paragraph").blocks == (
        Paragraph((Text("one line the next and a third"),)),
        Paragraph((Text("another paragraph"),)),
    )


def test_a_wrapped_line_that_begins_with_a_year_stays_in_its_paragraph() -> None:
    # As in CommonMark, only a list starting at 1 may interrupt a paragraph.
    body = parse_body("Braga and colleagues,\n2019. found the same")
    assert body.blocks == (Paragraph((Text("Braga and colleagues, 2019. found the same"),)),)


def test_a_line_under_an_item_continues_it_and_a_blank_line_does_not_split_the_list() -> None:
    body = parse_body("- first item\n  carries on\n\n- second item\n\nAfter the list.")
    assert body.blocks == (
        BulletList(((Text("first item carries on"),), (Text("second item"),))),
        Paragraph((Text("After the list."),)),
    )


def test_bold_italic_and_links_nest_as_spans() -> None:
    assert parse_inline("**Jersey City** showed *no* move, _see_ [the **review**](https://example.org/r)") == (
        Bold((Text("Jersey City"),)),
        Text(" showed "),
        Italic((Text("no"),)),
        Text(" move, "),
        Italic((Text("see"),)),
        Text(" "),
        Link((Text("the "), Bold((Text("review"),))), "https://example.org/r"),
    )
    assert parse_inline("*a **b** c*") == (Italic((Text("a "), Bold((Text("b"),)), Text(" c"))),)


@pytest.mark.parametrize("text", [
    "[run me](javascript:alert(1))", "[file](ftp://example.org/f)", "[mail](mailto:a@example.org)",
    "[x](/relative)",
])
def test_only_http_and_https_addresses_become_links(text: str) -> None:
    assert parse_inline(text) == (Text(text),)


def test_text_that_looks_like_markup_is_just_text() -> None:
    text = "stats <team id> & <!channel> <b>x</b> &amp; <https://evil.example|Click>"
    assert parse_inline(text) == (Text(text),)
    assert parse_body(text).plain_text() == text


@pytest.mark.parametrize("text", [
    "snake_case_name", "5*3*2", "** not bold**", "*not italic *", "**never closed", "_a",
])
def test_stars_and_underscores_that_do_not_wrap_words_are_text(text: str) -> None:
    assert parse_inline(text) == (Text(text),)


def test_a_backslash_keeps_a_marker_as_text() -> None:
    assert parse_inline(r"\*not italic\* and \[not a link](https://example.org)") == (
        Text("*not italic* and [not a link](https://example.org)"),
    )


def test_plain_text_drops_the_markup_and_keeps_lists_and_link_addresses(pack: Pack) -> None:
    card = pack.card(SEVEN_STEPS)
    assert card is not None
    plain = card.parsed_body.plain_text()
    assert "built around seven steps, to be followed in order:\n\n1. Thinking: implementation" in plain
    assert "\n7. Testing: measuring how much serious violence was prevented\n\n" in plain
    assert parse_body("See [the review](https://example.org/r).\n- one").plain_text() == (
        "See the review (https://example.org/r).\n\n\u2022 one"
    )


def test_every_card_in_the_pack_leaves_no_markup_in_its_plain_text(pack: Pack) -> None:
    leftovers = [(card.id, m.group()) for card in pack.cards
                 for m in re.finditer(r"\*\*|\]\(|(?<!\w)[*_]\w|\w[*_](?!\w)", card.parsed_body.plain_text())]
    assert leftovers == []


def test_the_parsed_body_is_cached_and_the_card_stays_frozen_and_hashable(pack: Pack) -> None:
    card = pack.cards[0]
    assert card.parsed_body is card.parsed_body
    assert hash(card) == hash(dataclasses.replace(card))
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.body = "changed"  # type: ignore[misc]
    assert hash(card.parsed_body) == hash(parse_body(card.body))


def test_emphasis_nested_beyond_reason_is_left_as_text_rather_than_overflowing() -> None:
    text = "_*" * 3000 + "x" + "*_" * 3000
    assert "x" in parse_body(text).plain_text()


def test_an_empty_body_has_no_blocks() -> None:
    assert parse_body("") == Body() and parse_body(" \n\t\n") == Body()


# -- properties -------------------------------------------------------------------------------------
_MARKUP = st.text(alphabet="ab1 *_[]()\\\n\t-.:<>&!/htps", max_size=80)
_TOKENS = st.lists(st.sampled_from([
    "word", "two words", "**", "*", "_", "[", "](", ")", "https://example.org/a_b", "\n", "\n\n", "- ", "* ",
    "1. ", "2) ", " ", "\\", "<team id>", "&amp;", "x_y", "3*4",
]), max_size=40).map("".join)
_LIST_NUMBER = re.compile(r"(?m)^[ \t]*\d{1,9}[.)](?=[ \t])")


@given(st.one_of(st.text(), _MARKUP, _TOKENS))
def test_parsing_never_raises_and_the_plain_text_keeps_every_word(text: str) -> None:
    body = parse_body(text)
    plain = body.plain_text()

    # Every whitespace-separated word of the input is in the plain text, as often as it was typed.
    words = Counter(word for word in text.split() if word.isalnum())
    assert not words - Counter(plain.split())
    # And every letter and digit, in order (a list's own numbers aside: the model renumbers from `start`).
    wanted = iter(char for char in plain if char.isalnum())
    typed = _LIST_NUMBER.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert all(char in wanted for char in typed if char.isalnum())


@given(st.one_of(st.text(), _MARKUP, _TOKENS))
def test_parsing_one_line_never_raises_and_keeps_every_letter(text: str) -> None:
    plain = inline_text(parse_inline(text))
    wanted = iter(char for char in plain if char.isalnum())
    assert all(char in wanted for char in text if char.isalnum())
