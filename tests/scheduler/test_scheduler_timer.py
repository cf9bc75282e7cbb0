"""APScheduler 3.x as the runner's timer: on the running loop, late jobs still run, one run per job id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from scheduler.runner import SchedulerTimer


async def test_jobs_run_on_the_servers_loop_even_when_late_and_a_replaced_job_runs_once() -> None:
    # APScheduler waits on the real clock. The wall clock handed to the timer is an hour behind it, so a job
    # the runner's clock sees as due within the hour is already late for APScheduler: it runs at once, with
    # no real deadline to wait for, and only because there is no misfire limit (the default grace of 1 s
    # would skip it). A job two hours ahead is still an hour ahead, and waits.
    frozen = datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    timer = SchedulerTimer(lambda: frozen, wall_clock=lambda: datetime.now(UTC) - timedelta(hours=1))
    ran: list[tuple[str, asyncio.AbstractEventLoop]] = []
    both_ran = asyncio.Event()

    async def job(tag: str) -> None:
        ran.append((tag, asyncio.get_running_loop()))
        if len(ran) == 2:
            both_ran.set()

    timer.start()
    try:
        timer.at("late", frozen - timedelta(minutes=10), job, "late")
        timer.at("soon", frozen + timedelta(milliseconds=100), job, "first")
        timer.at("soon", frozen + timedelta(milliseconds=200), job, "replacement")  # same id: replaces "first"
        timer.at("later", frozen + timedelta(hours=2), job, "later")
        assert [job_id for job_id, _when in timer.pending()] == ["late", "soon", "later"]
        await asyncio.wait_for(both_ran.wait(), timeout=10)
        assert [job_id for job_id, _when in timer.pending()] == ["later"]  # nothing else is left to run
    finally:
        await timer.stop()
    assert sorted(tag for tag, _loop in ran) == ["late", "replacement"]
    assert {loop for _tag, loop in ran} == {asyncio.get_running_loop()}
    assert not timer.scheduler.running


async def test_times_are_counted_on_the_injected_clock_so_a_frozen_test_clock_does_not_spin() -> None:
    frozen = datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    real = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    timer = SchedulerTimer(lambda: frozen, wall_clock=lambda: real)

    async def job() -> None:
        raise AssertionError("not started, never runs")

    timer.at("nudge", frozen + timedelta(minutes=30), job)
    timer.at("overdue", frozen - timedelta(hours=3), job)
    timer.scheduler.start(paused=True)
    try:
        assert dict(timer.pending()) == {"nudge": real + timedelta(minutes=30), "overdue": real}
    finally:
        timer.scheduler.shutdown(wait=False)
