"""Acknowledgement and understanding, summarised by officer, team, topic or week.

Rows are in a stable order (officers by name, teams and topics in configured order, weeks in time
order), never ranked: no league tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.store import ACK_BANDS, Engagement, Tally, band_of, week_of_hour
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
        **_added(t),
    }


def _added(t: Tally) -> dict[str, Any]:
    """The measures added after the first columns (appended, so the CSV and JSON contract only grows)."""
    return {
        "on_time": t.on_time,
        "late": t.late,
        "median_ack_minutes": median_minutes(t.bands),
        "wrong": t.answered - t.correct,
    }


def median_minutes(bands: Sequence[int]) -> float | None:
    """The median time to acknowledge, in minutes, read from the counts per band (ACK_BANDS) by straight-line
    interpolation inside the band it falls in; a median in the open last band reads as its lower bound
    (a day). None with no acknowledgements."""
    total = sum(bands)
    if not total:
        return None
    half, seen = total / 2, 0
    for index, count in enumerate(bands):
        if count and seen + count >= half:
            low = ACK_BANDS[index - 1] if index else 0
            if index == len(ACK_BANDS):
                return float(low)
            return round(low + (ACK_BANDS[index] - low) * (half - seen) / count, 1)
        seen += count
    return None


def tally_key(by: str) -> str:
    """What the store groups by for a grouping: weeks are gathered from UTC hours, then folded locally."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    return "hour" if by == "week" else by


def rows(
    tallies: Iterable[Tally], by: str, config: Config, archived: Iterable[Tally] = ()
) -> list[dict[str, Any]]:
    """The report rows from the store's tallies (and the anonymous weekly archive `db purge` kept, by team,
    topic or week): one per officer, team, topic or local week (Monday), in a stable order, never ranked."""
    key_of = tally_key(by)
    groups = list(tallies)
    if key_of == "hour":
        groups = _weeks(groups, config.timezone)
    merged: dict[str, Tally] = {t.key: t for t in groups}
    for old in archived:
        merged[old.key] = merged[old.key] + old if old.key in merged else old
    groups = list(merged.values())
    result: list[dict[str, Any]] = []
    if by == "officer":
        for t in sorted(groups, key=lambda t: (t.name.lower(), t.key)):
            result.append({"officer": t.key, "name": t.name, "delivered": t.delivered,
                           "acknowledged": t.acknowledged, "answered": t.answered, "correct": t.correct,
                           **_added(t), "topics_reached": len(t.topics & TOPICS.keys()),
                           "topics_never_reached": [topic for topic in TOPICS if topic not in t.topics]})
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
    weeks: dict[str, Tally] = {}
    for t in hours:
        monday = week_of_hour(t.key, zone)
        t = replace(t, key=monday)
        weeks[monday] = weeks[monday] + t if monday in weeks else t
    return list(weeks.values())


def summarise(engagements: Iterable[Engagement], by: str, config: Config) -> list[dict[str, Any]]:
    """The same rows from engagement records already in memory (an officer's own record, tests): the
    tallies are added up here instead of in SQL."""
    key_of = tally_key(by)
    groups: dict[str, Tally] = {}
    seen: dict[str, set[str]] = {}
    for e in engagements:
        key = {"officer": e.person_id, "team": e.team_id, "topic": e.topic}.get(
            key_of, e.posted_at.astimezone(UTC).strftime("%Y-%m-%dT%H"))
        bands = [0] * (len(ACK_BANDS) + 1)
        on_time = late = 0
        if e.acknowledged_at is not None:
            bands[band_of((e.acknowledged_at - e.posted_at).total_seconds())] = 1
            if e.shift_start is not None:
                on_time, late = (1, 0) if e.acknowledged_at <= e.shift_start else (0, 1)
        one = Tally(key, e.name, 1, 1, int(e.acknowledged), int(e.answered), int(e.correct), on_time, late,
                    tuple(bands), frozenset({e.topic}))
        if key in groups:
            old = groups[key]
            deliveries = old.deliveries + (e.delivery_id not in seen[key])
            groups[key] = replace(old + one, deliveries=deliveries)
        else:
            groups[key] = one
            seen[key] = set()
        seen[key].add(e.delivery_id)
    return rows(groups.values(), by, config)


def columns(rows: Sequence[dict[str, Any]], by: str) -> list[str]:
    if rows:
        return list(rows[0])
    first = {"officer": ["officer", "name"], "team": ["team", "name"], "topic": ["topic", "title"], "week": ["week"]}
    added = ["on_time", "late", "median_ack_minutes", "wrong"]
    rest = ["delivered", "acknowledged", "answered", "correct", *added, "topics_reached", "topics_never_reached"]
    if by != "officer":
        rest = ["deliveries", "delivered", "acknowledged", "ack_rate", "answered", "correct", "correct_rate", *added]
    return first[by] + rest
