"""Adaptive Card 1.5 rendering of a delivery and of an answer. Plain dicts: no botbuilder here."""

from __future__ import annotations

from typing import Any

from bot.core.platform import CardView
from content.model import Card
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
        _text(topic_title(card.topic).upper(), size="Small", weight="Bolder", color="Accent", spacing="None"),
        _text(card.title, size="Large", weight="Bolder", style="heading"),
    ]
    if card.myth:
        body.append(_text(f"Myth: \u201c{card.myth}\u201d", isSubtle=True))
    body.extend(_text(paragraph) for paragraph in _paragraphs(card.body))
    body.append(
        {
            "type": "Container",
            "style": "emphasis",
            "items": [
                _text("What to say to the public", weight="Bolder", size="Small"),
                _text(card.say_to_public),
            ],
        }
    )
    body.append(_text(_source(card), size="Small", isSubtle=True, separator=True))
    body.append(_text(card.check.question, weight="Bolder", separator=True))
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "choice",
            "style": "expanded",
            "label": "Check your understanding",
            "choices": [{"title": option, "value": str(number)} for number, option in enumerate(card.check.options, 1)],
        }
    )
    body.append(_text(view.progress, id="progress", weight="Bolder", separator=True))
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
    body: list[dict[str, Any]] = [_text(card.title, size="Medium", weight="Bolder", style="heading")]
    body.extend(_text(paragraph) for paragraph in _paragraphs(card.body))
    body.append(_text(_source(card), size="Small", isSubtle=True, separator=True))
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


def _source(card: Card) -> str:
    first = card.sources[0]
    return f"Source: {first.citation()} [{_link_text(first.url)}]({first.url})"


def _link_text(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


def _paragraphs(markdown: str) -> list[str]:
    """Adaptive Card TextBlocks take bold, italics and bullet lists, one block per paragraph."""
    return [block.strip() for block in markdown.strip().split("\n\n") if block.strip()]


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
