"""`python -m bench.profiled FILE`: `shiftbrief run` with cProfile switched on and off by signals.

SIGUSR1 starts profiling the event loop's thread, SIGUSR2 stops it and writes the statistics to FILE, so a
benchmark profiles only its load and not start-up or set-up. Everything else is `shiftbrief run` itself.
"""

from __future__ import annotations

import cProfile
import signal
import sys
from pathlib import Path
from types import FrameType


def main(argv: list[str]) -> int:
    target = Path(argv[0])
    profiler = cProfile.Profile()

    def start(_signum: int, _frame: FrameType | None) -> None:
        profiler.enable()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(str(target))

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    from bot.cli import main as shiftbrief

    return shiftbrief(["run"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
