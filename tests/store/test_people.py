"""People: a platform id and a display name, nothing else; a name is rewritten only when it changes."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Store
from tests.store.conftest import NOW


def updated_at(store: Store, person_id: str) -> str:
    row = store.conn.execute("SELECT updated_at FROM people WHERE id = ?", (person_id,)).fetchone()
    return str(row["updated_at"])


def test_names_are_saved_and_looked_up(store: Store) -> None:
    store.save_people([("slack:U1", "PC Ahmed"), ("teams:aad-2", "PC Brown")], NOW)
    assert store.person_name("slack:U1") == "PC Ahmed"
    assert store.person_name("slack:U9") is None
    assert store.person_names(["teams:aad-2", "slack:U1", "slack:U1", "slack:U9"]) == {
        "slack:U1": "PC Ahmed", "teams:aad-2": "PC Brown",
    }
    assert store.person_names([]) == {}


def test_a_name_is_rewritten_only_when_it_changes(store: Store) -> None:
    store.save_people([("slack:U1", "PC Ahmed")], NOW)
    first = updated_at(store, "slack:U1")
    store.save_people([("slack:U1", "PC Ahmed")], NOW + timedelta(days=1))
    assert updated_at(store, "slack:U1") == first  # the same name: untouched (purge counts from its last change)
    store.save_people([("slack:U1", "Sam Ahmed")], NOW + timedelta(days=2))
    assert store.person_name("slack:U1") == "Sam Ahmed" and updated_at(store, "slack:U1") != first


def test_a_name_is_kept_to_80_characters(store: Store) -> None:
    store.save_people([("slack:U1", "A" * 200)], NOW)
    assert store.person_name("slack:U1") == "A" * 80
