"""The rows the store hands out, as frozen values, and the one time format it stores."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any


def iso(moment: datetime) -> str:
    """UTC text of fixed width for storage (it sorts as text); refuses naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware time")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def week_of(moment: datetime, zone: tzinfo) -> str:
    """The local Monday (YYYY-MM-DD) of the week a moment falls in, clock changes included."""
    local = moment.astimezone(zone).date()
    return (local - timedelta(days=local.weekday())).isoformat()


def week_of_hour(hour: str, zone: tzinfo) -> str:
    """The local week of a stored UTC hour (`YYYY-MM-DDTHH`, as the tallies group by)."""
    return week_of(datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC), zone)


ACK_BANDS = (5, 15, 30, 60, 120, 240, 480, 1440)
"""Upper bounds, in minutes after posting, of the bands acknowledgements are counted in (the last band,
a day or more, is open): the median time to acknowledge is read from them, at any scale."""
BAND_COLUMNS = tuple(f"ack_b{i}" for i in range(len(ACK_BANDS) + 1))


def band_of(seconds: float) -> int:
    """The band an acknowledgement this many seconds after posting is counted in (whole seconds)."""
    minutes = int(seconds) / 60
    return next((i for i, bound in enumerate(ACK_BANDS) if minutes < bound), len(ACK_BANDS))


def band_sql(at: str, posted: str) -> str:
    """The same band, as an SQL expression over two stored times (whole seconds, as band_of)."""
    minutes = f"(CAST(ROUND((julianday({at}) - julianday({posted})) * 86400.0, 3) AS INTEGER) / 60.0)"
    cases = " ".join(f"WHEN {minutes} < {bound} THEN {i}" for i, bound in enumerate(ACK_BANDS))
    return f"(CASE {cases} ELSE {len(ACK_BANDS)} END)"


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
    acknowledged_at: datetime | None = None
    shift_start: datetime | None = None


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
    on_time: int = 0
    late: int = 0
    bands: tuple[int, ...] = (0,) * (len(ACK_BANDS) + 1)
    """Acknowledgements by band of minutes after posting (ACK_BANDS)."""
    topics: frozenset[str] = frozenset()
    """The topics delivered (officer tallies only)."""

    def __add__(self, other: Tally) -> Tally:
        """Two tallies of the same group added up (live figures and the purged weekly archive)."""
        return Tally(
            self.key, self.name or other.name, self.deliveries + other.deliveries, self.delivered + other.delivered,
            self.acknowledged + other.acknowledged, self.answered + other.answered, self.correct + other.correct,
            self.on_time + other.on_time, self.late + other.late,
            tuple(a + b for a, b in zip(self.bands, other.bands, strict=True)), self.topics | other.topics,
        )


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
