"""The processes a load benchmark runs: `shiftbrief run` and the stand-ins, each on a free loopback port.

Each is a child process with its output in a log file, started and waited for here, stopped with SIGTERM
(then SIGKILL), and its resident memory read from /proc.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SECRET = "bench-signing-secret-not-real"
BOT_TOKEN = "xoxb-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Child:
    """A running child process: its port, its log, its memory."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now (VmRSS) and at its highest so far (VmHWM), in MB (10^6 bytes)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _sep, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(value.split()[0]) * 1024 / 1e6, 1)
        return {"rss": fields.get("VmRSS", 0.0), "peak": fields.get("VmHWM", 0.0)}

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far, every thread included."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, within: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(within)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def start(name: str, args: list[str], folder: Path, port: int, *, env: dict[str, str] | None = None,
          ready_path: str | None = None, within: float = 60.0) -> Child:
    """Start `python <args>` and wait until it listens (or answers `ready_path` with 200)."""
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, *args], cwd=folder, env={**os.environ, **(env or {})},
                                   stdout=out, stderr=subprocess.STDOUT)
    child = Child(name, process, port, log)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if _ready(child, ready_path):
            return child
        time.sleep(0.05)
    child.stop()
    raise RuntimeError(f"{name} did not start within {within:.0f} s:\n{log.read_text()[-3000:]}")


def _ready(child: Child, path: str | None) -> bool:
    try:
        if path is None:
            with socket.create_connection(("127.0.0.1", child.port), timeout=0.5):
                return True
        with urllib.request.urlopen(child.url + path, timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def shiftbrief(folder: Path, config: str, *, slack_api: str | None = None, profile: Path | None = None,
               extra_env: dict[str, str] | None = None) -> Child:
    """`shiftbrief run` (as `python -m bot run`) on a fresh database in `folder`, with Slack over HTTP against
    `slack_api` if given; with `profile`, under bench.profiled (cProfile between SIGUSR1 and SIGUSR2)."""
    (folder / "shiftbrief.toml").write_text(config, encoding="utf-8")
    port = free_port()
    env = {"SHIFTBRIEF_CONFIG": str(folder / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(folder / "shiftbrief.db"),
           "HOST": "127.0.0.1", "PORT": str(port), "SLACK_APP_TOKEN": "", "SLACK_BOT_TOKEN": "",
           "SLACK_SIGNING_SECRET": "", "SHIFTBRIEF_TEAMS_EMULATOR": "", "MICROSOFT_APP_ID": "",
           "MICROSOFT_APP_PASSWORD": ""}
    if slack_api:
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack_api)
    env.update(extra_env or {})
    if profile is None:
        return start("shiftbrief", ["-m", "bot", "run"], folder, port, env=env, ready_path="/healthz")
    env.update(_bench_path())
    return start("shiftbrief", ["-m", "bench.profiled", str(profile)], folder, port, env=env, ready_path="/healthz")


def slack_api(folder: Path, officers: int, *, throttle_every: int = 0) -> Child:
    port = free_port()
    return start("slack-api", ["-m", "bench.slack_api", "--port", str(port), "--officers", str(officers),
                               "--throttle-every", str(throttle_every)], folder, port, env=_bench_path())


def floor(folder: Path, api_url: str) -> Child:
    port = free_port()
    return start("floor", ["-m", "bench.floor", "--port", str(port), "--api-url", api_url, "--secret", SECRET,
                           "--token", BOT_TOKEN], folder, port, env=_bench_path())


def _bench_path() -> dict[str, str]:
    """So `python -m bench.…` finds this checkout's bench package from a temporary working folder."""
    root = str(Path(__file__).resolve().parent.parent)
    return {"PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}


def teams_connector(folder: Path, officers: int, *, throttle_every: int = 0) -> Child:
    port = free_port()
    return start("teams-connector", ["-m", "bench.teams_connector", "--port", str(port), "--officers", str(officers),
                                     "--throttle-every", str(throttle_every)], folder, port, env=_bench_path())
