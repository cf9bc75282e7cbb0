"""`python -m bench.fanout [--channels N] [--json]`: N channels due in the same minute, against throttling stand-ins.

Slack: `--channels` teams, each its own Slack channel of `--officers` officers, all with a shift whose nudge is
due at the same minute; a real `shiftbrief run` posts them through its scheduler against the Web API
stand-in (bench.slack_api), which answers 429 with Retry-After when a channel is posted to more than once a
second and on every `--throttle-every`-th call of each method. Then the same for Microsoft Teams against the
connector stand-in (bench.teams_connector: Teams' 50 requests a second across all conversations, 7 a second
and 60 in 30 s per conversation, and the same injected 429s), with each channel's conversation reference
stored as if the app had been installed there.

It reports when the last card went out after the minute it was due, each channel posted exactly once (by the
stand-in's record and the database's), the 429s answered, and beside it the least time the platform's
published limits would allow (Slack: one message a second per channel, so about a second for distinct
channels; Teams: a roster read and a post per channel at 50 requests a second).

`--overdue` makes the minute one that has just begun (the scheduler posts at start-up, as after a restart),
so a short run need not wait for the next minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bench import process
from bench.process import Child
from bot.store import Store

ZONE = ZoneInfo("Europe/London")
LEAD = timedelta(minutes=10)  # nudge_minutes_before: the shift starts this long after the nudge is due
TEAMS_GLOBAL_PER_SECOND = 50


def due_minute(overdue: bool, start_up: float = 20.0) -> datetime:
    """The minute every nudge is due: the next whole minute at least `start_up` seconds away, or (overdue) the
    minute now under way."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    if overdue:
        return now
    due = now + timedelta(minutes=1)
    while (due - datetime.now(UTC)).total_seconds() < start_up:
        due += timedelta(minutes=1)
    return due


def config(channels: list[str], due: datetime) -> str:
    local = (due + LEAD).astimezone(ZONE)
    lines = ['timezone = "Europe/London"', "[roles]", 'coordinators = ["slack:U0COORD"]']
    for t, channel in enumerate(channels):
        lines += ["[[team]]", f'id = "t{t:04d}"', f'name = "Team {t}"', f'channel = "{channel}"',
                  f'sergeants = ["{channel.split(":", 1)[0]}:sgt{t:04d}"]',
                  f'rota_start = "{local.date().isoformat()}"', f'rota = ["{local:%H:%M}"]',
                  f"nudge_minutes_before = {int(LEAD.total_seconds() // 60)}"]
    return "\n".join(lines) + "\n"


def teams_channel(t: int) -> str:
    return f"19:t{t:04d}@thread.tacv2"


def seed_references(folder: Path, channels: int, service_url: str) -> None:
    """What installing the app in each channel would have stored: its conversation reference."""
    now = datetime.now(UTC)
    store = Store.open(folder / "shiftbrief.db", now)
    try:
        for t in range(channels):
            channel = teams_channel(t)
            store.save_reference("teams:" + channel, {
                "service_url": service_url, "tenant_id": "tenant-1", "channel_id": channel, "team_id": channel,
                "team_name": f"Team {t}", "bot": {"id": "28:bench-bot", "name": "shiftbrief"},
            }, now)
    finally:
        store.close()


async def wait_for_posts(stand_in: Child, channels: int, within: float) -> dict[str, Any]:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.get(stand_in.url + "/_bench/record") as response:
                seen: dict[str, Any] = await response.json()
            if len(seen["posts"]) >= channels or time.monotonic() > deadline:
                await asyncio.sleep(1.0)  # anything posted twice would show by now
                async with session.get(stand_in.url + "/_bench/record") as response:
                    final: dict[str, Any] = await response.json()
                    return final
            await asyncio.sleep(0.25)


def deliveries(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
    finally:
        conn.close()


async def run_one(platform: str, channels: int, officers: int, throttle_every: int, overdue: bool,
                  folder: Path, within: float) -> dict[str, Any]:
    due = due_minute(overdue)
    if platform == "slack":
        stand_in = process.slack_api(folder, officers, throttle_every=throttle_every)
        names = [f"slack:C{t:04d}" for t in range(channels)]
    else:
        stand_in = process.teams_connector(folder, officers, throttle_every=throttle_every)
        names = ["teams:" + teams_channel(t) for t in range(channels)]
    bot: Child | None = None
    started = time.time()
    try:
        if platform == "teams":
            seed_references(folder, channels, stand_in.url + "/")
        started = time.time()
        bot = process.shiftbrief(folder, config(names, due), slack_api=stand_in.url + "/api/" if platform == "slack"
                                 else None, extra_env={"SHIFTBRIEF_TEAMS_EMULATOR": "1"} if platform == "teams" else None)
        seen = await wait_for_posts(stand_in, channels, within + max(0.0, (due - datetime.now(UTC)).total_seconds()))
        state = deliveries(folder / "shiftbrief.db")
    finally:
        if bot is not None:
            bot.stop()
        stand_in.stop()
    times = seen.get("post_times") or [t for stamps in seen["posts"].values() for t in stamps]
    counts = [len(v) for v in seen["posts"].values()]
    start = max(due.timestamp(), started)  # overdue: from start-up, when the scheduler first sees them
    return {
        "platform": platform, "channels": channels, "officers_per_channel": officers,
        "due": due.isoformat(), "overdue_start": overdue,
        "first_post_s": round(min(times) - start, 1) if times else None,
        "last_post_s": round(max(times) - start, 1) if times else None,
        "channels_posted": len(counts), "posted_twice": sum(c > 1 for c in counts),
        "deliveries": state,
        "exactly_once": len(counts) == channels and all(c == 1 for c in counts) and state.get("posted") == channels
                        and sum(state.values()) == channels,
        "calls": seen["calls"], "throttled": seen["throttled"],
        "bound_s": bound(platform, channels, seen),
    }


def bound(platform: str, channels: int, seen: dict[str, Any]) -> float:
    """The least time the platform's published limits allow for these posts, with one Retry-After (1 s) for
    the 429s the stand-in injects: Slack allows one message a second in each channel (distinct channels: about
    a second in all); Teams allows 50 requests a second across all conversations, and each post needs its
    team's roster read first."""
    retry = 1.0 if sum(seen["throttled"].values()) else 0.0
    if platform == "slack":
        return 1.0 + retry
    calls = sum(int(n) for n in seen["calls"].values())
    return math.ceil(calls / TEAMS_GLOBAL_PER_SECOND) + retry


def render(result: dict[str, Any]) -> str:
    lines = []
    for r in result["runs"]:
        lines.append(
            f"{r['platform']}: {r['channels_posted']}/{r['channels']} channels posted, last {r['last_post_s']} s after "
            f"the minute they were due (first {r['first_post_s']} s; bound {r['bound_s']} s); 429s answered "
            f"{r['throttled']}; " + ("exactly once" if r["exactly_once"] else f"NOT exactly once: {r['deliveries']}"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--officers", type=int, default=10, help="officers in each channel (default 10)")
    parser.add_argument("--throttle-every", type=int, default=20,
                        help="the stand-ins answer every Nth call of a kind with 429 (default 20: 5%%)")
    parser.add_argument("--platform", choices=("slack", "teams", "both"), default="both")
    parser.add_argument("--overdue", action="store_true", help="due in the minute now under way: no waiting")
    parser.add_argument("--within", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    platforms = ("slack", "teams") if args.platform == "both" else (args.platform,)
    runs = []
    with tempfile.TemporaryDirectory(prefix="shiftbrief-fanout-") as folder:
        for platform in platforms:
            (Path(folder) / platform).mkdir()
            runs.append(asyncio.run(run_one(platform, args.channels, args.officers, args.throttle_every,
                                            args.overdue, Path(folder) / platform, args.within)))
    result = {"runs": runs}
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
