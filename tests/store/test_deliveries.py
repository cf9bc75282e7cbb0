"""Deliveries: claimed once, then posting, posted, failed or missed; the history the curriculum reads."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Delivery, Store
from tests.store.conftest import NOW, PEOPLE, TEAM, claim, posted

EVERY_STATE = ("claimed", "posting", "posted", "failed", "missed")


def found(store: Store, delivery_id: str) -> Delivery:
    delivery = store.delivery(delivery_id)
    assert delivery is not None
    return delivery


def state(store: Store, delivery_id: str) -> str:
    return found(store, delivery_id).state


def test_a_new_delivery_is_claimed_with_the_posters_name_and_an_audit_line(store: Store) -> None:
    delivery = store.create_delivery(
        card_id="card-1", card_version=3, topic="displacement", team_id=TEAM, channel="local:response-a",
        reason="sergeant", posted_by="local:sgt-a", poster_name="Sgt A", now=NOW, audit=("local:sgt-a", "post"),
    )
    assert delivery is not None and delivery.id.startswith("d-")
    assert (delivery.state, delivery.card_version, delivery.posted_by) == ("claimed", 3, "local:sgt-a")
    assert delivery.created_at == NOW and delivery.posted_at is None and delivery.message_ref is None
    assert store.person_name("local:sgt-a") == "Sgt A"
    [line] = store.audit_trail()
    assert (line["actor"], line["action"], line["target"]) == ("local:sgt-a", "post", TEAM)
    assert line["detail"] == f"{delivery.id} card-1 (sergeant)"


def test_an_occurrence_is_claimed_once(store: Store) -> None:
    shift = NOW + timedelta(hours=1)
    first = claim(store, reason="scheduled", shift_start=shift, occurrence="nudge|response-a|x")
    again = store.create_delivery(
        card_id="card-2", card_version=1, topic="displacement", team_id=TEAM, channel="local:response-a",
        reason="scheduled", posted_by=None, now=NOW, shift_start=shift, occurrence="nudge|response-a|x",
        audit=("system:shiftbrief", "post"),
    )
    assert again is None
    assert store.delivery_by_occurrence("nudge|response-a|x") == first
    assert [d.id for d in store.deliveries(states=EVERY_STATE)] == [first.id]
    assert store.audit_trail() == []  # nothing of the second claim was written
    assert first.shift_start == shift


def test_only_a_claimed_delivery_moves_to_posting_and_only_once(store: Store) -> None:
    delivery = claim(store)
    assert store.mark_posting(delivery.id)
    assert not store.mark_posting(delivery.id)  # another process got there first
    store.reclaim(delivery.id)
    assert state(store, delivery.id) == "claimed"
    store.mark_posted(delivery.id, {"ts": "1"}, NOW)
    store.reclaim(delivery.id)  # only a delivery caught mid-post goes back
    assert not store.mark_posting(delivery.id)
    assert state(store, delivery.id) == "posted"


def test_posting_keeps_the_message_reference_and_clears_an_earlier_error(store: Store) -> None:
    delivery = claim(store)
    store.mark_failed(delivery.id, "channel_not_found")
    store.mark_posted(delivery.id, {"channel": "C1", "ts": "17.5"}, NOW + timedelta(minutes=1))
    after = store.delivery(delivery.id)
    assert after is not None
    assert (after.state, after.error, after.message_ref) == ("posted", None, {"channel": "C1", "ts": "17.5"})
    assert after.posted_at == NOW + timedelta(minutes=1)


def test_failed_and_missed_keep_a_reason_of_at_most_500_characters(store: Store) -> None:
    failed, missed = claim(store, at=NOW), claim(store, at=NOW + timedelta(minutes=1))
    store.mark_failed(failed.id, "x" * 900)
    store.mark_missed(missed.id, "the bot was down")
    assert [(d.id, d.state) for d in store.recent_problems()] == [(missed.id, "missed"), (failed.id, "failed")]
    assert len(found(store, failed.id).error or "") == 500
    assert store.recent_problems(limit=1)[0].id == missed.id


def test_unfinished_deliveries_are_the_claimed_and_mid_post_ones_oldest_first(store: Store) -> None:
    mid_post = claim(store, at=NOW)
    store.mark_posting(mid_post.id)
    waiting = claim(store, at=NOW + timedelta(minutes=1))
    done = posted(store, at=NOW + timedelta(minutes=2))
    store.mark_failed(claim(store, at=NOW + timedelta(minutes=3)).id, "no")
    assert [d.id for d in store.unfinished_deliveries()] == [mid_post.id, waiting.id]
    assert done.id not in {d.id for d in store.unfinished_deliveries()}


def test_deliveries_are_newest_first_filtered_by_team_and_state(store: Store) -> None:
    old = posted(store, at=NOW)
    new = posted(store, at=NOW + timedelta(hours=1))
    other = posted(store, team="response-b", at=NOW + timedelta(hours=2))
    claimed = claim(store, at=NOW + timedelta(hours=3))
    assert [d.id for d in store.deliveries()] == [other.id, new.id, old.id]
    assert [d.id for d in store.deliveries(team_ids=[TEAM])] == [new.id, old.id]
    assert [d.id for d in store.deliveries(team_ids=[TEAM], states=("claimed",))] == [claimed.id]
    assert [d.id for d in store.deliveries(limit=1)] == [other.id]
    assert store.deliveries(team_ids=[]) == []
    assert store.latest_delivery(TEAM) == new  # the latest *posted* one, not the claimed one
    assert store.latest_delivery("nobody") is None


def test_a_teams_history_is_what_was_or_is_being_posted_oldest_first(store: Store) -> None:
    first = posted(store, card="a", topic="t1", at=NOW)
    store.mark_failed(claim(store, card="failed", at=NOW + timedelta(minutes=1)).id, "no")
    store.mark_missed(claim(store, card="missed", at=NOW + timedelta(minutes=2)).id, "no")
    claim(store, card="b", topic="t2", at=NOW + timedelta(minutes=3))
    posted(store, team="response-b", card="elsewhere", at=NOW)
    assert store.team_history(TEAM) == [
        ("a", "t1", first.posted_at), ("b", "t2", NOW + timedelta(minutes=3)),
    ]


def test_topic_weakness_counts_recipients_acknowledgements_and_wrong_answers_per_topic(store: Store) -> None:
    one = posted(store, topic="displacement")
    two = posted(store, topic="displacement", people=PEOPLE[:1])
    posted(store, topic="fifteen-minutes", people=PEOPLE[:2])
    claim(store, topic="not-posted")
    store.acknowledge(one.id, "local:pc-1", "PC One", "local", NOW)
    store.record_answer(one.id, "local:pc-1", "PC One", 2, False, NOW)
    store.record_answer(one.id, "local:pc-2", "PC Two", 1, True, NOW)
    store.record_answer(two.id, "local:pc-1", "PC One", 3, False, NOW)
    assert store.topic_weakness(TEAM) == {"displacement": (4, 1, 3, 2), "fifteen-minutes": (2, 0, 0, 0)}
    assert store.topic_weakness("response-b") == {}


def test_a_second_claim_of_an_occurrence_writes_nothing_even_with_a_poster_and_an_event_key(store: Store) -> None:
    claim(store, reason="scheduled", shift_start=NOW, occurrence="nudge|response-a|x")
    again = store.create_delivery(
        card_id="card-1", card_version=1, topic="what-is-hsp", team_id=TEAM, channel="local:response-a",
        reason="scheduled", posted_by="local:sgt-a", poster_name="Sgt A", now=NOW, shift_start=NOW,
        occurrence="nudge|response-a|x", event_key="slack:command:again",
    )
    assert again is None
    assert store.person_name("local:sgt-a") is None
    assert not store.seen("slack:command:again")  # else a retry of this request would be dropped as done
