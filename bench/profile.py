"""Where the event loop's time goes: a cProfile file of `shiftbrief run` summed up by area and by function.

cProfile sees only the thread it was started on, here the event loop's: the database's own threads
(bot.store.database) are not in it, which is the point (the loop must not wait on them), and the time the
loop sleeps waiting for work shows as `select`/`epoll` in "waiting for I/O".
"""

from __future__ import annotations

import pstats
from pathlib import Path
from typing import Any

AREAS = (  # (area, path fragments), first match wins
    ("waiting for I/O (idle)", ("select.epoll", "selectors.py", "{method 'poll'")),
    ("shiftbrief: bot/slack", ("/bot/slack/",)),
    ("shiftbrief: bot/core", ("/bot/core/",)),
    ("shiftbrief: bot/store (loop side)", ("/bot/store/",)),
    ("shiftbrief: other", ("/bot/", "/content/", "/scheduler/")),
    ("slack_bolt", ("/slack_bolt/",)),
    ("slack_sdk (Web API client)", ("/slack_sdk/",)),
    ("aiohttp (server and client)", ("/aiohttp/", "/multidict/", "/yarl/")),
    ("asyncio event loop", ("/asyncio/",)),
    ("json", ("/json/", "_json")),
    ("logging", ("/logging/",)),
    ("hmac and hashlib", ("hmac", "_hashlib", "hashlib")),
    ("urllib.parse", ("/urllib/",)),
    ("threads (handing work to the database)", ("/concurrent/", "threading.py", "_thread")),
)


def area_of(filename: str, name: str) -> str:
    where = f"{filename}:{name}"
    for area, fragments in AREAS:
        if any(fragment in where for fragment in fragments):
            return area
    return "other Python and builtins"


def summarise(path: Path, top: int = 15) -> dict[str, Any]:
    """Own time (tottime) by area, as shares of the loop thread's time, and the functions with the most of
    it; plus the cumulative time of shiftbrief's own entry points on the click path."""
    stats = pstats.Stats(str(path))
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    areas: dict[str, float] = {}
    functions = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in raw.items():
        area = area_of(filename, name)
        areas[area] = areas.get(area, 0.0) + tottime
        functions.append((tottime, cumtime, calls, f"{_short(filename)}:{line}({name})", area))
    busy = total - areas.get("waiting for I/O (idle)", 0.0)
    functions.sort(reverse=True)
    ours = sorted((f for f in functions if f[4].startswith("shiftbrief")), key=lambda f: -f[1])
    return {
        "total_seconds": round(total, 2),
        "busy_seconds": round(busy, 2),
        "areas": [{"area": a, "seconds": round(s, 2), "share_of_busy": round(s / busy, 3) if busy else 0.0}
                  for a, s in sorted(areas.items(), key=lambda kv: -kv[1]) if not a.startswith("waiting")],
        "idle_share": round(areas.get("waiting for I/O (idle)", 0.0) / total, 3),
        "top_own_time": [{"function": f[3], "area": f[4], "calls": f[2], "own_s": round(f[0], 3)}
                         for f in functions if not f[4].startswith("waiting")][:top],
        "shiftbrief_cumulative": [{"function": f[3], "calls": f[2], "cumulative_s": round(f[1], 3)}
                                  for f in ours[:top]],
    }


def _short(filename: str) -> str:
    """A file as a reader finds it: `bot/app.py`, `aiohttp/client.py`, `asyncio/events.py`."""
    root = str(Path(__file__).resolve().parent.parent) + "/"
    if filename.startswith(root):
        return filename[len(root):]
    for marker in ("site-packages/", "/lib/python3.11/", "/lib/python3.12/", "/lib/python3.13/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
