"""The local workspace over HTTP, as a browser would use it: a page for each person, cookies, forms, redirects,
escaped text."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import Config, load_settings
from content.model import Pack
from tests.conftest import FakeClock, shared_index


@pytest.fixture
async def client(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> AsyncIterator[TestClient]:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "ws.db"), "HOST": "127.0.0.1", "PORT": "0"})
    assembly = build_app(settings, config, pack, clock, index=shared_index(pack))
    async with TestClient(TestServer(assembly.web)) as test_client:
        yield test_client


async def act_as(client: TestClient, person: str) -> None:
    response = await client.post("/identity", data={"person": person}, allow_redirects=False)
    assert response.status == 303


async def page(client: TestClient, path: str = "/", status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, await response.text()
    return await response.text()


async def post_card(client: TestClient, topic: str = "", team: str = "response-a") -> str:
    html = await (await client.post(f"/teams/{team}/brief", data={"topic": topic, "back": "/"})).text()
    return delivery_ids(html)[0]


def delivery_ids(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'id="(d-[0-9a-f]{16})"', html)))


def section(html: str, heading_id: str) -> str:
    """The section a heading labels, as HTML."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, heading_id
    return found.group(0)


def listed(html: str, css_class: str) -> list[str]:
    found = re.search(rf'<ul class="{css_class}">(.*?)</ul>', html, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


class Outline(HTMLParser):
    """The headings of a page in order, as (level, text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.level = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.level = int(tag[1])
            self.headings.append((self.level, ""))

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.level = 0

    def handle_data(self, data: str) -> None:
        if self.level:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)


# -- the story: a sergeant posts, officers acknowledge, the count moves ---------------------------------
async def test_sergeant_posts_officer_acknowledges_and_the_officers_count(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    response = await client.post("/teams/response-a/brief", data={"topic": "displacement", "back": "/"})
    html = await response.text()
    assert "Posted" in html and "Acknowledged by 0 of 2" in html  # PC One and PC Two; not Sgt A
    [delivery] = delivery_ids(html)

    await act_as(client, "local:pc-1")
    html = await (await client.post(f"/deliveries/{delivery}/acknowledge")).text()
    assert "you have acknowledged" in html and "Acknowledged by 1 of 2" in html
    html = await (await client.post(f"/deliveries/{delivery}/acknowledge")).text()
    assert "had already acknowledged" in html and "Acknowledged by 1 of 2" in html

    await act_as(client, "local:sgt-a")
    html = await page(client)
    assert listed(html, "pending") == ["PC Two"]
    assert listed(html, "acknowledged") == ["PC One"]


async def test_an_officers_page_starts_with_what_is_still_to_do_then_their_record(
    client: TestClient, clock: FakeClock
) -> None:
    await act_as(client, "local:sgt-a")
    first = await post_card(client, "displacement")
    clock.advance(hours=1)
    second = await post_card(client, "fifteen-minutes")
    await act_as(client, "local:pc-1")

    html = await page(client)
    assert Outline(html).headings[:2] == [(1, "Your briefings"), (2, "Still to do")]
    to_do = section(html, "to-do-h")
    assert delivery_ids(to_do) == [second, first]  # newest first
    assert "2 cards to acknowledge or answer" in to_do and to_do.count(">Acknowledge</button>") == 2
    assert html.index('id="to-do-h"') < html.index('id="record-h"') < html.index('id="ask"')

    await client.post(f"/deliveries/{first}/acknowledge")
    html = await (await client.post(f"/deliveries/{first}/check", data={"choice": "1"})).text()
    assert delivery_ids(section(html, "to-do-h")) == [second]
    record = section(html, "record-h")
    assert delivery_ids(record) == [first] and "Your answer:" in record
    assert "Cards delivered to you: 2. Acknowledged: 1. Check questions answered: 1" in record


async def test_check_answer_is_marked_and_explained(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    delivery = await post_card(client)
    await act_as(client, "local:pc-2")
    html = await (await client.post(f"/deliveries/{delivery}/check", data={"choice": "1"})).text()
    assert re.search(r"Right\.|Not quite", html)
    assert "Your answer:" in html
    html = await (await client.post(f"/deliveries/{delivery}/check", data={})).text()  # Check pressed, none chosen
    assert "Choose one of the answers" in html or "already answered" in html
    refused = await client.post(f"/deliveries/{delivery}/check", data={"choice": "banana"})  # not from the page
    assert refused.status == 400 and "must be the number of one of the answers" in await refused.text()


# -- item 2: Acknowledge only for the people a card is for; sergeants and coordinators see progress --------
async def test_sergeants_and_coordinators_are_shown_progress_not_acknowledge(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    delivery = await post_card(client)
    html = await page(client)
    assert ">Acknowledge</button>" not in html and "Check my answer" not in html
    assert "Acknowledged by 0 of 2" in html

    await act_as(client, "local:coord")
    html = await page(client, "/teams/response-a")
    assert ">Acknowledge</button>" not in html and "Check my answer" not in html
    assert "Acknowledged by 0 of 2" in html and listed(html, "pending") == ["PC One", "PC Two"]

    html = await (await client.post(f"/deliveries/{delivery}/acknowledge")).text()  # a forged press
    assert "you are not counted" in html and "Acknowledged by 0 of 2" in await page(client, "/teams/response-a")


async def test_an_officer_sees_only_the_cards_delivered_to_them(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    await post_card(client)
    await act_as(client, "local:pc-3")  # Team B
    html = await page(client)
    assert delivery_ids(html) == [] and "no card has been delivered to you" in html
    await client.post("/identity", data={"name": "PC Newcomer"})  # on no team's roster
    html = await page(client)
    assert ">Acknowledge</button>" not in html and "no card has been delivered to you" in html


# -- item 1: the sergeant's team first: who has not acknowledged, who was nudged when, the button only if ---
async def test_the_nudge_button_shows_only_while_someone_is_left_to_nudge(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    delivery = await post_card(client)
    html = await page(client)
    assert "Nudge the 2 not yet nudged" in html

    html = await (await client.post("/teams/response-a/nudge", data={"back": "/"})).text()
    assert "Nudged 2" in html
    assert listed(html, "pending") == ["PC One nudged Wed 25 Nov 09:00 by Sgt A",
                                       "PC Two nudged Wed 25 Nov 09:00 by Sgt A"]
    assert 'action="/teams/response-a/nudge"' not in html and "Each of them has been nudged" in html

    await act_as(client, "local:pc-2")
    record = section(await page(client), "record-h")
    assert re.search(r"Nudge about \u201c[^\u201d]+\u201d from Sgt A, Wed 25 Nov 09:00", record)
    assert not any(re.search(r"d-[0-9a-f]{16}", nudge) for nudge in listed(record, "nudges"))  # no internal id
    await client.post(f"/deliveries/{delivery}/acknowledge")
    await act_as(client, "local:pc-1")
    await client.post(f"/deliveries/{delivery}/acknowledge")

    await act_as(client, "local:sgt-a")
    html = await page(client)
    assert "Everyone has acknowledged it." in html and 'action="/teams/response-a/nudge"' not in html
    assert listed(html, "acknowledged") == ["PC One", "PC Two"]


# -- item 1: the coordinator lands on the dashboard; pages stay short ------------------------------------
async def test_the_coordinator_lands_on_the_dashboard_with_teams_and_the_ask_box_a_link_away(client: TestClient) -> None:
    await act_as(client, "local:coord")
    response = await client.get("/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/dashboard"
    html = await page(client)
    assert "<h1>Progress dashboard</h1>" in html and "You are now Insp. Coord." in html  # the message waited
    assert 'href="/ask"' in html and 'href="/teams"' in html
    teams = await page(client, "/teams")
    assert 'href="/teams/response-a"' in teams and 'href="/teams/response-b"' in teams

    html = await (await client.post("/teams/response-b/brief", data={"topic": "", "back": "/teams/response-b"})).text()
    assert "Posted" in html and "<h1 id=\"team-response-b-h\">Response Team B</h1>" in html


async def test_history_is_the_last_few_cards_and_the_rest_is_behind_a_link(client: TestClient, clock: FakeClock) -> None:
    await act_as(client, "local:sgt-a")
    posted = []
    for _ in range(8):
        posted.append(await post_card(client))
        clock.advance(hours=1)
    html = await page(client)
    assert delivery_ids(html) == posted[::-1][:6]  # the latest and the five before it
    assert 'href="/teams/response-a/history"' in html
    assert delivery_ids(await page(client, "/teams/response-a/history")) == posted[::-1]

    await act_as(client, "local:pc-1")
    html = await page(client)
    assert delivery_ids(section(html, "to-do-h")) == posted[::-1][:5]
    assert '<a href="/?history=all">3 older cards still to do</a>' in html
    assert delivery_ids(await page(client, "/?history=all")) == posted[::-1]


async def test_team_pages_are_for_those_who_lead_the_team(client: TestClient) -> None:
    assert (await client.get("/teams/response-a", allow_redirects=False)).status == 303  # nobody chosen
    await act_as(client, "local:pc-1")
    assert "for its sergeants and the coordinators" in await page(client, "/teams/response-a", status=403)
    assert "for sergeants and coordinators" in await page(client, "/teams", status=403)
    await act_as(client, "local:sgt-a")
    assert "for its sergeants and the coordinators" in await page(client, "/teams/response-b", status=403)
    await page(client, "/teams/no-such-team", status=404)
    await page(client, "/teams/response-a/history")


@pytest.mark.parametrize("person", ["local:pc-1", "local:sgt-a", "local:coord", None])
async def test_every_page_has_one_h1_and_names_never_raw_ids(client: TestClient, person: str | None) -> None:
    await act_as(client, "local:sgt-a")
    await post_card(client)
    await client.post("/teams/response-a/nudge", data={"back": "/"})
    if person:
        await act_as(client, person)
    else:
        client.session.cookie_jar.clear()
    paths = ["/", "/ask", "/identity"] + (["/teams", "/teams/response-a", "/teams/response-a/history"]
                                          if person in ("local:sgt-a", "local:coord") else [])
    for path in paths:
        html = await page(client, path)
        assert [level for level, _text in Outline(html).headings].count(1) == 1, path
        shown = re.sub(r'<option value="[^"]*"', "", html)  # the Act as list sends ids back; it shows names
        assert "local:" not in shown and ">link<" not in shown, path


# -- review bugs: GET /ask, names, the Switch button --------------------------------------------------------
async def test_get_ask_shows_the_page_so_a_reload_after_asking_works(client: TestClient) -> None:
    await act_as(client, "local:pc-1")
    html = await page(client, "/ask")
    assert "<h1>Ask a question</h1>" in html and 'action="/ask"' in html
    answered = await client.post("/ask", data={"question": "won't they just move round the corner?"})
    assert answered.status == 200 and answered.url.path == "/ask"
    html = await answered.text()
    assert 'class="answer"' in html and "<h3>Source" in html and 'rel="noopener noreferrer">' in html
    assert ">link<" not in html and "Card " not in html  # the citation's title is the link; no internal id
    assert (await client.get("/ask")).status == 200  # the address bar now says /ask: a reload or Enter works


async def test_question_is_answered_and_typed_text_is_escaped(client: TestClient) -> None:
    await act_as(client, "local:pc-1")
    html = await (await client.post("/ask", data={"question": "<script>alert(1)</script> overtime pay"})).text()
    assert "I don't know" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(("typed", "person"), [("PC Siân Jones", "local:pc-sian-jones"),
                                               ("PC Zoë Smith", "local:pc-zoe-smith"),
                                               ("Sgt O'Neill", "local:sgt-oneill")])
async def test_a_name_with_accents_or_an_apostrophe_can_join(client: TestClient, typed: str, person: str) -> None:
    response = await client.post("/identity", data={"name": typed}, allow_redirects=False)
    assert response.status == 303 and unquote(response.cookies["sb_who"].value) == person
    html = await page(client)
    assert f"You are <strong>{typed.replace(chr(39), '&#x27;')}</strong> (officer)" in html


async def test_a_name_with_markup_or_control_characters_is_refused_and_nothing_changes(client: TestClient) -> None:
    await act_as(client, "local:pc-1")
    for typed in ("<script>x</script>", "PC\u202eevil", "PC\x07Bell", "Sgt A"):
        response = await client.post("/identity", data={"name": typed}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/identity"
        assert "sb_who" not in response.cookies
    html = await page(client, "/identity")
    assert "Sgt A is already in the list" in html and "You are <strong>PC One</strong>" in html


async def test_switch_never_turns_an_officer_who_typed_a_name_into_the_coordinator(client: TestClient) -> None:
    await client.post("/identity", data={"name": "PC Smith"})
    html = await page(client, "/identity")
    selected = re.findall(r'<option value="([^"]*)" selected>', html)
    assert selected == ["local:pc-smith"]  # the list shows who you are, not its first entry
    assert html.count('<button type="submit">Switch</button>') == 1 and "Join</button>" in html  # a button each

    html = await (await client.post("/identity", data={"person": ""})).text()  # Switch with nothing chosen
    assert "Choose someone from the list" in html and "You are <strong>PC Smith</strong>" in html
    html = await (await client.post("/identity", data={"person": "local:pc-smith"})).text()  # Switch as shown
    assert "You are <strong>PC Smith</strong> (officer)" in html


async def test_nobody_chosen_means_nothing_changes(client: TestClient) -> None:
    response = await client.post("/teams/response-a/brief", data={"topic": ""})
    assert "Choose who you are first" in await response.text()
    response = await client.post("/identity", data={"person": "slack:U0NOBODY"})  # not configured, not local
    assert "Choose someone from the list" in await response.text()


async def test_cross_site_form_is_ignored(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    response = await client.post(
        "/teams/response-a/brief", data={"topic": ""}, headers={"Origin": "https://evil.example"}
    )
    assert "another site" in await response.text()
    assert delivery_ids(await page(client)) == []


async def test_a_team_form_goes_back_only_to_a_page_of_the_workspace(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    for back in ("https://evil.example/", "//evil.example", "/teams/response-b", "/\r\nSet-Cookie: x=1", ""):
        response = await client.post("/teams/response-a/nudge", data={"back": back}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/teams/response-a"
    response = await client.post("/teams/response-a/nudge", data={"back": "/"}, allow_redirects=False)
    assert response.headers["Location"] == "/"


async def test_workspace_is_off_on_a_non_loopback_host(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> None:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "x.db"), "HOST": "0.0.0.0", "PORT": "0"})
    assembly = build_app(settings, config, pack, clock, index=shared_index(pack))
    assert any("local workspace is off" in note and "loopback" in note for note in assembly.notes)
    async with TestClient(TestServer(assembly.web)) as test_client:
        assert (await test_client.get("/")).status == 404
        assert (await test_client.get("/healthz")).status == 200


async def test_an_officer_not_named_in_the_config_can_act_by_local_id_or_by_name(client: TestClient) -> None:
    response = await client.post("/identity", data={"person": "local:pc-smith"})
    assert "You are now pc-smith" in await response.text()
    response = await client.post("/identity", data={"name": "PC Smith"})
    html = await response.text()
    assert "You are <strong>PC Smith</strong>" in html
    response = await client.post("/identity", data={"person": "local:Robert'); DROP"})
    assert "Choose someone from the list" in await response.text()
