"""What is on record, read straight from the database file a test's bot writes to.

A separate connection (WAL lets it read beside the bot's own), so tests can check what was stored without
the bot exposing its store.
"""

from __future__ import annotations

from pathlib import Path

from bot.core import Core
from bot.store import Store
from bot.store.store import connect

_OPEN: dict[str, Store] = {}


def records(core: Core | str | Path) -> Store:
    """The Store of a core's database file (or of a path), one connection per file."""
    path = str(core.db.path if isinstance(core, Core) else core)
    store = _OPEN.get(path)
    if store is None:
        store = _OPEN[path] = Store(connect(path))
    return store


def answer_of(store: Store, delivery_id: str, person_id: str) -> tuple[int | None, bool | None]:
    """(choice, right) of a person's check answer to a delivery; (None, None) if they have not answered."""
    state = store.card_states([delivery_id], person_id)[delivery_id]
    return state.choice, state.correct
