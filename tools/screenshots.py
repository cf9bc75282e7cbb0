"""Screenshots of each person's page for the README: `make screenshots` (python -m tools.screenshots).

Starts `shiftbrief run` on the built-in demo force with `shiftbrief demo seed` in a temporary database,
has Sgt Patel nudge Response Team A (so a nudge shows), then draws with Debian's Chromium through
Playwright, at a desktop's width (1280 px) and a phone's (390 px): an officer's page (PC Ahmed), a
sergeant's (Sgt Patel) and the coordinator's, which is the dashboard. Each PNG is the whole page, cut at
MAX_HEIGHT so a file stays small (about 300 KB at most); the page goes on below the cut.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
MAX_HEIGHT = {"desktop": 2000, "phone": 2600}
"""Where a screenshot is cut (px): enough for the part of each page that matters, small enough to keep a PNG
near 300 KB."""


@dataclass(frozen=True)
class Shot:
    name: str
    person: str
    path: str


SHOTS = (
    Shot("officer", "local:pc-ahmed", "/"),
    Shot("sergeant", "local:sgt-patel", "/"),
    Shot("coordinator-dashboard", "local:coordinator", "/"),
)


class ScreenshotError(RuntimeError):
    """What stopped the screenshots, in one line."""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise ScreenshotError("Debian's chromium is not installed (apt-get install chromium)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_bot(home: Path) -> Iterator[str]:
    """`shiftbrief run` on the built-in demo force with six weeks of made-up history; yields its address."""
    env = {**os.environ, "SHIFTBRIEF_CONFIG": "", "SHIFTBRIEF_DB": str(home / "demo.db"), "HOST": "127.0.0.1",
           "PORT": str(free_port())}
    subprocess.run([sys.executable, "-m", "bot", "demo", "seed"], cwd=home, env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=home, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ScreenshotError("shiftbrief run did not start (try `make run` to see why)") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def post(base: str, opener: urllib.request.OpenerDirector, path: str, **form: str) -> None:
    with opener.open(base + path, data=urllib.parse.urlencode(form).encode(), timeout=10) as response:
        response.read()


def nudge(base: str) -> None:
    """Sgt Patel nudges whoever in Response Team A has not acknowledged the latest card."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    post(base, opener, "/identity", person="local:sgt-patel")
    post(base, opener, "/teams/response-a/nudge", back="/")


def take(base: str, out: Path, shots: Sequence[Shot], widths: Sequence[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars"])
        try:
            for shot in shots:
                for width in widths:
                    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900},
                                                  device_scale_factor=1)
                    page = context.new_page()
                    page.goto(base + "/identity")
                    page.get_by_label("Act as").select_option(shot.person)
                    page.get_by_role("button", name="Switch").click()
                    page.goto(base + shot.path)
                    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[width])
                    path = out / f"{shot.name}-{width}.png"
                    page.screenshot(path=str(path), full_page=True,
                                    clip={"x": 0, "y": 0, "width": WIDTHS[width], "height": height})
                    written.append(path)
                    context.close()
        finally:
            browser.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--only", choices=[s.name for s in SHOTS], action="append",
                        help="just this page (repeatable); default every page")
    parser.add_argument("--width", choices=list(WIDTHS), action="append", help="just this width (repeatable)")
    args = parser.parse_args(argv)
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        chromium()
        with tempfile.TemporaryDirectory(prefix="shiftbrief-screenshots-") as home, demo_bot(Path(home)) as base:
            nudge(base)
            written = take(base, args.out, shots, args.width or list(WIDTHS))
    except (ScreenshotError, subprocess.CalledProcessError) as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
