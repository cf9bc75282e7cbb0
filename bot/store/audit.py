"""The audit trail: who looked at officer-level views, posted, nudged or purged, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.base import Queries
from bot.store.records import iso


class AuditQueries(Queries):
    def audit(self, actor: str, action: str, target: str | None, detail: str | None, now: datetime) -> None:
        import sqlite_utils  # imported on first use: a report that audits nothing starts faster without it

        row = {"at": iso(now), "actor": actor, "action": action, "target": target, "detail": detail}
        sqlite_utils.Database(self.conn).table("audit").insert(row)

    def audit_trail(self, limit: int = 100, since: datetime | None = None) -> list[dict[str, Any]]:
        """The newest entries first; with `since`, only those at or after it."""
        if since is None:
            return [dict(r) for r in self._rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))]
        return [dict(r) for r in self._rows(
            "SELECT * FROM audit WHERE at >= ? ORDER BY id DESC LIMIT ?", (iso(since), limit)
        )]
