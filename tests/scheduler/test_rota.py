"""Shift starts and nudge times from a rota: the right instant through both 2027 clock changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.rota import local_instant, next_nudges, nudges_between, shift_end, shift_on, shifts

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Team:
    id: str
    rota_start: date
    rota: tuple[time | None, ...]
    nudge_minutes_before: int = 30
    remind_after_minutes: int | None = None


def daily(at: str, nudge: int = 30, start: date = date(2027, 1, 1)) -> Team:
    return Team("t", start, (time.fromisoformat(at),), nudge)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_a_time_the_clocks_skip_moves_forward_by_the_gap() -> None:
    assert iso(local_instant(date(2027, 3, 28), time(1, 30), LONDON)) == "2027-03-28T02:30:00+01:00"
    assert iso(local_instant(date(2027, 3, 28), time(1, 0), LONDON)) == "2027-03-28T02:00:00+01:00"


def test_a_time_that_happens_twice_means_the_first_of_the_two() -> None:
    start = local_instant(date(2027, 10, 31), time(1, 30), LONDON)
    assert iso(start) == "2027-10-31T01:30:00+01:00"
    assert start.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_shift_just_after_midnight_is_nudged_the_evening_before() -> None:
    shift = shift_on(daily("00:15"), date(2027, 5, 4), LONDON)
    assert shift is not None
    assert iso(shift.start) == "2027-05-04T00:15:00+01:00"
    assert iso(shift.nudge_at) == "2027-05-03T23:45:00+01:00"


def test_nudges_are_real_minutes_before_the_shift_across_the_clock_changes() -> None:
    spring = shift_on(daily("02:30", nudge=60), date(2027, 3, 28), LONDON)
    autumn = shift_on(daily("02:30", nudge=90), date(2027, 10, 31), LONDON)
    assert spring is not None and autumn is not None
    # 02:30 BST is 01:30 UTC; an hour of real time before that is 00:30 UTC, still GMT on the wall.
    assert (iso(spring.start), iso(spring.nudge_at)) == ("2027-03-28T02:30:00+01:00", "2027-03-28T00:30:00+00:00")
    # 02:30 GMT; 90 real minutes earlier is 01:00 GMT, which the wall clock shows after 01:59 BST.
    assert (iso(autumn.start), iso(autumn.nudge_at)) == ("2027-10-31T02:30:00+00:00", "2027-10-31T01:00:00+00:00")
    # Real minutes (Python subtracts two London times by their wall clocks, hence UTC here).
    assert spring.start.astimezone(UTC) - spring.nudge_at.astimezone(UTC) == timedelta(minutes=60)
    assert autumn.start.astimezone(UTC) - autumn.nudge_at.astimezone(UTC) == timedelta(minutes=90)


def test_an_eight_day_cycle_repeats_from_its_anchor_and_has_nothing_before_it() -> None:
    team = Team("e", date(2027, 3, 24), tuple(
        None if t == "off" else time.fromisoformat(t)
        for t in ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]
    ))
    found = shifts(team, LONDON, date(2027, 3, 20), 20)
    assert [iso(s.start) for s in found] == [
        "2027-03-24T07:00:00+00:00", "2027-03-25T07:00:00+00:00",
        "2027-03-26T19:00:00+00:00", "2027-03-27T19:00:00+00:00",
        "2027-04-01T07:00:00+01:00", "2027-04-02T07:00:00+01:00",
        "2027-04-03T19:00:00+01:00", "2027-04-04T19:00:00+01:00",
    ]


def test_every_shift_is_nudged_exactly_once_through_the_autumn_repeat() -> None:
    team = daily("01:30", nudge=0)
    after = datetime(2027, 10, 30, 12, 0, tzinfo=UTC)
    found = nudges_between(team, LONDON, after, after + (datetime(2027, 11, 2, tzinfo=UTC) - after))
    assert [iso(s.nudge_at) for s in found] == [
        "2027-10-31T01:30:00+01:00", "2027-11-01T01:30:00+00:00",
    ]


def test_nudges_between_bounds_are_exclusive_then_inclusive() -> None:
    team = daily("07:00")
    nudge = datetime(2027, 6, 1, 5, 30, tzinfo=UTC)  # 06:30 BST
    assert len(nudges_between(team, LONDON, nudge, nudge.replace(hour=6))) == 0
    assert len(nudges_between(team, LONDON, nudge.replace(hour=5, minute=0), nudge)) == 1


def test_a_shift_ends_at_the_next_days_start_or_after_twelve_hours() -> None:
    team = Team("n", date(2027, 1, 1), (time(19, 0), time(7, 0), None))
    first = shift_on(team, date(2027, 1, 1), LONDON)
    second = shift_on(team, date(2027, 1, 2), LONDON)
    assert first is not None and second is not None
    assert iso(shift_end(team, LONDON, first)) == "2027-01-02T07:00:00+00:00"  # the next day's start
    assert iso(shift_end(team, LONDON, second)) == "2027-01-02T19:00:00+00:00"  # next day off: 12 hours


def test_next_nudges_finds_a_rota_that_has_not_started_yet() -> None:
    team = Team("late", date(2027, 3, 20), (time(0, 15),))
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    (first,) = next_nudges([team], LONDON, now)
    assert iso(first.nudge_at) == "2027-03-19T23:45:00+00:00"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        nudges_between(daily("07:00"), LONDON, datetime(2027, 1, 1), datetime(2027, 1, 2))
