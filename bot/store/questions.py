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
        off_topic: bool = False,
    ) -> int:
        """Keep a question and what it got. `off_topic`: unanswered and plainly outside hot spots policing, so
        counted but left off the content-gap list."""
        with self._transaction():
            self._claim_event(event_key, now)
            if asked_by is not None and asker_name is not None:
                self._save_person(asked_by, asker_name, now)
            cursor = self.conn.execute(
                "INSERT INTO questions (asked_by, via, asked_at, text, answered, card_id, topic, score, off_topic)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (asked_by, via, iso(now), text[:2000], int(answered), card_id, topic, score, int(off_topic)),
            )
            return int(cursor.lastrowid or 0)

    def set_helpful(self, question_id: int, asked_by: str, helpful: bool) -> bool:
        """True when the question exists and was asked by `asked_by` (only the asker may rate the answer)."""
        cursor = self._write(
            "UPDATE questions SET helpful = ? WHERE id = ? AND asked_by = ?", (int(helpful), question_id, asked_by)
        )
        return cursor.rowcount == 1

    def questions(self, *, unanswered_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first. `unanswered_only`: the content-gap list, the unanswered questions near the topics and
        the answers marked not helpful (an off-topic question is not a gap in the content)."""
        sql = "SELECT id, asked_at, via, text, answered, off_topic, card_id, topic, score, helpful FROM questions"
        if unanswered_only:
            sql += " WHERE (answered = 0 AND off_topic = 0) OR helpful = 0"
        sql += " ORDER BY asked_at DESC LIMIT ?"
        return [dict(r) for r in self._rows(sql, (limit,))]

    def content_gaps(self, limit: int) -> dict[str, list[dict[str, Any]]]:
        """The most asked topics, the most repeated unanswered questions near the topics (not the off-topic
        ones) and the answers marked not helpful, counted in SQL (the same words, ignoring case and outer spaces,
        count as one question)."""
        most_asked = self._rows(
            "SELECT topic, COUNT(*) AS count FROM questions WHERE answered = 1 AND topic IS NOT NULL"
            " GROUP BY topic ORDER BY count DESC, topic LIMIT ?", (limit,))
        unanswered = self._rows(
            "SELECT MIN(text) AS text, MAX(asked_at) AS asked_at, COUNT(*) AS count FROM questions"
            " WHERE answered = 0 AND off_topic = 0 GROUP BY lower(trim(text)) ORDER BY count DESC, asked_at DESC LIMIT ?", (limit,))
        not_helpful = self._rows(
            "SELECT MIN(text) AS text, card_id, COUNT(*) AS count FROM questions WHERE helpful = 0"
            " GROUP BY lower(trim(text)), card_id ORDER BY count DESC, MAX(asked_at) DESC LIMIT ?", (limit,))
        return {"most_asked": [dict(r) for r in most_asked], "unanswered": [dict(r) for r in unanswered],
                "not_helpful": [dict(r) for r in not_helpful]}
