"""The dashboard: acknowledgement and understanding by team, officer, topic or week, which topics each team
has had, and what officers ask; each table also as a CSV download of exactly what it shows.

`GET /dashboard` and `GET /dashboard.csv` take `view` (team, officer, topic, week), `team` (a team id),
`since` (a local date, YYYY-MM-DD); the CSV also `table` (which table: TABLES) and `names` (1: a
coordinator's officer export with names). Anything else, or a value the page could not have sent, is a
400 with one line. Who may see what is the core's: `Core.stats` refuses officers and other teams'
figures and audits every officer-level view and export, `Core.content_gaps` is for coordinators. Rows come
in the core's order (officers by name, teams as configured, topics in teaching order, weeks in time
order), never ranked.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, tzinfo
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiMapping

from bot.config import SLUG
from bot.core import Core, CoreError, InvalidInput, NotFound, NotRecorded, Refused, Role
from bot.core.roles import Actor
from bot.core.stats import columns
from bot.local.charts import (
    NO_ANSWERS,
    NOTHING_DELIVERED,
    acknowledged_words,
    percent,
    right_words,
    team_chart,
    topic_chart,
    weekly_chart,
)
from bot.local.layout import DASHBOARD, HEADERS, flash_html, flash_of, header, page
from bot.local.render import attr
from content.topics import TOPICS, topic_title

log = logging.getLogger(__name__)
PAGE, CSV_PATH = DASHBOARD, "/dashboard.csv"
VIEWS: Mapping[str, str] = {"team": "By team", "officer": "By officer", "topic": "By topic", "week": "By week"}
TABLES = ("view", "coverage", "understanding", "most-asked", "unanswered", "not-helpful")
PAGE_PARAMETERS = ("view", "team", "since")
CSV_PARAMETERS = (*PAGE_PARAMETERS, "table", "names")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STYLESHEETS = ("workspace.css", "charts.css")
COVERAGE_TEAMS = 40
"""The most teams the coverage table is worked out for at once (a core call per team): choose a team for more."""
ROW_HEADER = {"team": "name", "officer": "name", "topic": "title", "week": "week"}
HIDDEN = {"team": {"team"}, "topic": {"topic"}}  # the id beside a name people read; the name says it
HEADINGS = {
    "officer": "Officer id", "name": "Name", "team": "Team id", "title": "Topic", "topic": "Topic id",
    "week": "Week of (Monday)", "deliveries": "Cards posted", "delivered": "Cards delivered",
    "acknowledged": "Acknowledged", "ack_rate": "Acknowledged share", "on_time": "Acknowledged on time",
    "late": "Acknowledged late", "median_ack_minutes": "Median minutes to acknowledge", "answered": "Check answers",
    "correct": "Right", "wrong": "Wrong", "correct_rate": "Right share", "topics_reached": "Topics reached",
    "topics_never_reached": "Topics never reached",
}
ActorOf = Callable[[web.Request], Awaitable[Actor | None]]


def add_routes(app: web.Application, core: Core, actor_of: ActorOf) -> list[str]:
    """Add the dashboard's routes; return their paths (bot/app.py keeps them to this machine)."""
    dashboard = Dashboard(core, actor_of)
    routes = [app.router.add_get(PAGE, dashboard.page), app.router.add_get(CSV_PATH, dashboard.csv)]
    return [route.resource.canonical for route in routes if route.resource is not None]


# -- the query --------------------------------------------------------------------------------------
class BadQuery(ValueError):
    """A query string the dashboard's own links and forms could not have made; the message says what."""


@dataclass(frozen=True)
class Query:
    view: str = "team"
    team: str | None = None
    since: date | None = None
    table: str = "view"
    names: bool = False

    def link(self, path: str = PAGE, **changes: Any) -> str:
        """This query's URL (with `changes`), leaving out what is at its default."""
        q = replace(self, **changes)
        params = [("view", q.view), ("team", q.team or ""), ("since", q.since.isoformat() if q.since else "")]
        if path == CSV_PATH:
            params += [("table", "" if q.table == "view" else q.table), ("names", "1" if q.names else "")]
        text = urlencode([(k, v) for k, v in params if v])
        return path + ("?" + text if text else "")


def parse_query(query: MultiMapping[str], allowed: Sequence[str]) -> Query:
    """The dashboard's parameters, each checked; an empty value is the same as leaving it out."""
    for key in set(query.keys()):
        if key not in allowed:
            raise BadQuery(f"unknown parameter {ascii(key)[:40]}; expected {', '.join(allowed)}")
        if len(query.getall(key)) > 1:
            raise BadQuery(f"`{key}` is given more than once")
    view = query.get("view", "") or "team"
    if view not in VIEWS:
        raise BadQuery(f"`view` must be one of {', '.join(VIEWS)}")
    team = query.get("team", "") or None
    if team is not None and not SLUG.match(team):
        raise BadQuery("`team` must be a team id, like response-a")
    since = None
    if given := query.get("since", ""):
        try:
            since = date.fromisoformat(given) if DATE.match(given) else None
        except ValueError:
            since = None
        if since is None or not 2000 <= since.year <= 2100:
            raise BadQuery("`since` must be a date from 2000 to 2100 written YYYY-MM-DD, like 2026-11-02")
    table = query.get("table", "") or "view"
    if table not in TABLES:
        raise BadQuery(f"`table` must be one of {', '.join(TABLES)}")
    names = query.get("names", "")
    if names not in ("", "1"):
        raise BadQuery("`names` must be 1 or left out")
    return Query(view, team, since, table, names == "1")


# -- tables -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One table as shown: the same cells go to the page and to its CSV."""

    key: str
    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "Nothing yet."
    kind: str = ""
    """A class for the page's styles (`by-week`: dates that must not wrap)."""

    def html(self, download: str = "") -> str:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in self.headings)
        body = "".join(
            f'<tr><th scope="row">{escape(row[0])}</th>{"".join(f"<td>{escape(c)}</td>" for c in row[1:])}</tr>'
            for row in self.rows
        ) or f'<tr><td colspan="{len(self.headings)}">{escape(self.empty)}</td></tr>'
        return f"""<div class="table-scroll" role="region" aria-labelledby="{self.key}-caption" tabindex="0">
  <table id="{self.key}-table"{f' class="{self.kind}"' if self.kind else ""}><caption id="{self.key}-caption">{escape(self.caption)}</caption>
  <thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
  </div>{download}"""

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([spreadsheet_cell(h) for h in self.headings])
        writer.writerows([spreadsheet_cell(c) for c in row] for row in self.rows)
        return out.getvalue()


def spreadsheet_cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting =, +, -, @, tab or CR gets a '
    (as bot/cli.py's spreadsheet_cell, which this layer may not import)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def stats_table(key: str, caption: str, by: str, rows: Sequence[Mapping[str, Any]], empty: str) -> Table:
    """The core's rows as a table: the row's name first, then its columns in the core's order (ids that sit
    beside a name left out), any column the table does not know shown as it comes."""
    keys = list(rows[0]) if rows else [k for k in columns([], by) if k != "name" or by != "officer"]
    for row in rows[1:]:
        keys += [k for k in row if k not in keys]
    first = ROW_HEADER[by] if ROW_HEADER[by] in keys else keys[0]
    shown = [first, *(k for k in keys if k != first and k not in HIDDEN.get(by, ()))]
    headings = tuple("Team" if (by, k) == ("team", "name") else _heading(k) for k in shown)
    return Table(key, caption, headings, tuple(tuple(cell(k, row.get(k)) for k in shown) for row in rows), empty,
                 f"by-{by}")


def _heading(key: str) -> str:
    return HEADINGS.get(key) or key.replace("_", " ").capitalize()


def cell(key: str, value: object) -> str:
    """A figure as the dashboard writes it, in the page and the CSV alike."""
    if value is None:
        return {"correct_rate": NO_ANSWERS, "ack_rate": NOTHING_DELIVERED, "median_ack_minutes": "none yet"}.get(key, "")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_rate") and isinstance(value, int | float):
        return percent(float(value))
    if key == "topics_never_reached" and isinstance(value, list | tuple):
        return "; ".join(topic_title(str(t)) for t in value) or "none"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def coverage_table(teams: Sequence[tuple[str, str]], per_team: Sequence[Mapping[str, int]]) -> Table:
    """Which topics each team has had: a row per team (id, name), a column per topic in teaching order,
    from the cards posted to each team on each topic (Core.coverage)."""
    topics = list(TOPICS)
    for counts in per_team:
        topics += [topic for topic in counts if topic not in topics]
    body = []
    for (_team_id, name), posted in zip(teams, per_team, strict=True):
        cells = [_cards(posted[t]) if posted.get(t) else "not yet" for t in topics]
        had = sum(1 for t in TOPICS if posted.get(t))
        body.append((name, *cells, f"{had} of {len(TOPICS)}"))
    headings = ("Team", *(topic_title(t) for t in topics), "Topics had")
    return Table("coverage", "Topic coverage: cards posted to each team on each topic", headings, tuple(body),
                 "No teams to show.")


def _cards(n: int) -> str:
    return f"{n} card{'s' if n != 1 else ''}"


VIEW_CAPTIONS = {
    "team": "Cards posted, delivered, acknowledged and answered, by team (in configured order)",
    "officer": "Each officer's cards, acknowledgements and check answers (by name)",
    "topic": "Cards posted, delivered, acknowledged and answered, by topic (in teaching order)",
    "week": "Cards posted, delivered, acknowledged and answered, week by week",
}


def view_table(view: str, rows: Sequence[Mapping[str, Any]]) -> Table:
    return stats_table("view", VIEW_CAPTIONS[view], view, rows, "Nothing delivered yet.")


def understanding_table(topic_rows: Sequence[Mapping[str, Any]]) -> Table:
    keys = ("title", "answered", "correct", "wrong", "correct_rate")
    body = tuple(
        tuple(cell(k, r.get(k, _int(r, "answered") - _int(r, "correct") if k == "wrong" else None)) for k in keys)
        for r in topic_rows
    )
    return Table("understanding", "Understanding by topic: check answers right and wrong",
                 ("Topic", *(_heading(k) for k in keys[1:])), body, "No check answers yet.")


def gap_tables(gaps: Mapping[str, Sequence[Mapping[str, Any]]], card_title: Callable[[str], str],
               zone: tzinfo) -> list[Table]:
    """The content-gap lists: the topics asked about (in teaching order), then the questions left unanswered
    and the answers marked not helpful, most repeated first (a list of work, not of people)."""
    order = list(TOPICS)
    asked = sorted(gaps.get("most_asked", ()), key=lambda r: (order.index(r["topic"]) if r.get("topic") in order
                                                             else len(order), str(r.get("topic"))))
    return [
        Table("most-asked", "Topics officers asked about (questions answered from each topic's cards)",
              ("Topic", "Questions"), tuple((str(r.get("title") or topic_title(str(r.get("topic")))),
                                              cell("count", r.get("count"))) for r in asked),
              "No questions answered yet."),
        Table("unanswered", "Questions the cards did not answer, most repeated first",
              ("Question", "Times asked", "Last asked"),
              tuple((str(r.get("text", "")), cell("count", r.get("count")), _local(r.get("asked_at"), zone))
                    for r in gaps.get("unanswered", ())), "No unanswered questions."),
        Table("not-helpful", "Answers marked not helpful, most repeated first",
              ("Question", "Card answered from", "Times marked not helpful"),
              tuple((str(r.get("text", "")), card_title(str(r.get("card_id"))) if r.get("card_id") else "",
                     cell("count", r.get("count"))) for r in gaps.get("not_helpful", ())),
              "No answers marked not helpful."),
    ]


def _local(stored: object, zone: tzinfo) -> str:
    """A stored UTC time as local `YYYY-MM-DD HH:MM`; anything unreadable as it is."""
    try:
        moment = datetime.fromisoformat(str(stored))
    except ValueError:
        return str(stored or "")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _int(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    return int(value) if isinstance(value, int | float) else 0


def progress_summary(team_rows: Sequence[Mapping[str, Any]]) -> str:
    """One sentence over the teams' rows, for the workspace page."""
    if not team_rows:
        return "Nothing has been posted yet."
    total = {k: sum(_int(r, k) for r in team_rows) for k in ("delivered", "acknowledged", "answered", "correct")}
    n = len(team_rows)
    return f"Across {n} team{'s' if n != 1 else ''}: {acknowledged_words(total)}; {right_words(total)}."


# -- the routes -------------------------------------------------------------------------------------
class Dashboard:
    def __init__(self, core: Core, actor_of: ActorOf) -> None:
        self.core = core
        self.actor_of = actor_of

    async def page(self, request: web.Request) -> web.StreamResponse:
        try:
            q = parse_query(request.query, PAGE_PARAMETERS)
        except BadQuery as exc:
            raise _bad_request(request, str(exc)) from None
        actor = await self.actor_of(request)
        if actor is None:
            return _refusal_page("Choose who you are on the workspace page first.", 403)
        flash = flash_of(request)  # a message from the workspace's last form (a coordinator lands here)
        try:
            body = await self.body(actor, q, flash)
        except CoreError as exc:
            return self.core_error(request, exc, page=True)
        return page("Dashboard", body, flashed=bool(flash), main_class="dashboard", stylesheets=STYLESHEETS)

    async def csv(self, request: web.Request) -> web.StreamResponse:
        try:
            q = parse_query(request.query, CSV_PARAMETERS)
        except BadQuery as exc:
            raise _bad_request(request, str(exc)) from None
        actor = await self.actor_of(request)
        if actor is None:
            return _one_line(403, "Refused: choose who you are on the workspace page first.")
        try:
            table = await self.table(actor, q)
        except CoreError as exc:
            return self.core_error(request, exc, page=False)
        except BadQuery as exc:
            raise _bad_request(request, str(exc)) from None
        name = f"shiftbrief-{q.view if q.table == 'view' else q.table}-{q.team or 'all-teams'}"
        name += f"-since-{q.since.isoformat()}" if q.since else ""
        return web.Response(body=("\ufeff" + table.csv()).encode("utf-8"), content_type="text/csv", charset="utf-8",
                            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}.csv"'})

    def core_error(self, request: web.Request, exc: CoreError, page: bool) -> web.StreamResponse:
        """The core's refusal as it says it: a team or date it does not know is a bad request (400, one line);
        a refusal is 403, a database too busy to audit 503, on a page with the way back or as one line."""
        if isinstance(exc, NotFound | InvalidInput):
            raise _bad_request(request, str(exc).rstrip("."))
        status = 503 if isinstance(exc, NotRecorded) else 403
        return _refusal_page(str(exc), status) if page else _one_line(status, f"Refused: {exc}")

    # -- what is shown ------------------------------------------------------------------------------
    def since(self, q: Query) -> datetime | None:
        return datetime.combine(q.since, time(0), tzinfo=self.core.timezone) if q.since else None

    def officers_need_a_team(self, actor: Actor, q: Query) -> bool:
        """A view of officers is one team's: not a whole force's names in one page (each view is audited)."""
        return q.view == "officer" and q.team is None and len(self.core.teams_led_by(actor)) > 1

    async def view_rows(self, actor: Actor, q: Query, export: bool = False) -> list[dict[str, Any]] | None:
        """The rows of the chosen view, or None for a view of officers that needs a team first. Shown on the
        page with names; exported with names only when a coordinator asks (the core decides)."""
        if self.officers_need_a_team(actor, q):
            return None
        return await self.core.stats(actor, by=q.view, team_id=q.team, since=self.since(q), export=export,
                                     names=q.names or not export)

    def teams_shown(self, actor: Actor, q: Query, team_rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """(id, name) of each team the coverage covers: the one chosen, else those the person leads in
        configured order, then any others on record the core reported (a disbanded team keeps its history)."""
        on_record = {str(r.get("team")): str(r.get("name") or r.get("team")) for r in team_rows}
        if q.team is not None:
            return [(q.team, on_record.get(q.team) or self.team_name(q.team))]
        led = [(t.id, t.name) for t in self.core.teams_led_by(actor)]
        return led + [(tid, name) for tid, name in on_record.items() if tid not in dict(led)]

    def team_name(self, team_id: str) -> str:
        try:
            return self.core.team(team_id).name
        except CoreError:
            return team_id

    async def coverage(self, actor: Actor, q: Query, team_rows: Sequence[Mapping[str, Any]],
                       export: bool = False) -> Table | int:
        """The coverage table, or how many teams there are when that is more than COVERAGE_TEAMS."""
        teams = self.teams_shown(actor, q, team_rows)
        if len(teams) > COVERAGE_TEAMS:
            return len(teams)
        posted = await self.core.coverage(actor, team_id=q.team, since=self.since(q))
        return coverage_table(teams, [posted.get(team_id, {}) for team_id, _ in teams])

    async def gaps(self, actor: Actor) -> list[Table]:
        gaps = await self.core.content_gaps(actor)
        return gap_tables(gaps, self.core.card_title, self.core.timezone)

    async def table(self, actor: Actor, q: Query) -> Table:
        """The one table a CSV download asks for, computed as the page computes it; BadQuery for one the page
        does not show (officers without a team, coverage of too many teams)."""
        since = self.since(q)
        if q.table == "view":
            rows = await self.view_rows(actor, q, export=True)
            if rows is None:
                raise BadQuery("the officer view needs a team (`team`): choose one on the dashboard")
            return view_table(q.view, rows)
        if q.table == "coverage":
            coverage = await self.coverage(actor, q, await self.core.stats(actor, by="team", team_id=q.team,
                                                                            since=since, export=True), export=True)
            if isinstance(coverage, int):
                raise BadQuery(f"the coverage table covers up to {COVERAGE_TEAMS} teams at once and there are "
                               f"{coverage}: choose a team (`team`)")
            return coverage
        if q.table == "understanding":
            return understanding_table(await self.core.stats(actor, by="topic", team_id=q.team, since=since,
                                                             export=True))
        return next(t for t in await self.gaps(actor) if t.key == q.table)

    async def body(self, actor: Actor, q: Query, flash: str = "") -> str:
        since = self.since(q)
        team_rows = await self.core.stats(actor, by="team", team_id=q.team, since=since)
        topic_rows = await self.core.stats(actor, by="topic", team_id=q.team, since=since)
        rows = {"team": team_rows, "topic": topic_rows}.get(q.view)
        if rows is None:
            rows = await self.view_rows(actor, q)
        teams = self.team_choices(actor, q, team_rows)
        parts = [header(self.core, actor, PAGE, brand="dashboard"), flash_html(flash), self.intro(actor, q, team_rows),
                 self.filters(actor, q, teams), self.tabs(q)]
        parts.append(self.view_section(actor, q, rows, teams))
        parts.append(self.coverage_section(q, await self.coverage(actor, q, team_rows)))
        if q.view != "topic":
            parts.append(self.section("understanding", "Understanding by topic",
                                      "Check answers right and wrong on each topic's cards.",
                                      understanding_table(topic_rows), q, topic_chart(topic_rows)))
        parts.append(await self.gaps_section(actor, q))
        return "\n".join(parts)

    def intro(self, actor: Actor, q: Query, team_rows: Sequence[Mapping[str, Any]]) -> str:
        if q.team:
            scope = escape(next((str(r["name"]) for r in team_rows if r.get("team") == q.team), self.team_name(q.team)))
        else:
            scope = "every team" if self.core.role(actor) is Role.COORDINATOR else "your teams"
        when = f"from {escape(_day(q.since))}" if q.since else "all records"
        return f"""<h1>Progress dashboard</h1>
<p class="scope">Showing {scope}, {when}. Rows come in a fixed order (officers by name, teams as configured,
topics in teaching order, weeks in time order), never ranked. {escape(progress_summary(team_rows))}</p>"""

    def team_choices(self, actor: Actor, q: Query, team_rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """(id, name) of the teams to choose from: those the person leads, then others on record (a coordinator's
        disbanded or made-up teams), and the one chosen."""
        teams = [(t.id, t.name) for t in self.core.teams_led_by(actor)]
        teams += [(str(r["team"]), str(r.get("name") or r["team"])) for r in team_rows if r.get("team") not in dict(teams)]
        if q.team and q.team not in dict(teams):
            teams.append((q.team, self.team_name(q.team)))
        return teams

    def filters(self, actor: Actor, q: Query, teams: Sequence[tuple[str, str]]) -> str:
        views = "".join(f'<option value="{v}"{" selected" if v == q.view else ""}>{escape(label)}</option>'
                        for v, label in VIEWS.items())
        everyone = "Every team" if self.core.role(actor) is Role.COORDINATOR else "All your teams"
        options = f'<option value="">{everyone}</option>' + "".join(
            f'<option value="{attr(tid)}"{" selected" if tid == q.team else ""}>{escape(name)}</option>'
            for tid, name in teams)
        since = q.since.isoformat() if q.since else ""
        return f"""<form method="get" action="{PAGE}" class="filters" aria-label="What to show">
  <label for="f-view">View</label><select id="f-view" name="view">{views}</select>
  <label for="f-team">Team</label><select id="f-team" name="team">{options}</select>
  <label for="f-since">Since</label><input id="f-since" name="since" type="date" value="{attr(since)}" min="2000-01-01" max="2100-12-31">
  <button type="submit">Show</button>
</form>"""

    def tabs(self, q: Query) -> str:
        current = ' aria-current="page"'
        items = "".join(
            f'<li><a href="{attr(q.link(view=v))}"{current if v == q.view else ""}>{escape(label)}</a></li>'
            for v, label in VIEWS.items())
        return f'<nav class="views" aria-label="Views"><ul>{items}</ul></nav>'

    def view_section(self, actor: Actor, q: Query, rows: list[dict[str, Any]] | None,
                     teams: Sequence[tuple[str, str]]) -> str:
        title = VIEWS[q.view]
        if rows is None:
            links = "".join(f'<li><a href="{attr(q.link(team=tid))}">{escape(name)}</a></li>' for tid, name in teams)
            return f"""<section aria-labelledby="view-h"><h2 id="view-h">{title}</h2>
  <p>Choose a team to see its officers' figures. Each view of officers' figures is written to the audit trail.</p>
  <ul class="team-list">{links}</ul></section>"""
        chart = {"team": team_chart, "topic": topic_chart, "week": weekly_chart}.get(q.view, _no_chart)(rows)
        note = ""
        if q.view == "officer":
            note = ("<p>Officers follow their own record: a card delivered to them in another team counts too. "
                    "Each view and download of this table is written to the audit trail.</p>")
        return self.section("view", title, "", view_table(q.view, rows), q, chart, note=note, actor=actor)

    def section(self, key: str, title: str, lead: str, table: Table, q: Query, chart: str = "", note: str = "",
                actor: Actor | None = None) -> str:
        link = q.link(CSV_PATH, table=key)
        if key == "view" and q.view == "officer" and actor and self.core.role(actor) is Role.COORDINATOR:
            hidden = "".join(f'<input type="hidden" name="{k}" value="{attr(v)}">'
                             for k, v in (("view", q.view), ("team", q.team or ""),
                                          ("since", q.since.isoformat() if q.since else "")) if v)
            download = f"""<form method="get" action="{CSV_PATH}" class="download">{hidden}
  <label><input type="checkbox" name="names" value="1"> Include names (otherwise officer ids only)</label>
  <button type="submit">Download this table (CSV)</button></form>"""
        else:
            ids = " (officer ids, no names)" if key == "view" and q.view == "officer" else ""
            download = f'<p class="download"><a href="{attr(link)}" download>Download this table (CSV){ids}</a></p>'
        lead_html = f"<p>{escape(lead)}</p>" if lead else ""
        return f"""<section aria-labelledby="{key}-h">
  <h2 id="{key}-h">{escape(title)}</h2>{lead_html}{note}
  {chart}
  {table.html(download)}
</section>"""

    def coverage_section(self, q: Query, coverage: Table | int) -> str:
        title, lead = "Topic coverage", "Which topics each team has had, and how many cards on each."
        if isinstance(coverage, Table):
            return self.section("coverage", title, lead, coverage, q)
        return f"""<section aria-labelledby="coverage-h"><h2 id="coverage-h">{title}</h2>
  <p>{lead} The table covers up to {COVERAGE_TEAMS} teams at once and there are {coverage} here: choose a team
  above to see its coverage.</p></section>"""

    async def gaps_section(self, actor: Actor, q: Query) -> str:
        try:
            tables = await self.gaps(actor)
        except Refused as exc:
            return f"""<section aria-labelledby="gaps-h"><h2 id="gaps-h">What officers ask</h2>
  <p>{escape(str(exc))}</p></section>"""
        titles = {"most-asked": "Topics asked about", "unanswered": "Not answered by the cards",
                  "not-helpful": "Marked not helpful"}
        inner = "".join(
            f'<h3 id="{t.key}-h">{escape(titles.get(t.key, t.caption))}</h3>{t.html(self.download(q, t.key))}'
            for t in tables)
        return f"""<section aria-labelledby="gaps-h"><h2 id="gaps-h">What officers ask</h2>
  <p>Questions officers asked, for coordinators to turn into cards. No names are kept with them here.</p>
  {inner}</section>"""

    def download(self, q: Query, key: str) -> str:
        return f'<p class="download"><a href="{attr(q.link(CSV_PATH, table=key))}" download>Download this table (CSV)</a></p>'


def _no_chart(_rows: Sequence[Mapping[str, Any]]) -> str:
    return ""  # officers are never drawn as bars side by side


def _day(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def _bad_request(request: web.Request, reason: str) -> web.HTTPBadRequest:
    """A 400 for a query the dashboard could not have sent: one line for the person, one for the log."""
    log.warning("refused a dashboard %s %r: %s", request.method, request.path[:200], reason)
    return web.HTTPBadRequest(text=f"Bad request: {reason}.\n", headers={"Cache-Control": "no-store"})


def _one_line(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text.splitlines()[0] + "\n", headers={"Cache-Control": "no-store"})


def _refusal_page(message: str, status: int) -> web.Response:
    body = f"""<h1>Progress dashboard</h1>
<p class="flash" role="alert">{escape(message)}</p>
<p>The dashboard is for sergeants (their own teams) and coordinators (every team).
<a href="/">Back to the workspace</a>, where everyone can see their own record.</p>"""
    return page("Dashboard", body, status=status, main_class="dashboard", stylesheets=STYLESHEETS)
