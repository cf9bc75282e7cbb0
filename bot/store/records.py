"""The rows the store hands out, as frozen values, and the one time format it stores."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def iso(moment: datetime) -> str:
    """UTC text of fixed width for storage (it sorts as text); refuses naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware time")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Delivery:
    """One card posted (or claimed, or missed) to one team's channel at one time."""

    id: str
    card_id: str
    card_version: int
    topic: str
    team_id: str
    channel: str
    reason: str
    posted_by: str | None
    shift_start: datetime | None
    created_at: datetime
    posted_at: datetime | None
    message_ref: dict[str, Any] | None
    state: str
    error: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Delivery:
        return cls(
            id=row["id"],
            card_id=row["card_id"],
            card_version=row["card_version"],
            topic=row["topic"],
            team_id=row["team_id"],
            channel=row["channel"],
            reason=row["reason"],
            posted_by=row["posted_by"],
            shift_start=parse_iso(row["shift_start"]) if row["shift_start"] else None,
            created_at=parse_iso(row["created_at"]),
            posted_at=parse_iso(row["posted_at"]) if row["posted_at"] else None,
            message_ref=json.loads(row["message_ref"]) if row["message_ref"] else None,
            state=row["state"],
            error=row["error"],
        )


@dataclass(frozen=True)
class Engagement:
    """One recipient of one delivery, and what they did with it: the row every statistic counts."""

    delivery_id: str
    team_id: str
    topic: str
    card_id: str
    posted_at: datetime
    person_id: str
    name: str
    acknowledged: bool
    answered: bool
    correct: bool


@dataclass(frozen=True)
class Tally:
    """Counts for one group of recipients-of-deliveries (an officer, a team, a topic, an hour), added up
    in SQL. `key` is the group; `name` an officer's display name (else empty)."""

    key: str
    name: str
    deliveries: int
    delivered: int
    acknowledged: int
    answered: int
    correct: int


@dataclass(frozen=True)
class CardState:
    """What one person has done with one delivery: shown beside the card on their screen."""

    acknowledged: bool
    choice: int | None
    correct: bool | None


@dataclass(frozen=True)
class Nudge:
    """A private reminder a person was sent about a delivery: by a sergeant (`nudge`) or the scheduler."""

    delivery_id: str
    kind: str
    at: datetime
    by: str | None


class AlreadyProcessed(Exception):
    """A platform event key was seen before: its work is done, and this transaction wrote nothing."""
