"""On Slack a source reads as its citation with the title as the link (its url, else its DOI's address),
never the word "link"; a source with no link is its citation alone; the footer stays valid Block Kit."""

from __future__ import annotations

import dataclasses
import re

from bot.config import Config
from bot.slack.render import MAX_CONTEXT, answer_message, card_blocks, escape, source_footers, source_mrkdwn
from content.model import Pack, Source
from content.search import Answer
from tests.slack.test_render import BLOCK_KIT, view_of

KOPER = Source("Koper, C.S.", 1995, "Just enough police presence", "Justice Quarterly 12(4): 649-672",
               "https://nij.ojp.gov/library/publications/just-enough", "10.1080/07418829500096231")


def test_the_title_is_the_link_and_the_citation_reads_in_full() -> None:
    assert source_mrkdwn(KOPER) == ("Koper, C.S. (1995). <https://nij.ojp.gov/library/publications/just-enough|"
                                    "Just enough police presence>. Justice Quarterly 12(4): 649-672.")


def test_a_source_with_only_a_doi_links_to_the_doi() -> None:
    only_doi = dataclasses.replace(KOPER, url="")
    assert "<https://doi.org/10.1080/07418829500096231|Just enough police presence>" in source_mrkdwn(only_doi)


def test_a_source_without_any_link_is_the_citation_alone() -> None:
    bare = dataclasses.replace(KOPER, url="", doi="")
    assert source_mrkdwn(bare) == "Koper, C.S. (1995). Just enough police presence. Justice Quarterly 12(4): 649-672."


def test_a_title_ending_in_a_question_mark_takes_no_full_stop() -> None:
    asked = dataclasses.replace(KOPER, title="Does crime just move around the corner?", url="", doi="")
    assert "around the corner? Justice Quarterly" in source_mrkdwn(asked)


def test_slacks_control_characters_in_a_citation_cannot_break_the_link_or_ping_anyone() -> None:
    hostile = dataclasses.replace(KOPER, authors="A & B <!channel>", title="x|y> <https://evil.example|z>",
                                  url="https://example.org/a|b>c")
    shown = source_mrkdwn(hostile)
    assert shown.startswith("A &amp; B &lt;!channel&gt; (1995). <https://example.org/a%7Cb&gt;c|")
    assert shown.count("<") == 1 and shown.count(">") == 1  # one link and nothing else


def test_every_source_in_the_pack_is_shown_linked_by_its_title_never_the_word_link(pack: Pack) -> None:
    for card in pack.cards:
        footers = source_footers(card)
        assert all(len(footer) <= MAX_CONTEXT for footer in footers)
        words = re.findall(r"<[^|>]+\|([^>]+)>", "\n".join(footers))
        assert words == [escape(s.title).replace("|", "/") for s in card.sources if s.link], card.id


def test_several_sources_are_listed_one_a_line(pack: Pack) -> None:
    card = next(c for c in pack.cards if len(c.sources) >= 3)
    lines = "\n".join(source_footers(card)).split("\n")
    assert lines[0] == "Sources:" and len(lines) == len(card.sources) + 1
    assert all(line.startswith("\u2022 ") for line in lines[1:])


def test_sources_too_long_for_one_footer_go_on_to_the_next_and_are_counted_past_the_last(
        pack: Pack, config: Config) -> None:
    long = dataclasses.replace(KOPER, title="A long title " * 30)
    card = dataclasses.replace(pack.cards[0], sources=(long,) * 30)
    footers = source_footers(card)
    assert len(footers) == 4 and all(len(footer) <= MAX_CONTEXT for footer in footers)
    assert re.search(r"\n\u2026 and \d+ more$", footers[-1])
    shown = sum(footer.count("\u2022 ") for footer in footers)
    assert footers[-1].endswith(f"and {30 - shown} more")
    assert all(footer.count("<") == footer.count(">") for footer in footers)  # no link cut in half
    assert list(BLOCK_KIT.iter_errors(card_blocks(view_of(card, config)))) == []
    _text, answer = answer_message(Answer(True, card, 0.9, "why 15"), 7)
    assert list(BLOCK_KIT.iter_errors(answer)) == [] and len(answer) <= 50


def test_cards_and_answers_with_doi_only_and_unlinked_sources_are_valid_block_kit(pack: Pack, config: Config) -> None:
    sources = (dataclasses.replace(KOPER, url=""), dataclasses.replace(KOPER, url="", doi=""), KOPER)
    card = dataclasses.replace(pack.cards[0], sources=sources)
    blocks = card_blocks(view_of(card, config))
    assert list(BLOCK_KIT.iter_errors(blocks)) == []
    assert any("https://doi.org/10.1080/07418829500096231|" in str(b) for b in blocks)
    text, answer = answer_message(Answer(True, card, 0.9, "why 15"), 7)
    assert list(BLOCK_KIT.iter_errors(answer)) == []
    assert text.endswith("Justice Quarterly 12(4): 649-672. https://doi.org/10.1080/07418829500096231")
