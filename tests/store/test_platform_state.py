"""What platforms need kept between requests: conversation references, and event keys seen once."""

from __future__ import annotations

from bot.store import Store
from tests.store.conftest import NOW


def test_a_conversation_reference_is_kept_and_replaced(store: Store) -> None:
    assert store.reference("teams:19:a@thread") is None
    store.save_reference("teams:19:a@thread", {"serviceUrl": "https://one/", "conversation": {"id": "19:a"}}, NOW)
    store.save_reference("teams:19:a@thread", {"serviceUrl": "https://two/"}, NOW)
    assert store.reference("teams:19:a@thread") == {"serviceUrl": "https://two/"}


def test_an_event_key_is_new_only_the_first_time(store: Store) -> None:
    assert not store.seen("slack:event:Ev1")
    assert store.first_time("slack:event:Ev1", NOW)
    assert not store.first_time("slack:event:Ev1", NOW)
    assert store.seen("slack:event:Ev1") and not store.seen("slack:event:Ev2")
