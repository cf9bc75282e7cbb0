"""Shift starts and nudge times: pure functions of a team's rota, a date range and a time zone.

A rota is a cycle of local days anchored on `rota_start`; each day is a local shift start or off.
Local wall-clock times become real instants here, once, with two rules for the clock changes:
a time the clocks skip moves forward by the gap (01:30 on 28 March 2027 is 02:30 BST), and a
time that happens twice means the first of the two (fold=0). Arithmetic on real minutes is done
in UTC, so "30 minutes before" is always 30 minutes of real time.

Beware: Python adds, subtracts and compares two datetimes that share a tzinfo by their wall clocks,
ignoring the offset; every comparison and sum below is therefore done on UTC values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

MAX_SHIFT = timedelta(hours=12)
"""How long a shift is assumed to last at most, for "only while the team is on shift"."""


class RotaTeam(Protocol):
    """What the scheduler needs of a team (bot.config.Team provides it; scheduler/ never imports bot/)."""

    @property
    def id(self) -> str: ...

    @property
    def rota_start(self) -> date: ...

    @property
    def rota(self) -> tuple[time | None, ...]: ...

    @property
    def nudge_minutes_before(self) -> int: ...

    @property
    def remind_after_minutes(self) -> int | None: ...


@dataclass(frozen=True)
class Shift:
    """One shift of one team: its rota day, when it starts and when its nudge is due (both aware, local)."""

    team_id: str
    day: date
    start: datetime
    nudge_at: datetime


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The real instant of a local wall-clock time: skipped times move forward by the gap, repeated ones are the first."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    # Round-tripping through UTC normalises a time in the spring gap (read with the offset before
    # the change) to the wall time after the change, e.g. 01:30 GMT -> 02:30 BST.
    return wall.astimezone(UTC).astimezone(zone)


def minutes_before(moment: datetime, minutes: int, zone: ZoneInfo) -> datetime:
    """`minutes` real minutes before `moment`, expressed in `zone`."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware time")
    return (moment.astimezone(UTC) - timedelta(minutes=minutes)).astimezone(zone)


def shift_on(team: RotaTeam, day: date, zone: ZoneInfo) -> Shift | None:
    """The team's shift on a local rota day, or None on an off day or before the rota starts."""
    if day < team.rota_start or not team.rota:
        return None
    at = team.rota[(day - team.rota_start).days % len(team.rota)]
    if at is None:
        return None
    start = local_instant(day, at, zone)
    return Shift(team.id, day, start, minutes_before(start, team.nudge_minutes_before, zone))


def shifts(team: RotaTeam, zone: ZoneInfo, first: date, days: int) -> list[Shift]:
    """The team's shifts on the `days` local rota days from `first`, in order."""
    found = (shift_on(team, first + timedelta(days=offset), zone) for offset in range(days))
    return [shift for shift in found if shift is not None]


def nudges_between(team: RotaTeam, zone: ZoneInfo, after: datetime, until: datetime) -> list[Shift]:
    """The team's shifts whose nudge is due in (after, until], in order of nudge time."""
    _require_aware(after, until)
    # A nudge comes at most 12 hours (plus a clock change) before its shift, so its shift starts on
    # the nudge's local date or the day after.
    first = after.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date() + timedelta(days=2)
    found = shifts(team, zone, first, (last - first).days + 1)
    after_utc, until_utc = after.astimezone(UTC), until.astimezone(UTC)
    return [s for s in found if after_utc < s.nudge_at.astimezone(UTC) <= until_utc]


def shift_end(team: RotaTeam, zone: ZoneInfo, shift: Shift) -> datetime:
    """When a shift is assumed to end: the next shift's start, but no more than 12 hours after it began."""
    cap = (shift.start.astimezone(UTC) + MAX_SHIFT).astimezone(zone)
    following = shift_on(team, shift.day + timedelta(days=1), zone)
    return cap if following is None else min(following.start, cap, key=lambda moment: moment.astimezone(UTC))


def next_nudges(teams: Iterable[RotaTeam], zone: ZoneInfo, now: datetime, per_team: int = 1) -> list[Shift]:
    """Each team's next `per_team` nudges after `now`, soonest first."""
    _require_aware(now)
    found: list[Shift] = []
    for team in teams:
        # From now or the eve of the rota's first day, whichever is later, one whole cycle (plus two
        # days) holds a shift of every team that has any; `per_team` cycles hold `per_team` of them.
        eve = datetime.combine(team.rota_start - timedelta(days=1), time(0), tzinfo=zone)
        base = max(now.astimezone(UTC), eve.astimezone(UTC))
        window = timedelta(days=len(team.rota) * per_team + 2)
        upcoming = nudges_between(team, zone, now, base + window)
        found.extend(upcoming[:per_team])
    return sorted(found, key=lambda s: (s.nudge_at.astimezone(UTC), s.team_id))


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: pass a timezone-aware time")
