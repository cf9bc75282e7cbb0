"""Bar charts as inline SVG that read without colour: every bar carries its value in text, each series has
its own pattern as well as its own shade, a legend says in words which is which, and the figure has a
title, a description listing every value (for screen readers) and a visible summary.

Bars run across, one group per week, team or topic, so the chart grows downwards and never wider than
WIDTH: at a 390 px phone it fits without scaling its 13 px text down (charts.css keeps it at least WIDTH
wide and lets it scroll inside its own box on anything narrower). A share that cannot be worked out
(no check answered yet) says so in words, never 0%. Used by the dashboard and the leadership report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

WIDTH = 320
"""The chart's width in its own units, and the narrowest it is ever drawn (charts.css), in CSS pixels."""
FONT = 13
"""Text size in chart units: never drawn below 13 px, so at least 12 px at any zoom a phone starts at."""
LABEL_H, BAR_H, BAR_GAP, GROUP_GAP, LEGEND_H, AXIS_H = 18, 14, 4, 12, 26, 22
BAR_X, BAR_MAX = 4, 200
MAX_LABEL = 42
MAX_GROUPS = 24
"""More teams than this are drawn as how many teams fall in each band of acknowledgement, not one bar each."""
WEEKS = 12
NO_ANSWERS = "no answers yet"
NOTHING_DELIVERED = "nothing delivered"


@dataclass(frozen=True)
class Series:
    """One kind of bar: its legend text, and the pattern that tells it apart without colour."""

    label: str
    pattern: str  # a key of PATTERNS


@dataclass(frozen=True)
class Bar:
    share: float | None
    """From 0 to 1; None when there is nothing to divide by (the bar is not drawn and `text` says why)."""
    text: str
    """The value, written beside the bar."""
    title: str
    """The whole sentence, for screen readers and on hover."""


@dataclass(frozen=True)
class Group:
    label: str
    bars: tuple[Bar, ...]  # one per series, in the order of the series


PATTERNS: Mapping[str, tuple[str, str]] = {
    # key: (how the legend describes it, the SVG pattern: a shade, and a texture on it)
    "lines": ("diagonal lines", '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" '
              'patternTransform="rotate(45)"><rect width="6" height="6" fill="#0b4f8a"/>'
              '<rect width="2" height="6" fill="#ffffff"/></pattern>'),
    "dots": ("dots", '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse">'
             '<rect width="6" height="6" fill="#d3e4f4"/><circle cx="3" cy="3" r="1.6" fill="#0b4f8a"/></pattern>'),
    "grid": ("a grid", '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse">'
             '<rect width="6" height="6" fill="#8fb3d6"/><path d="M0 0.5H6M0.5 0V6" stroke="#1b1f24" '
             'stroke-width="1"/></pattern>'),
}
ACKNOWLEDGED = Series("Acknowledged", "lines")
RIGHT = Series("Check answers right", "dots")
TEAMS = Series("Teams", "grid")


def bar_chart(chart_id: str, title: str, series: Sequence[Series], groups: Sequence[Group], summary: str) -> str:
    """A figure with one SVG chart: `groups` of bars, one bar per series, each with its value in text.
    `chart_id` must be unique on the page (it prefixes the ids inside)."""
    rows_h = len(series) * (BAR_H + BAR_GAP)
    height = LEGEND_H + len(groups) * (LABEL_H + rows_h + GROUP_GAP) + AXIS_H
    defs = "".join(PATTERNS[s.pattern][1].format(id=f"{chart_id}-{s.pattern}") for s in series)
    parts = [_legend(chart_id, series)]
    y = LEGEND_H
    for group in groups:
        parts.append(f'<text x="{BAR_X}" y="{y + FONT}" font-weight="600">{escape(_short(group.label))}</text>')
        y += LABEL_H
        for s, bar in zip(series, group.bars, strict=True):
            parts.append(_bar(chart_id, s, bar, y))
            y += BAR_H + BAR_GAP
        y += GROUP_GAP
    parts.append(_axis(y, height))
    described = " ".join(bar.title for group in groups for bar in group.bars)
    words = "; ".join(f"{PATTERNS[s.pattern][0]}: {s.label.lower()}" for s in series)
    return f"""<figure class="chart" id="{chart_id}">
  <div class="chart-scroll">
  <svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img"
    aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" font-size="{FONT}">
  <title id="{chart_id}-title">{escape(title)}</title>
  <desc id="{chart_id}-desc">{escape(described)}</desc>
  <defs>{defs}</defs>
  {''.join(parts)}
  </svg>
  </div>
  <figcaption><strong>{escape(title)}.</strong> Bars with {escape(words)}. {escape(summary)}</figcaption>
</figure>"""


def _legend(chart_id: str, series: Sequence[Series]) -> str:
    items, x = [], BAR_X
    for s in series:
        items.append(f'<rect x="{x}" y="5" width="14" height="14" fill="url(#{chart_id}-{s.pattern})" '
                     f'stroke="#1b1f24" stroke-width="1"/><text x="{x + 19}" y="17">{escape(s.label)}</text>')
        x += 19 + round(len(s.label) * FONT * 0.55) + 14
    return f'<g class="legend">{"".join(items)}</g>'


def _bar(chart_id: str, series: Series, bar: Bar, y: int) -> str:
    length = 0.0 if bar.share is None else round(max(0.0, min(1.0, bar.share)) * BAR_MAX, 1)
    shape = (f'<rect x="{BAR_X}" y="{y}" width="{length}" height="{BAR_H}" fill="url(#{chart_id}-{series.pattern})" '
             f'stroke="#1b1f24" stroke-width="1"/>') if length else ""
    return (f"<g><title>{escape(bar.title)}</title>{shape}"
            f'<text x="{BAR_X + length + 5}" y="{y + BAR_H - 2}">{escape(bar.text)}</text></g>')


def _axis(y: int, height: int) -> str:
    """A baseline from 0% to 100% with its marks, and a faint line at 100% for reading the bars against."""
    marks = "".join(
        f'<text x="{BAR_X + BAR_MAX * share}" y="{height - 5}" text-anchor="{anchor}">{share:.0%}</text>'
        for share, anchor in ((0, "start"), (0.5, "middle"), (1, "middle"))
    )
    right = BAR_X + BAR_MAX
    return (f'<line x1="{right}" y1="{LEGEND_H}" x2="{right}" y2="{y}" stroke="#8a949e" stroke-dasharray="3 3"/>'
            f'<line x1="{BAR_X}" y1="{y}" x2="{right}" y2="{y}" stroke="#1b1f24"/>{marks}')


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "\u2026"


# -- the charts the dashboard and the report draw --------------------------------------------------
def weekly_chart(rows: Sequence[Mapping[str, Any]], chart_id: str = "weekly", weeks: int = WEEKS) -> str:
    """Acknowledged and answered-right shares week by week (the last `weeks` of `rows`, oldest first)."""
    shown = list(rows)[-weeks:]
    if not shown:
        return ""
    groups = [Group(f"Week of {day(r['week'])}", (acknowledged_bar(r), right_bar(r))) for r in shown]
    last = shown[-1]
    summary = (f"{len(shown)} week{'s' if len(shown) != 1 else ''} to the week of {day(last['week'])}, oldest first. "
               f"That week: {acknowledged_words(last)}; {right_words(last)}.")
    return bar_chart(chart_id, "Progress week by week", (ACKNOWLEDGED, RIGHT), groups, summary)


def team_chart(rows: Sequence[Mapping[str, Any]], chart_id: str = "teams") -> str:
    """Acknowledged and answered-right shares per team in configured order; with more than MAX_GROUPS
    teams, how many teams fall in each band of acknowledgement instead (no team named)."""
    if not rows:
        return ""
    total = _total(rows)
    if len(rows) > MAX_GROUPS:
        return band_chart(rows, chart_id)
    groups = [Group(str(r.get("name") or r.get("team")), (acknowledged_bar(r), right_bar(r))) for r in rows]
    summary = f"{len(rows)} teams, in their configured order. All together: {acknowledged_words(total)}; {right_words(total)}."
    return bar_chart(chart_id, "Progress by team", (ACKNOWLEDGED, RIGHT), groups, summary)


BANDS = ((0.0, 0.2, "under 20%"), (0.2, 0.4, "20% to 39%"), (0.4, 0.6, "40% to 59%"), (0.6, 0.8, "60% to 79%"),
         (0.8, 1.01, "80% or more"))


def band_chart(rows: Sequence[Mapping[str, Any]], chart_id: str = "teams") -> str:
    """How many teams acknowledged each band of the cards delivered to them: a picture of many teams at once."""
    shares = [_share(r, "ack_rate", "acknowledged", "delivered") for r in rows]
    counted = [s for s in shares if s is not None]
    groups = []
    for low, high, words in BANDS:
        n = sum(1 for s in counted if low <= s < high)
        text = f"{n} team{'s' if n != 1 else ''}"
        groups.append(Group(f"Acknowledged {words}", (Bar(n / len(rows), text, f"{text} acknowledged {words}."),)))
    if len(counted) < len(rows):
        n = len(rows) - len(counted)
        text = f"{n} team{'s' if n != 1 else ''}"
        groups.append(Group("Nothing delivered yet", (Bar(n / len(rows), text, f"{text} had nothing delivered."),)))
    summary = (f"{len(rows)} teams; each bar counts the teams in one band of acknowledgement (no team is named or "
               f"ranked). All together: {acknowledged_words(_total(rows))}.")
    return bar_chart(chart_id, "Teams by share of cards acknowledged", (TEAMS,), groups, summary)


def topic_chart(rows: Sequence[Mapping[str, Any]], chart_id: str = "topics") -> str:
    """Acknowledged and answered-right shares per topic, in teaching order."""
    if not rows:
        return ""
    groups = [Group(str(r.get("title") or r.get("topic")), (acknowledged_bar(r), right_bar(r))) for r in rows]
    total = _total(rows)
    summary = f"{len(rows)} topics delivered, in teaching order. All together: {right_words(total)}."
    return bar_chart(chart_id, "Progress by topic", (ACKNOWLEDGED, RIGHT), groups, summary)


def coverage_chart(coverage: Sequence[tuple[str, int, int]], chart_id: str = "coverage") -> str:
    """For each topic (title, teams that have had it, teams in all): how many teams it has reached."""
    if not coverage:
        return ""
    groups = []
    for title, had, teams in coverage:
        text = f"{had} of {teams} team{'s' if teams != 1 else ''}"
        groups.append(Group(title, (Bar(had / teams if teams else None, text, f"{title}: delivered to {text}."),)))
    everywhere = sum(1 for _title, had, teams in coverage if teams and had == teams)
    summary = (f"{len(coverage)} topics, in teaching order; {everywhere} of them delivered to every team.")
    return bar_chart(chart_id, "Topics each team has had", (Series("Teams that have had the topic", "grid"),),
                     groups, summary)


# -- words for a row's figures: one place, so a chart, its summary and a table never disagree --------------
def acknowledged_bar(row: Mapping[str, Any]) -> Bar:
    share = _share(row, "ack_rate", "acknowledged", "delivered")
    return Bar(share, percent(share) if share is not None else NOTHING_DELIVERED,
               f"{_label_of(row)}: {acknowledged_words(row)}.")


def right_bar(row: Mapping[str, Any]) -> Bar:
    share = _share(row, "correct_rate", "correct", "answered")
    return Bar(share, percent(share) if share is not None else NO_ANSWERS, f"{_label_of(row)}: {right_words(row)}.")


def acknowledged_words(row: Mapping[str, Any]) -> str:
    share = _share(row, "ack_rate", "acknowledged", "delivered")
    if share is None:
        return "no cards delivered yet"
    return f"{_int(row, 'acknowledged'):,} of {_int(row, 'delivered'):,} cards delivered were acknowledged ({percent(share)})"


def right_words(row: Mapping[str, Any]) -> str:
    share = _share(row, "correct_rate", "correct", "answered")
    if share is None:
        return f"check answers right: {NO_ANSWERS}"
    return f"{_int(row, 'correct'):,} of {_int(row, 'answered'):,} check answers were right ({percent(share)})"


def percent(share: float) -> str:
    return f"{share:.0%}"


def day(iso_date: object) -> str:
    """`2026-11-23` as `23 Nov 2026`; anything else as it is."""
    try:
        when = date.fromisoformat(str(iso_date))
    except ValueError:
        return str(iso_date)
    return f"{when.day} {when:%b %Y}"


def _label_of(row: Mapping[str, Any]) -> str:
    if "week" in row:
        return f"Week of {day(row['week'])}"
    return str(row.get("title") or row.get("name") or row.get("team") or row.get("topic") or "")


def _share(row: Mapping[str, Any], rate: str, part: str, whole: str) -> float | None:
    """The row's own rate when it has one, else worked out from its counts; None with nothing to divide by."""
    if rate in row:
        value = row[rate]
        return None if value is None else float(value)
    return _int(row, part) / _int(row, whole) if _int(row, whole) else None


def _int(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    return int(value) if isinstance(value, int | float) else 0


def _total(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {key: sum(_int(r, key) for r in rows) for key in ("delivered", "acknowledged", "answered", "correct")}
