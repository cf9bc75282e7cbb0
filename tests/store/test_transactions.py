"""Each store method is one transaction: a platform's event key commits with the work it guards, a key seen
before rolls everything back, and a write that fails half-way leaves nothing behind."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import AlreadyProcessed, Store
from tests.store.conftest import NOW, TEAM, posted


def test_an_event_key_commits_with_the_acknowledgement_it_guards(store: Store) -> None:
    delivery = posted(store)
    store.acknowledge(delivery.id, "local:pc-1", "PC One", "slack", NOW, event_key="slack:action:1")
    assert store.seen("slack:action:1") and store.acknowledged_by(delivery.id) == ["local:pc-1"]


def test_a_key_seen_before_writes_nothing_not_even_the_name(store: Store) -> None:
    delivery = posted(store, people=[])
    store.first_time("slack:action:1", NOW)
    with pytest.raises(AlreadyProcessed):
        store.acknowledge(delivery.id, "local:pc-1", "A new name", "slack", NOW, event_key="slack:action:1")
    with pytest.raises(AlreadyProcessed):
        store.record_answer(delivery.id, "local:pc-1", "A new name", 1, True, NOW, event_key="slack:action:1")
    with pytest.raises(AlreadyProcessed):
        store.record_question(asked_by="local:pc-1", asker_name="A new name", via="slack", text="why?",
                              answered=False, card_id=None, topic=None, score=0.0, now=NOW, event_key="slack:action:1")
    assert store.acknowledged_by(delivery.id) == [] and store.recipients(delivery.id) == []
    assert store.card_states([delivery.id], "local:pc-1")[delivery.id].choice is None
    assert store.questions() == [] and store.person_name("local:pc-1") is None


def test_a_post_retried_by_the_platform_claims_no_second_delivery(store: Store) -> None:
    def post() -> object:
        return store.create_delivery(
            card_id="card-1", card_version=1, topic="what-is-hsp", team_id=TEAM, channel="local:response-a",
            reason="sergeant", posted_by="local:sgt-a", poster_name="Sgt A", now=NOW, audit=("local:sgt-a", "post"),
            event_key="slack:command:U0SGT:C0:t1:abc",
        )

    first = post()
    with pytest.raises(AlreadyProcessed):
        post()
    assert [d.id for d in store.deliveries(states=("claimed",))] == [getattr(first, "id", None)]
    assert len(store.audit_trail()) == 1


def test_a_write_that_fails_half_way_rolls_back_its_event_key_so_a_retry_is_let_through(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # no such delivery: the foreign key refuses the recipient row
        store.record_answer("d-missing", "local:pc-1", "PC One", 1, True, NOW, event_key="slack:action:2")
    assert not store.seen("slack:action:2") and store.person_name("local:pc-1") is None
    delivery = posted(store)
    assert store.record_answer(delivery.id, "local:pc-1", "PC One", 1, True, NOW, event_key="slack:action:2")[0]


def test_the_store_leaves_no_transaction_open_after_an_error(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.acknowledge("d-missing", "local:pc-1", "PC One", "local", NOW)
    assert not store.conn.in_transaction
    store.save_people([("local:pc-1", "PC One")], NOW)  # the next write starts cleanly
    assert store.person_name("local:pc-1") == "PC One"
