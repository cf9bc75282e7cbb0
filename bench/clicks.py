"""`python -m bench.clicks [--json]`: acknowledgement clicks over HTTP against a real `shiftbrief run`.

Three processes on loopback: `shiftbrief run` (Slack over HTTP), the Web API stand-in (bench.slack_api) and
the framework floor (bench.floor, a bare bolt AsyncApp that only ack()s); this process sends signed Slack
`block_actions` as Slack would and times each HTTP answer from outside.

1. Set-up: `--teams` teams, each a Slack channel of a sergeant and `--officers` officers; each sergeant types
   `/brief now`, so every channel has one card (and its recipients, and their names cached, as at a shift).
2. Open loop: `--rate` clicks a second for `--seconds`, sent on schedule whatever the answers (so a slow
   answer cannot hold back the next click): p50, p99 and max from each click's due time to its answer.
3. Closed loop: `--clients` clients, each sending its next click as soon as the last is answered, for
   `--seconds`: answers a second from the floor, then from shiftbrief, the same requests to each.
4. One request in 20 is a double click (the same person, the same card, a new click) and one in 20 a Slack
   retry (the very same request again, with X-Slack-Retry-Num). Afterwards every acknowledgement must be
   in the database exactly once, each first click thanked once, each double click told "already", each
   retry left unanswered.
5. Resident memory of `shiftbrief run`: idle after start-up, and at its highest under the load.

With `--profile FILE`, shiftbrief runs under cProfile instead and only set-up and the closed loop are run;
the summary (where the event loop's time goes) is written as JSON to FILE. Its figures are not the
benchmark's: cProfile slows every call it sees.

Targets (issue 14): open-loop p99 at most 50 ms; floor / shiftbrief answers a second at most 1.5;
resident memory at most 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench import process
from bench.process import SECRET, Child

TARGETS = {"p99_ms": 50.0, "floor_ratio": 1.5, "rss_mb": 150.0}
REPEAT_EVERY = 20
"""One request in this many is a double click, and one in this many a Slack retry."""


def config(teams: int) -> str:
    lines = ['timezone = "Europe/London"', "[roles]", 'coordinators = ["slack:U0COORD"]']
    for t in range(teams):
        lines += ["[[team]]", f'id = "t{t:04d}"', f'name = "Team {t}"', f'channel = "slack:C{t:04d}"',
                  f'sergeants = ["slack:U{t:04d}S"]', 'rota_start = "2026-11-23"', 'rota = ["off"]']
    return "\n".join(lines) + "\n"


def signed(body: bytes, content_type: str, retry: int | None = None) -> dict[str, str]:
    """The headers Slack sends with `body`: its v0 signature, and the retry headers when it is a retry."""
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return headers


_triggers = itertools.count(1)


def click_body(user: str, channel: str, delivery_id: str) -> bytes:
    """A press of Acknowledge as Slack sends it (the form-encoded `payload` of a block_actions request)."""
    trigger = f"{next(_triggers)}.{int(time.time())}.bench"
    payload = {
        "type": "block_actions", "api_app_id": "A0SHIFT", "token": "legacy", "trigger_id": trigger,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0FORCE"},
        "team": {"id": "T0FORCE", "domain": "force"},
        "container": {"type": "message", "message_ts": "1764061200.000001", "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": channel.lower()},
        "response_url": "https://hooks.slack.invalid/actions/not-used",
        "actions": [{"action_id": "acknowledge", "block_id": "actions", "type": "button", "value": delivery_id,
                     "text": {"type": "plain_text", "text": "Acknowledge"}, "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def command_body(user: str, channel: str, text: str) -> bytes:
    return urlencode({
        "token": "legacy", "team_id": "T0FORCE", "team_domain": "force", "channel_id": channel,
        "channel_name": channel.lower(), "user_id": user, "user_name": user.lower(), "command": "/brief",
        "text": text, "api_app_id": "A0SHIFT", "response_url": "https://hooks.slack.invalid/commands/not-used",
        "trigger_id": f"{next(_triggers)}.{int(time.time())}.bench",
    }).encode()


@dataclass
class Request:
    body: bytes
    kind: str  # "first", "double", "retry", or "again" (told "not recorded, press again", the officer does)
    pair: tuple[str, str]  # (delivery id, person id as slack:U…)


@dataclass
class Clicks:
    """The clicks to send, in order: mostly a new (card, officer) pair, with doubles and retries mixed in."""

    pairs: Iterator[tuple[str, str, str]]  # (delivery id, channel, user id)
    sent: list[Request] = field(default_factory=list)

    def next(self) -> Request | None:
        slot = len(self.sent)
        if slot % REPEAT_EVERY == 7 and slot >= 7:  # the same person presses again, a moment later
            earlier = self.sent[slot - 3]
            delivery, person = earlier.pair
            user = person.removeprefix("slack:")
            request = Request(click_body(user, f"C{user[1:5]}", delivery), "double", earlier.pair)
        elif slot % REPEAT_EVERY == 13 and slot >= 13:  # Slack sends the very same request again
            earlier = self.sent[slot - 5]
            request = Request(earlier.body, "retry", earlier.pair)
        else:
            found = next(self.pairs, None)
            if found is None:
                return None
            delivery, channel, user = found
            request = Request(click_body(user, channel, delivery), "first", (delivery, "slack:" + user))
        self.sent.append(request)
        return request


async def send(session: aiohttp.ClientSession, url: str, request: Request) -> int:
    headers = signed(request.body, "application/x-www-form-urlencoded", 1 if request.kind == "retry" else None)
    async with session.post(url, data=request.body, headers=headers) as response:
        await response.read()
        return response.status


def percentile(values: list[float], pct: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return float(statistics.quantiles(values, n=1000, method="inclusive")[int(pct * 10) - 1])


def summary(millis: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of some times in milliseconds."""
    return {"p50_ms": round(percentile(millis, 50), 1), "p95_ms": round(percentile(millis, 95), 1),
            "p99_ms": round(percentile(millis, 99), 1), "max_ms": round(max(millis, default=0.0), 1)}


async def open_loop(session: aiohttp.ClientSession, url: str, clicks: Clicks, rate: float, seconds: float,
                    statuses: list[int]) -> dict[str, Any]:
    """`rate` requests a second on schedule; each timed from when it was due to its answer."""
    millis: list[float] = []
    loop = asyncio.get_running_loop()
    requests = list(itertools.takewhile(lambda r: r is not None, (clicks.next() for _ in range(int(rate * seconds)))))

    async def one(due: float, request: Request) -> None:
        await asyncio.sleep(max(0.0, due - loop.time()))
        statuses.append(await send(session, url, request))
        millis.append((loop.time() - due) * 1000)

    start = loop.time() + 0.2  # every request is built before the clock starts: building them is not the bot's time
    await asyncio.gather(*(one(start + i / rate, request) for i, request in enumerate(requests) if request))
    return {"requests": len(millis), "rate": rate, "seconds": seconds, **summary(millis)}


async def closed_loop(session: aiohttp.ClientSession, url: str, clicks: Clicks, clients: int, seconds: float,
                      statuses: list[int]) -> dict[str, Any]:
    """`clients` clients, each sending the next request as soon as its last is answered."""
    loop = asyncio.get_running_loop()
    millis: list[float] = []
    end = loop.time() + seconds
    started = loop.time()

    async def client() -> None:
        while loop.time() < end:
            request = clicks.next()
            if request is None:
                return
            sent = loop.time()
            statuses.append(await send(session, url, request))
            millis.append((loop.time() - sent) * 1000)

    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = loop.time() - started
    return {"requests": len(millis), "clients": clients, "seconds": round(elapsed, 2),
            "per_second": round(len(millis) / elapsed, 1), **summary(millis)}


async def record(session: aiohttp.ClientSession, api: Child) -> dict[str, Any]:
    async with session.get(api.url + "/_bench/record") as response:
        result: dict[str, Any] = await response.json()
        return result


async def settle(session: aiohttp.ClientSession, api: Child, key: str, within: float = 60.0) -> dict[str, Any]:
    """The stand-in's record once `key` has stopped changing for a second (the bot's work after ack() is done)."""
    last, stable_since = None, time.monotonic()
    deadline = time.monotonic() + within
    while True:
        seen = await record(session, api)
        value = json.dumps(seen[key], sort_keys=True)
        if value != last:
            last, stable_since = value, time.monotonic()
        elif time.monotonic() - stable_since >= 1.0 or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.2)


async def post_cards(session: aiohttp.ClientSession, bot: Child, api: Child, teams: int) -> dict[str, str]:
    """Each sergeant types `/brief now`; the card each channel received, by channel."""
    url = bot.url + "/slack/events"
    gate = asyncio.Semaphore(20)

    async def brief(t: int) -> None:
        body = command_body(f"U{t:04d}S", f"C{t:04d}", "now")
        async with gate, session.post(url, data=body, headers=signed(body, "application/x-www-form-urlencoded")) as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"/brief now in C{t:04d} answered {r.status}")

    await asyncio.gather(*(brief(t) for t in range(teams)))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        seen = await record(session, api)
        if len(seen["posts"]) == teams and _posted(seen["private"]) >= teams:  # "Posted …" to each sergeant
            return {channel: ids[0] for channel, ids in seen["posts"].items()}
        await asyncio.sleep(0.25)
    raise RuntimeError("the cards were not all posted within 300 s")


def _per_request(cpu_seconds: float, loop: dict[str, Any]) -> float:
    """CPU milliseconds the server spent per request answered during a loop (what it does after answering,
    within the loop, included)."""
    return round(cpu_seconds * 1000 / max(int(loop["requests"]), 1), 2)


def _posted(replies: dict[str, int]) -> int:
    """How many "Posted …" replies the sergeants have had."""
    return sum(n for words, n in replies.items() if words.startswith("Posted"))


class Sampler:
    """Resident memory of a process, sampled every 0.2 s while the load runs."""

    def __init__(self, child: Child) -> None:
        self.child = child
        self.highest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.highest = max(self.highest, self.child.memory_mb()["rss"])
            await asyncio.sleep(0.2)

    def __enter__(self) -> Sampler:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def press_again(session: aiohttp.ClientSession, url: str, api: Child, cards: dict[str, str],
                      clicks: Clicks) -> dict[str, Any]:
    """Officers told "not recorded, press again" (the database was not free within its deadline) press
    Acknowledge again, as the reply asks, until none is told so; a few at a time, as people would. Returns
    the stand-in's record once every reply has been sent."""
    done = 0
    gate = asyncio.Semaphore(10)

    async def again(channel: str, user: str) -> None:
        request = Request(click_body(user, channel, cards[channel]), "again", (cards[channel], "slack:" + user))
        clicks.sent.append(request)
        async with gate:
            await send(session, url, request)

    for _ in range(10):
        seen = await settle(session, api, "private")
        told = seen["press_again"]
        if len(told) == done:
            break
        await asyncio.gather(*(again(channel, user) for channel, user in told[done:]))
        done = len(told)
    else:
        seen = await settle(session, api, "private")
    return seen


def ledger(db: Path, requests: list[Request], replies: dict[str, int]) -> dict[str, Any]:
    """Every acknowledgement clicked is in the database exactly once, and each click got the reply it
    should: a first click "Thanks" once its acknowledgement is recorded, a double click or a second press
    "You had already", a retry nothing; a click the database could not take in time "not recorded, press
    again", and that officer pressed again (`press_again`)."""
    firsts = {r.pair for r in requests if r.kind == "first"}
    doubles = sum(r.kind == "double" for r in requests)
    agains = sum(r.kind == "again" for r in requests)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT delivery_id, person_id FROM acknowledgements").fetchall()
        counted = conn.execute("SELECT COALESCE(SUM(acknowledged_n), 0) FROM deliveries").fetchone()[0]
    finally:
        conn.close()
    stored = [(d, p) for d, p in rows]
    thanked, already = replies.get("Thanks, you have", 0), replies.get("You had already", 0)
    not_recorded = replies.get("Your acknowledgement was", 0)
    other = {k: v for k, v in replies.items()
             if k not in ("Thanks, you have", "You had already", "Your acknowledgement was") and not k.startswith("Posted")}
    # Every click but a retry is answered once, and a retry only when the request it repeats was not recorded
    # (its retry key is written with the acknowledgement, so Slack's retry then does the work): each
    # acknowledgement thanked once, each "not recorded" pressed again, the rest told "already".
    answered_retries = thanked + already + not_recorded - (len(firsts) + doubles + agains)
    retries = sum(r.kind == "retry" for r in requests)
    exact = (len(stored) == len(set(stored)) == len(firsts) and set(stored) == firsts and counted == len(firsts)
             and thanked == len(firsts) and not_recorded == agains and 0 <= answered_retries <= retries
             and not other)
    return {"acknowledgements_clicked": len(firsts), "stored": len(stored), "counted_on_cards": counted,
            "double_clicks": doubles, "retries": retries, "retries_answered": answered_retries,
            "thanked": thanked, "told_already": already, "told_press_again": not_recorded, "pressed_again": agains,
            "other_replies": other, "exactly_once": exact}


async def measure(teams: int, officers: int, rate: float, seconds: float, clients: int, folder: Path,
                  profile: Path | None = None) -> dict[str, Any]:
    api = process.slack_api(folder, officers)
    children = [api]
    try:
        bot = process.shiftbrief(folder, config(teams), slack_api=api.url + "/api/",
                                 profile=folder / "shiftbrief.prof" if profile else None)
        children.append(bot)
        floor = process.floor(folder, api.url + "/api/") if profile is None else None
        if floor is not None:
            children.append(floor)
        result: dict[str, Any] = {"teams": teams, "officers_per_team": officers}
        connector = aiohttp.TCPConnector(limit=max(clients, 100) + 10)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.sleep(3.0)  # start-up finishes after /healthz answers (the search index is built)
            result["memory_idle_mb"] = bot.memory_mb()["rss"]
            cards = await post_cards(session, bot, api, teams)
            result["memory_after_posting_mb"] = bot.memory_mb()["rss"]
            pairs = [(delivery, channel, f"U{channel[1:]}X{n}") for n in range(officers)
                     for channel, delivery in sorted(cards.items())]
            clicks = Clicks(iter(pairs))
            url = bot.url + "/slack/events"
            statuses: list[int] = []
            with Sampler(bot) as sampler:
                if profile is None:
                    await open_loop(session, url, clicks, rate / 4, 2.0, statuses)  # warm-up, not reported
                    result["open_loop"] = await open_loop(session, url, clicks, rate, seconds, statuses)
                    await asyncio.sleep(2.0)
                    floor_clicks = Clicks(itertools.cycle(pairs))  # it keeps nothing: pairs may repeat
                    assert floor is not None
                    await closed_loop(session, floor.url + "/slack/events", floor_clicks, 1, 0.5, [])  # its auth.test
                    used = floor.cpu_seconds()
                    result["floor"] = await closed_loop(session, floor.url + "/slack/events", floor_clicks, clients,
                                                        seconds, [])
                    result["floor"]["cpu_ms_per_request"] = _per_request(floor.cpu_seconds() - used, result["floor"])
                if profile is not None:
                    bot.process.send_signal(signal.SIGUSR1)  # bench.profiled: profile the load only
                used, began = bot.cpu_seconds(), time.time()
                ours = result["closed_loop"] = await closed_loop(session, url, clicks, clients, seconds, statuses)
                seen = await settle(session, api, "private")  # the work after ack(): every reply sent
                ours["cpu_ms_per_request"] = _per_request(bot.cpu_seconds() - used, ours)
                ours["done_s"] = round(max(seen["last_private_at"] - began, ours["seconds"]), 2)
                ours["done_per_second"] = round(ours["requests"] / ours["done_s"], 1)
                if profile is not None:
                    bot.process.send_signal(signal.SIGUSR2)
            seen = await press_again(session, url, api, cards, clicks)
            result["memory_under_load_mb"] = sampler.highest
            result["memory_peak_mb"] = bot.memory_mb()["peak"]
            result["statuses"] = {str(s): statuses.count(s) for s in sorted(set(statuses))}
            result["ledger"] = ledger(folder / "shiftbrief.db", clicks.sent, seen["private"])
            result["web_api_calls"] = seen["calls"]
            if "floor" in result:  # against the work done (every reply sent), not the answers: ack() comes first
                result["floor_ratio"] = round(result["floor"]["per_second"] / result["closed_loop"]["done_per_second"], 2)
                result["floor_ratio_answers"] = round(result["floor"]["per_second"] / result["closed_loop"]["per_second"],
                                                      2)
        result["exit_code"] = bot.stop()
        if profile is not None:
            await asyncio.to_thread(keep_profile, folder / "shiftbrief.prof", profile)
        return result
    finally:
        for child in children:
            child.stop()


def keep_profile(raw: Path, summary_file: Path) -> None:
    """The profile's summary as JSON in `summary_file`, and the raw statistics beside it (.prof) for pstats."""
    from bench.profile import summarise

    summary_file.write_text(json.dumps(summarise(raw), indent=2), encoding="utf-8")
    raw.replace(summary_file.with_suffix(".prof"))


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    return {
        "p99_ms": result["open_loop"]["p99_ms"] <= TARGETS["p99_ms"],
        "floor_ratio": result["floor_ratio"] <= TARGETS["floor_ratio"],
        "rss_mb": result["memory_under_load_mb"] <= TARGETS["rss_mb"],
        "exactly_once": bool(result["ledger"]["exactly_once"]),
    }


def render(result: dict[str, Any]) -> str:
    o, c, f, ledger_ = result["open_loop"], result["closed_loop"], result["floor"], result["ledger"]
    return "\n".join([
        f"open loop, {o['rate']:.0f} clicks/s for {o['seconds']:.0f} s ({o['requests']} requests): "
        f"p50 {o['p50_ms']} ms, p99 {o['p99_ms']} ms, max {o['max_ms']} ms (target p99 <= {TARGETS['p99_ms']:.0f} ms)",
        f"closed loop, {c['clients']} clients: shiftbrief {c['per_second']}/s, bare bolt {f['per_second']}/s, "
        f"floor/ours {result['floor_ratio']} (target <= {TARGETS['floor_ratio']})",
        f"memory: idle {result['memory_idle_mb']} MB, under load {result['memory_under_load_mb']} MB "
        f"(target <= {TARGETS['rss_mb']:.0f} MB)",
        f"ledger: {ledger_['stored']} stored for {ledger_['acknowledgements_clicked']} clicked, "
        f"{ledger_['double_clicks']} double clicks, {ledger_['retries']} retries, "
        f"{ledger_['told_press_again']} told \"not recorded, press again\" and pressed again: "
        + ("exactly once" if ledger_["exactly_once"] else f"NOT exactly once {ledger_}"),
        f"HTTP statuses: {result['statuses']}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.clicks", description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=250)
    parser.add_argument("--officers", type=int, default=48, help="officers per team (default 48)")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop clicks a second (default 200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each loop (default 10)")
    parser.add_argument("--clients", type=int, default=100, help="closed-loop clients (default 100)")
    parser.add_argument("--profile", type=Path, help="run under cProfile instead and write its summary here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shiftbrief-clicks-") as folder:
        result = asyncio.run(measure(args.teams, args.officers, args.rate, args.seconds, args.clients, Path(folder),
                                     args.profile))
    if args.profile is not None:
        print(f"profile summary written to {args.profile}")
        return 0
    result["targets"] = TARGETS
    result["met"] = verdicts(result)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
