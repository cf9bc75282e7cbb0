"""A card as the workspace shows it: whole, with Acknowledge and the check for the person it was delivered
to or the team's progress for those who lead it, or folded to one line that opens to the whole card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape

from bot.core import CardState
from bot.local.render import attr, inline, markdown, media_html, source_html
from content.model import Card
from content.topics import topic_title


@dataclass(frozen=True)
class Shown:
    """One delivery of a card on a page."""

    delivery_id: str
    card: Card
    team_name: str
    posted: datetime | None
    progress: str = ""
    """"Acknowledged by N of M", when the page knows it."""
    state: CardState | None = None
    """What this person has done with it: given only when the card was delivered to them, and then they get
    Acknowledge and the check (the core decides who a card is delivered to)."""

    @property
    def done(self) -> bool:
        return self.state is not None and self.state.acknowledged and self.state.choice is not None


def when(moment: datetime | None, zone: tzinfo) -> str:
    """A time as a person reads it, in the force's zone: `Wed 2 Dec 16:25`."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def status_words(shown: Shown) -> str:
    """What is left to do with a card, or how it went, in a few words for its folded line."""
    state = shown.state
    if state is None:
        return shown.progress
    if not state.acknowledged:
        return "to acknowledge" + ("" if state.choice is not None else " and answer")
    if state.choice is None:
        return "acknowledged; check to answer"
    return "acknowledged; check answered " + ("right" if state.correct else "not quite right")


def card_article(shown: Shown, zone: tzinfo, level: int = 3) -> str:
    """The whole card under a heading of `level`, with the person's buttons or the team's progress."""
    did = attr(shown.delivery_id)
    return f"""<article class="card" id="{did}" aria-labelledby="{did}-h" tabindex="-1">
  <h{level} id="{did}-h">{escape(shown.card.title)}</h{level}>
  {card_inside(shown, zone)}
</article>"""


def card_folded(shown: Shown, zone: tzinfo, opened: bool = False) -> str:
    """The card as one line (title, topic, when, what is left to do) that opens to the whole of it."""
    did = attr(shown.delivery_id)
    status = status_words(shown)
    to_do = " to-do" if shown.state is not None and not shown.done else ""
    status_html = f" \u00b7 <strong>{escape(status)}</strong>" if status else ""
    return f"""<details class="card-fold{to_do}" id="{did}"{" open" if opened else ""}>
  <summary><span class="title" id="{did}-h">{escape(shown.card.title)}</span>
  <span class="meta">{escape(_meta(shown, zone))}{status_html}</span></summary>
  <article class="card" aria-labelledby="{did}-h">
  {card_inside(shown, zone, meta=False)}
  </article>
</details>"""


def _meta(shown: Shown, zone: tzinfo) -> str:
    posted = when(shown.posted, zone)
    return " \u00b7 ".join(part for part in (topic_title(shown.card.topic), shown.team_name,
                                             f"posted {posted}" if posted else "") if part)


def card_inside(shown: Shown, zone: tzinfo, meta: bool = True) -> str:
    card = shown.card
    parts = [f'<p class="meta">{escape(_meta(shown, zone))}</p>'] if meta else []
    if card.myth:
        parts.append(f'<p class="myth"><strong>Myth:</strong> {inline(card.myth)}</p>')
    parts.append(markdown(card.body))
    parts.append(f'<p class="public"><strong>Say to the public:</strong> {escape(card.say_to_public)}</p>')
    parts.append(sources_html(card))
    if shown.progress:
        parts.append(f'<p class="progress" aria-live="polite">{escape(shown.progress)}</p>')
    if shown.state is not None:
        parts.append(actions_html(shown.delivery_id, card, shown.state))
    return "\n  ".join(parts)


def sources_html(card: Card) -> str:
    """The first source, its title the link, then any others folded under "N more sources"; then any
    video or podcast."""
    first, *more = card.sources
    shown = f'<p class="source">Source: {source_html(first)}</p>'
    if more:
        items = "".join(f"<li>{source_html(s)}</li>" for s in more)
        shown += (f'<details class="more-sources"><summary>{len(more)} more source{"s" if len(more) != 1 else ""}'
                  f'</summary><ul class="sources">{items}</ul></details>')
    if card.media:
        shown += '<ul class="media">' + "".join(f"<li>{media_html(m)}</li>" for m in card.media) + "</ul>"
    return shown


def actions_html(delivery_id: str, card: Card, state: CardState) -> str:
    """Acknowledge and the check, or what the person already did with them."""
    did = attr(delivery_id)
    if state.acknowledged:
        ack = '<p class="done">You have acknowledged this card.</p>'
    else:
        ack = f"""<form method="post" action="/deliveries/{did}/acknowledge">
    <button type="submit" class="primary">Acknowledge</button></form>"""
    if state.choice is not None and 1 <= state.choice <= len(card.check.options):
        verdict = "right" if state.correct else "not quite"
        check = (f'<p class="done">Your answer: \u201c{escape(card.check.options[state.choice - 1])}\u201d \u2014 '
                 f"{verdict}. {escape(card.check.explanation)}</p>")
    else:
        options = "".join(
            f'<div class="option"><input type="radio" name="choice" value="{i}" id="{did}-o{i}">'
            f'<label for="{did}-o{i}">{escape(text)}</label></div>'
            for i, text in enumerate(card.check.options, start=1))
        check = f"""<form method="post" action="/deliveries/{did}/check">
    <fieldset><legend>Check: {escape(card.check.question)}</legend>{options}</fieldset>
    <button type="submit">Check my answer</button></form>"""
    return f"{ack}\n  {check}"
