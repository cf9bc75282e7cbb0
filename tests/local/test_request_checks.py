"""The workspace answers only requests made on this machine, judged by who asks, not by the listening address.

Review break B1: behind a reverse proxy on the same machine (so the proxy's address is loopback), or by
DNS rebinding (`Host: evil.example:PORT`), anyone could choose to be the coordinator. Every workspace
route now wants a loopback peer, a Host naming this machine on this port and no proxy's headers; anything
else is 403 (421 for a foreign Host) with one line and no cookie. /healthz and /slack/events may sit
behind a proxy and are not checked.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Assembly, build_app
from bot.config import Config, load_settings
from content.model import Pack
from tests.conftest import FakeClock, shared_index
from tests.records import records

# Every workspace route, as a browser or curl would call it.
ROUTES = [
    ("GET", "/"),
    ("GET", "/?history=all"),
    ("GET", "/identity"),
    ("POST", "/identity"),
    ("GET", "/ask"),
    ("POST", "/ask"),
    ("POST", "/questions/1/feedback"),
    ("POST", "/deliveries/d-0000000000000000/acknowledge"),
    ("POST", "/deliveries/d-0000000000000000/check"),
    ("GET", "/teams"),
    ("GET", "/teams/response-a"),
    ("GET", "/teams/response-a/history"),
    ("POST", "/teams/response-a/brief"),
    ("POST", "/teams/response-a/nudge"),
    ("GET", "/dashboard"),
    ("GET", "/dashboard.csv"),
    ("GET", "/static/workspace.css"),
    ("GET", "/static/workspace.js"),
    ("GET", "/static/charts.css"),
]
FORWARDING = [
    {"X-Forwarded-For": "203.0.113.9"},
    {"X-Forwarded-Host": "bot.force.example"},
    {"X-Forwarded-Proto": "https"},
    {"Forwarded": "for=203.0.113.9;proto=https"},
    {"X-Real-IP": "203.0.113.9"},
    {"Via": "1.1 proxy.force.example"},
]


def build(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock, **env: str) -> Assembly:
    settings = load_settings({"SHIFTBRIEF_DB": str(tmp_path / "ws.db"), "HOST": "127.0.0.1", "PORT": "0", **env})
    return build_app(settings, config, pack, clock, index=shared_index(pack))


@pytest.fixture
async def assembly(tmp_path: Path, config: Config, pack: Pack, clock: FakeClock) -> Assembly:
    return build(tmp_path, config, pack, clock)


@pytest.fixture
async def client(assembly: Assembly) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(assembly.web, host="127.0.0.1")) as test_client:
        yield test_client


def port_of(client: TestClient) -> int:
    assert client.port is not None
    return client.port


async def assert_refused(response: aiohttp.ClientResponse, status: int, words: str) -> None:
    text = await response.text()
    assert response.status == status, text
    assert words in text and text.count("\n") == 1  # one line saying why
    assert "Set-Cookie" not in response.headers
    assert response.headers["Content-Type"].startswith("text/plain")


async def test_a_request_made_on_this_machine_is_served_under_each_of_its_names(client: TestClient) -> None:
    port = port_of(client)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        response = await client.get("/", headers={"Host": host})
        assert response.status == 200, host
    chosen = await client.post("/identity", data={"person": "local:pc-1"}, allow_redirects=False)
    assert chosen.status == 303 and "sb_who" in chosen.cookies


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_workspace_route_refuses_a_foreign_host(client: TestClient, method: str, path: str) -> None:
    """DNS rebinding: evil.example resolves to 127.0.0.1, so the browser's request reaches us on loopback."""
    port = port_of(client)
    response = await client.request(method, path, data={"person": "local:coord"}, allow_redirects=False,
                                    headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
    await assert_refused(response, 421, "Host header must be 127.0.0.1:")


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("headers", FORWARDING, ids=lambda h: next(iter(h)))
async def test_every_workspace_route_refuses_a_request_through_a_proxy(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = await client.request(method, path, data={"person": "local:coord"}, headers=headers, allow_redirects=False)
    await assert_refused(response, 403, "through a proxy")


@pytest.mark.parametrize(
    "host",
    ["evil.example", "127.0.0.1", "localhost", "127.0.0.1:1", "localhost.evil.example:{port}",
     "127.0.0.1:{port}.evil.example", "127.0.0.1:{port}@evil.example", "127.1:{port}", "0177.0.0.1:{port}",
     "[::ffff:127.0.0.1]:{port}", "0.0.0.0:{port}", "192.0.2.2:{port}", "", " 127.0.0.1:{port}x"],
)
async def test_hosts_that_do_not_name_this_machine_on_this_port_are_misdirected(client: TestClient, host: str) -> None:
    response = await client.post("/identity", data={"person": "local:coord"}, allow_redirects=False,
                                 headers={"Host": host.format(port=port_of(client))})
    await assert_refused(response, 421, "Host header")


async def raw_http(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (aiohttp's client always writes one Host header); return status and head."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    writer.close()
    await writer.wait_closed()
    return int(head.split(b" ", 2)[1]), head


async def test_no_host_header_or_two_of_them_is_misdirected(client: TestClient) -> None:
    port = port_of(client)
    form = b"person=local%3Acoord"
    no_host = (b"POST /identity HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (len(form), form))
    two_hosts = (b"POST /identity HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nHost: evil.example:%d\r\nConnection: close\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
                 % (port, port, len(form), form))
    for request in (no_host, two_hosts):
        status, head = await raw_http(port, request)
        assert status in (400, 421) and b"Set-Cookie" not in head


async def test_a_refusal_is_logged_once(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await client.post("/identity", data={"person": "local:coord"}, headers={"X-Forwarded-For": "203.0.113.9"})
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 1 and "/identity" in lines[0] and "proxy" in lines[0]


class ReverseProxy:
    """A reverse proxy on this machine, configured as the usual guides say (keep Host, add X-Forwarded-For)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.server = TestServer(self._app(), host="127.0.0.1")
        self.session: aiohttp.ClientSession | None = None

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.forward)
        return app

    async def forward(self, request: web.Request) -> web.Response:
        assert self.session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
        headers["X-Forwarded-For"] = request.remote or ""
        async with self.session.request(request.method, self.upstream + request.path_qs, headers=headers,
                                        data=await request.read(), allow_redirects=False) as answer:
            response = web.Response(status=answer.status, body=await answer.read())
            for name in ("Content-Type", "Location"):
                if name in answer.headers:
                    response.headers[name] = answer.headers[name]
            for cookie in answer.headers.getall("Set-Cookie", []):
                response.headers.add("Set-Cookie", cookie)
            return response

    async def __aenter__(self) -> str:
        self.session = aiohttp.ClientSession()
        await self.server.start_server()
        return str(self.server.make_url("/")).rstrip("/")

    async def __aexit__(self, *_exc: object) -> None:
        await self.server.close()
        assert self.session is not None
        await self.session.close()


async def test_through_a_reverse_proxy_on_this_machine_nobody_can_become_the_coordinator(
    client: TestClient, assembly: Assembly
) -> None:
    """B1 as reported: POST /identity person=<coordinator> through the proxy, then post a card as them."""
    async with ReverseProxy(str(client.make_url("/"))) as proxy, aiohttp.ClientSession() as outsider:
        chosen = await outsider.post(f"{proxy}/identity", data={"person": "local:coord"},
                                     headers={"Host": "bot.force.example"}, allow_redirects=False)
        await assert_refused(chosen, 403, "through a proxy")
        briefed = await outsider.post(f"{proxy}/teams/response-a/brief", data={"topic": ""},
                                      headers={"Cookie": "sb_who=local%3Acoord"}, allow_redirects=False)
        await assert_refused(briefed, 403, "through a proxy")
        health = await outsider.get(f"{proxy}/healthz")
        assert health.status == 200  # what may be proxied still is
    assert records(assembly.core).latest_delivery("response-a") is None


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (the one a UDP socket would send from), if any."""
    for probe in ("192.0.2.1", "10.255.255.254", "198.51.100.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.connect((probe, 9))  # no packet is sent: this only picks a route
            except OSError:
                continue
            address = str(udp.getsockname()[0])
            if not address.startswith("127."):
                return address
    return None


async def test_a_request_from_another_machine_is_refused_even_with_a_loopback_host(assembly: Assembly) -> None:
    """The workspace is served only on a loopback HOST, but the peer is what counts: here the server listens
    on every address (as a misconfigured container might) and is reached on this machine's network address."""
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to connect from")
    server = TestServer(assembly.web, host="0.0.0.0")
    await server.start_server()
    try:
        assert server.port is not None
        async with aiohttp.ClientSession() as session:
            response = await session.post(f"http://{address}:{server.port}/identity", data={"person": "local:coord"},
                                          headers={"Host": f"127.0.0.1:{server.port}"}, allow_redirects=False)
            await assert_refused(response, 403, f"came from {address}")
            page = await session.get(f"http://{address}:{server.port}/static/workspace.css",
                                     headers={"Host": f"127.0.0.1:{server.port}"})
            await assert_refused(page, 403, "only this machine")
    finally:
        await server.close()


async def test_health_and_slack_events_are_not_held_to_the_workspaces_checks(
    tmp_path: Path, config: Config, pack: Pack, clock: FakeClock
) -> None:
    """They may sit behind a proxy: Slack's own signature check answers, not the loopback check."""
    assembly = build(tmp_path, config, pack, clock, SLACK_BOT_TOKEN="xoxb-not-a-token", SLACK_SIGNING_SECRET="secret",
                     SLACK_API_URL="http://127.0.0.1:9/api/")
    proxied = {"Host": "bot.force.example", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    async with TestClient(TestServer(assembly.web, host="127.0.0.1")) as client:
        health = await client.get("/healthz", headers=proxied)
        events = await client.post("/slack/events", data=b"{}", headers={**proxied, "Content-Type": "application/json"})
        workspace = await client.get("/", headers=proxied)
    assert health.status == 200
    assert events.status == 401  # unsigned: Slack's check refused it, not ours
    assert workspace.status == 403
