"""The local workspace over HTTP, as a browser would use it: cookies, forms, redirects, escaped text."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

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


async def page(client: TestClient) -> str:
    response = await client.get("/")
    assert response.status == 200
    return await response.text()


def delivery_ids(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'id="(d-[0-9a-f]{16})"', html)))


async def test_sergeant_posts_officer_acknowledges_and_count_moves(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    response = await client.post("/teams/response-a/brief", data={"topic": "displacement"})
    html = await response.text()
    assert "Posted" in html and "Acknowledged by 0 of 3" in html
    [delivery] = delivery_ids(html)

    await act_as(client, "local:pc-1")
    html = await (await client.post(f"/deliveries/{delivery}/acknowledge")).text()
    assert "you have acknowledged" in html and "Acknowledged by 1 of 3" in html
    html = await (await client.post(f"/deliveries/{delivery}/acknowledge")).text()
    assert "had already acknowledged" in html and "Acknowledged by 1 of 3" in html

    await act_as(client, "local:sgt-a")
    html = await page(client)
    pending = re.search(r"<ul class='pending'>(.*?)</ul>", html, re.S)
    assert pending and "PC Two" in pending.group(1) and "PC One" not in pending.group(1)


async def test_officer_sees_no_post_button_and_a_forged_post_is_refused(client: TestClient) -> None:
    await act_as(client, "local:pc-1")
    html = await page(client)
    assert "Post briefing" not in html
    html = await (await client.post("/teams/response-a/brief", data={"topic": ""})).text()
    assert "Only a team" in html and "sergeants or a coordinator" in html
    assert delivery_ids(html) == []


async def test_check_answer_is_marked_and_explained(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    [delivery] = delivery_ids(await (await client.post("/teams/response-a/brief", data={"topic": ""})).text())
    await act_as(client, "local:pc-2")
    html = await (await client.post(f"/deliveries/{delivery}/check", data={"choice": "1"})).text()
    assert re.search(r"Right\.|Not quite", html)
    assert "Your answer:" in html
    html = await (await client.post(f"/deliveries/{delivery}/check", data={})).text()  # Check pressed, none chosen
    assert "Choose one of the answers" in html
    refused = await client.post(f"/deliveries/{delivery}/check", data={"choice": "banana"})  # not from the page
    assert refused.status == 400 and "must be the number of one of the answers" in await refused.text()


async def test_question_is_answered_with_source_and_typed_text_is_escaped(client: TestClient) -> None:
    await act_as(client, "local:pc-1")
    html = await (await client.post("/ask", data={"question": "won't they just move round the corner?"})).text()
    assert 'class="answer"' in html and "Source" in html and "http" in html
    html = await (await client.post("/ask", data={"question": "<script>alert(1)</script> overtime pay"})).text()
    assert "I don't know" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


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


async def test_coordinator_sees_a_line_of_progress_and_the_dashboard_link_officers_do_not(client: TestClient) -> None:
    await act_as(client, "local:sgt-a")
    [delivery] = delivery_ids(await (await client.post("/teams/response-a/brief", data={"topic": ""})).text())
    await act_as(client, "local:pc-1")
    await client.post(f"/deliveries/{delivery}/acknowledge")
    html = await page(client)
    assert "/dashboard" not in html and "<svg" not in html
    await act_as(client, "local:coord")
    html = await page(client)
    assert re.search(r"Across 1 team: 1 of \d+ cards delivered were acknowledged \(\d+%\)", html)
    assert '<a href="/dashboard">Open the dashboard</a>' in html  # the charts are there now
