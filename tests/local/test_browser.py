"""The workspace in a real browser (Playwright driving Debian's Chromium), by mouse and by keyboard."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.conftest import CONFIG_TOML, without_due_nudges, write_config
from tests.process import free_port, start, stats_by_officer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    write_config(tmp_path, without_due_nudges(CONFIG_TOML))
    port = free_port()
    process = start(tmp_path, port)
    yield f"http://127.0.0.1:{port}", tmp_path
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def page(bot):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()


def act_as(page, who: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(urljoin(page.url, "/identity"))
    page.get_by_label("Act as").select_option(who)
    page.get_by_role("button", name="Switch").click()


def test_sergeant_posts_officer_acknowledges_and_answers_in_a_browser(bot, page) -> None:  # type: ignore[no-untyped-def]
    base, home = bot
    page.goto(base + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hot spots policing")

    act_as(page, "local:sgt-a")
    team = page.get_by_role("region", name="Response Team A")
    team.get_by_label("Topic").select_option("displacement")
    team.get_by_role("button", name="Post briefing").click()
    assert "Posted" in page.locator("#flash").inner_text()
    assert page.locator(".progress").first.inner_text() == "Acknowledged by 0 of 2"  # its officers
    assert page.get_by_role("button", name="Acknowledge").count() == 0  # a sergeant is shown progress instead

    act_as(page, "local:pc-2")
    card = page.locator("#to-do article.card").first
    card.get_by_role("button", name="Acknowledge").click()
    card = page.locator("#to-do article.card").first
    assert card.locator(".progress").inner_text() == "Acknowledged by 1 of 2"
    assert card.get_by_role("button", name="Acknowledge").count() == 0

    card.get_by_role("group").get_by_role("radio").first.check()
    card.get_by_role("button", name="Check my answer").click()
    done = page.locator("#record details.card-fold").first
    assert done.evaluate("el => el.open") and "Your answer" in done.inner_text()  # opened where it went
    assert "Nothing to do" in page.locator("#to-do").inner_text()

    page.get_by_label("Your question, in your own words").fill("why do we stay fifteen minutes?")
    page.get_by_role("button", name="Ask").click()
    answer = page.locator("#answer")
    assert "Source" in answer.inner_text()
    assert answer.evaluate("el => el === document.activeElement")
    page.reload()  # the address bar says /ask: reloading re-sends the question or shows the page, never a 405
    assert page.get_by_role("heading", level=1).inner_text() == "Ask a question"

    assert stats_by_officer(home)["local:pc-2"] == 1


def test_keyboard_only_officer_can_acknowledge(bot, page) -> None:  # type: ignore[no-untyped-def]
    base, home = bot
    page.goto(base + "/")
    act_as(page, "local:sgt-a")
    page.get_by_role("region", name="Response Team A").get_by_role("button", name="Post briefing").click()
    act_as(page, "local:pc-1")
    button = page.locator("article.card").first.get_by_role("button", name="Acknowledge")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=you have acknowledged")
    assert stats_by_officer(home)["local:pc-1"] == 1


def test_an_officer_who_typed_their_name_stays_themselves_when_pressing_switch(bot, page) -> None:  # type: ignore[no-untyped-def]
    """Review bug 9: the Act as list showed the coordinator first, so Switch quietly made you the coordinator."""
    base, _home = bot
    page.goto(base + "/identity")
    page.get_by_label("Or join as an officer named").fill("PC Siân O'Neill")
    page.get_by_role("button", name="Join").click()
    assert "You are PC Siân O'Neill (officer)." in page.locator(".whoami").inner_text()

    page.goto(base + "/identity")
    assert page.get_by_label("Act as").evaluate("el => el.value") == "local:pc-sian-oneill"
    page.get_by_role("button", name="Switch").click()
    assert "You are PC Siân O'Neill (officer)." in page.locator(".whoami").inner_text()
    assert page.url == base + "/"
