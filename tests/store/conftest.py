"""The store on its own: a real SQLite file in tmp_path, opened (and migrated) as the bot opens it, and
a few rows built the way the core writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Delivery, Store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TEAM = "response-a"
PEOPLE = [("local:pc-1", "PC One"), ("local:pc-2", "PC Two"), ("local:sgt-a", "Sgt A")]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The Store the bot's writer thread holds, opened on a new file at NOW."""
    opened = Store.open(tmp_path / "shiftbrief.db", NOW)
    yield opened
    opened.close()


def claim(
    store: Store, *, team: str = TEAM, card: str = "card-1", topic: str = "what-is-hsp", at: datetime = NOW,
    reason: str = "sergeant", shift_start: datetime | None = None, occurrence: str | None = None,
) -> Delivery:
    """A delivery claimed (not yet posted), as `post_briefing` records it first."""
    delivery = store.create_delivery(
        card_id=card, card_version=1, topic=topic, team_id=team, channel=f"local:{team}", reason=reason,
        posted_by=None, now=at, shift_start=shift_start, occurrence=occurrence,
    )
    assert delivery is not None
    return delivery


def posted(
    store: Store, *, team: str = TEAM, card: str = "card-1", topic: str = "what-is-hsp", at: datetime = NOW,
    people: list[tuple[str, str]] = PEOPLE,
) -> Delivery:
    """A delivery all the way to the channel: claimed, recipients recorded, posted a second after `at`."""
    delivery = claim(store, team=team, card=card, topic=topic, at=at)
    assert store.mark_posting(delivery.id)
    store.add_recipients(delivery.id, people, at)
    store.mark_posted(delivery.id, {"local": delivery.id}, at + timedelta(seconds=1))
    found = store.delivery(delivery.id)
    assert found is not None
    return found
