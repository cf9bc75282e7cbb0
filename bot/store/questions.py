"""Questions officers asked, what the bot answered, and whether they found it helpful."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.base import Queries
from bot.store.records import iso


class QuestionQueries(Queries):
    def record_question(
        self,
        *,
        asked_by: str | None,
        asker_name: str | None = None,
        via: str,
        text: str,
        answered: bool,
        card_id: str | None,
        topic: str | None,
        score: float,
        now: datetime,
        event_key: str | None = None,
    ) -> int:
        with self._transaction():
            self._claim_event(event_key, now)
            if asked_by is not None and asker_name is not None:
                self._save_person(asked_by, asker_name, now)
            cursor = self.conn.execute(
                "INSERT INTO questions (asked_by, via, asked_at, text, answered, card_id, topic, score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (asked_by, via, iso(now), text[:2000], int(answered), card_id, topic, score),
            )
            return int(cursor.lastrowid or 0)

    def set_helpful(self, question_id: int, asked_by: str, helpful: bool) -> bool:
        """True when the question exists and was asked by `asked_by` (only the asker may rate the answer)."""
        cursor = self._write(
            "UPDATE questions SET helpful = ? WHERE id = ? AND asked_by = ?", (int(helpful), question_id, asked_by)
        )
        return cursor.rowcount == 1

    def questions(self, *, unanswered_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        sql = "SELECT id, asked_at, via, text, answered, card_id, topic, score, helpful FROM questions"
        if unanswered_only:
            sql += " WHERE answered = 0 OR helpful = 0"
        sql += " ORDER BY asked_at DESC LIMIT ?"
        return [dict(r) for r in self._rows(sql, (limit,))]
