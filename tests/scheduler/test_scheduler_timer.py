"""APScheduler 3.x as the runner's timer: on the running loop, late jobs still run, one run per job id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from scheduler.runner import SchedulerTimer


async def test_jobs_run_on_the_servers_loop_even_when_late_and_a_replaced_job_runs_once() -> None:
    timer = SchedulerTimer(lambda: datetime.now(UTC))
    timer.start()
    ran: list[tuple[str, asyncio.AbstractEventLoop]] = []

    async def job(tag: str) -> None:
        ran.append((tag, asyncio.get_running_loop()))

    now = datetime.now(UTC)  # APScheduler reads the real clock, so this test does too
    try:
        timer.at("late", now - timedelta(minutes=10), job, "late")  # the default misfire grace (1 s) would skip it
        timer.at("soon", now + timedelta(milliseconds=100), job, "first")
        timer.at("soon", now + timedelta(milliseconds=200), job, "replacement")
        assert [job_id for job_id, _when in timer.pending()] == ["late", "soon"]
        for _ in range(50):
            await asyncio.sleep(0.05)
            if len(ran) >= 2:
                break
        await asyncio.sleep(0.2)
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
