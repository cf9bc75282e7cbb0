"""`python -m bench.acknowledgements`: acknowledgements per second through the core on a real SQLite file.

DESIGN.md's scale on paper: a shift change across a large force is tens of acknowledgements a second,
and one process must carry 100 times that. This posts one card to each of many teams, then has every
officer acknowledge (and a second, duplicate click from one in ten), as fast as one process can, with
up to `--concurrency` clicks in flight at once (as many people pressing at the same moment).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Config, Team
from bot.core import Actor, Core
from bot.local.platform import LocalPlatform
from bot.store import Database
from content import load_pack

TARGET_PER_SECOND = 2000.0


def force(teams: int, officers: int) -> Config:
    from zoneinfo import ZoneInfo

    return Config(
        timezone=ZoneInfo("Europe/London"),
        coordinators=("local:coordinator",),
        teams=tuple(
            Team(
                id=f"team-{t}", name=f"Team {t}", channel=f"local:team-{t}", sergeants=(f"local:sgt-{t}",),
                rota_start=date(2026, 11, 23), rota=(None,),
                members=tuple(f"local:pc-{t}-{o}" for o in range(officers)),
            )
            for t in range(teams)
        ),
    )


async def measure(teams: int, officers: int, folder: Path, concurrency: int = 100) -> dict[str, float]:
    config = force(teams, officers)
    clock = lambda: datetime.now(UTC)  # noqa: E731 - the benchmark measures real time
    core = Core(config, Database(folder / "bench.db", clock()), load_pack(), clock)
    core.platforms["local"] = LocalPlatform(core)
    deliveries = []
    for team in config.teams:
        view = await core.post_briefing(Actor(team.sergeants[0]), team.id)
        deliveries.append((view.delivery.id, team))
    presses = [
        (delivery_id, officer)
        for delivery_id, team in deliveries
        for index, officer in enumerate(team.members)
        for _press in range(2 if index % 10 == 0 else 1)  # a double click from one in ten: must not count twice
    ]
    gate = asyncio.Semaphore(concurrency)

    async def press(delivery_id: str, officer: str) -> None:
        async with gate:
            await core.acknowledge(Actor(officer, officer), delivery_id, via="local")

    started = time.perf_counter()
    await asyncio.gather(*(press(d, o) for d, o in presses))
    elapsed = time.perf_counter() - started
    clicks = len(presses)
    counted = sum(r["acknowledged"] for r in await core.stats(Actor("local:coordinator"), by="team"))
    core.close()
    expected = teams * officers
    if counted != expected:
        raise SystemExit(f"counted {counted} acknowledgements, expected {expected}")
    return {"acknowledgements": expected, "clicks": clicks, "seconds": round(elapsed, 3),
            "clicks_per_second": round(clicks / elapsed, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.acknowledgements", description=__doc__)
    parser.add_argument("--teams", type=int, default=200, help="teams, one card each (default 200)")
    parser.add_argument("--officers", type=int, default=30, help="officers per team (default 30)")
    parser.add_argument("--concurrency", type=int, default=100, help="clicks in flight at once (default 100)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(measure(args.teams, args.officers, Path(folder), args.concurrency))
    result["target_per_second"] = TARGET_PER_SECOND
    if args.json:
        print(json.dumps(result))
    else:
        verdict = "meets" if result["clicks_per_second"] >= TARGET_PER_SECOND else "BELOW"
        print(f"{result['clicks']} clicks ({result['acknowledgements']} acknowledgements) in {result['seconds']} s: "
              f"{result['clicks_per_second']:.0f} per second ({verdict} the {TARGET_PER_SECOND:.0f}/s target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
