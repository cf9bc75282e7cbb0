"""A stand-in for Slack's Web API for the load benchmarks: fast, in its own process, with Slack's limits.

`python -m bench.slack_api --port P --officers N` serves `/api/<method>` on 127.0.0.1. Channel `C<t>` has the
members `U<t>S` (its sergeant) and `U<t>X<n>` for n below N, so no roster needs to be handed over. It answers
the methods shiftbrief calls on the click and posting paths, and answers 429 with Retry-After as Slack does:

- `chat.postMessage` more often than once a second in one channel (Slack: "one message per second per
  channel"; the first in a channel always passes);
- every `--throttle-every`-th call of a method (0: never), standing in for the workspace-wide limits Slack
  applies without publishing their numbers.

`GET /_bench/record` gives what happened (calls and 429s by method, posts by channel with the delivery id in
their metadata, private replies by text) as JSON, so the benchmark checks "posted exactly once" from outside.
Unlike the tests' fake (tests/slack/fake_slack.py) it does not check calls against Slack's schemas: it must
not be the slow part of a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

PER_CHANNEL_INTERVAL = 1.0
"""Seconds between two chat.postMessage calls in one channel before Slack answers 429."""


@dataclass
class SlackApi:
    officers: int
    throttle_every: int = 0
    retry_after: int = 1
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    posts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # channel -> delivery ids
    post_times: list[float] = field(default_factory=list)  # wall clock of each accepted card post
    private: Counter[str] = field(default_factory=Counter)  # the first words of each private reply
    press_again: list[list[str]] = field(default_factory=list)  # [channel, user] of each "... not recorded" reply
    updates: int = 0
    last_private_at: float = 0.0  # wall clock of the newest private reply
    _last_post: dict[str, float] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_get("/_bench/record", self.record)
        return app

    async def record(self, _request: web.Request) -> web.Response:
        return web.json_response({
            "calls": dict(self.calls), "throttled": dict(self.throttled), "posts": dict(self.posts),
            "post_times": self.post_times, "private": dict(self.private), "updates": self.updates,
            "last_private_at": self.last_private_at, "press_again": self.press_again,
        })

    async def api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            args.update(await request.json() if request.content_type == "application/json" else await request.post())
        self.calls[method] += 1
        if self._throttles(method, args):
            self.throttled[method] += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(self.retry_after)})
        answer = getattr(self, "m_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response({"ok": True, **answer(args)})

    def _throttles(self, method: str, args: dict[str, Any]) -> bool:
        if self.throttle_every and method != "auth.test" and self.calls[method] % self.throttle_every == 0:
            return True
        if method == "chat.postMessage":
            channel, now = str(args.get("channel")), time.monotonic()
            if now - self._last_post.get(channel, float("-inf")) < PER_CHANNEL_INTERVAL:
                return True
            self._last_post[channel] = now
        return False

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    # -- methods ------------------------------------------------------------------------------
    def m_auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://force.example/", "team": "Force", "user": "shiftbrief", "team_id": "T0FORCE",
                "user_id": "U0BOT", "bot_id": "B0BOT"}

    def m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        team = str(args["channel"]).removeprefix("C")
        members = [f"U{team}S", *(f"U{team}X{n}" for n in range(self.officers)), "U0BOT"]
        return {"members": members, "response_metadata": {"next_cursor": ""}}

    def m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        uid = str(args["user"])
        bot = uid == "U0BOT"
        return {"user": {"id": uid, "name": uid.lower(), "deleted": False, "is_bot": bot,
                         "profile": {"display_name": "shiftbrief" if bot else f"PC {uid[1:]}"}}}

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        delivery = ((metadata or {}).get("event_payload") or {}).get("delivery")
        channel = str(args["channel"])
        if delivery:
            self.posts[channel].append(str(delivery))
            self.post_times.append(time.time())
        return {"channel": channel, "ts": self._new_ts()}

    def m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        self.updates += 1
        return {"channel": args["channel"], "ts": args["ts"]}

    def m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self.private[" ".join(str(args.get("text", "")).split()[:3])] += 1
        if "not recorded" in str(args.get("text", "")):  # the officer is asked to press again
            self.press_again.append([str(args.get("channel", "")), str(args.get("user", ""))])
        self.last_private_at = time.time()
        return {"message_ts": self._new_ts()}

    def m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": "D" + str(args["users"])}}


async def serve(api: SlackApi, port: int) -> None:
    runner = web.AppRunner(api.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    print(f"ready {port}", flush=True)
    await asyncio.Event().wait()  # until the benchmark ends the process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slack_api", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--officers", type=int, default=30, help="officers in each channel besides its sergeant")
    parser.add_argument("--throttle-every", type=int, default=0, help="answer every Nth call of a method with 429")
    parser.add_argument("--retry-after", type=int, default=1, help="the Retry-After of each 429, in seconds")
    args = parser.parse_args(argv)
    api = SlackApi(args.officers, args.throttle_every, args.retry_after)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(api, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
