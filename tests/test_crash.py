"""`shiftbrief run` as a real process: killed with SIGKILL and started again, it loses no acknowledgement."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from tests.conftest import CONFIG_TOML, without_due_nudges, write_config
from tests.process import Browser, free_port, start, stats_by_officer


def test_sigkill_and_restart_loses_no_acknowledgement(tmp_path: Path) -> None:
    write_config(tmp_path, without_due_nudges(CONFIG_TOML))
    port = free_port()
    process = start(tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        sergeant, officer = Browser(base), Browser(base)
        sergeant.post("/identity", person="local:sgt-a")
        html = sergeant.post("/teams/response-a/brief", topic="fifteen-minutes")
        delivery = re.findall(r'id="(d-[0-9a-f]{16})"', html)[0]
        officer.post("/identity", person="local:pc-1")
        assert "you have acknowledged" in officer.post(f"/deliveries/{delivery}/acknowledge")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

        process = start(tmp_path, port)
        assert stats_by_officer(tmp_path) == {"local:pc-1": 1, "local:pc-2": 0}  # the officers
        officer = Browser(base)
        officer.post("/identity", person="local:pc-1")
        html = officer.post(f"/deliveries/{delivery}/acknowledge")
        assert "had already acknowledged" in html and "Acknowledged by 1 of 2" in html
    finally:
        process.kill()
        process.wait(timeout=10)
