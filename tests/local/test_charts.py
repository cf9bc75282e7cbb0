"""Charts that read without colour: every bar's value is written beside it, each series has its own pattern
as well as its own shade, a legend says which is which in words, and a week with no check answered says
"no answers yet" rather than 0%. At a 390 px phone the text is never drawn below 12 px."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bot.local.charts import FONT, MAX_GROUPS, WIDTH, coverage_chart, team_chart, topic_chart, weekly_chart

CSS = (Path(__file__).resolve().parents[2] / "bot" / "local" / "static" / "charts.css").read_text(encoding="utf-8")
SVG = "{http://www.w3.org/2000/svg}"


def week(monday: str, delivered: int, acknowledged: int, answered: int, correct: int) -> dict[str, object]:
    return {"week": monday, "deliveries": 1, "delivered": delivered, "acknowledged": acknowledged,
            "ack_rate": round(acknowledged / delivered, 3) if delivered else None, "answered": answered,
            "correct": correct, "correct_rate": round(correct / answered, 3) if answered else None}


WEEKS = [week("2026-11-16", 3, 2, 2, 1), week("2026-11-23", 3, 3, 2, 0), week("2026-11-30", 3, 1, 0, 0)]


def parse(figure: str) -> ET.Element:
    """The figure as XML (it is written to be well-formed), with the SVG in its own namespace."""
    return ET.fromstring(figure.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def texts(figure: str) -> list[str]:
    return [t.text or "" for t in parse(figure).iter(f"{SVG}text")]


def bar_values(figure: str) -> list[tuple[str, str]]:
    """(the value written beside each bar, the bar's own title) in order."""
    return [(g.find(f"{SVG}text").text or "", g.find(f"{SVG}title").text or "")  # type: ignore[union-attr]
            for g in parse(figure).iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]


def test_every_bar_carries_its_value_in_text() -> None:
    figure = weekly_chart(WEEKS)
    assert [value for value, _title in bar_values(figure)] == ["67%", "50%", "100%", "0%", "33%", "no answers yet"]
    written = texts(figure)
    assert "Week of 16 Nov 2026" in written and "Week of 30 Nov 2026" in written


def test_a_week_with_no_answers_says_so_and_a_week_of_wrong_answers_says_0_percent() -> None:
    figure = weekly_chart(WEEKS)
    values = dict((title, value) for value, title in bar_values(figure))
    assert values["Week of 30 Nov 2026: check answers right: no answers yet."] == "no answers yet"  # none answered
    assert values["Week of 23 Nov 2026: 0 of 2 check answers were right (0%)."] == "0%"  # two answered, both wrong


def test_each_series_has_its_own_pattern_and_a_legend_in_words() -> None:
    root = parse(weekly_chart(WEEKS))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"weekly-lines", "weekly-dots"}
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect") if (r.get("fill") or "").startswith("url(")}
    assert fills == {"url(#weekly-lines)", "url(#weekly-dots)"}
    legend = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "legend" for t in g.iter(f"{SVG}text")]
    assert legend == ["Acknowledged", "Check answers right"]
    caption = "".join(next(root.iter("figcaption")).itertext())
    assert "diagonal lines: acknowledged" in caption and "dots: check answers right" in caption


def test_a_screen_reader_gets_a_title_every_value_and_a_summary() -> None:
    figure = weekly_chart(WEEKS)
    root = parse(figure)
    svg = next(root.iter(f"{SVG}svg"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "weekly-title weekly-desc"
    assert next(svg.iter(f"{SVG}title")).text == "Progress week by week"
    description = next(svg.iter(f"{SVG}desc")).text or ""
    assert "Week of 16 Nov 2026: 2 of 3 cards delivered were acknowledged (67%)." in description
    assert "Week of 23 Nov 2026: 0 of 2 check answers were right (0%)." in description
    assert "That week: 1 of 3 cards delivered were acknowledged (33%)" in "".join(next(root.iter("figcaption")).itertext())


def test_text_is_never_drawn_below_12_px_on_a_390_px_phone() -> None:
    """The SVG is WIDTH units wide and charts.css never draws it narrower than WIDTH px: one unit is at least
    one pixel, so 13-unit text is at least 13 px. WIDTH fits a 390 px phone's content width; narrower, the
    chart scrolls inside its own box (not the page)."""
    svg = next(parse(weekly_chart(WEEKS)).iter(f"{SVG}svg"))
    assert svg.get("viewBox", "").startswith(f"0 0 {WIDTH} ") and svg.get("width") == str(WIDTH)
    assert int(svg.get("font-size", "0")) == FONT >= 12
    assert all("font-size" not in (t.attrib) for t in svg.iter(f"{SVG}text"))  # nothing smaller anywhere
    assert re.search(rf"\.chart svg \{{[^}}]*min-width: {WIDTH}px", CSS)
    assert re.search(r"\.chart-scroll \{[^}]*overflow-x: auto", CSS)
    assert WIDTH <= 390 - 2 * 16 - 2 * 16  # the phone, less the page's and the section's padding


def test_nothing_to_draw_draws_nothing() -> None:
    assert weekly_chart([]) == team_chart([]) == topic_chart([]) == coverage_chart([]) == ""


def test_team_names_are_text_not_markup() -> None:
    figure = team_chart([{**week("x", 2, 1, 0, 0), "team": "t", "name": "<script>alert(1)</script>"}])
    assert "<script>" not in figure and "&lt;script&gt;" in figure
    parse(figure)


def test_many_teams_are_counted_in_bands_of_acknowledgement_not_named_one_by_one() -> None:
    rows = [{**week("x", 10, n % 10, 0, 0), "team": f"t-{n}", "name": f"Team {n}"} for n in range(MAX_GROUPS + 6)]
    figure = team_chart(rows)
    written = texts(figure)
    assert not any(t.startswith("Team ") for t in written)
    assert "Acknowledged 80% or more" in written
    assert ("6 teams", "6 teams acknowledged 80% or more.") in bar_values(figure)  # 8 and 9 of 10, three times each
    assert "no team is named or ranked" in figure


def test_two_charts_on_one_page_do_not_share_ids() -> None:
    first, second = weekly_chart(WEEKS, "a"), weekly_chart(WEEKS, "b")
    ids = re.findall(r'id="([^"]+)"', first + second)
    assert len(ids) == len(set(ids))


def test_coverage_counts_teams_per_topic() -> None:
    figure = coverage_chart([("Displacement", 1, 2), ("The evidence", 2, 2)])
    assert bar_values(figure) == [("1 of 2 teams", "Displacement: delivered to 1 of 2 teams."),
                                  ("2 of 2 teams", "The evidence: delivered to 2 of 2 teams.")]
    assert "1 of them delivered to every team" in figure
