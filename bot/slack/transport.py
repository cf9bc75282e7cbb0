"""How Slack reaches the bot: Socket Mode (outbound only) when SLACK_APP_TOKEN is set, otherwise
HTTP at POST /slack/events on the shared aiohttp server. One bolt AsyncApp, on the server's loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp

from bot.config import Settings
from bot.core import Core
from bot.slack.listeners import register
from bot.slack.platform import SlackPlatform

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def build_bolt(core: Core, platform: SlackPlatform, settings: Settings) -> AsyncApp:
    """The bolt app over the platform's Web API client; request signatures checked in HTTP mode."""
    socket_mode = bool(settings.slack_app_token)
    bolt = AsyncApp(
        name="shiftbrief",
        client=platform.client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        logger=logging.getLogger("shiftbrief.slack.bolt"),
    )
    register(bolt, core, platform)
    return bolt


def attach(web_app: web.Application, core: Core, settings: Settings, notes: list[str]) -> AsyncApp | None:
    """Wire Slack into the shared server if the Slack platform is configured; say how in `notes`."""
    platform = core.platforms.get("slack")
    if not isinstance(platform, SlackPlatform):
        return None
    bolt = build_bolt(core, platform, settings)
    web_app.on_startup.append(_open_session(platform))
    if settings.slack_app_token:
        connection = SocketModeConnection(bolt, settings.slack_app_token)
        web_app.on_startup.append(lambda _app: connection.start())
        web_app.on_cleanup.append(lambda _app: connection.stop())
        notes.append("Slack: Socket Mode (outbound connection to Slack; no public URL needed)")
    elif settings.slack_signing_secret:

        async def events(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

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
    ) -> None:
        self.bolt = bolt
        self.app_token = app_token
        self.check_every = check_every
        self.unhealthy_after = unhealthy_after
        self.factory = handler_factory or (lambda app, token: AsyncSocketModeHandler(app, token))
        self.handler: AsyncSocketModeHandler | None = None
        self.reconnects = 0
        self._connecting: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect in the background (the SDK retries until Slack answers) and start the watchdog."""
        self.handler = self.factory(self.bolt, self.app_token)
        self._connecting = asyncio.create_task(self.handler.connect_async())  # type: ignore[no-untyped-call]
        self._watchdog = asyncio.create_task(self._watch())

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
        self._connecting = asyncio.create_task(self.handler.connect_async())  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        for task in (self._watchdog, self._connecting):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.handler is not None:
            with contextlib.suppress(Exception):
                await self.handler.close_async()  # type: ignore[no-untyped-call]
