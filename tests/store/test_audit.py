"""The audit trail: who looked at officer-level views, posted, nudged or purged, newest first."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Store
from tests.store.conftest import NOW


def test_audit_lines_are_kept_and_read_newest_first(store: Store) -> None:
    store.audit("local:sgt-a", "view-pending", "response-a", "d-1", NOW)
    store.audit("system:cli", "purge", None, None, NOW + timedelta(minutes=1))
    trail = store.audit_trail()
    assert [(a["actor"], a["action"], a["target"], a["detail"]) for a in trail] == [
        ("system:cli", "purge", None, None), ("local:sgt-a", "view-pending", "response-a", "d-1"),
    ]
    assert trail[0]["at"] == "2026-11-25T09:01:00.000000Z"
    assert [a["action"] for a in store.audit_trail(limit=1)] == ["purge"]
