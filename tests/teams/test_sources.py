"""On Teams a source reads as its citation with the title as the link (its url, else its DOI's address),
never a bare host name; a source with no link is its citation alone; cards stay valid Adaptive Cards."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from bot.teams.card import render_answer, render_card, source_blocks, source_markdown
from content.model import Pack
from tests.slack.test_render import view_of
from tests.slack.test_sources import KOPER
from tests.teams.conftest import assert_valid_card


def test_the_title_is_the_link_and_the_citation_reads_in_full() -> None:
    assert source_markdown(KOPER) == ("Koper, C.S. (1995). [Just enough police presence]"
                                      "(https://nij.ojp.gov/library/publications/just-enough). "
                                      "Justice Quarterly 12(4): 649-672.")


def test_a_source_with_only_a_doi_links_to_the_doi() -> None:
    assert "[Just enough police presence](https://doi.org/10.1080/07418829500096231)" in source_markdown(
        dataclasses.replace(KOPER, url=""))


def test_a_source_without_any_link_is_the_citation_alone() -> None:
    assert source_markdown(dataclasses.replace(KOPER, url="", doi="")) == (
        "Koper, C.S. (1995). Just enough police presence. Justice Quarterly 12(4): 649-672.")


def test_brackets_and_parentheses_cannot_end_the_link_early() -> None:
    odd = dataclasses.replace(KOPER, title="Law of place [Sutherland Address]", url="https://example.org/a_(b)")
    assert "[Law of place \\[Sutherland Address\\]](https://example.org/a_%28b%29)" in source_markdown(odd)


def test_one_source_is_one_line_several_are_a_heading_and_a_line_each(pack: Pack, config: Config) -> None:
    one = dataclasses.replace(pack.cards[0], sources=(KOPER,))
    [block] = source_blocks(one)
    assert block["text"].startswith("Source: Koper, C.S. (1995). [Just enough")
    three = dataclasses.replace(pack.cards[0], sources=(KOPER, dataclasses.replace(KOPER, url=""),
                                                        dataclasses.replace(KOPER, url="", doi="")))
    heading, *lines = source_blocks(three)
    assert heading["text"] == "Sources" and len(lines) == 3
    assert "](https://doi.org/10.1080/07418829500096231)" in lines[1]["text"] and "](" not in lines[2]["text"]
    assert_valid_card(render_card(view_of(three, config)))
    assert_valid_card(render_answer(three, 7))
