"""Acknowledgement and understanding, summarised by officer, team, topic or week.

Rows are in a stable order (officers by name, teams and topics in configured order, weeks in time
order), never ranked: no league tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.store import Engagement
from content.topics import TOPICS, topic_title

GROUPINGS = ("officer", "team", "topic", "week")


@dataclass
class _Tally:
    deliveries: set[str] = field(default_factory=set)
    delivered: int = 0
    acknowledged: int = 0
    answered: int = 0
    correct: int = 0

    def add(self, e: Engagement) -> None:
        self.deliveries.add(e.delivery_id)
        self.delivered += 1
        self.acknowledged += e.acknowledged
        self.answered += e.answered
        self.correct += e.correct

    def counts(self) -> dict[str, Any]:
        return {
            "deliveries": len(self.deliveries),
            "delivered": self.delivered,
            "acknowledged": self.acknowledged,
            "ack_rate": round(self.acknowledged / self.delivered, 3) if self.delivered else None,
            "answered": self.answered,
            "correct": self.correct,
            "correct_rate": round(self.correct / self.answered, 3) if self.answered else None,
        }


def summarise(engagements: Iterable[Engagement], by: str, config: Config) -> list[dict[str, Any]]:
    """One row per officer, team, topic or week. `delivered` counts officer-deliveries."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    zone: ZoneInfo = config.timezone
    tallies: dict[str, _Tally] = {}
    names: dict[str, str] = {}
    for e in engagements:
        if by == "officer":
            key = e.person_id
            names[key] = e.name
        elif by == "team":
            key = e.team_id
        elif by == "topic":
            key = e.topic
        else:
            local = e.posted_at.astimezone(zone).date()
            key = (local - timedelta(days=local.weekday())).isoformat()
        tallies.setdefault(key, _Tally()).add(e)
    rows: list[dict[str, Any]] = []
    if by == "officer":
        for key in sorted(tallies, key=lambda k: (names[k].lower(), k)):
            counts = tallies[key].counts()
            rows.append({"officer": key, "name": names[key], "delivered": counts["delivered"],
                         "acknowledged": counts["acknowledged"], "answered": counts["answered"],
                         "correct": counts["correct"]})
    elif by == "team":
        order = [t.id for t in config.teams]
        for key in sorted(tallies, key=lambda k: (order.index(k) if k in order else len(order), k)):
            team = config.team(key)
            rows.append({"team": key, "name": team.name if team else key, **tallies[key].counts()})
    elif by == "topic":
        order = list(TOPICS)
        for key in sorted(tallies, key=lambda k: (order.index(k) if k in order else len(order), k)):
            rows.append({"topic": key, "title": topic_title(key), **tallies[key].counts()})
    else:
        for key in sorted(tallies):
            rows.append({"week": key, **tallies[key].counts()})
    return rows


def columns(rows: Sequence[dict[str, Any]], by: str) -> list[str]:
    if rows:
        return list(rows[0])
    first = {"officer": ["officer", "name"], "team": ["team", "name"], "topic": ["topic", "title"], "week": ["week"]}
    rest = ["delivered", "acknowledged", "answered", "correct"]
    if by != "officer":
        rest = ["deliveries", "delivered", "acknowledged", "ack_rate", "answered", "correct", "correct_rate"]
    return first[by] + rest
