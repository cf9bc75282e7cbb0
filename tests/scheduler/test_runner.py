"""The runner through a fake clock: every nudge at its instant, once, across both 2027 clock changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.config import load_config
from bot.core import PostFailed
from bot.core.roles import Actor
from bot.store import Delivery
from content.topics import TOPICS
from tests.conftest import FakeClock, write_config
from tests.scheduler.conftest import ROTAS_TOML

LONDON = ZoneInfo("Europe/London")
ALL_STATES = ("claimed", "posting", "posted", "failed", "missed")


def nudges(bot: Any, team: str) -> list[Delivery]:
    found = bot.store.deliveries(team_ids=[team], states=ALL_STATES, limit=1000)
    return sorted(found, key=lambda d: d.created_at)


def posted_at_local(bot: Any, team: str) -> list[str]:
    """When each of the team's nudges went out, on the local wall clock (every one must be posted)."""
    found = nudges(bot, team)
    assert [d.state for d in found] == ["posted"] * len(found)
    assert all(d.reason == "scheduled" and d.posted_at == d.created_at for d in found)
    return [d.created_at.astimezone(LONDON).isoformat(timespec="minutes") for d in found]


async def run_cycle(make_bot: Any, start: datetime) -> Any:
    clock = FakeClock(start)
    bot = make_bot(clock)
    await bot.start()
    await bot.timer.run_until(start + timedelta(days=8))
    return bot


async def test_a_whole_cycle_across_the_spring_change_nudges_each_shift_once_at_its_time(make_bot: Any) -> None:
    bot = await run_cycle(make_bot, datetime(2027, 3, 24, 12, 0, tzinfo=UTC))
    assert posted_at_local(bot, "midnight") == [
        "2027-03-24T23:45+00:00", "2027-03-25T23:45+00:00", "2027-03-26T23:45+00:00",
        "2027-03-27T23:45+00:00",  # for 00:15 GMT on the 28th, before the clocks go forward at 01:00
        "2027-03-28T23:45+01:00", "2027-03-29T23:45+01:00", "2027-03-30T23:45+01:00", "2027-03-31T23:45+01:00",
    ]
    assert posted_at_local(bot, "gap") == [
        "2027-03-25T00:30+00:00", "2027-03-26T00:30+00:00", "2027-03-27T00:30+00:00",
        "2027-03-28T00:30+00:00",  # 01:30 does not exist on the 28th: the shift is 02:30 BST, an hour later
        "2027-03-29T00:30+01:00", "2027-03-30T00:30+01:00", "2027-03-31T00:30+01:00", "2027-04-01T00:30+01:00",
    ]
    gap_shifts = [d.shift_start.astimezone(LONDON).isoformat(timespec="minutes") for d in nudges(bot, "gap")]
    assert gap_shifts[3] == "2027-03-28T02:30+01:00"
    assert posted_at_local(bot, "daily") == [
        f"2027-03-{day}T06:30+{'01' if day >= 28 else '00'}:00" for day in range(25, 32)
    ] + ["2027-04-01T06:30+01:00"]
    assert posted_at_local(bot, "eight") == [
        "2027-03-25T06:30+00:00", "2027-03-26T18:30+00:00", "2027-03-27T18:30+00:00", "2027-04-01T06:30+01:00",
    ]
    assert bot.store.recent_problems() == []


async def test_a_whole_cycle_across_the_autumn_change_nudges_the_repeated_hour_once(make_bot: Any) -> None:
    bot = await run_cycle(make_bot, datetime(2027, 10, 27, 12, 0, tzinfo=UTC))
    assert posted_at_local(bot, "midnight") == [
        "2027-10-27T23:45+01:00", "2027-10-28T23:45+01:00", "2027-10-29T23:45+01:00",
        "2027-10-30T23:45+01:00",  # for 00:15 BST on the 31st
        "2027-10-31T23:45+00:00", "2027-11-01T23:45+00:00", "2027-11-02T23:45+00:00", "2027-11-03T23:45+00:00",
    ]
    assert posted_at_local(bot, "gap") == [
        "2027-10-28T00:30+01:00", "2027-10-29T00:30+01:00", "2027-10-30T00:30+01:00",
        "2027-10-31T00:30+01:00",  # 01:30 happens twice on the 31st: the first (BST), and only once
        "2027-11-01T00:30+00:00", "2027-11-02T00:30+00:00", "2027-11-03T00:30+00:00", "2027-11-04T00:30+00:00",
    ]
    assert len(posted_at_local(bot, "daily")) == 8
    # 27 October is 217 days after the 24 March anchor: day 2 of the 8 (07:00, nudged before the window
    # opens at 13:00), then 19:00, 19:00, four days off, and the next cycle's two 07:00 days.
    assert posted_at_local(bot, "eight") == [
        "2027-10-28T18:30+01:00", "2027-10-29T18:30+01:00", "2027-11-03T06:30+00:00", "2027-11-04T06:30+00:00",
    ]


async def test_nudges_follow_the_teaching_order_through_the_same_post_as_a_sergeant(make_bot: Any) -> None:
    bot = await run_cycle(make_bot, datetime(2027, 3, 24, 12, 0, tzinfo=UTC))
    topics = [d.topic for d in nudges(bot, "daily")]
    assert topics == list(TOPICS)[:8]
    first = nudges(bot, "daily")[0]
    assert sorted(bot.store.recipients(first.id)) == ["local:pc-d1", "local:pc-d2"]  # the officers, not the sergeant


async def test_a_second_process_or_a_replayed_job_never_posts_a_nudge_twice(make_bot: Any) -> None:
    start = datetime(2027, 6, 1, 5, 0, tzinfo=UTC)
    first, second = make_bot(FakeClock(start)), make_bot(FakeClock(start))
    await first.start()
    await second.start()
    await first.timer.run_until(start + timedelta(hours=2))
    await second.timer.run_until(start + timedelta(hours=2))
    await first.runner.fire_nudge("daily", datetime(2027, 6, 1, 6, 0, tzinfo=UTC), datetime(2027, 6, 1, 5, 30, tzinfo=UTC))  # a duplicate job
    assert posted_at_local(first, "daily") == ["2027-06-01T06:30+01:00"]


async def test_a_nudge_due_while_the_bot_was_down_goes_out_late_if_the_shift_has_not_started(make_bot: Any) -> None:
    # Down from 05:00 to 05:50 UTC: the 06:30 BST (05:30 UTC) nudge for the 07:00 BST shift was missed.
    bot = make_bot(FakeClock(datetime(2027, 6, 1, 5, 50, tzinfo=UTC)))
    await bot.start()
    await bot.timer.run_until(datetime(2027, 6, 1, 6, 30, tzinfo=UTC))
    assert posted_at_local(bot, "daily") == ["2027-06-01T06:50+01:00"]


async def test_a_nudge_whose_shift_started_while_the_bot_was_down_is_recorded_as_missed(
    make_bot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock(datetime(2027, 6, 1, 4, 0, tzinfo=UTC))
    bot = make_bot(clock)
    await bot.start()
    await bot.timer.run_until(datetime(2027, 6, 1, 4, 10, tzinfo=UTC))
    bot.close()  # the bot goes down at 05:10 BST and comes back at 07:20 BST, after the 07:00 shift began

    clock.set(datetime(2027, 6, 1, 6, 20, tzinfo=UTC))
    again = make_bot(clock)
    await again.start()
    await again.timer.run_until(datetime(2027, 6, 2, 0, 0, tzinfo=UTC))
    (missed,) = [d for d in nudges(again, "daily") if d.state != "posted"]
    assert missed.state == "missed" and "shift started" in (missed.error or "")
    assert missed.shift_start == datetime(2027, 6, 1, 6, 0, tzinfo=UTC)
    again.close()

    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(tmp_path / "shiftbrief.toml"))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(tmp_path / "sb.db"))
    assert main(["schedule", "status", "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["team"], p["state"], p["shift_start"]) for p in problems] == [
        ("daily", "missed", "2027-06-01T07:00:00+01:00")
    ]


async def test_a_post_that_may_have_arrived_is_recorded_as_failed_with_the_reason_and_never_sent_again(
    make_bot: Any,
) -> None:
    # An unexplained error from the post itself (a dropped connection): the card may be in the channel.
    start = datetime(2027, 6, 1, 5, 0, tzinfo=UTC)
    bot = make_bot(FakeClock(start))
    bot.platform.fail("local:daily", ConnectionError("connection reset"))
    await bot.start()
    await bot.timer.run_until(start + timedelta(minutes=31))
    bot.platform.restore("local:daily")
    await bot.timer.run_until(start + timedelta(hours=6))
    (failed,) = nudges(bot, "daily")
    assert failed.state == "failed" and "connection reset" in (failed.error or "")
    assert [d.id for d in bot.store.recent_problems()] == [failed.id]
    assert bot.platform.posts == []


async def test_a_post_the_platform_refused_is_tried_again_and_goes_out_once_before_the_shift(make_bot: Any) -> None:
    # The 06:30 BST nudge for the 07:00 shift: Slack still says "ratelimited" after its own retries.
    start = datetime(2027, 6, 1, 5, 0, tzinfo=UTC)
    bot = make_bot(FakeClock(start))
    bot.platform.fail("local:daily", PostFailed("Slack is rate-limiting: ratelimited"))
    await bot.start()
    await bot.timer.run_until(datetime(2027, 6, 1, 5, 31, tzinfo=UTC))
    (failed,) = nudges(bot, "daily")
    assert failed.state == "failed" and "ratelimited" in (failed.error or "")
    bot.platform.restore("local:daily")
    await bot.timer.run_until(datetime(2027, 6, 1, 6, 0, tzinfo=UTC))
    (posted,) = nudges(bot, "daily")
    assert posted.id == failed.id and posted.state == "posted" and posted.error is None
    assert posted.posted_at is not None and posted.posted_at < posted.shift_start
    assert [view.delivery.id for view in bot.platform.posts] == [posted.id]
    assert sorted(bot.store.recipients(posted.id)) == ["local:pc-d1", "local:pc-d2"]
    assert bot.store.recent_problems() == []


async def test_a_post_refused_until_the_shift_starts_stays_failed_after_a_few_tries(make_bot: Any) -> None:
    start = datetime(2027, 6, 1, 5, 0, tzinfo=UTC)
    bot = make_bot(FakeClock(start))
    bot.platform.fail("local:daily", PostFailed("channel_not_found"))
    await bot.start()
    await bot.timer.run_until(start + timedelta(hours=6))
    (failed,) = nudges(bot, "daily")
    assert failed.state == "failed" and "channel_not_found" in (failed.error or "")
    tries = [at for job, at in bot.timer.fired if job == "nudge|daily|2027-06-01T06:00:00+00:00"]
    assert 3 <= len(tries) <= 10
    assert all(at < failed.shift_start for at in tries)
    assert bot.platform.posts == []


async def test_officers_who_have_not_acknowledged_get_one_reminder_while_on_shift(tmp_path: Path, make_bot: Any) -> None:
    config = load_config(write_config(tmp_path, ROTAS_TOML.replace(
        'rota = ["07:00"]', 'rota = ["07:00"]\nremind_after_minutes = 60', 1)))
    clock = FakeClock(datetime(2027, 6, 1, 5, 0, tzinfo=UTC))
    bot = make_bot(clock, config)
    await bot.start()
    await bot.timer.run_until(datetime(2027, 6, 1, 5, 45, tzinfo=UTC))  # 06:45 BST: posted, not yet reminded
    (delivery,) = nudges(bot, "daily")
    await bot.core.acknowledge(Actor("local:pc-d1", "PC D1"), delivery.id, "local")
    assert bot.platform.direct == []
    await bot.timer.run_until(datetime(2027, 6, 1, 6, 0, tzinfo=UTC))
    assert bot.platform.direct == []  # 07:00: the shift starts, but the hour after the post is not up
    await bot.timer.run_until(datetime(2027, 6, 1, 6, 31, tzinfo=UTC))
    assert sorted(person for person, _text in bot.platform.direct) == ["local:pc-d2"]  # never the sergeant
    assert bot.store.nudges_for("local:sgt-d") == []
    assert "Daily Earlies" in bot.platform.direct[0][1]
    reminded_at = bot.store.nudges_for("local:pc-d2")[0].at
    assert reminded_at == datetime(2027, 6, 1, 6, 30, tzinfo=UTC)  # 60 minutes after the 06:30 BST post

    bot.close()  # a restart during the shift does not remind anyone again
    again = make_bot(clock, config)
    await again.start()
    await again.timer.run_until(datetime(2027, 6, 1, 18, 0, tzinfo=UTC))
    assert again.platform.direct == []
    assert len(again.store.nudges_for("local:pc-d2")) == 1


async def test_no_reminder_once_the_shift_is_over(tmp_path: Path, make_bot: Any) -> None:
    # Posted at 07:00 (no lead time) with a 12-hour reminder: due at 19:00, when the 12-hour shift ends.
    config = load_config(write_config(tmp_path, ROTAS_TOML.replace(
        'rota = ["07:00"]', 'rota = ["07:00"]\nnudge_minutes_before = 0\nremind_after_minutes = 720', 1)))
    clock = FakeClock(datetime(2027, 6, 1, 5, 0, tzinfo=UTC))
    bot = make_bot(clock, config)
    await bot.start()
    await bot.timer.run_until(datetime(2027, 6, 2, 5, 0, tzinfo=UTC))
    assert posted_at_local(bot, "daily") == ["2027-06-01T07:00+01:00"]
    assert bot.platform.direct == []
