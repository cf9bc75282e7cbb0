"""The leadership report: one self-contained page of progress (headline figures, the dashboard's charts, the
content gaps), readable offline, and a PNG of it for slides and email drawn by headless Chromium.

Aggregates only: officers are counted, never named (leadership sees aggregates). The figures come from the
same core calls as the dashboard, so who may build it is the core's rule too (sergeants get their own teams;
the command line is a coordinator). No script and no external resource: the charts are inline SVG and the
styles sit in the page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from bot.core import Core, Refused
from bot.core.roles import Actor
from bot.local.charts import coverage_chart, percent, team_chart, topic_chart, weekly_chart
from content.topics import TOPICS, topic_title

STATIC = Path(__file__).parent / "static"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
PNG_WIDTH = 1200
PNG_TIMEOUT = 60.0
"""Seconds each run of the browser may take before the PNG is given up."""
LISTED = 5
"""How many of the most repeated unanswered (and not helpful) questions the report quotes."""
REPORT_CSS = """
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; background: #fff; }
main { max-width: 1160px; margin: 0 auto; padding: 20px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
.meta { color: #3a434d; margin: 0 0 1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin: 0; }
.figures div { border: 1px solid #d5dae0; border-radius: 6px; padding: 10px 12px; }
.figures dt { font-size: .85rem; color: #3a434d; }
.figures dd { margin: 0; font-size: 1.6rem; font-weight: 700; }
.figures dd.detail { font-size: .8rem; font-weight: 400; color: #3a434d; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 0 20px; align-items: start; }
.gaps { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 20px; }
.gaps ul { padding-left: 1.2rem; margin: .25rem 0; }
footer { margin-top: 1.25rem; border-top: 1px solid #d5dae0; padding-top: .5rem; color: #3a434d; font-size: .85rem; }
@media print { main { padding: 0; } .chart, .figures div { break-inside: avoid; } }
"""


class PngNotWritten(RuntimeError):
    """The PNG could not be drawn; the message names what is missing or what went wrong."""


async def build_report(core: Core, actor: Actor) -> str:
    """The report as one HTML document: every team the actor may see, all records, as of `core.now()`."""
    team_rows = await core.stats(actor, by="team")
    topic_rows = await core.stats(actor, by="topic")
    week_rows = await core.stats(actor, by="week")
    reached = await core.reach(actor)  # a count: no officer is named
    teams = [(t.id, t.name) for t in core.teams_led_by(actor)]
    teams += [(str(r["team"]), str(r.get("name") or r["team"])) for r in team_rows if r["team"] not in dict(teams)]
    coverage = await core.coverage(actor)
    had = {topic: sum(1 for team_id, _ in teams if coverage.get(team_id, {}).get(topic)) for topic in TOPICS}
    try:
        gaps: Mapping[str, Sequence[Mapping[str, Any]]] | None = await core.content_gaps(actor)
    except Refused:
        gaps = None

    now = core.now().astimezone(core.timezone)
    first = date.fromisoformat(str(week_rows[0]["week"])) if week_rows else None
    span = f"Records from the week of {_long(first)} to {_long(now.date())}." if first else "No records yet."
    body = f"""<h1>Hot spots policing briefings: progress</h1>
<p class="meta">{escape(span)} Generated {_long(now.date())} at {now:%H:%M} ({escape(str(core.timezone))}).
{len(teams)} team{'s' if len(teams) != 1 else ''}.</p>
{headline(team_rows, reached)}
<h2>Progress</h2>
<div class="charts">
<div>{weekly_chart(week_rows, "r-weekly") or "<p>Nothing delivered yet.</p>"}</div>
<div>{team_chart(team_rows, "r-teams")}
{coverage_chart([(title, had[topic], len(teams)) for topic, title in TOPICS.items()], "r-coverage") if teams else ""}</div>
<div>{topic_chart(topic_rows, "r-topics")}</div>
</div>
{gaps_summary(gaps)}
<footer>Aggregate figures only: no officer is named. Teams appear in their configured order and topics in
teaching order; nothing is ranked. Acknowledged on time means before the shift the card was posted for began.
Made by shiftbrief from its training records.</footer>"""
    return _document(body)


def headline(team_rows: Sequence[Mapping[str, Any]], reached: int) -> str:
    total = {k: sum(_int(r, k) for r in team_rows)
             for k in ("deliveries", "delivered", "acknowledged", "answered", "correct", "on_time", "late")}
    timed = total["on_time"] + total["late"]
    figures = [
        ("Officers reached", f"{reached:,}", "officers with at least one card delivered"),
        ("Cards delivered", f"{total['delivered']:,}", f"to officers, in {total['deliveries']:,} briefings posted"),
        ("Acknowledged", _share(total["acknowledged"], total["delivered"]),
         f"{total['acknowledged']:,} of {total['delivered']:,} cards delivered"),
        ("On time", _share(total["on_time"], timed) if any("on_time" in r for r in team_rows) else "not recorded",
         f"{total['on_time']:,} of {timed:,} acknowledgements of pre-shift cards came before the shift" if timed
         else "no pre-shift card acknowledged yet"),
        ("Checks right", _share(total["correct"], total["answered"]),
         f"{total['correct']:,} of {total['answered']:,} check answers"),
    ]
    items = "".join(f'<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd><dd class="detail">{escape(detail)}</dd></div>'
                    for label, value, detail in figures)
    return f'<dl class="figures">{items}</dl>'


def gaps_summary(gaps: Mapping[str, Sequence[Mapping[str, Any]]] | None) -> str:
    """What officers asked that the cards did not answer well: counts, and the most repeated questions."""
    if gaps is None:
        return ""
    order = list(TOPICS)
    asked = sorted(gaps.get("most_asked", ()), key=lambda r: order.index(r["topic"]) if r.get("topic") in order else len(order))
    topics = "; ".join(f"{r.get('title') or topic_title(str(r.get('topic')))}: {_int(r, 'count')}" for r in asked)
    unanswered, unhelpful = list(gaps.get("unanswered", ())), list(gaps.get("not_helpful", ()))

    def quoted(rows: Sequence[Mapping[str, Any]], what: str) -> str:
        if not rows:
            return "<p>None yet.</p>"
        items = "".join(f"<li>\u201c{escape(_clip(str(r.get('text', ''))))}\u201d ({_times(_int(r, 'count'))})</li>"
                        for r in rows[:LISTED])
        return f"<p>{_count(rows)} {what}; the most repeated:</p><ul>{items}</ul>"

    return f"""<h2>What officers ask</h2>
<div class="gaps">
<section aria-labelledby="g-asked"><h3 id="g-asked">Questions answered, by topic</h3>
<p>{escape(topics) if topics else "No questions answered yet."}</p></section>
<section aria-labelledby="g-unanswered"><h3 id="g-unanswered">Not answered by the cards</h3>
{quoted(unanswered, "different questions")}</section>
<section aria-labelledby="g-unhelpful"><h3 id="g-unhelpful">Answers marked not helpful</h3>
{quoted(unhelpful, "answers")}</section>
</div>"""


def _long(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def _count(rows: Sequence[object]) -> str:
    return f"{len(rows)} or more" if len(rows) >= 20 else str(len(rows))


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 140 else text[:139].rstrip() + "\u2026"


def _share(part: int, whole: int) -> str:
    return percent(part / whole) if whole else "none yet"


def _int(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    return int(value) if isinstance(value, int | float) else 0


def _document(body: str) -> str:
    css = REPORT_CSS + (STATIC / "charts.css").read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hot spots policing briefings: progress</title>
<style>{css}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


# -- the PNG ----------------------------------------------------------------------------------------
def find_browser() -> str:
    """The headless browser on PATH: `chromium`, `chromium-browser` or `google-chrome`."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PngNotWritten(
        "No browser to draw the PNG with: none of chromium, chromium-browser or google-chrome is on PATH. "
        "Install Chromium (Debian and Ubuntu: apt-get install chromium); the HTML report does not need it."
    )


def write_png(html_path: Path, png_path: Path) -> None:
    """Draw the report at `html_path` as a PNG PNG_WIDTH pixels wide and as tall as the page."""
    browser = find_browser()
    source = html_path.resolve()
    if not source.is_file():
        raise PngNotWritten(f"{html_path}: there is no report there to draw")
    target = png_path.resolve()
    target.unlink(missing_ok=True)
    height = page_height(browser, source)
    _run(browser, [f"--screenshot={target}", f"--window-size={PNG_WIDTH},{height}", source.as_uri()], target)
    if not target.is_file() or not target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n":
        raise PngNotWritten(f"{browser} ran but wrote no PNG at {png_path}")


def page_height(browser: str, source: Path) -> int:
    """How tall the page is at PNG_WIDTH: a copy with one line of script that writes its height into the
    title, read back from the browser's DOM (the report itself carries no script)."""
    html = source.read_text(encoding="utf-8")
    probe = "<script>document.title = 'height:' + document.documentElement.scrollHeight</script>"
    with tempfile.TemporaryDirectory(prefix="shiftbrief-report-") as folder:
        copy = Path(folder) / "measure.html"
        copy.write_text(html.replace("</body>", probe + "</body>", 1) if "</body>" in html else html + probe,
                        encoding="utf-8")
        dom = _run(browser, ["--dump-dom", f"--window-size={PNG_WIDTH},900", copy.as_uri()], None)
    found = re.search(r"<title>height:(\d+)</title>", dom)
    return min(max(int(found.group(1)) + 2 if found else 1600, 400), 16000)


def _run(browser: str, arguments: list[str], target: Path | None) -> str:
    """Run the browser headless with its own throw-away profile; its output, or PngNotWritten saying why."""
    with tempfile.TemporaryDirectory(prefix="shiftbrief-chromium-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-extensions", f"--user-data-dir={profile}", *arguments]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PNG_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PngNotWritten(f"{browser} did not finish within {PNG_TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise PngNotWritten(f"{browser} could not be started: {exc.strerror or exc}") from None
    if done.returncode != 0 and (target is None or not target.is_file()):
        raise PngNotWritten(f"{browser} failed (exit status {done.returncode}) drawing {arguments[-1]}")
    return done.stdout
