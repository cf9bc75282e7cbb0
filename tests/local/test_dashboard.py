"""The dashboard over HTTP, as a browser uses it: a coordinator sees every team, a sergeant their own, an
officer is shown the way back; officer-level views and downloads are on the audit trail; each CSV is the
table the page shows; a query the page could not have made is a 400 with one line."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.app import Assembly, build_app
from bot.config import Config, load_settings
from bot.core import Actor, Core
from content.model import Pack
from tests.conftest import FakeClock, answering_nothing, shared_index
from tests.records import records


@pytest.fixture
async def assembly(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> Assembly:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "ws.db"), "HOST": "127.0.0.1", "PORT": "0"})
    return build_app(settings, config, pack, clock, index=shared_index(pack))


@pytest.fixture
async def client(assembly: Assembly) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(assembly.web, host="127.0.0.1")) as test_client:
        yield test_client


async def act_as(client: TestClient, person: str) -> None:
    response = await client.post("/identity", data={"person": person}, allow_redirects=False)
    assert response.status == 303


async def post_card(client: TestClient, team: str, topic: str = "") -> str:
    html = await (await client.post(f"/teams/{team}/brief", data={"topic": topic})).text()
    [delivery] = list(dict.fromkeys(re.findall(r'id="(d-[0-9a-f]{16})"', html)))[:1]
    return delivery


@pytest.fixture
async def history(client: TestClient, clock: FakeClock, assembly: Assembly) -> None:
    """Two weeks of Team A (the second with no check answered yet), one card to Team B, and questions: one
    outside hot spots policing, and two near the topics that no card answers (content gaps, one of them
    written as a spreadsheet formula)."""
    await act_as(client, "local:sgt-a")
    first = await post_card(client, "response-a", "displacement")
    await act_as(client, "local:pc-1")
    await client.post(f"/deliveries/{first}/acknowledge")
    await client.post(f"/deliveries/{first}/check", data={"choice": "1"})
    await act_as(client, "local:pc-2")
    await client.post(f"/deliveries/{first}/acknowledge")
    await client.post("/ask", data={"question": "who pays for overtime on rest days"})
    core = assembly.core
    no_card_answers = Core(core.ctx.config, core.db, core.ctx.pack, clock, {}, answering_nothing(core.ctx.pack))
    # A content gap that a spreadsheet would run as a formula, for the CSV test.
    await no_card_answers.ask(Actor("local:pc-2", "PC Two"),
                              '=HYPERLINK("http://evil.example") how long at the hot spot', via="local")
    await no_card_answers.ask(Actor("local:pc-2", "PC Two"), "why do patrols stay 15 minutes at the hot spot?",
                              via="local")
    clock.advance(days=7)
    await act_as(client, "local:sgt-a")
    second = await post_card(client, "response-a", "fifteen-minutes")
    await act_as(client, "local:pc-1")
    await client.post(f"/deliveries/{second}/acknowledge")
    await act_as(client, "local:coord")
    await post_card(client, "response-b", "what-is-hsp")


class Tables(HTMLParser):
    """Every table on a page, by id: each row's cells as text (header cells too)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.in_caption = False
        self.h1 = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self.h1 += 1
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id") or f"t{len(self.tables)}", [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.current is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.in_caption:
            self.cell.append(data)


async def dashboard(client: TestClient, query: str = "", status: int = 200) -> str:
    response = await client.get("/dashboard" + (f"?{query}" if query else ""))
    text = await response.text()
    assert response.status == status, text
    return text


async def download(client: TestClient, query: str) -> list[list[str]]:
    response = await client.get(f"/dashboard.csv?{query}")
    text = await response.text()
    assert response.status == 200, text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="shiftbrief-')
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def as_shown(cells: list[list[str]]) -> list[list[str]]:
    """CSV cells as the page shows them: without the ' that keeps a spreadsheet from running a formula."""
    return [[c[1:] if c[:2] in ("'=", "'+", "'-", "'@") else c for c in row] for row in cells]


def first_column(table: list[list[str]]) -> list[str]:
    return [row[0] for row in table[1:]]


# -- who sees what ------------------------------------------------------------------------------------
async def test_coordinator_sees_every_team_and_the_content_gaps(client: TestClient, history: None) -> None:
    await act_as(client, "local:coord")
    html = await dashboard(client)
    tables = Tables(html).tables
    assert Tables(html).h1 == 1
    assert first_column(tables["view-table"]) == ["Response Team A", "Response Team B"]  # configured order
    assert first_column(tables["coverage-table"]) == ["Response Team A", "Response Team B"]
    coverage = dict(zip(tables["coverage-table"][0], tables["coverage-table"][1], strict=True))
    assert coverage["Displacement"] == "1 card" and coverage["What hot spots policing is"] == "not yet"
    assert coverage["Topics had"] == "2 of 11"
    gaps = first_column(tables["unanswered-table"])
    assert "why do patrols stay 15 minutes at the hot spot?" in gaps
    assert "who pays for overtime on rest days" not in gaps  # outside hot spots policing: no content gap
    assert "Showing every team" in html


async def test_sergeant_sees_only_their_own_team_and_is_refused_another(
    client: TestClient, assembly: Assembly, history: None
) -> None:
    await act_as(client, "local:sgt-a")
    html = await dashboard(client)
    tables = Tables(html).tables
    assert first_column(tables["view-table"]) == ["Response Team A"]
    assert first_column(tables["coverage-table"]) == ["Response Team A"]
    assert "Response Team B" not in html
    assert "Content gaps are for coordinators" in html and "unanswered-table" not in html

    refused = await dashboard(client, "team=response-b", status=403)
    assert "your own teams only" in refused and "Response Team B is not one of them" in refused
    assert 'href="/"' in refused
    csv_refused = await client.get("/dashboard.csv?team=response-b&view=officer")
    text = await csv_refused.text()
    assert csv_refused.status == 403 and "your own teams only" in text and text.count("\n") == 1
    assert officer_audits(assembly) == []  # refused before anything was shown


async def test_an_officer_is_shown_who_the_dashboard_is_for_and_the_way_back(client: TestClient, history: None) -> None:
    await act_as(client, "local:pc-1")
    html = await dashboard(client, status=403)
    assert "for sergeants and coordinators" in html and 'href="/"' in html
    assert "<table" not in html
    response = await client.get("/dashboard.csv")
    assert response.status == 403 and "for sergeants and coordinators" in await response.text()
    assert "Open the dashboard" not in await (await client.get("/")).text()


async def test_nobody_chosen_is_asked_to_choose_first(client: TestClient) -> None:
    html = await dashboard(client, status=403)
    assert "Choose who you are" in html and 'href="/"' in html


# -- officer-level views: audited; names in a download only when a coordinator asks ----------------------
def officer_audits(assembly: Assembly) -> list[tuple[str, str, str]]:
    return [(e["actor"], e["action"], e["target"]) for e in reversed(records(assembly.core).audit_trail())
            if "officer-stats" in e["action"]]


async def test_officer_views_and_downloads_are_on_the_audit_trail(
    client: TestClient, assembly: Assembly, history: None
) -> None:
    await act_as(client, "local:sgt-a")
    html = await dashboard(client, "view=officer")
    shown = Tables(html).tables["view-table"]
    names = first_column(shown)
    assert names == sorted(names) and {"PC One", "PC Two"} <= set(names) and "PC Three" not in names  # by name
    assert officer_audits(assembly) == [("local:sgt-a", "view-officer-stats", "response-a")]

    exported = await download(client, "view=officer")
    assert officer_audits(assembly)[-1] == ("local:sgt-a", "export-officer-stats", "response-a")
    assert "PC One" not in str(exported) and exported[0][0] == "Officer id"
    assert exported == [row[1:] for row in shown]  # the table shown, without its Name column

    named = await download(client, "view=officer&names=1")  # a sergeant's download never carries names
    assert "PC One" not in str(named)


async def test_a_coordinator_chooses_a_team_for_officers_and_may_ask_for_names(
    client: TestClient, assembly: Assembly, history: None
) -> None:
    await act_as(client, "local:coord")
    html = await dashboard(client, "view=officer")
    assert "Choose a team to see its officers" in html and "view-table" not in html
    assert officer_audits(assembly) == []  # nothing officer-level was shown

    html = await dashboard(client, "view=officer&team=response-a")
    shown = Tables(html).tables["view-table"]
    assert 'name="names"' in html  # the coordinator's "include names" box
    named = await download(client, "view=officer&team=response-a&names=1")
    assert named == shown
    anonymous = await download(client, "view=officer&team=response-a")
    assert anonymous == [row[1:] for row in shown]
    assert [action for _actor, action, _team in officer_audits(assembly)] == [
        "view-officer-stats", "export-officer-stats-with-names", "export-officer-stats"]


# -- every CSV is the table shown ------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["team", "topic", "week"])
async def test_each_csv_is_exactly_the_table_shown(client: TestClient, history: None, view: str) -> None:
    await act_as(client, "local:coord")
    tables = Tables(await dashboard(client, f"view={view}")).tables
    keys = ["view", "coverage", "most-asked", "unanswered", "not-helpful"] + (["understanding"] if view != "topic" else [])
    for key in keys:
        shown = tables[f"{key}-table"]
        if len(shown) == 2 and len(shown[1]) == 1 and len(shown[0]) > 1:  # "Nothing yet." across the table
            shown = shown[:1]
        assert as_shown(await download(client, f"view={view}&table={key}")) == shown, key


async def test_a_question_that_is_a_formula_reaches_the_csv_as_text(client: TestClient, history: None) -> None:
    await act_as(client, "local:coord")
    cells = await download(client, "table=unanswered")
    [formula] = [row[0] for row in cells if "HYPERLINK" in row[0]]
    assert formula.startswith("'=HYPERLINK")


async def test_the_week_view_says_no_answers_yet_for_a_week_without_any(client: TestClient, history: None) -> None:
    await act_as(client, "local:sgt-a")
    html = await dashboard(client, "view=week")
    weeks = Tables(html).tables["view-table"]
    right_share = weeks[0].index("Right share")
    first, second = (row[right_share] for row in weeks[1:])
    assert first in ("0%", "100%") and second == "no answers yet"
    chart = html[html.index('<figure class="chart" id="weekly"'):]
    assert "no answers yet" in chart[: chart.index("</figure>")]
    assert "<pattern" in chart


async def test_since_narrows_every_table_to_records_from_that_local_date(client: TestClient, history: None) -> None:
    await act_as(client, "local:sgt-a")
    tables = Tables(await dashboard(client, "view=week&since=2026-11-30")).tables
    assert first_column(tables["view-table"]) == ["2026-11-30"]
    assert "from 30 November 2026" in await dashboard(client, "since=2026-11-30")


# -- queries the page could not have made ----------------------------------------------------------------
BAD = [
    ("view=rank", "`view` must be one of"),
    ("view=team&view=week", "more than once"),
    ("team=Response%20A", "`team` must be a team id"),
    ("since=2026-13-01", "`since` must be a date"),
    ("since=yesterday", "`since` must be a date"),
    ("since=1999-12-31", "`since` must be a date"),
    ("order=rate", "unknown parameter"),
    ("team=no-such-team", "There is no team"),
]


@pytest.mark.parametrize(("query", "words"), BAD)
@pytest.mark.parametrize("path", ["/dashboard", "/dashboard.csv"])
async def test_a_query_the_page_could_not_make_is_400_with_one_line(
    client: TestClient, path: str, query: str, words: str, caplog: pytest.LogCaptureFixture
) -> None:
    await act_as(client, "local:coord")
    caplog.set_level(logging.INFO)
    response = await client.get(f"{path}?{query}")
    text = await response.text()
    assert response.status == 400, text
    assert text.startswith("Bad request: ") and words in text and text.count("\n") == 1
    assert "Traceback" not in text


@pytest.mark.parametrize("query", ["table=ranking", "names=yes", "names=1&names=1"])
async def test_the_csvs_own_parameters_are_checked_too(client: TestClient, query: str) -> None:
    await act_as(client, "local:coord")
    response = await client.get(f"/dashboard.csv?{query}")
    assert response.status == 400 and (await response.text()).count("\n") == 1
    assert (await client.get(f"/dashboard?{query}")).status == 400  # not the page's parameters at all


QUERY_VALUES = (st.text(max_size=30) | st.sampled_from(["team", "officer", "topic", "week", "response-a",
                                                        "response-b", "2026-11-30", "1", "coverage", ""]))
QUERY_KEYS = st.sampled_from(["view", "team", "since", "table", "names"]) | st.text(max_size=6)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/dashboard", "/dashboard.csv"]),
       who=st.sampled_from(["local:coord", "local:sgt-a", "local:pc-1", ""]),
       query=st.lists(st.tuples(QUERY_KEYS, QUERY_VALUES), max_size=4),
       raw=st.binary(max_size=12).map(lambda b: "".join(f"%{x:02X}" for x in b)))
async def test_any_query_to_the_dashboard_gets_a_status_below_500(
    client: TestClient, path: str, who: str, query: list[tuple[str, str]], raw: str
) -> None:
    text = urlencode([(k, v) for k, v in query], errors="surrogatepass")
    response = await client.get(f"{path}?{text}&{raw}" if raw else f"{path}?{text}",
                                headers={"Cookie": f"sb_who={quote(who, safe='')}"})
    event(f"answered {response.status}")
    assert response.status < 500, (path, query, raw, await response.text())


# -- the workspace's pages point to it ---------------------------------------------------------------------
async def test_sergeants_and_coordinators_have_the_dashboard_in_their_header_and_officers_do_not(
    client: TestClient, history: None
) -> None:
    await act_as(client, "local:sgt-a")
    html = await (await client.get("/")).text()
    assert '<a href="/dashboard">Dashboard</a>' in html
    await act_as(client, "local:coord")
    html = await (await client.get("/ask")).text()
    assert '<a href="/dashboard">Dashboard</a>' in html
    html = await (await client.get("/")).text()  # the coordinator's own page is the dashboard
    assert '<a href="/dashboard" aria-current="page">Dashboard</a>' in html
    await act_as(client, "local:pc-1")
    assert "/dashboard" not in await (await client.get("/")).text()
