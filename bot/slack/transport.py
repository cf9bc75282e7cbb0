"""How Slack reaches the bot: Socket Mode (outbound only) when SLACK_APP_TOKEN is set, otherwise
HTTP at POST /slack/events on the shared aiohttp server. One bolt AsyncApp, on the server's loop."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped, warning_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core import Core
from bot.slack.listeners import bolt_request, register
from bot.slack.platform import SlackPlatform
from bot.slack.unconfigured import UnconfiguredSlack

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_SKEW = 5 * 60  # Slack's advice: refuse requests whose timestamp is more than five minutes off

# bolt and slack_sdk log through this logger. At INFO and below they write request bodies (officers'
# user ids and what they typed), so it is kept at WARNING; our own modules log a one-line reason instead.
BOLT_LOGGER = "shiftbrief.slack.bolt"
APP_NAME = "shiftbrief-slack"  # bolt also logs under the app's name: keep it clear of the "shiftbrief" logger


# bolt's AsyncApp reads SLACK_BOT_TOKEN from the environment itself, and warns at construction that it is
# unused whenever a client or an authorize function is given, as here (on purpose: one client, with
# SLACK_API_URL and the 429 handler, and one cached auth.test). No argument avoids it in bolt 1.30.
_CONSTRUCTION_NOTICES = {warning_client_prioritized_and_token_skipped(), warning_token_skipped()}


class _SdkNoise(logging.Filter):
    """One line, no traceback, for the SDK's connection retries; drop bolt's constructor notices above."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in _CONSTRUCTION_NOTICES:
            return False
        if message.startswith(("Failed to connect", "Failed to retrieve WSS URL")):
            record.msg, record.args = message.splitlines()[0], None
            record.exc_info, record.exc_text = None, None
        return True


def quiet_sdk_logs() -> logging.Logger:
    """The logger handed to bolt, at WARNING with the noise filter; slack_bolt and slack_sdk at WARNING too."""
    for name in ("slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(logging.WARNING)
    framework = logging.getLogger(BOLT_LOGGER)
    framework.setLevel(logging.WARNING)
    if not any(isinstance(f, _SdkNoise) for f in framework.filters):
        framework.addFilter(_SdkNoise())
    return framework


class Authorization:
    """bolt's authorize: `auth.test` once for the bot token (at start-up), then the cached answer for every
    request. bolt's own single-workspace check caches too, but concurrent first requests each call it."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> AuthorizeResult:
        if self.result is None:
            async with self._lock:
                if self.result is None:
                    response = await self.client.auth_test()
                    self.result = AuthorizeResult.from_auth_test_response(
                        auth_test_response=response, bot_token=self.client.token
                    )
        return self.result

    async def warm(self, _app: web.Application | None = None) -> None:
        """At start-up; a refusal is one clear line (requests will try again), never a crash."""
        try:
            await self.get()
        except SlackApiError as exc:
            log.error("Slack refused SLACK_BOT_TOKEN at auth.test (%s): check the bot token in docs/slack.md",
                      exc.response.get("error"))
        except (aiohttp.ClientError, OSError) as exc:  # OSError includes TimeoutError
            log.warning("could not reach Slack to check SLACK_BOT_TOKEN (%s); will try again on the first request",
                        type(exc).__name__)


def build_bolt(core: Core, platform: SlackPlatform, settings: Settings, authorization: Authorization) -> AsyncApp:
    """The bolt app over the platform's Web API client; request signatures checked in HTTP mode."""
    socket_mode = bool(settings.slack_app_token)

    async def authorize() -> AuthorizeResult:  # bolt passes only the arguments a function names: none here
        return await authorization.get()

    bolt = AsyncApp(
        name=APP_NAME,
        client=platform.client,
        authorize=authorize,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not socket_mode,  # checked by `signature_problem` first; bolt's is a backstop
        process_before_response=False,
        logger=quiet_sdk_logs(),
    )
    register(bolt, core, platform)
    return bolt


def signature_problem(secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None) -> str | None:
    """Why a request is not Slack's (None if it is): the v0 signature over the timestamp and body."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not stamp or not signature:
        return "no X-Slack-Request-Timestamp or X-Slack-Signature header"
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return "X-Slack-Request-Timestamp is not a number"
    skew = abs((time.time() if now is None else now) - int(stamp))
    if skew > MAX_SKEW:
        return f"the request is {int(skew)} s old (stale or replayed; at most {MAX_SKEW} s allowed)"
    expected = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "the signature does not match SLACK_SIGNING_SECRET"
    return None


def attach(
    web_app: web.Application, core: Core, platform: object, settings: Settings, notes: list[str]
) -> AsyncApp | None:
    """Wire Slack into the shared server if the Slack platform is configured; say how in `notes`."""
    if isinstance(platform, UnconfiguredSlack):
        teams = [t.id for t in core.teams() if t.channel.startswith("slack:")]
        if teams:
            notes.append(f"Slack is off: {platform.missing}; teams with Slack channels ({', '.join(teams)}) "
                         "cannot be posted to")
        return None
    if not isinstance(platform, SlackPlatform):
        return None
    authorization = Authorization(platform.client)
    bolt = build_bolt(core, platform, settings, authorization)
    web_app.on_startup.append(_open_session(platform))
    web_app.on_startup.append(authorization.warm)
    if settings.slack_app_token:
        connection = SocketModeConnection(bolt, settings.slack_app_token)
        web_app.on_startup.append(lambda _app: connection.start())
        web_app.on_cleanup.append(lambda _app: connection.stop())
        notes.append("Slack: Socket Mode (outbound connection to Slack; no public URL needed)")
    elif settings.slack_signing_secret:
        secret = settings.slack_signing_secret

        async def events(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            problem = signature_problem(secret, body, request.headers)
            if problem is not None:
                log.warning("refused a request to %s: %s", EVENTS_PATH, problem)
                return web.Response(status=401, text="invalid request signature")
            parsed = bolt_request(body, request.query_string, request.headers)
            if not isinstance(parsed, AsyncBoltRequest):  # a body bolt could not read: 400, one line
                return await to_aiohttp_response(parsed)
            return await to_aiohttp_response(await bolt.async_dispatch(parsed))

        web_app.router.add_post(EVENTS_PATH, events)
        notes.append(f"Slack: HTTP at {EVENTS_PATH} (events, /brief and interactivity)")
    else:
        notes.append(
            "Slack: SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET "
            "(HTTP) is, so Slack can post cards but cannot hear clicks or commands"
        )
    web_app.on_cleanup.append(_close_session(platform))
    return bolt


def _open_session(platform: SlackPlatform) -> Callable[[web.Application], Any]:
    """One pooled HTTP session for the Web API while the server runs (slack_sdk opens one per call otherwise)."""

    async def open_session(_app: web.Application) -> None:
        import aiohttp

        if platform.client.session is None:
            platform.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    return open_session


def _close_session(platform: SlackPlatform) -> Callable[[web.Application], Any]:
    async def close_session(_app: web.Application) -> None:
        await platform.flush()
        session, platform.client.session = platform.client.session, None
        if session is not None:
            await session.close()

    return close_session


APP_TOKEN_REASONS = {
    "invalid_auth": "it is not a valid app-level token (xapp-…) for this Slack app",
    "not_authed": "it is empty",
    "token_revoked": "it has been revoked; make a new one under Basic Information > App-Level Tokens",
    "account_inactive": "the app or workspace it belongs to is no longer active",
    "not_allowed_token_type": "it is not an app-level token: use the xapp-… token with connections:write, "
                              "not the bot token",
    "missing_scope": "the app-level token lacks the connections:write scope",
}


class SocketModeConnection:
    """bolt's AsyncSocketModeHandler plus a watchdog: after reconnects the SDK can stall (sessions that
    never deliver again, or a closed aiohttp session it keeps reusing), so an unhealthy connection is
    replaced with a fresh handler rather than trusted to heal."""

    def __init__(
        self,
        bolt: AsyncApp,
        app_token: str,
        *,
        check_every: float = 30.0,
        unhealthy_after: int = 3,
        handler_factory: Callable[[AsyncApp, str], AsyncSocketModeHandler] | None = None,
        first_retry: float = 5.0,
        longest_retry: float = 300.0,
    ) -> None:
        self.bolt = bolt
        self.app_token = app_token
        self.check_every = check_every
        self.unhealthy_after = unhealthy_after
        self.factory = handler_factory or (lambda app, token: AsyncSocketModeHandler(app, token))
        self.handler: AsyncSocketModeHandler | None = None
        self.first_retry = first_retry
        self.longest_retry = longest_retry
        self.reconnects = 0
        self.refusals = 0
        self._connecting: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect in the background and start the watchdog."""
        self.handler = self.factory(self.bolt, self.app_token)
        self._connecting = asyncio.create_task(self._connect(self.handler))
        self._watchdog = asyncio.create_task(self._watch())

    async def _connect(self, handler: AsyncSocketModeHandler) -> None:
        """Ask Slack for a Socket Mode URL ourselves first: a refused SLACK_APP_TOKEN is one clear error and
        then a short line per retry, backing off to `longest_retry`, instead of the SDK's traceback every
        10 s. Once a URL is issued the SDK connects with it (and handles later reconnects)."""
        web_client = getattr(handler.client, "web_client", None)
        delay = self.first_retry
        while web_client is not None:
            try:
                response = await web_client.apps_connections_open(app_token=self.app_token)
                handler.client.wss_uri = str(response["url"])
                break
            except SlackApiError as exc:
                code = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
                why = f"Slack refused SLACK_APP_TOKEN ({code}): {APP_TOKEN_REASONS.get(code, 'see docs/slack.md')}"
            except (aiohttp.ClientError, OSError) as exc:  # OSError includes TimeoutError
                code = type(exc).__name__
                why = f"Slack could not be reached to open a connection with SLACK_APP_TOKEN ({code})"
            self.refusals += 1
            if self.refusals == 1:
                log.error("Slack Socket Mode cannot start: %s. Retrying in %.0f s, then less often, up to every "
                          "%.0f s.", why, delay, self.longest_retry)
            else:
                log.warning("Slack Socket Mode: still cannot connect (%s); next try in %.0f s", code, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.longest_retry)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        after = f" after {self.refusals} failed attempt(s)" if self.refusals else ""
        log.info("Slack Socket Mode connected%s", after)
        self.refusals = 0

    async def connected(self) -> bool:
        return self.handler is not None and await self.handler.client.is_connected()

    async def _watch(self) -> None:
        failures = 0
        while True:
            await asyncio.sleep(self.check_every)
            try:
                healthy = await self.connected()
            except Exception:
                healthy = False
            connecting = self._connecting is not None and not self._connecting.done()
            failures = 0 if healthy or connecting else failures + 1
            if failures >= self.unhealthy_after:
                log.warning("Slack Socket Mode has been down for %s checks; reconnecting with a new handler", failures)
                failures = 0
                await self._replace()

    async def _replace(self) -> None:
        old = self.handler
        if old is not None:
            with contextlib.suppress(Exception):
                await old.close_async()  # type: ignore[no-untyped-call]
        self.reconnects += 1
        self.handler = self.factory(self.bolt, self.app_token)
        self._connecting = asyncio.create_task(self._connect(self.handler))

    async def stop(self) -> None:
        for task in (self._watchdog, self._connecting):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.handler is not None:
            with contextlib.suppress(Exception):
                await self.handler.close_async()  # type: ignore[no-untyped-call]
