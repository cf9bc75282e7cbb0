"""The dashboard in a real browser (Playwright driving Debian's Chromium) the width of a phone: the page never
scrolls sideways, chart text is drawn at 12 px or more, and the Content-Security-Policy blocks nothing."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CONFIG_TOML, without_due_nudges, write_config
from tests.process import Browser, free_port, start

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    """The bot running, with a card acknowledged and answered on Team A and one nobody has answered on Team B."""
    write_config(tmp_path, without_due_nudges(CONFIG_TOML))
    port = free_port()
    process = start(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    browser = Browser(url)
    browser.post("/identity", person="local:sgt-a")
    [delivery] = list(dict.fromkeys(re.findall(r'id="(d-[0-9a-f]{16})"', browser.post("/teams/response-a/brief", topic=""))))
    browser.post("/identity", person="local:pc-1")
    browser.post(f"/deliveries/{delivery}/acknowledge")
    browser.post(f"/deliveries/{delivery}/check", choice="1")
    browser.post("/identity", person="local:coord")
    browser.post("/teams/response-b/brief", topic="")
    yield url
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def phone(base: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport=PHONE, device_scale_factor=1)
        page = context.new_page()
        page.goto(base + "/")
        page.get_by_label("Act as").select_option("local:coord")
        page.get_by_role("button", name="Switch").click()
        yield page
        context.close()
        browser.close()


SCROLLED = """el => new Promise(done => {  // the browser may scroll smoothly: wait up to 2 s for it to move
    const start = performance.now();
    (function look() { el.scrollLeft > 0 || performance.now() - start > 2000 ? done(el.scrollLeft)
                                                                            : requestAnimationFrame(look); })();
})"""
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('figure.chart svg text')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a))"""


@pytest.mark.parametrize("view", ["team", "officer&team=response-a", "topic", "week"])
def test_on_a_phone_the_page_never_scrolls_sideways_and_chart_text_stays_legible(base, phone, view) -> None:  # type: ignore[no-untyped-def]
    blocked: list[str] = []
    phone.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    phone.goto(f"{base}/dashboard?view={view}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Progress dashboard"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if phone.locator("figure.chart").count():
        assert phone.evaluate(SMALLEST_CHART_TEXT) >= 12
    assert blocked == []


def test_a_wide_table_scrolls_inside_its_own_box_which_the_keyboard_can_reach(base, phone) -> None:  # type: ignore[no-untyped-def]
    phone.goto(f"{base}/dashboard?view=week")
    box = phone.get_by_role("region", name=re.compile("week by week"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # wider than the phone: it scrolls itself
    box.focus()
    phone.keyboard.press("ArrowRight")
    assert box.evaluate(SCROLLED) > 0
