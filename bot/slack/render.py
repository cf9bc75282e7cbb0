"""Block Kit rendering: cards, answers, the App Home tab. Every payload stays inside Slack's limits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.core import AskResult, Engagement, Totals
from bot.core.platform import CardView
from content.body import (
    Block,
    BulletList,
    Markup,
    NumberedList,
    Paragraph,
    Span,
    inline_text,
    parse_body,
    parse_inline,
    render_spans,
)
from content.model import Card, Media, Source
from content.search import Answer
from content.topics import topic_title

# Slack's limits (https://docs.slack.dev/reference/block-kit): blocks per message, characters per
# section text, per button label, per header, per context element, and per `text` fallback we send.
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION = 3000
MAX_BUTTON = 75
MAX_HEADER = 150
MAX_CONTEXT = 2000
MAX_TEXT = 3000
MAX_VALUE = 2000

ACKNOWLEDGE = "acknowledge"
CHECK_PREFIX = "check_"
HELPFUL = "answer_helpful"
NOT_HELPFUL = "answer_not_helpful"
CARD_EVENT = "shiftbrief_card"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def escape(text: str) -> str:
    """Slack's three control characters, so nobody's text can @-mention a channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(markdown: str) -> str:
    """Card Markdown as Slack mrkdwn: paragraphs, `\u2022` bullets and numbered items on their own lines,
    *bold*, _italic_ and <address|links>; Slack's control characters escaped in the text."""
    return "\n\n".join(block_mrkdwn(block) for block in parse_body(markdown).blocks)


def block_mrkdwn(block: Block) -> str:
    match block:
        case Paragraph(spans):
            return spans_mrkdwn(spans)
        case BulletList(items):
            return "\n".join(f"\u2022 {spans_mrkdwn(item)}" for item in items)
        case NumberedList():
            return "\n".join(f"{number}. {spans_mrkdwn(item)}" for number, item in block.numbered())


def spans_mrkdwn(spans: Iterable[Span]) -> str:
    return render_spans(spans, MRKDWN)


def link(url: str, words: str) -> str:
    """A Slack link: the address with its control characters escaped, the words as plain text."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(words).replace('|', '/')}>"


MRKDWN = Markup(
    text=escape,
    bold=lambda inner: f"*{inner}*",
    italic=lambda inner: f"_{inner}_",
    link=lambda url, words: link(url, inline_text(words)),
)


def plain_text(markdown: str) -> str:
    """The card Markdown as plain text for `text` fallbacks (notifications, screen readers): no `**`, no
    `*`, links as "words (address)", bullets as bullets, one block a line; Slack's control characters
    escaped."""
    return escape(_plain(markdown))


def _plain(markdown: str) -> str:
    return "\n".join(block.plain_text() for block in parse_body(markdown).blocks)


def sentence(text: str) -> str:
    """`text` ending as a sentence: a full stop added only when it has no closing punctuation already."""
    text = text.strip().rstrip(":;,")
    return text if not text or text[-1] in ".?!\u2026" else text + "."


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or "\u2026", "emoji": True}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION) or " "}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_CONTEXT)}]}


def sections(markdown: str) -> list[dict[str, Any]]:
    """A body as one or more sections, split between blocks (never inside a list) so none passes 3000
    characters."""
    blocks: list[dict[str, Any]] = []
    current = ""
    for paragraph in (block_mrkdwn(block) for block in parse_body(markdown).blocks):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= MAX_SECTION:
            current = candidate
            continue
        if current:
            blocks.append(section(current))
        current = paragraph
    if current:
        blocks.append(section(current))
    return blocks


def citation(source: Source) -> str:
    """The source's full citation as plain text, Slack's control characters escaped (for `text` fallbacks)."""
    return escape(source.citation())


def source_mrkdwn(source: Source) -> str:
    """A readable citation whose title is the link (the url, else the DOI's address); a source with no
    confirmed link is its citation alone."""
    lead, title, tail = source.citation_parts()
    named = link(source.link, title) if source.link else escape(title)
    return f"{escape(lead)}{named}{escape(tail)}"


def source_footers(card: Card) -> list[str]:
    """Every source of a card as footer text: "Source: …", or "Sources:" one a line, carried on as many
    footers as Slack's limit per context needs (at most MAX_SOURCE_FOOTERS; citations beyond them are
    counted). A citation is never cut inside its link; one too long to fit anywhere is shown as text."""
    room = MAX_CONTEXT - FOOTER_RESERVE
    lines = [line if len(line) <= room else escape(clip(source.citation(), room // 2))
             for line, source in ((source_mrkdwn(source), source) for source in card.sources)]
    if len(lines) == 1:
        return [f"Source: {lines[0]}"]
    footers = ["Sources:"]
    for shown, line in enumerate(lines):
        if len(footers[-1]) + len(line) + 3 > room:
            if len(footers) == MAX_SOURCE_FOOTERS:
                footers[-1] += f"\n\u2026 and {len(lines) - shown} more"
                break
            footers.append("")
        footers[-1] = f"{footers[-1]}\n\u2022 {line}".lstrip("\n")
    return footers


def source_blocks(card: Card) -> list[dict[str, Any]]:
    return [context(footer) for footer in source_footers(card)]


FOOTER_RESERVE = 40
"""Characters kept free in a footer for its heading and the "… and N more" line."""
MAX_SOURCE_FOOTERS = 4


def media_mrkdwn(media: Media) -> str:
    """A video or podcast as one line: "\u25b6 Video: <title, linked> (12 min) \u00b7 <transcript>"."""
    transcript = f" \u00b7 {link(media.transcript_url, 'transcript')}" if media.transcript_url else ""
    return f"{media.lead} {link(media.url, media.title)} ({media.length}){transcript}"


def media_blocks(card: Card) -> list[dict[str, Any]]:
    """One context line per video or podcast (the loader keeps each well inside Slack's limit)."""
    return [context(media_mrkdwn(media)) for media in card.media]


# -- the card ----------------------------------------------------------------------------------
def card_blocks(view: CardView) -> list[dict[str, Any]]:
    """Title, the card, the source, Acknowledge, the check question as buttons, 'Acknowledged by N of M'."""
    card, delivery_id = view.card, view.delivery.id
    head: list[dict[str, Any]] = [
        {"type": "header", "text": plain(card.title, MAX_HEADER)},
        context(f"{escape(topic_title(card.topic))} \u00b7 briefing for {escape(view.team.name)}"),
    ]
    if card.myth:
        head.append(section(f"*Myth:* {spans_mrkdwn(parse_inline(card.myth))}"))
    body = sections(card.body)
    tail: list[dict[str, Any]] = [
        section(f"*Say to the public:* {escape(card.say_to_public)}"),
        *media_blocks(card),
        *source_blocks(card),
        {
            "type": "actions",
            "block_id": "acknowledge",
            "elements": [
                {
                    "type": "button",
                    "action_id": ACKNOWLEDGE,
                    "text": plain("Acknowledge", MAX_BUTTON),
                    "style": "primary",
                    "value": delivery_id,
                }
            ],
        },
        *check_blocks(card, delivery_id),
        {"type": "context", "block_id": "progress", "elements": [{"type": "mrkdwn", "text": view.progress}]},
    ]
    room = MAX_BLOCKS - len(head) - len(tail)
    if len(body) > room:  # cannot happen with cards of 1,200 characters; kept so a long card still posts
        body = [*body[: room - 1], section("\u2026 (the rest of this card is in the local workspace)")]
    return head + body + tail


def check_blocks(card: Card, delivery_id: str) -> list[dict[str, Any]]:
    options = card.check.options
    labels = [clip(f"{i}. {text}", MAX_BUTTON) for i, text in enumerate(options, start=1)]
    question = f"*Check:* {escape(card.check.question)}"
    if any(label.endswith("\u2026") for label in labels):  # a cut label: spell the options out
        question += "\n" + "\n".join(f"{i}. {escape(text)}" for i, text in enumerate(options, start=1))
    buttons = [
        {
            "type": "button",
            "action_id": f"{CHECK_PREFIX}{i}",
            "text": plain(label, MAX_BUTTON),
            "value": f"{delivery_id}:{i}",
        }
        for i, label in enumerate(labels, start=1)
    ]
    return [section(question), {"type": "actions", "block_id": "check", "elements": buttons}]


def card_text(view: CardView) -> str:
    """The notification and screen-reader fallback: what the card is and what to do."""
    card = view.card
    if card.myth:
        lead = inline_text(parse_inline(card.myth))
    else:
        lead = card.parsed_body.blocks[0].plain_text() if card.parsed_body.blocks else ""
    # Made a sentence before escaping: "&gt;" ends in ";", which `sentence` would take off.
    return clip(
        f"Briefing: {escape(sentence(card.title))} {escape(sentence(lead))} "
        f"Press Acknowledge once you have read it. {view.progress}.",
        MAX_TEXT,
    )


def card_metadata(view: CardView) -> dict[str, Any]:
    """Message metadata carrying the delivery id, so a post can be found again after a crash."""
    return {"event_type": CARD_EVENT, "event_payload": {"delivery": view.delivery.id, "team": view.team.id}}


# -- answers -----------------------------------------------------------------------------------
def answer_message(answer: Answer, question_id: int, passed_on: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """The answer with its source and Helpful? buttons, or the core's honest 'I don't know' (what the bot can
    answer, and whether the question was passed on)."""
    asked = f"You asked: \u201c{escape(answer.query)}\u201d"
    if not answer.answered or answer.card is None:
        text = escape(AskResult(answer, question_id, passed_on).message)
        return text, [context(asked), section(text)]
    card = answer.card
    footers = [*media_blocks(card), *source_blocks(card)]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(card.title, MAX_HEADER)},
        context(asked),
        *sections(card.body)[: MAX_BLOCKS - 3 - len(footers)],
        *footers,
        {
            "type": "actions",
            "block_id": "feedback",
            "elements": [
                {"type": "button", "action_id": HELPFUL, "text": plain("Helpful", MAX_BUTTON), "value": str(question_id)},
                {
                    "type": "button",
                    "action_id": NOT_HELPFUL,
                    "text": plain("Not helpful", MAX_BUTTON),
                    "value": str(question_id),
                },
            ],
        },
    ]
    source = card.sources[0]
    tail = f"\nSource: {citation(source)}" + (f" {escape(source.link)}" if source.link else "")
    text = f"{escape(sentence(card.title))}\n{escape(sentence(_plain(card.body)))}"
    text = clip(text, MAX_TEXT - len(tail)) + tail
    return text, blocks


# -- App Home ----------------------------------------------------------------------------------
def home_view(
    name: str,
    record: Sequence[Engagement],
    titles: Mapping[str, str],
    team_rows: Sequence[Mapping[str, Any]] | None,
    commands: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The App Home tab: the officer's own record, and for sergeants a summary of their teams."""
    totals = Totals.of(list(record))
    acked, answered, correct = totals.acknowledged, totals.answered, totals.correct
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(f"{name}: your record", MAX_HEADER)},
        section(
            f"Cards delivered to you: *{totals.delivered}*. Acknowledged: *{acked}*. "
            f"Check questions answered: *{answered}*, right: *{correct}*."
        ),
    ]
    recent = sorted(record, key=lambda e: e.posted_at, reverse=True)[:10]
    if recent:
        lines = []
        for e in recent:
            mark = "\u2705" if e.acknowledged else "\u2b1c"
            check = " \u00b7 check right" if e.correct else (" \u00b7 check answered" if e.answered else "")
            lines.append(f"{mark} {escape(titles.get(e.card_id, e.card_id))} ({e.posted_at:%d %b}){check}")
        blocks.append(section("*Recent briefings*\n" + "\n".join(lines)))
    if team_rows is not None:
        blocks.append({"type": "divider"})
        blocks.append({"type": "header", "text": plain("Your teams", MAX_HEADER)})
        if not team_rows:
            blocks.append(section("Nothing has been posted to your teams yet."))
        for row in team_rows[: MAX_HOME_BLOCKS - len(blocks) - 3]:
            blocks.append(section(team_line(row)))
    usage = "\n".join(f"`{escape(u)}`: {escape(h)}" for u, h in commands)
    blocks += [{"type": "divider"}, section(f"*Commands*\n{usage}")]
    return {"type": "home", "blocks": blocks}


def team_line(row: Mapping[str, Any]) -> str:
    return (
        f"*{escape(str(row['name']))}*: {row['deliveries']} cards posted \u00b7 "
        f"acknowledged {row['acknowledged']} of {row['delivered']} \u00b7 "
        f"check answers right {row['correct']} of {row['answered']}"
    )


def officer_line(row: Mapping[str, Any]) -> str:
    return (
        f"{escape(str(row['name']))}: acknowledged {row['acknowledged']} of {row['delivered']} \u00b7 "
        f"check answers right {row['correct']} of {row['answered']}"
    )
