"""When a scheduled nudge is due, still worth sending, or reminded: one rule, used by the runner and the core.

A nudge is one *occurrence*: one team's shift start. Its key is what the database claims once, and what
the runner names its job, so the two can never disagree about which shift a post was for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ON_TIME = timedelta(minutes=2)
"""A nudge sent this soon after its due time is on time, even if its shift has just started."""


def occurrence_key(team_id: str, shift_start: datetime) -> str:
    """The unique key of one team's nudge for one shift: the team and the shift's real start instant."""
    _require_aware(shift_start)
    return f"nudge|{team_id}|{shift_start.astimezone(UTC).isoformat()}"


def still_sendable(nudge_at: datetime, shift_start: datetime, now: datetime) -> bool:
    """Worth posting: the shift has not started, or the nudge is only just due (a team nudged at the very
    start of its shift, `nudge_minutes_before = 0`, is not 'late' because the job ran a moment after).
    Otherwise the nudge is recorded as missed."""
    _require_aware(nudge_at, shift_start, now)
    now_utc = now.astimezone(UTC)
    return now_utc < shift_start.astimezone(UTC) or now_utc - nudge_at.astimezone(UTC) < ON_TIME


def reminder_due(posted_at: datetime, shift_start: datetime, remind_after_minutes: int) -> datetime:
    """The one automatic reminder: `remind_after_minutes` after the card went out (or was planned to), and
    never before the shift starts (officers are reminded while on shift)."""
    _require_aware(posted_at, shift_start)
    after = posted_at.astimezone(UTC) + timedelta(minutes=remind_after_minutes)
    return max(after, shift_start.astimezone(UTC))


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: pass a timezone-aware time")
