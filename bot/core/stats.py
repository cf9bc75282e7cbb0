"""Acknowledgement and understanding, summarised by officer, team, topic or week.

Rows are in a stable order (officers by name, teams and topics in configured order, weeks in time
order), never ranked: no league tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.store import Engagement, Tally
from content.topics import TOPICS, topic_title

GROUPINGS = ("officer", "team", "topic", "week")


def _counts(t: Tally) -> dict[str, Any]:
    return {
        "deliveries": t.deliveries,
        "delivered": t.delivered,
        "acknowledged": t.acknowledged,
        "ack_rate": round(t.acknowledged / t.delivered, 3) if t.delivered else None,
        "answered": t.answered,
        "correct": t.correct,
        "correct_rate": round(t.correct / t.answered, 3) if t.answered else None,
    }


def tally_key(by: str) -> str:
    """What the store groups by for a grouping: weeks are gathered from UTC hours, then folded locally."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    return "hour" if by == "week" else by


def rows(tallies: Iterable[Tally], by: str, config: Config) -> list[dict[str, Any]]:
    """The report rows from the store's tallies: one per officer, team, topic or local week (Monday),
    in a stable order, never ranked."""
    key_of = tally_key(by)
    groups = list(tallies)
    if key_of == "hour":
        groups = _weeks(groups, config.timezone)
    result: list[dict[str, Any]] = []
    if by == "officer":
        for t in sorted(groups, key=lambda t: (t.name.lower(), t.key)):
            result.append({"officer": t.key, "name": t.name, "delivered": t.delivered,
                           "acknowledged": t.acknowledged, "answered": t.answered, "correct": t.correct})
    elif by == "team":
        order = [team.id for team in config.teams]
        for t in sorted(groups, key=lambda t: (order.index(t.key) if t.key in order else len(order), t.key)):
            team = config.team(t.key)
            result.append({"team": t.key, "name": team.name if team else t.key, **_counts(t)})
    elif by == "topic":
        topics = list(TOPICS)
        for t in sorted(groups, key=lambda t: (topics.index(t.key) if t.key in topics else len(topics), t.key)):
            result.append({"topic": t.key, "title": topic_title(t.key), **_counts(t)})
    else:
        result = [{"week": t.key, **_counts(t)} for t in sorted(groups, key=lambda t: t.key)]
    return result


def _weeks(hours: list[Tally], zone: ZoneInfo) -> list[Tally]:
    """UTC-hour tallies added up into local weeks (the Monday they start on), clock changes included."""
    weeks: dict[str, list[int]] = {}
    for t in hours:
        local = datetime.strptime(t.key, "%Y-%m-%dT%H").replace(tzinfo=UTC).astimezone(zone).date()
        monday = (local - timedelta(days=local.weekday())).isoformat()
        sums = weeks.setdefault(monday, [0, 0, 0, 0, 0])
        for index, value in enumerate((t.deliveries, t.delivered, t.acknowledged, t.answered, t.correct)):
            sums[index] += value
    return [Tally(monday, "", *sums) for monday, sums in weeks.items()]


def summarise(engagements: Iterable[Engagement], by: str, config: Config) -> list[dict[str, Any]]:
    """The same rows from engagement records already in memory (an officer's own record, tests): the
    tallies are added up here instead of in SQL."""
    key_of = tally_key(by)
    groups: dict[str, tuple[set[str], list[int], str]] = {}
    for e in engagements:
        key = {"officer": e.person_id, "team": e.team_id, "topic": e.topic}.get(
            key_of, e.posted_at.astimezone(UTC).strftime("%Y-%m-%dT%H"))
        deliveries, sums, _name = groups.setdefault(key, (set(), [0, 0, 0, 0], e.name))
        deliveries.add(e.delivery_id)
        for index, value in enumerate((1, e.acknowledged, e.answered, e.correct)):
            sums[index] += int(value)
    return rows([Tally(key, name, len(ds), *sums) for key, (ds, sums, name) in groups.items()], by, config)


def columns(rows: Sequence[dict[str, Any]], by: str) -> list[str]:
    if rows:
        return list(rows[0])
    first = {"officer": ["officer", "name"], "team": ["team", "name"], "topic": ["topic", "title"], "week": ["week"]}
    rest = ["delivered", "acknowledged", "answered", "correct"]
    if by != "officer":
        rest = ["deliveries", "delivered", "acknowledged", "ack_rate", "answered", "correct", "correct_rate"]
    return first[by] + rest
