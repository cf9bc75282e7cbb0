"""People: only a platform id and a display name are kept."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.store.base import Queries


class PeopleQueries(Queries):
    def save_people(self, people: Iterable[tuple[str, str]], now: datetime) -> None:
        with self._transaction():
            for person_id, name in people:
                self._save_person(person_id, name, now)

    def person_name(self, person_id: str) -> str | None:
        row = self._one("SELECT name FROM people WHERE id = ?", (person_id,))
        return str(row["name"]) if row else None

    def person_names(self, person_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            return {}
        rows = self._rows(f"SELECT id, name FROM people WHERE id IN ({','.join('?' * len(ids))})", ids)  # noqa: S608
        return {r["id"]: r["name"] for r in rows}
