"""`python -m bench.reports [--officers N] [--days D] [--db FILE] [--json]`: reports at force scale.

Seeds a made-up force with `shiftbrief demo seed`'s own code (bot.demo.seed_force) into a fresh database
(or reuses `--db` if it already holds one), then times, in process and through the core as the dashboard
and the CLI call it, the force-wide weekly report, the force-wide team report, one team's officer table
(audited, as every officer-level view is), and an officer's own record. Each query runs `--repeat` times
after one warm-up; the median and the slowest are reported, with the seed time and the file size.

Targets (issue 11): force-wide weekly report at most 1 s, one team's officer table at most 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import demo_config
from bot.core import Core
from bot.core.roles import Actor
from bot.demo import seed_force
from bot.store import Database, Store
from content.load import load_pack

COORDINATOR = Actor("system:bench", "benchmark")
TARGETS_MS = {"force_weekly": 1000.0, "team_officers": 200.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=30000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--db", type=Path, help="database to use; seeded only if it holds no made-up force")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.officers, args.days, args.db, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render(result))
    return 0


def measure(officers: int, days: int, db: Path | None, repeat: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    folder = None
    if db is None:
        folder = tempfile.TemporaryDirectory(prefix="shiftbrief-bench-")
        db = Path(folder.name) / "force.db"
    config = demo_config()
    pack = load_pack()
    result: dict[str, Any] = {"officers": officers, "days": days, "machine": machine(), "commit": commit(),
                              "date": now.date().isoformat()}
    store = Store.open(db, now)
    try:
        existing = store.conn.execute("SELECT COUNT(*) FROM deliveries WHERE occurrence LIKE 'demo|%'").fetchone()[0]
        if existing:
            result["seed"] = {"reused": str(db)}
        else:
            started = time.perf_counter()
            summary = seed_force(store, pack, now, config.timezone, officers, days)
            store.conn.execute("ANALYZE")
            result["seed"] = {"seconds": round(time.perf_counter() - started, 1), **vars(summary)}
        counts = store.conn.execute(
            "SELECT (SELECT COUNT(*) FROM deliveries), (SELECT COUNT(*) FROM recipients),"
            " (SELECT COUNT(*) FROM acknowledgements), (SELECT COUNT(*) FROM check_answers)"
        ).fetchone()
        result["rows"] = dict(zip(("deliveries", "recipients", "acknowledgements", "check_answers"), counts,
                                  strict=True))
        team = store.conn.execute("SELECT team_id FROM deliveries WHERE occurrence LIKE 'demo|%' LIMIT 1").fetchone()[0]
        person = store.conn.execute("SELECT person_id FROM recipients LIMIT 1").fetchone()[0]
    finally:
        store.close()
    result["file_mb"] = round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6, 1)
    result["timings_ms"] = asyncio.run(_time_queries(db, config, pack, team, person, repeat))
    result["targets_ms"] = TARGETS_MS
    result["met"] = all(result["timings_ms"][k]["median"] <= v for k, v in TARGETS_MS.items())
    if folder is not None:
        folder.cleanup()
    return result


async def _time_queries(db: Path, config: Any, pack: Any, team: str, person: str, repeat: int) -> dict[str, Any]:
    database = Database(db, datetime.now(UTC))
    core = Core(config, database, pack, lambda: datetime.now(UTC), platforms={})
    try:
        queries = {
            "force_weekly": lambda: core.stats(COORDINATOR, by="week"),
            "force_by_team": lambda: core.stats(COORDINATOR, by="team"),
            "force_by_topic": lambda: core.stats(COORDINATOR, by="topic"),
            "team_officers": lambda: core.stats(COORDINATOR, by="officer", team_id=team),
            "own_record": lambda: core.my_record(Actor(person)),
        }
        timings: dict[str, Any] = {}
        for name, query in queries.items():
            await query()  # warm the page cache once
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                rows = await query()
                samples.append((time.perf_counter() - started) * 1000)
            timings[name] = {"median": round(statistics.median(samples), 1), "max": round(max(samples), 1),
                             "rows": len(rows)}
        return timings
    finally:
        core.close()


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {_sqlite()}"


def _sqlite() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
                             cwd=Path(__file__).parent)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def render(result: dict[str, Any]) -> str:
    lines = [f"Reports at force scale: {result['officers']} officers, {result['days']} days "
             f"({result['machine']}, commit {result['commit']}, {result['date']})"]
    seed = result["seed"]
    if "seconds" in seed:
        lines.append(f"seed: {seed['seconds']} s ({seed['teams']} teams, {seed['moved']} moved team)")
    rows = result["rows"]
    lines.append(f"rows: {rows['deliveries']} deliveries, {rows['recipients']} recipients, "
                 f"{rows['acknowledgements']} acknowledgements, {rows['check_answers']} check answers; "
                 f"file {result['file_mb']} MB")
    for name, t in result["timings_ms"].items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else (f" (target {target:.0f} ms: " + ("met)" if t["median"] <= target else "MISSED)"))
        lines.append(f"{name}: median {t['median']} ms, max {t['max']} ms, {t['rows']} rows{verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
