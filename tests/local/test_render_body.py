"""The workspace shows a card body as HTML built from the parsed body: real lists, emphasis and links, and
every character a person typed escaped."""

from __future__ import annotations

import re

from bot.local.render import inline, markdown
from content.model import Pack


def test_the_seven_steps_are_seven_items_of_one_numbered_list_after_their_lead_in(pack: Pack) -> None:
    card = pack.card("what-is-hsp-college-seven-steps")
    assert card is not None
    html = markdown(card.body)

    lists = re.findall(r"<ol>(.*?)</ol>", html, re.S)
    assert len(lists) == 1 and "<ol" not in html.replace("<ol>", "", 1)
    items = re.findall(r"<li>(.*?)</li>", lists[0])
    assert len(items) == 7
    assert items[0] == "<strong>Thinking</strong>: implementation and barriers to success"
    assert items[6] == "<strong>Testing</strong>: measuring how much serious violence was prevented"
    assert re.search(r"to be followed in order:</p>\n<ol>", html)


def test_a_bulleted_list_after_a_lead_in_line_is_a_list_not_a_run_on_paragraph() -> None:
    assert markdown("They found:\n- fewer arrests\n- more trust") == (
        "<p>They found:</p>\n<ul><li>fewer arrests</li><li>more trust</li></ul>"
    )


def test_a_numbered_list_starting_later_than_one_says_where_it_starts() -> None:
    assert markdown("3. third\n4. fourth") == '<ol start="3"><li>third</li><li>fourth</li></ol>'


def test_bold_italics_and_links_become_html_with_a_safe_link() -> None:
    assert markdown("**Jersey City** showed *no* move, _see_ [the review](https://example.org/r?a=1&b=2)") == (
        "<p><strong>Jersey City</strong> showed <em>no</em> move, <em>see</em> "
        '<a href="https://example.org/r?a=1&amp;b=2" rel="noopener noreferrer">the review</a></p>'
    )


def test_text_that_looks_like_markup_is_shown_as_text() -> None:
    html = markdown('stats <team id> & <script>alert("x")</script> [run](javascript:alert(1))')
    assert html == (
        "<p>stats &lt;team id&gt; &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        "[run](javascript:alert(1))</p>"
    )


def test_a_myth_is_one_line_of_inline_markup_without_a_paragraph_around_it() -> None:
    assert inline("It *just* moves <round the corner>") == "It <em>just</em> moves &lt;round the corner&gt;"


def test_every_list_line_of_every_card_in_the_pack_is_a_list_item(pack: Pack) -> None:
    wrong = [
        (card.id, written, shown)
        for card in pack.cards
        if (written := len(re.findall(r"^\s*(?:[-*]|\d+[.)])\s", card.body, re.M)))
        != (shown := markdown(card.body).count("<li>"))
    ]
    assert wrong == []
