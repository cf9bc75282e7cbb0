"""Running `shiftbrief` as a real process, the way a user does, for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """Just enough of a browser: a cookie jar, form posts, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, **form: str) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.read().decode()


def start(home: Path, port: int, **extra_env: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "SHIFTBRIEF_CONFIG": str(home / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(home / "sb.db"),
        "HOST": "127.0.0.1", "PORT": str(port), **extra_env,
    }
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=home, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "exited") from None
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the bot did not start in 30 s")


def stats_by_officer(home: Path) -> dict[str, int]:
    env = {**os.environ, "SHIFTBRIEF_CONFIG": str(home / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(home / "sb.db")}
    out = subprocess.run([sys.executable, "-m", "bot", "stats", "--json", "--by", "officer"], cwd=home, env=env,
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return {row["officer"]: row["acknowledged"] for row in json.loads(out)["rows"]}
