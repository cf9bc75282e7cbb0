"""What officers did with each delivery: recipients, acknowledgements, check answers, nudges, and the
engagement rows every statistic counts."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.store import CardState, Engagement, Store
from tests.store.conftest import NOW, PEOPLE, TEAM, claim, posted


def test_recipients_are_recorded_once_with_their_names(store: Store) -> None:
    delivery = claim(store)
    store.add_recipients(delivery.id, PEOPLE, NOW)
    store.add_recipients(delivery.id, [("local:pc-1", "PC One")], NOW)  # a repeat adds nobody
    assert store.recipients(delivery.id) == ["local:pc-1", "local:pc-2", "local:sgt-a"]
    assert store.person_names(["local:pc-1", "local:sgt-a"]) == {"local:pc-1": "PC One", "local:sgt-a": "Sgt A"}
    assert store.is_recipient(delivery.id, "local:pc-2") and not store.is_recipient(delivery.id, "local:pc-9")


def test_an_acknowledgement_counts_once_and_says_n_of_m_as_it_stands(store: Store) -> None:
    delivery = posted(store)
    assert store.acknowledge(delivery.id, "local:pc-1", "PC One", "slack", NOW) == (True, 1, 3)
    assert store.acknowledge(delivery.id, "local:pc-1", "PC One", "slack", NOW) == (False, 1, 3)
    assert store.acknowledged_by(delivery.id) == ["local:pc-1"]
    assert store.ack_counts(delivery.id) == (1, 3)


def test_someone_who_joined_the_channel_after_the_post_becomes_a_recipient_by_acknowledging(store: Store) -> None:
    delivery = posted(store)
    assert store.acknowledge(delivery.id, "local:pc-9", "PC Nine", "local", NOW) == (True, 1, 4)
    assert store.is_recipient(delivery.id, "local:pc-9") and store.person_name("local:pc-9") == "PC Nine"


def test_acknowledging_a_delivery_that_is_not_on_record_fails_and_writes_nothing(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # the core turns this into "no longer on record"
        store.acknowledge("d-0000000000000000", "local:pc-1", "PC One", "local", NOW, event_key="slack:event:E1")
    assert store.person_name("local:pc-1") is None
    assert not store.seen("slack:event:E1")  # so Slack's retry is let through


def test_the_first_check_answer_is_kept_and_reported_on_a_second(store: Store) -> None:
    delivery = posted(store)
    assert store.record_answer(delivery.id, "local:pc-1", "PC One", 2, False, NOW) == (True, 2, False)
    assert store.record_answer(delivery.id, "local:pc-1", "PC One", 1, True, NOW) == (False, 2, False)


def test_card_states_say_what_one_person_did_with_each_delivery(store: Store) -> None:
    acked, answered, untouched = posted(store), posted(store), posted(store)
    store.acknowledge(acked.id, "local:pc-1", "PC One", "local", NOW)
    store.record_answer(answered.id, "local:pc-1", "PC One", 3, True, NOW)
    store.record_answer(acked.id, "local:pc-2", "PC Two", 1, False, NOW)  # someone else's answer
    assert store.card_states([acked.id, answered.id, untouched.id], "local:pc-1") == {
        acked.id: CardState(True, None, None),
        answered.id: CardState(False, 3, True),
        untouched.id: CardState(False, None, None),
    }
    assert store.card_states([], "local:pc-1") == {}


def test_one_nudge_and_one_reminder_per_officer_per_delivery(store: Store) -> None:
    delivery = posted(store)
    assert store.record_nudge(delivery.id, "local:pc-1", "nudge", "local:sgt-a", NOW)
    assert not store.record_nudge(delivery.id, "local:pc-1", "nudge", "local:sgt-a", NOW)
    assert store.record_nudge(delivery.id, "local:pc-1", "reminder", None, NOW + timedelta(hours=1))
    assert store.nudged(delivery.id) == {"local:pc-1"} and store.nudged(delivery.id, "reminder") == {"local:pc-1"}
    [reminder, nudge] = store.nudges_for("local:pc-1")  # newest first
    assert (reminder.kind, reminder.by, nudge.kind, nudge.by) == ("reminder", None, "nudge", "local:sgt-a")
    assert store.nudges_for("local:pc-1", limit=1) == [reminder]


def test_a_nudge_that_could_not_be_sent_is_forgotten_so_it_can_be_sent_again(store: Store) -> None:
    delivery = posted(store)
    store.record_nudge(delivery.id, "local:pc-2", "nudge", "local:sgt-a", NOW)
    store.forget_nudge(delivery.id, "local:pc-2", "nudge")
    assert store.nudged(delivery.id) == set()
    assert store.record_nudge(delivery.id, "local:pc-2", "nudge", "local:sgt-a", NOW)


def test_engagements_are_one_row_per_recipient_of_each_posted_delivery(store: Store) -> None:
    delivery = posted(store, topic="displacement")
    claim(store)  # never posted: not counted
    store.acknowledge(delivery.id, "local:pc-1", "PC One", "local", NOW)
    store.record_answer(delivery.id, "local:pc-1", "PC One", 1, True, NOW)
    store.record_answer(delivery.id, "local:pc-2", "PC Two", 2, False, NOW)
    posted_at = delivery.posted_at
    assert posted_at is not None
    rows = {e.person_id: e for e in store.engagements()}
    assert rows["local:pc-1"] == Engagement(
        delivery.id, TEAM, "displacement", "card-1", posted_at, "local:pc-1", "PC One", True, True, True, NOW,
        delivery.shift_start,
    )
    assert (rows["local:pc-2"].acknowledged, rows["local:pc-2"].answered, rows["local:pc-2"].correct) == (
        False, True, False,
    )
    assert (rows["local:sgt-a"].answered, rows["local:sgt-a"].correct) == (False, False)


def test_engagements_filter_by_team_person_and_time(store: Store) -> None:
    early = posted(store, at=NOW)
    late = posted(store, at=NOW + timedelta(days=7))
    other = posted(store, team="response-b", people=[("local:pc-3", "PC Three")], at=NOW)
    assert {e.delivery_id for e in store.engagements(team_ids=["response-b"])} == {other.id}
    assert {e.delivery_id for e in store.engagements(person_id="local:pc-3")} == {other.id}
    assert {e.delivery_id for e in store.engagements(since=NOW + timedelta(days=1))} == {late.id}
    assert [e.delivery_id for e in store.engagements(person_id="local:pc-1")] == [early.id, late.id]  # oldest first
    assert store.engagements(team_ids=[]) == []


def test_each_delivery_keeps_its_own_counts_as_officers_act(store: Store) -> None:
    """What the force-wide reports add up: one row per card, counted as it happens, a click counted once."""
    from datetime import timedelta

    shift = NOW + timedelta(minutes=30)
    delivery = store.create_delivery(card_id="card-1", card_version=1, topic="displacement", team_id=TEAM,
                                      channel="local:response-a", reason="scheduled", posted_by=None, now=NOW,
                                      shift_start=shift)
    assert delivery is not None
    store.add_recipients(delivery.id, [("local:pc-1", "One"), ("local:pc-2", "Two"), ("local:pc-3", "Three")], NOW)
    store.mark_posted(delivery.id, None, NOW)
    store.acknowledge(delivery.id, "local:pc-1", "One", "local", NOW + timedelta(minutes=10))
    store.acknowledge(delivery.id, "local:pc-1", "One", "local", NOW + timedelta(minutes=11))  # a double click
    store.acknowledge(delivery.id, "local:pc-2", "Two", "local", NOW + timedelta(hours=2))  # after the shift began
    store.acknowledge(delivery.id, "local:pc-4", "Four", "local", NOW + timedelta(minutes=3))  # joined since
    store.record_answer(delivery.id, "local:pc-1", "One", 1, True, NOW)
    store.record_answer(delivery.id, "local:pc-1", "One", 2, False, NOW)  # the first answer counts
    store.record_answer(delivery.id, "local:pc-2", "Two", 2, False, NOW)
    assert store.ack_counts(delivery.id) == (3, 4)
    [team] = store.tallies("team")
    assert (team.deliveries, team.delivered, team.acknowledged, team.on_time, team.late) == (1, 4, 3, 2, 1)
    assert (team.answered, team.correct) == (2, 1)
    assert team.bands[:3] == (1, 1, 0) and sum(team.bands) == 3  # 3 minutes, 10 minutes, then 2 hours
