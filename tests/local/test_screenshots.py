"""`make screenshots` runs: one page at one width, drawn from the demo force into a folder, a small PNG."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.screenshots import main

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def test_make_screenshots_draws_a_persons_page_as_a_small_png(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "--only", "sergeant", "--width", "phone"]) == 0
    [png] = tmp_path.iterdir()
    assert png.name == "sergeant-phone.png"
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and 10_000 < len(data) < 300_000
    assert int.from_bytes(data[16:20], "big") == 390  # the PNG's width: a phone's
