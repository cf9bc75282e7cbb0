"""`python -m bench.questions [--rounds N] [--json]`: answers a second, in process, through the core.

Every labelled question in bench/data (officers' own wording) is asked through `Core.ask` as an officer in
the local workspace would: the pack's search index answers it and the question is kept on a real SQLite
file. The index is built once first (start-up does the same). Reported: answers a second one after another,
and the time of one answer (p50, p95, max). `Index.answer` runs on the event loop, so while it answers,
nothing else on the loop runs: its p95 is also how long a question can hold up a click.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.clicks import summary
from bench.measure import load_all
from bot.config import demo_config
from bot.core import Actor, Core
from bot.store import Database
from content.load import load_pack

ASKER = Actor("local:pc-bench", "PC Bench")


async def measure(folder: Path, rounds: int) -> dict[str, Any]:
    questions = [q.text for q in load_all()]

    def clock() -> datetime:  # the benchmark measures real time
        return datetime.now(UTC)

    core = Core(demo_config(), Database(folder / "questions.db", clock()), load_pack(), clock, platforms={})
    try:
        started = time.perf_counter()
        await core.warm()
        build = time.perf_counter() - started
        millis, answered = [], 0
        started = time.perf_counter()
        for _round in range(rounds):
            for text in questions:
                asked = time.perf_counter()
                result = await core.ask(ASKER, text, "local")
                millis.append((time.perf_counter() - asked) * 1000)
                answered += result.answered
        elapsed = time.perf_counter() - started
    finally:
        core.close()
    return {"questions": len(millis), "answered": answered, "seconds": round(elapsed, 2),
            "per_second": round(len(millis) / elapsed, 1), "index_build_s": round(build, 2), **summary(millis)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.questions", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="times through every labelled question")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shiftbrief-questions-") as folder:
        result = asyncio.run(measure(Path(folder), args.rounds))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['questions']} questions ({result['answered']} answered) in {result['seconds']} s: "
              f"{result['per_second']}/s; one answer p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
              f"max {result['max_ms']} ms (index built in {result['index_build_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
