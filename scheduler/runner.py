"""The job runner: turns rotas into timed calls of the core's callbacks, on the web server's event loop.

Due times come from `scheduler.rota` (never from cron triggers, which APScheduler 3.11 gets wrong
across the clock changes). Jobs live in memory and are rebuilt from the configuration at start and
on every sweep; the database, behind the callbacks, decides what has already happened, so a job
that runs twice posts once. This module never imports `bot/`: `bot/app.py` hands it the callbacks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from scheduler.occurrence import occurrence_key, reminder_due, still_sendable
from scheduler.rota import RotaTeam, Shift, nudges_between, shift_end

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Post = Callable[[str, datetime], Awaitable[object]]
"""Post the nudge for (team id, shift start): claims the occurrence in the database, then posts."""
RecordMissed = Callable[[str, datetime, str], Awaitable[object]]
"""Record (team id, shift start) as missed with a reason, unless that occurrence is already on record."""
Remind = Callable[[str, datetime, datetime], Awaitable[datetime | None]]
"""Remind non-acknowledgers of (team id, shift start) while on shift until the third argument; returns
a time to ask again (the post is later than planned or still in flight) or None when finished."""
Job = Callable[..., Awaitable[None]]


class Timer(Protocol):
    """Runs a coroutine function at a time. One pending run per job id: adding an id again replaces it."""

    def at(self, job_id: str, when: datetime, job: Job, *args: Any) -> None: ...


class SchedulerTimer:
    """The Timer on APScheduler 3.x's AsyncIOScheduler, in memory, on the running event loop.

    Every job is a one-off DateTrigger at an instant computed by `scheduler.rota`, with no misfire
    limit (the default of 1 s would silently drop a job the loop was too busy to start on time: the
    runner itself decides whether a late nudge is still worth sending).

    APScheduler waits on the real clock (`wall_clock`); the runner thinks in its injected `clock`. A
    job is therefore set for "now plus however long the injected clock says is left", which is the same
    instant in production and keeps a test's frozen fake clock from making APScheduler spin.
    """

    def __init__(
        self, clock: Clock, wall_clock: Clock = lambda: datetime.now(UTC), scheduler: AsyncIOScheduler | None = None
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.scheduler = scheduler or AsyncIOScheduler(
            timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )

    def start(self) -> None:
        """Start on the running loop (call from inside it, e.g. an aiohttp on_startup hook)."""
        self.scheduler.start()

    def at(self, job_id: str, when: datetime, job: Job, *args: Any) -> None:
        left = when.astimezone(UTC) - self.clock().astimezone(UTC)
        run_date = self.wall_clock().astimezone(UTC) + max(left, timedelta(0))
        self.scheduler.add_job(
            job, DateTrigger(run_date=run_date, timezone=UTC), args=args, id=job_id,
            replace_existing=True, misfire_grace_time=None, coalesce=True, max_instances=1,
        )

    def pending(self) -> list[tuple[str, datetime]]:
        """(job id, next run time) of the jobs waiting, soonest first."""
        jobs = [(j.id, j.next_run_time) for j in self.scheduler.get_jobs() if j.next_run_time is not None]
        return sorted(jobs, key=lambda j: j[1])

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn


class NudgeRunner:
    """Pre-shift nudges and one reminder for every team, exactly once, through the core's callbacks.

    A sweep (at start, then every `sweep_every`) looks at nudges due from `look_back` ago to
    `horizon` ahead: future ones get a job at their nudge time; overdue ones not yet handled by this
    process are posted now if the shift has not started, or else recorded as missed (only those due
    after `missed_after`, e.g. when the database was created, so a new install reports no history).
    A nudge whose post failed is tried again (`_retry_nudge`) until its shift starts.
    """

    def __init__(
        self,
        teams: Sequence[RotaTeam],
        zone: ZoneInfo,
        clock: Clock,
        timer: Timer,
        *,
        post: Post,
        record_missed: RecordMissed,
        remind: Remind | None = None,
        look_back: timedelta = timedelta(hours=24),
        horizon: timedelta = timedelta(hours=26),
        sweep_every: timedelta = timedelta(minutes=10),
        missed_after: datetime | None = None,
        concurrency: int = 4,
        retry_first: timedelta = timedelta(seconds=30),
        retry_most: timedelta = timedelta(minutes=5),
    ) -> None:
        self.teams = {team.id: team for team in teams}
        self.zone = zone
        self.clock = clock
        self.timer = timer
        self._post = post
        self._record_missed = record_missed
        self._remind = remind
        self.look_back = look_back
        self.horizon = horizon
        self.sweep_every = sweep_every
        self.missed_after = missed_after
        self.retry_first = retry_first
        self.retry_most = retry_most
        self._done: dict[str, datetime] = {}  # job key -> its shift start (UTC), pruned as shifts age
        self._attempts: dict[str, int] = {}  # job key -> failed attempts so far
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._gate = asyncio.Semaphore(concurrency)

    def now(self) -> datetime:
        """The injected clock's time, in UTC (see scheduler.rota on why all arithmetic is in UTC)."""
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock returned a naive datetime")
        return moment.astimezone(UTC)

    async def sweep(self) -> None:
        """(Re)build the jobs from the rotas and settle anything overdue; then schedule the next sweep."""
        now = self.now()
        try:
            forget_before = now - self.look_back - timedelta(days=1)  # older than anything a sweep looks at
            self._done = {key: start for key, start in self._done.items() if start >= forget_before}
            for team in self.teams.values():
                for shift in nudges_between(team, self.zone, now - self.look_back, now + self.horizon):
                    self._plan_nudge(team, shift, now)
                    if team.remind_after_minutes is not None and self._remind is not None:
                        self._plan_reminder(team, shift, now)
        finally:  # whatever went wrong, the sweeps go on
            self.timer.at("sweep", now + self.sweep_every, self.sweep)

    def _plan_nudge(self, team: RotaTeam, shift: Shift, now: datetime) -> None:
        key = nudge_key(shift)
        if key in self._done or key in self._running:
            return
        nudge_at, start = shift.nudge_at.astimezone(UTC), shift.start.astimezone(UTC)
        if nudge_at > now:
            self.timer.at(key, nudge_at, self.fire_nudge, team.id, shift.start, nudge_at)
        elif still_sendable(nudge_at, start, now) or self.missed_after is None or nudge_at >= self.missed_after:
            self.timer.at(key, now, self.fire_nudge, team.id, shift.start, nudge_at)  # late, or to record as missed
        else:
            self._done[key] = start  # due before this database existed: not ours to report

    def _plan_reminder(self, team: RotaTeam, shift: Shift, now: datetime) -> None:
        key = "remind|" + nudge_key(shift)
        until = shift_end(team, self.zone, shift).astimezone(UTC)
        if key in self._done or key in self._running or until <= now:
            return
        assert team.remind_after_minutes is not None
        due = reminder_due(shift.nudge_at, shift.start, team.remind_after_minutes)
        self.timer.at(key, max(due, now), self.fire_reminder, team.id, shift.start, until)

    async def fire_nudge(self, team_id: str, shift_start: datetime, nudge_at: datetime) -> None:
        """The job at a nudge time: post it, or record it as missed once the shift has started."""
        key = occurrence_key(team_id, shift_start)
        if key in self._done or key in self._running:
            return
        self._running.add(key)
        self._track()
        try:
            async with self._gate:
                if not still_sendable(nudge_at, shift_start, self.now()):
                    await self._record_missed(team_id, shift_start, "the nudge was not sent before the shift started")
                else:
                    await self._post(team_id, shift_start)
            self._done[key] = shift_start.astimezone(UTC)
            self._attempts.pop(key, None)
        except Exception:  # recorded by the core where it can be; tried again shortly if the shift has not started
            log.warning("nudge for %s at %s failed", team_id, shift_start.isoformat(), exc_info=True)
            self._retry_nudge(key, team_id, shift_start, nudge_at)
        finally:
            self._running.discard(key)

    def _retry_nudge(self, key: str, team_id: str, shift_start: datetime, nudge_at: datetime) -> None:
        """Another attempt after a failed one: 30 s, 1, 2, 4 then every 5 minutes, while the shift has not
        started (the core posts it only if nothing reached the channel the first time)."""
        attempts = self._attempts.get(key, 0) + 1
        self._attempts[key] = attempts
        again = self.now() + min(self.retry_first * 2 ** (attempts - 1), self.retry_most)
        if again < shift_start.astimezone(UTC):
            self.timer.at(key, again, self.fire_nudge, team_id, shift_start, nudge_at)
        else:
            self._attempts.pop(key, None)
            self._done[key] = shift_start.astimezone(UTC)

    async def fire_reminder(self, team_id: str, shift_start: datetime, until: datetime) -> None:
        """The job at a reminder time: ask the core to remind, and come back if it says it is too early."""
        key = "remind|" + occurrence_key(team_id, shift_start)
        if self._remind is None or key in self._done or key in self._running:
            return
        self._running.add(key)
        self._track()
        try:
            async with self._gate:
                again = await self._remind(team_id, shift_start, until)
            if again is None or again.astimezone(UTC) >= until.astimezone(UTC):
                self._done[key] = shift_start.astimezone(UTC)
            else:
                self.timer.at(key, max(again.astimezone(UTC), self.now()), self.fire_reminder, team_id, shift_start, until)
        except Exception:  # the next sweep tries again while the shift lasts; the database stops repeats
            log.exception("reminder for %s at %s failed", team_id, shift_start.isoformat())
        finally:
            self._running.discard(key)

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Cancel jobs still running (start-up recovery settles anything left mid-post) and wait for them."""
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def nudge_key(shift: Shift) -> str:
    """The job id of a shift's nudge: its occurrence key (scheduler.occurrence)."""
    return occurrence_key(shift.team_id, shift.start)
