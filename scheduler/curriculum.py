"""Which card a team gets next: the core topics in teaching order, then spaced repetition.

Pure functions of the pack, the team's history and its results; no clock reads, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from content.audiences import DEFAULT_AUDIENCE
from content.model import Card, Pack
from content.topics import TOPICS

TOPIC_ORDER: tuple[str, ...] = tuple(TOPICS)
REST_DAYS = 14


class NoCardError(LookupError):
    """The pack has no card for what was asked."""


def next_card(
    pack: Pack,
    history: Sequence[tuple[str, str, datetime]],
    weakness: Mapping[str, tuple[int, int, int, int]],
    now: datetime,
    topic: str | None = None,
    audience: str = DEFAULT_AUDIENCE,
) -> Card:
    """The next card for a team, from its audience's track only (officers, sergeants or leaders).

    `history` is (card id, topic, when posted) for the team, oldest first; `weakness` maps a topic to
    (recipients, acknowledgements, answers, wrong answers). With `topic`, the least recently sent card of
    that topic. Otherwise the first topic in teaching order the team has not had yet (a topic covered only
    by another audience's cards does not count as had); once every topic has been covered, the topic
    acknowledged least or answered wrongly most (and within it the card rested longest), skipping cards the
    team had in the last 14 days; if every card has been sent in the last 14 days, the one sent longest ago.
    """
    cards = pack.for_audience(audience)
    last_sent: dict[str, datetime] = {}
    for card_id, _topic, when in history:
        last_sent[card_id] = max(when, last_sent.get(card_id, when))
    if topic is not None:
        on_topic = pack.by_topic(topic, audience)
        if not on_topic:
            raise NoCardError(f"no {audience} card on topic {topic!r}")
        return _least_recent(on_topic, last_sent)
    if not cards:
        raise NoCardError(f"the pack has no cards for {audience}")
    elsewhere = {c.id for c in pack.cards if c.audience != audience}  # another track's cards: not this one's history
    covered = {t for card_id, t, _when in history if card_id not in elsewhere}
    for candidate_topic in TOPIC_ORDER:
        if candidate_topic not in covered and pack.by_topic(candidate_topic, audience):
            return _least_recent(pack.by_topic(candidate_topic, audience), last_sent)
    rested = [c for c in cards if c.id not in last_sent or now - last_sent[c.id] >= timedelta(days=REST_DAYS)]
    if not rested:  # every card came back within the rest period: the one rested longest goes next
        return _least_recent(cards, last_sent)
    order = {t: i for i, t in enumerate(TOPIC_ORDER)}

    def priority(card: Card) -> tuple[float, float, str]:
        recipients, acks, answers, wrong = weakness.get(card.topic, (0, 0, 0, 0))
        unacknowledged = 1 - acks / recipients if recipients else 1.0
        wrong_rate = wrong / answers if answers else 0.0
        sent = last_sent.get(card.id)
        age = (now - sent).total_seconds() if sent else float("inf")
        return (-(unacknowledged + wrong_rate), -age, f"{order.get(card.topic, 99):02d}{card.id}")

    return min(rested, key=priority)


def _least_recent(cards: Sequence[Card], last_sent: Mapping[str, datetime]) -> Card:
    never = [c for c in cards if c.id not in last_sent]
    if never:
        return never[0]
    return min(cards, key=lambda c: (last_sent[c.id], c.id))
