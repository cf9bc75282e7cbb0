"""With MICROSOFT_APP_ID set, only a token the Bot Framework signed for this bot gets in; everything else is a 401.

Microsoft's signing keys are served by a local stand-in, so a genuinely signed token can be tested too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.app import build_app
from bot.config import load_config
from bot.teams.auth import ISSUER, SigningKeys
from bot.teams.endpoint import TEAMS_ENDPOINT
from content.model import Pack
from tests.conftest import FakeClock, shared_index, write_config
from tests.records import records
from tests.teams.conftest import CHANNEL, PC1, TEAMS_CONFIG, Teams, teams_settings
from tests.teams.fake_connector import FakeConnector

APP_ID = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
KID = "bf-key-1"
BOT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
FORGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyServer:
    """Stands in for login.botframework.com: OpenID metadata and the signing keys, counting fetches."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.fetches = 0
        self.server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self.metadata)
        app.router.add_get("/v1/.well-known/keys", self.keys)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return str(self.server.make_url("/v1/.well-known/openidconfiguration"))

    async def metadata(self, request: web.Request) -> web.Response:
        self.fetches += 1
        await asyncio.sleep(self.delay)
        assert self.server is not None
        return web.json_response({"issuer": ISSUER, "jwks_uri": str(self.server.make_url("/v1/.well-known/keys"))})

    async def keys(self, request: web.Request) -> web.Response:
        jwk = RSAAlgorithm.to_jwk(BOT_KEY.public_key(), as_dict=True)
        return web.json_response({"keys": [{**jwk, "kid": KID, "use": "sig", "endorsements": ["msteams"]}]})


def token(service_url: str, *, key: Any = BOT_KEY, kid: str = KID, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 10, "exp": now + 3600}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
async def key_server() -> AsyncIterator[KeyServer]:
    server = KeyServer()
    yield server
    if server.server is not None:
        await server.server.close()


@pytest.fixture
async def secured(tmp_path: Path, pack: Pack, clock: FakeClock, connector: FakeConnector,
                  key_server: KeyServer) -> AsyncIterator[Teams]:
    config_path = write_config(tmp_path, TEAMS_CONFIG)
    settings = teams_settings(tmp_path, config_path, microsoft_app_id=APP_ID, microsoft_app_password="not-a-secret",
                              microsoft_app_tenant_id="00000000-0000-0000-0000-00000000aaaa")
    assembly = build_app(settings, load_config(config_path), pack, clock, index=shared_index(pack))
    validator = assembly.web[TEAMS_ENDPOINT].validator
    assert validator is not None and validator.keys.metadata_url.startswith("https://login.botframework.com/")
    validator.keys = SigningKeys(await key_server.start(), timeout=0.5)
    client = TestClient(TestServer(assembly.web, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Teams(client, connector, assembly, settings, config_path)
    finally:
        await client.close()


async def assert_refused(teams: Teams, activity: dict[str, Any], authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await teams.send(activity, headers=headers)
    assert response.status == 401, await response.text()
    assert teams.connector.calls == []  # nothing was sent anywhere
    assert records(teams.core).reference(f"teams:{CHANNEL}") is None  # and nothing was acted on


async def test_a_request_without_a_token_is_refused_and_nothing_is_sent(secured: Teams) -> None:
    await assert_refused(secured, secured.install_activity(), None)


async def test_a_forged_token_is_refused_and_nothing_is_sent(secured: Teams) -> None:
    install = secured.install_activity()
    await assert_refused(secured, install, "Bearer " + token(secured.connector.url, key=FORGER_KEY))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not.a.token",
        "Bearer abc",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer " + jwt.encode({"aud": APP_ID}, "not-a-secret-but-long-enough-for-hs256", algorithm="HS256", headers={"kid": KID}),
    ],
    ids=["malformed", "not-a-jwt", "wrong-scheme", "empty", "hmac-without-issuer"],
)
async def test_malformed_tokens_are_refused_with_401_not_500(secured: Teams, authorization: str) -> None:
    await assert_refused(secured, secured.install_activity(), authorization)


async def test_a_token_without_an_issuer_is_refused_without_fetching_microsofts_keys(
    secured: Teams, key_server: KeyServer
) -> None:
    await assert_refused(secured, secured.install_activity(), "Bearer " + token(secured.connector.url, iss=None))
    await assert_refused(secured, secured.install_activity(),
                         "Bearer " + token(secured.connector.url, iss="https://sts.windows.net/attacker/"))
    assert key_server.fetches == 0


@pytest.mark.parametrize(
    "claims",
    [{"aud": "another-bot"}, {"serviceurl": "http://127.0.0.1:9/elsewhere/"}, {"exp": int(time.time()) - 3600}],
    ids=["another-bots-token", "other-service-url", "expired"],
)
async def test_a_genuinely_signed_token_for_something_else_is_refused(secured: Teams, claims: dict[str, Any]) -> None:
    await assert_refused(secured, secured.install_activity(), "Bearer " + token(secured.connector.url, **claims))


async def test_a_token_signed_by_the_bot_framework_for_this_bot_gets_in(secured: Teams, key_server: KeyServer) -> None:
    message = secured.channel_message(PC1, "hello")
    message["text"], message["entities"] = "hello", []  # not for the bot, so it answers nothing
    authorization = "Bearer " + token(secured.connector.url)

    first = await secured.send(message, headers={"Authorization": authorization})
    message["id"] = "1700000000777"
    second = await secured.send(message, headers={"Authorization": authorization})

    assert (first.status, second.status) == (200, 200)
    assert records(secured.core).reference(f"teams:{CHANNEL}") is not None  # it was processed
    assert key_server.fetches == 1  # and Microsoft's keys were fetched once, then cached


async def test_unreachable_signing_keys_do_not_stall_the_server(secured: Teams, key_server: KeyServer) -> None:
    key_server.delay = 5.0  # Microsoft's key endpoint hangs; the fetch is bounded at 0.5 s
    started = time.monotonic()

    refused, health = await asyncio.gather(
        secured.send(secured.install_activity(), headers={"Authorization": "Bearer " + token(secured.connector.url)}),
        secured.client.get("/healthz"),
    )

    assert refused.status == 401 and health.status == 200  # a token that cannot be verified is unauthenticated
    assert time.monotonic() - started < 3
    assert secured.connector.calls == []


async def unreachable_keys(secured: Teams) -> None:
    """Microsoft's key service cannot be reached at all (nothing listens there)."""
    validator = secured.assembly.web[TEAMS_ENDPOINT].validator
    assert validator is not None
    validator.keys = SigningKeys("http://127.0.0.1:9/v1/.well-known/openidconfiguration", timeout=0.5)


@pytest.mark.parametrize(
    "claims",
    [{}, {"exp": int(time.time()) - 3600}, {"aud": "another-bot"}, {"nbf": int(time.time()) + 3600},
     {"serviceurl": "http://127.0.0.1:9/elsewhere/"}],
    ids=["forged", "forged-expired", "forged-wrong-audience", "forged-not-yet-valid", "forged-other-service-url"],
)
async def test_a_forged_bot_framework_token_is_refused_with_401_when_microsofts_keys_are_unreachable(
    secured: Teams, claims: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    await unreachable_keys(secured)
    message = secured.channel_message(PC1, "brief now displacement")

    response = await secured.send(message, headers={"Authorization": "Bearer " + token(
        secured.connector.url, key=FORGER_KEY, **claims)})

    assert response.status == 401, await response.text()
    assert secured.connector.calls == []
    assert records(secured.core).latest_delivery("response-a") is None
    if not claims:  # only a token that passes every other check needs the keys: one clear line says why not
        [line] = [r.getMessage() for r in caplog.records if "signing keys could not be fetched" in r.getMessage()]
        assert "http://127.0.0.1:9/v1/.well-known/openidconfiguration" in line


@pytest.mark.parametrize(
    "claims",
    [{"exp": int(time.time()) - 3600}, {"aud": "another-bot"}, {"nbf": int(time.time()) + 3600},
     {"serviceurl": "http://127.0.0.1:9/elsewhere/"}],
    ids=["expired", "wrong-audience", "not-yet-valid", "other-service-url"],
)
async def test_what_needs_no_key_is_checked_before_microsofts_keys_are_fetched(
    secured: Teams, key_server: KeyServer, claims: dict[str, Any]
) -> None:
    await assert_refused(secured, secured.install_activity(), "Bearer " + token(secured.connector.url, **claims))
    assert key_server.fetches == 0


async def test_without_an_app_id_the_endpoint_is_not_served_off_loopback(
    tmp_path: Path, pack: Pack, clock: FakeClock
) -> None:
    config_path = write_config(tmp_path, TEAMS_CONFIG)
    settings = teams_settings(tmp_path, config_path, host="0.0.0.0")
    assembly = build_app(settings, load_config(config_path), pack, clock, index=shared_index(pack))
    client = TestClient(TestServer(assembly.web, host="127.0.0.1"))
    await client.start_server()
    try:
        response = await client.post("/api/messages", json={"type": "message"})
    finally:
        await client.close()
    assert response.status in (404, 405)
    assert any("MICROSOFT_APP_ID is not set" in note and "0.0.0.0" in note for note in assembly.notes)


async def test_in_emulator_mode_an_authorization_header_is_not_fetched_or_trusted(teams: Teams) -> None:
    response = await teams.send(teams.install_activity(), headers={"Authorization": "Bearer " + token(teams.connector.url)})

    assert response.status == 200
    assert any("emulator mode" in note for note in teams.assembly.notes)


async def test_with_an_app_id_the_endpoint_may_sit_behind_a_proxy(secured: Teams) -> None:
    """Only emulator mode is held to this machine: Teams' real traffic arrives through a reverse proxy."""
    message = secured.channel_message(PC1, "hello")
    message["text"], message["entities"] = "hello", []
    proxied = {"Host": "bot.force.example", "X-Forwarded-For": "52.112.0.1", "X-Forwarded-Proto": "https",
               "Forwarded": "for=52.112.0.1;proto=https", "Authorization": "Bearer " + token(secured.connector.url)}

    response = await secured.send(message, headers=proxied)

    assert response.status == 200
    assert records(secured.core).reference(f"teams:{CHANNEL}") is not None


async def test_with_an_app_id_only_application_json_is_accepted(secured: Teams) -> None:
    authorization = "Bearer " + token(secured.connector.url)
    response = await secured.client.post("/api/messages", json=secured.install_activity(),
                                         headers={"Authorization": authorization,
                                                  "Content-Type": "text/plain; x=application/json"})
    assert response.status == 415
    assert secured.connector.calls == []
