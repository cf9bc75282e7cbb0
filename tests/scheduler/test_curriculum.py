"""Which card a team gets next: the teaching order first, then its weakest topics, never a card twice in 14 days."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from content.model import Card, Pack
from content.topics import TOPICS
from scheduler.curriculum import NoCardError, next_card

NOW = datetime(2027, 6, 1, 6, 30, tzinfo=UTC)


def small_pack(real: Pack, per_topic: int = 2) -> Pack:
    """Two officers' cards of every topic from the real pack, so the rules can be followed by hand."""
    cards: list[Card] = []
    for topic in TOPICS:
        cards.extend(real.by_topic(topic, audience="officers")[:per_topic])
    return Pack(tuple(cards))


def sent(cards: list[Card], days_ago: float) -> list[tuple[str, str, datetime]]:
    return [(c.id, c.topic, NOW - timedelta(days=days_ago)) for c in cards]


def test_a_new_team_works_through_the_topics_in_teaching_order(pack: Pack) -> None:
    history: list[tuple[str, str, datetime]] = []
    topics = []
    for day in range(len(TOPICS)):
        card = next_card(pack, history, {}, NOW + timedelta(days=day))
        topics.append(card.topic)
        history.append((card.id, card.topic, NOW + timedelta(days=day)))
    assert topics == list(TOPICS)
    assert topics[:7] == [
        "what-is-hsp", "what-is-a-hot-spot", "how-it-works", "evidence", "displacement", "suppression",
        "fifteen-minutes",
    ]


def test_after_the_first_pass_the_least_acknowledged_topic_comes_back_first(pack: Pack) -> None:
    small = small_pack(pack)
    history = sent([small.by_topic(t)[0] for t in TOPICS], days_ago=20)
    weakness = {t: (10, 9, 10, 1) for t in TOPICS}
    weakness["displacement"] = (10, 2, 2, 0)  # only two of ten acknowledged
    assert next_card(small, history, weakness, NOW).topic == "displacement"


def test_after_the_first_pass_the_most_wrongly_answered_topic_comes_back_first(pack: Pack) -> None:
    small = small_pack(pack)
    history = sent([small.by_topic(t)[0] for t in TOPICS], days_ago=20)
    weakness = {t: (10, 10, 10, 0) for t in TOPICS}
    weakness["fifteen-minutes"] = (10, 10, 10, 7)
    card = next_card(small, history, weakness, NOW)
    assert card.topic == "fifteen-minutes"
    assert card.id == small.by_topic("fifteen-minutes")[1].id  # the card of that topic the team has not had


def test_no_card_returns_within_fourteen_days_even_on_the_weakest_topic(pack: Pack) -> None:
    small = small_pack(pack, per_topic=1)
    weak = small.by_topic("suppression")[0]
    history = sent([c for c in small.cards if c.id != weak.id], days_ago=20) + sent([weak], days_ago=13)
    weakness = {t: (10, 10, 10, 0) for t in TOPICS}
    weakness["suppression"] = (10, 0, 0, 0)
    assert next_card(small, history, weakness, NOW).id != weak.id
    history[-1] = (weak.id, weak.topic, NOW - timedelta(days=14))
    assert next_card(small, history, weakness, NOW).id == weak.id


def test_when_every_card_was_sent_in_the_last_fourteen_days_the_longest_rested_goes_next(pack: Pack) -> None:
    small = small_pack(pack, per_topic=1)
    history = [(c.id, c.topic, NOW - timedelta(days=1, hours=i)) for i, c in enumerate(small.cards)]
    oldest = small.cards[-1]
    weakness = {t: (10, 10, 10, 0) for t in TOPICS}
    weakness[small.cards[0].topic] = (10, 0, 0, 0)  # weakest, but sent only yesterday: not before the oldest
    assert next_card(small, history, weakness, NOW).id == oldest.id


def test_a_topic_the_pack_has_no_card_for_is_skipped_in_the_teaching_order(pack: Pack) -> None:
    without = Pack(tuple(c for c in pack.cards if c.topic != "what-is-a-hot-spot"))
    first = next_card(without, [], {}, NOW)
    second = next_card(without, [(first.id, first.topic, NOW)], {}, NOW)
    assert (first.topic, second.topic) == ("what-is-hsp", "how-it-works")


def test_a_new_version_of_a_card_counts_as_the_same_card(pack: Pack) -> None:
    card = pack.by_topic("what-is-hsp")[0]
    renewed = Pack(tuple(replace(c, version=c.version + 1) if c.id == card.id else c for c in pack.cards))
    assert next_card(renewed, [(card.id, card.topic, NOW)], {}, NOW).topic == "what-is-a-hot-spot"


# -- audiences: each team gets its own track ----------------------------------------------------------
def with_tracks(pack: Pack) -> Pack:
    """The real pack's officers' cards plus sergeant cards on three topics and leader cards on one, made from
    real cards (so the tracks here are known exactly, whatever sergeant and leader cards the pack ships)."""
    officers = pack.for_audience("officers")
    mine = Pack(officers)
    extra = [replace(mine.by_topic(topic)[0], id=f"sgt-{topic}", audience="sergeants")
             for topic in ("suppression", "what-is-hsp", "roles")]
    extra.append(replace(mine.by_topic("roles")[1], id="sgt-roles-2", audience="sergeants"))
    extra.append(replace(mine.by_topic("evidence")[0], id="lead-evidence", audience="leaders"))
    return Pack((*officers, *extra))


def run_for(pack: Pack, days: int, audience: str) -> list[Card]:
    history: list[tuple[str, str, datetime]] = []
    chosen = []
    for day in range(days):
        card = next_card(pack, history, {}, NOW + timedelta(days=day), audience=audience)
        chosen.append(card)
        history.append((card.id, card.topic, NOW + timedelta(days=day)))
    return chosen


def test_a_sergeants_team_gets_only_sergeant_cards_in_teaching_order_then_repeats_them(pack: Pack) -> None:
    chosen = run_for(with_tracks(pack), 30, "sergeants")
    assert {c.audience for c in chosen} == {"sergeants"}
    assert [c.id for c in chosen[:4]] == ["sgt-what-is-hsp", "sgt-suppression", "sgt-roles", "sgt-roles-2"]
    assert len({c.id for c in chosen}) == 4  # all four, then again as they rest


def test_an_officers_team_never_gets_another_tracks_card(pack: Pack) -> None:
    chosen = run_for(with_tracks(pack), 80, "officers")
    assert {c.audience for c in chosen} == {"officers"}
    assert [c.topic for c in chosen[: len(TOPICS)]] == list(TOPICS)


def test_a_topic_covered_only_by_another_tracks_card_is_still_to_come(pack: Pack) -> None:
    tracks = with_tracks(pack)
    officer_card = tracks.by_topic("what-is-hsp", "officers")[0]
    card = next_card(tracks, [(officer_card.id, officer_card.topic, NOW)], {}, NOW, audience="sergeants")
    assert card.id == "sgt-what-is-hsp"


def test_a_topic_asked_for_comes_from_the_teams_track_or_not_at_all(pack: Pack) -> None:
    tracks = with_tracks(pack)
    assert next_card(tracks, [], {}, NOW, topic="evidence", audience="leaders").id == "lead-evidence"
    with pytest.raises(NoCardError, match="no leaders card on topic 'displacement'"):
        next_card(tracks, [], {}, NOW, topic="displacement", audience="leaders")


def test_an_audience_without_cards_is_told_not_given_another_tracks_card(pack: Pack) -> None:
    with pytest.raises(NoCardError, match="no cards for leaders"):
        next_card(Pack(pack.for_audience("officers")), [], {}, NOW, audience="leaders")
