"""A stand-in for the Bot Framework connector (Teams' serviceUrl) for the fan-out benchmark, in its own process.

`python -m bench.teams_connector --port P --officers N` serves the two calls a scheduled post makes: the
team's roster (`GET /v3/conversations/<team>/pagedmembers`, N officers) and a new post in the channel
(`POST /v3/conversations`). It answers 429 with Retry-After as Teams does:

- beyond 50 requests in any second across all conversations (Teams' global limit per bot per tenant);
- beyond 7 a second or 60 in 30 seconds in one conversation (the per-thread limits);
- every `--throttle-every`-th call (0: never), standing in for throttling Teams does not announce.

`GET /_bench/record` gives the calls, the 429s and the posts by channel (with their time) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

GLOBAL_PER_SECOND = 50
THREAD_WINDOWS = ((1.0, 7), (30.0, 60))


@dataclass
class Connector:
    officers: int
    throttle_every: int = 0
    retry_after: int = 1
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    posts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _recent: deque[float] = field(default_factory=deque)
    _threads: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/_bench/record", self.record)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def record(self, _request: web.Request) -> web.Response:
        return web.json_response({"calls": dict(self.calls), "throttled": dict(self.throttled),
                                  "posts": dict(self.posts)})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else {}
        kind = "roster" if request.path.endswith("/pagedmembers") else (
            "post" if request.method == "POST" and request.path == "/v3/conversations" else "other")
        self.calls[kind] += 1
        thread = _thread_of(request.path, body)
        if self._throttles(kind, thread):
            self.throttled[kind] += 1
            return web.json_response({"error": {"code": "Throttled", "message": "slow down"}}, status=429,
                                     headers={"Retry-After": str(self.retry_after)})
        if kind == "roster":
            return web.json_response(self.roster(request.path.split("/")[3]))
        if kind == "post":
            channel = body["channelData"]["channel"]["id"]
            number = next(self._ids)
            self.posts[channel].append(time.time())
            return web.json_response({"id": f"{channel};messageid={number}", "activityId": str(number)}, status=201)
        return web.json_response({"id": str(next(self._ids))}, status=201 if request.method == "POST" else 200)

    def _throttles(self, kind: str, thread: str) -> bool:
        now = time.monotonic()
        if self.throttle_every and self.calls[kind] % self.throttle_every == 0:
            return True
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        sent = self._threads[thread]
        while sent and now - sent[0] >= 30.0:
            sent.popleft()
        if len(self._recent) >= GLOBAL_PER_SECOND:
            return True
        if any(sum(now - t < window for t in sent) >= limit for window, limit in THREAD_WINDOWS):
            return True
        self._recent.append(now)
        sent.append(now)
        return False

    def roster(self, team: str) -> dict[str, Any]:
        number = team.split(":", 1)[-1].split("@", 1)[0]
        return {"members": [
            {"id": f"29:{number}-{n}", "name": f"PC {number}-{n}", "aadObjectId": f"aad-{number}-{n}",
             "userPrincipalName": f"pc{n}@force.example", "tenantId": "tenant-1", "userRole": "user"}
            for n in range(self.officers)
        ]}


def _thread_of(path: str, body: dict[str, Any]) -> str:
    if path == "/v3/conversations":
        return str(((body.get("channelData") or {}).get("channel") or {}).get("id") or "new")
    parts = path.split("/")
    return parts[3].split(";", 1)[0] if len(parts) > 3 else path


async def serve(connector: Connector, port: int) -> None:
    runner = web.AppRunner(connector.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"ready {port}", flush=True)
    await asyncio.Event().wait()  # until the benchmark ends the process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.teams_connector", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--throttle-every", type=int, default=0)
    parser.add_argument("--retry-after", type=int, default=1)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Connector(args.officers, args.throttle_every, args.retry_after), args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
