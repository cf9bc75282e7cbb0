"""The leadership report: one self-contained page of aggregates (no officer named, nothing fetched from
anywhere), with the headline figures, the charts, the content gaps, the dates and when it was made; and a
PNG of it drawn by headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import CLI, Actor, Core, Refused
from bot.local.report import PNG_WIDTH, PngNotWritten, build_report, find_browser, write_png
from tests.conftest import FakeClock, answering_nothing
from tests.records import records

SGT = Actor("local:sgt-a", "Sgt A")
PC1, PC2, PC3 = Actor("local:pc-1", "PC One"), Actor("local:pc-2", "PC Two"), Actor("local:pc-3", "PC Three")
CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must install Debian's chromium (see .ci/run)")


@pytest.fixture
async def history(core: Core, clock: FakeClock) -> None:
    """Two weeks in summer time: Team A acknowledges and answers; the second week nobody answers."""
    clock.set(datetime(2026, 6, 29, 8, 0, tzinfo=UTC))
    first = await core.post_briefing(SGT, "response-a", topic="displacement")
    await core.acknowledge(PC1, first.delivery.id, via="local")
    await core.answer_check(PC1, first.delivery.id, first.card.check.answer)
    await core.acknowledge(PC2, first.delivery.id, via="local")
    await core.answer_check(PC2, first.delivery.id, 1 + first.card.check.answer % len(first.card.check.options))
    team_b = await core.post_briefing(CLI, "response-b", topic="what-is-hsp")
    await core.acknowledge(PC3, team_b.delivery.id, via="local")
    await core.ask(PC1, "who pays overtime on rest days", via="local")  # outside hot spots policing: no gap
    no_card_answers = Core(core.ctx.config, core.db, core.ctx.pack, clock, {}, answering_nothing(core.ctx.pack))
    await no_card_answers.ask(PC2, "why do patrols stay 15 minutes at the hot spot?", via="local")  # a gap
    clock.advance(days=7)
    second = await core.post_briefing(SGT, "response-a", topic="fifteen-minutes")
    await core.acknowledge(PC1, second.delivery.id, via="local")
    clock.advance(hours=2)


async def test_the_report_is_one_self_contained_page_fetching_nothing(core: Core, history: None) -> None:
    html = await build_report(core, CLI)
    assert html.count("<h1") == 1
    assert not re.search(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"https?://", html)  # no link of any kind: it is read offline
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "<style>" in html and ".chart svg" in html  # the charts' styles travel inside the file


async def test_leadership_sees_aggregates_and_no_officer_is_named(core: Core, history: None) -> None:
    html = await build_report(core, CLI)
    for name in ("PC One", "PC Two", "PC Three", "Sgt A", "local:pc-1", "local:pc-3"):
        assert name not in html
    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
    reached = len(await core.stats(CLI, by="officer", names=False))  # whoever the three cards went to
    delivered = sum(row["delivered"] for row in await core.stats(CLI, by="team"))
    assert figures == {"Officers reached": str(reached), "Cards delivered": str(delivered),
                       "Acknowledged": f"{4 / delivered:.0%}", "On time": "none yet", "Checks right": "50%"}
    assert f"4 of {delivered} cards delivered" in html and "in 3 briefings posted" in html
    assert reached >= 3  # PC One, PC Two and PC Three at least


async def test_it_has_the_charts_the_date_range_and_when_it_was_made_in_london_time(
    core: Core, history: None
) -> None:
    html = await build_report(core, CLI)
    for chart in ("r-weekly", "r-teams", "r-topics", "r-coverage"):
        assert f'<figure class="chart" id="{chart}"' in html
    assert "Records from the week of 29 June 2026 to 6 July 2026." in html
    assert "Generated 6 July 2026 at 11:00 (Europe/London)" in html  # 10:00 UTC is 11:00 summer time
    weekly = html[html.index('id="r-weekly"'):]
    assert "no answers yet" in weekly[: weekly.index("</figure>")]  # the second week: nobody has answered
    coverage = html[html.index('id="r-coverage"'):]
    assert "Displacement: delivered to 1 of 2 teams." in coverage[: coverage.index("</figure>")]


async def test_it_summarises_the_content_gaps(core: Core, history: None) -> None:
    html = await build_report(core, CLI)
    assert "Not answered by the cards" in html
    assert "\u201cwhy do patrols stay 15 minutes at the hot spot?\u201d (once)" in html
    assert "who pays overtime on rest days" not in html  # counted, but not a gap in the training


async def test_a_sergeant_gets_their_own_teams_without_the_content_gaps_and_an_officer_is_refused(
    core: Core, history: None
) -> None:
    html = await build_report(core, SGT)
    assert "Response Team A" in html and "Response Team B" not in html
    assert "Not answered by the cards" not in html
    with pytest.raises(Refused, match="sergeants and coordinators"):
        await build_report(core, PC1)


async def test_it_counts_officers_reached_without_reading_anyone_s_own_figures(core: Core, history: None) -> None:
    html = await build_report(core, CLI)
    reached = len({r for d in records(core).deliveries() for r in records(core).recipients(d.id)})
    assert reached > 0 and re.search(rf">{reached}<", html)  # the headline count of officers reached
    assert not [e for e in records(core).audit_trail() if e["action"].startswith(("view-officer", "export-officer"))]


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium, chromium-browser or google-chrome on PATH")
async def test_write_png_draws_the_whole_page(core: Core, history: None, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(await build_report(core, CLI), encoding="utf-8")
    png = tmp_path / "report.png"
    write_png(page, png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == PNG_WIDTH and height > 800  # as tall as the page, not a window's worth


def test_without_a_browser_the_error_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PngNotWritten, match=r"chromium, chromium-browser or google-chrome.*apt-get install chromium"):
        find_browser()
    with pytest.raises(PngNotWritten, match="chromium"):
        write_png(tmp_path / "report.html", tmp_path / "report.png")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium, chromium-browser or google-chrome on PATH")
def test_a_missing_report_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(PngNotWritten, match="no report there"):
        write_png(tmp_path / "nothing.html", tmp_path / "nothing.png")
