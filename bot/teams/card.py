"""Adaptive Card 1.5 rendering of a delivery and of an answer. Plain dicts: no botbuilder here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.core.platform import CardView
from content.body import (
    Block,
    BulletList,
    Markup,
    NumberedList,
    Paragraph,
    Span,
    parse_body,
    parse_inline,
    render_spans,
)
from content.model import Card, Media, Source
from content.topics import topic_title

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACKNOWLEDGE = "ack"
CHECK = "check"
RATE = "rate"
# The key every shiftbrief button carries in its data, so a submit is recognised as ours.
ACTION_KEY = "shiftbrief"


def render_card(view: CardView) -> dict[str, Any]:
    """The briefing card: title, myth, text, what to say, source, check question, progress, buttons."""
    card, delivery = view.card, view.delivery
    body: list[dict[str, Any]] = [
        _text(_literal(topic_title(card.topic).upper()), size="Small", weight="Bolder", color="Accent",
              spacing="None"),
        _text(_literal(card.title), size="Large", weight="Bolder", style="heading"),
    ]
    if card.myth:
        body.append(_text(f"Myth: \u201c{spans_markdown(parse_inline(card.myth))}\u201d", isSubtle=True))
    body.extend(body_text_blocks(card.body))
    body.append(
        {
            "type": "Container",
            "style": "emphasis",
            "items": [
                _text("What to say to the public", weight="Bolder", size="Small"),
                _text(_literal(card.say_to_public)),
            ],
        }
    )
    body.extend(media_blocks(card))
    body.extend(source_blocks(card))
    body.append(_text(_literal(card.check.question), weight="Bolder", separator=True))
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "choice",
            "style": "expanded",
            "label": "Check your understanding",
            "choices": [{"title": option, "value": str(number)} for number, option in enumerate(card.check.options, 1)],
        }
    )
    body.append(_text(_literal(view.progress), id="progress", weight="Bolder", separator=True))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "fallbackText": f"{card.title}: {view.progress}",
        "body": body,
        "actions": [
            {
                "type": "Action.Submit",
                "title": "Acknowledge",
                "style": "positive",
                "associatedInputs": "none",
                "data": {ACTION_KEY: ACKNOWLEDGE, "delivery": delivery.id},
            },
            {
                "type": "Action.Submit",
                "title": "Check my answer",
                "data": {ACTION_KEY: CHECK, "delivery": delivery.id},
            },
        ],
    }


def render_answer(card: Card, question_id: int | None = None) -> dict[str, Any]:
    """An answer to an officer's question: the card's text and its source, and 'was this helpful?'."""
    body: list[dict[str, Any]] = [_text(_literal(card.title), size="Medium", weight="Bolder", style="heading")]
    body.extend(body_text_blocks(card.body))
    body.extend(media_blocks(card))
    body.extend(source_blocks(card))
    answer: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "fallbackText": card.title,
                              "body": body}
    if question_id is not None:
        answer["actions"] = [
            {"type": "Action.Submit", "title": title, "data": {ACTION_KEY: RATE, "question": question_id, "helpful": helpful}}
            for title, helpful in (("Helpful", True), ("Not helpful", False))
        ]
    return answer


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CONTENT_TYPE, "content": content}


def body_text_blocks(markdown: str) -> list[dict[str, Any]]:
    """A card body as TextBlocks, one per paragraph or list; a list's items one a line, as Teams expects."""
    return [_text(block_markdown(block)) for block in parse_body(markdown).blocks]


def block_markdown(block: Block) -> str:
    """One block in the Markdown subset Adaptive Card TextBlocks render."""
    match block:
        case Paragraph(spans):
            return _line(spans_markdown(spans))
        case BulletList(items):
            return "\n".join(f"- {_line(spans_markdown(item))}" for item in items)
        case NumberedList():
            return "\n".join(f"{number}. {_line(spans_markdown(item))}" for number, item in block.numbered())


def spans_markdown(spans: Iterable[Span]) -> str:
    return render_spans(spans, TEXTBLOCK)


TEXTBLOCK = Markup(
    text=lambda text: escape(text),  # defined below, with the reasons for each escape
    bold=lambda inner: f"**{inner}**",
    italic=lambda inner: f"_{inner}_",
    link=lambda url, words: f"[{spans_markdown(words)}]({_address(url)})",
)


# TextBlocks read their text as Markdown (bold, italics, lists, links; https://learn.microsoft.com/
# adaptive-cards/create/textfeatures). A backslash, Markdown's own escape, keeps * _ [ ] as text. An entity
# such as &lt; would not do for < and &: the Adaptive Cards shared object model behind the iOS and Android
# renderers escapes < > & itself (MarkDownParser::EscapeText) and would show "&lt;". Instead a zero-width
# space follows any < or & that could open an HTML tag, an autolink or an entity: invisible on every client,
# and nothing left for a client that reads HTML or Markdown to take as markup. `<team id>` stays visible.
_MARKDOWN_PUNCTUATION = re.compile(r"[*_\[\]]|\\(?=[!-/:-@\[-`{-~])")
_TAG_OR_ENTITY = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|-{3,}|\d{1,9}[.)](?=[ \t]|$)|>")
_ZWSP = "\u200b"
_ADDRESS_ESCAPES = str.maketrans({"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"})


def escape(text: str) -> str:
    """Text to show exactly as typed in a TextBlock: no emphasis, link, HTML tag or entity made from it."""
    text = _MARKDOWN_PUNCTUATION.sub(lambda m: "\\" + m.group(), text)
    return _TAG_OR_ENTITY.sub(lambda m: m.group() + _ZWSP, text)


def _literal(text: str) -> str:
    """Plain text (a title, a question) for a TextBlock of its own, shown as typed."""
    return "\n".join(_line(line) for line in escape(text).split("\n"))


def _line(markdown: str) -> str:
    """A line that does not start a heading, quote, rule or list of its own ("2019. was the year")."""
    return _ZWSP + markdown if _BLOCK_START.match(markdown) else markdown


def _address(url: str) -> str:
    """A URL that cannot end a Markdown link early: parentheses, spaces and angle brackets percent-encoded."""
    return url.translate(_ADDRESS_ESCAPES)


def source_markdown(source: Source) -> str:
    """A readable citation whose title is the link (the url, else the DOI's address); a source with no
    confirmed link is its citation alone."""
    lead, title, tail = source.citation_parts()
    named = f"[{escape(title)}]({_address(source.link)})" if source.link else escape(title)
    return f"{escape(lead)}{named}{escape(tail)}"


def media_markdown(media: Media) -> str:
    """A video or podcast as one line: "\u25b6 Video: [title](url) (12 min) \u00b7 [transcript](url)"."""
    transcript = f" \u00b7 [transcript]({_address(media.transcript_url)})" if media.transcript_url else ""
    return f"{media.lead} [{escape(media.title)}]({_address(media.url)}) ({media.length}){transcript}"


def media_blocks(card: Card) -> list[dict[str, Any]]:
    """One TextBlock per video or podcast."""
    return [_text(media_markdown(media), spacing="Small") for media in card.media]


def source_blocks(card: Card) -> list[dict[str, Any]]:
    """A card's sources under its text: "Source: …" in one TextBlock, or a "Sources" heading and one
    TextBlock a source."""
    style: dict[str, Any] = {"size": "Small", "isSubtle": True}
    if len(card.sources) == 1:
        return [_text(f"Source: {source_markdown(card.sources[0])}", separator=True, **style)]
    return [_text("Sources", weight="Bolder", separator=True, **style)] + [
        _text(_line(source_markdown(source)), spacing="Small", **style) for source in card.sources
    ]


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
