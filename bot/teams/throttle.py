"""Teams' limits on a bot: per-conversation pacing, and retrying a 429 (botbuilder does not retry).

Teams allows a bot about 7 messages a second and 60 per 30 seconds in one conversation, and answers
HTTP 429 beyond that. Calls are paced under both windows; a 429 is retried after its Retry-After, or
with exponential back-off and jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from bot.core.errors import PostFailed

log = logging.getLogger(__name__)
T = TypeVar("T")
WINDOWS: tuple[tuple[float, int], ...] = ((1.0, 7), (30.0, 60))


# When the work of one incoming request must be done (monotonic clock of the Throttle): Bot Service gives a
# bot 15 s to answer, so a turn stops waiting on Teams' throttling beyond its budget.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("shiftbrief_teams_deadline", default=None)


class Throttled(PostFailed):
    """Teams kept answering 429 after every retry (the message is safe to show, and says so)."""


class OverBudget(Throttled):
    """Waiting any longer on Teams' throttling would hold the incoming request past its time budget."""


class Throttle:
    def __init__(
        self,
        *,
        windows: tuple[tuple[float, int], ...] = WINDOWS,
        attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.windows = windows
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @contextlib.contextmanager
    def budget(self, seconds: float | None) -> Iterator[None]:
        """Inside this block (one incoming request), waits past `seconds` from now raise OverBudget; None: no bound."""
        token = _DEADLINE.set(None if seconds is None else self.clock() + seconds)
        try:
            yield
        finally:
            _DEADLINE.reset(token)

    async def _wait(self, conversation: str, seconds: float, why: str, note: str | None = None) -> None:
        deadline = _DEADLINE.get()
        if deadline is not None and self.clock() + seconds > deadline:
            log.warning("Teams is throttling the bot in %s (%s): not waiting %.1f s more inside this request",
                        conversation, why, seconds)
            raise OverBudget(
                f"Microsoft Teams is throttling this bot in {conversation} ({why}) and asks it to wait {seconds:.0f} s "
                "more, longer than the bot may take to answer Teams, so this was not sent; try again in a minute."
            )
        if note:
            log.warning("%s", note)
        await self.sleep(seconds)

    async def run(self, conversation: str, call: Callable[[], Awaitable[T]]) -> T:
        """Make one connector call for a conversation, paced and retried on 429."""
        for attempt in range(1, self.attempts + 1):
            await self._pace(conversation)
            try:
                return await call()
            except Exception as exc:
                status, retry_after = http_status(exc)
                if status != 429:
                    raise
                if attempt == self.attempts:
                    raise Throttled(
                        f"Microsoft Teams is throttling this bot in {conversation} (HTTP 429 after {attempt} tries); "
                        "try again in a minute."
                    ) from exc
                delay = self._delay(attempt, retry_after)
                await self._wait(conversation, delay, f"HTTP 429 after {attempt} tries",
                                 f"Teams answered 429 for {conversation}; retrying in {delay:.1f} s (try {attempt})")
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        exponential = self.base_delay * 2 ** (attempt - 1)
        return float(min(exponential * (0.5 + self.jitter()), self.max_delay))

    async def _pace(self, conversation: str) -> None:
        lock = self._locks.setdefault(conversation, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(conversation, deque())
            longest = max(window for window, _ in self.windows)
            while True:
                now = self.clock()
                while sent and now - sent[0] > longest:
                    sent.popleft()
                wait = 0.0
                for window, limit in self.windows:
                    recent = [t for t in sent if now - t < window]
                    if len(recent) >= limit:
                        wait = max(wait, window - (now - recent[-limit]))
                if wait <= 0:
                    sent.append(now)
                    return
                await self._wait(conversation, wait, "pacing under its per-conversation limits")


def http_status(exc: BaseException) -> tuple[int | None, float | None]:
    """(status, Retry-After seconds) of a connector error (msrest's HttpOperationError), if it has them."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    return (int(status) if isinstance(status, int) else None), _retry_after(raw)


def _retry_after(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)
