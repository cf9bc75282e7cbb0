"""The composition root: config -> store -> content -> core -> platforms -> scheduler -> one aiohttp server."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import ipaddress
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.config import Config, Settings
from bot.core import Core, PostFailed
from bot.core.platform import Platform
from bot.local.platform import LocalPlatform
from bot.store import Database
from content.model import Pack
from content.search import Index

if TYPE_CHECKING:
    from scheduler.runner import NudgeRunner, Timer

log = logging.getLogger("shiftbrief")
Clock = Callable[[], datetime]
HEALTH_WAIT = 0.4
"""Seconds /healthz waits for its probe write; longer means this process's own writes are queued (busy, not broken)."""
POSTS_AT_ONCE = 16
"""Scheduled posts in flight at once. Each waits on its own channel's lookups and Retry-Afters; the platforms'
pacing (one post a second per Slack channel, Teams' windows) is per channel, so with 4 at once 300 Slack
channels due in one minute took 78 s against 5% of calls throttled (docs/PERFORMANCE.md, fan-out)."""
SWITCH_INTERVAL = 0.0005
"""Seconds a thread waiting for the GIL lets the running one go on before asking for it (Python's default
is 0.005). The database's threads give the GIL up around every SQLite call and must take it back from a
busy event loop each time: at 5 ms a click's transaction (some ten statements) fell behind the clicks."""
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
PROXY_HEADERS = ("forwarded", "via", "x-real-ip")  # and every X-Forwarded-*


@dataclass
class Assembly:
    """The built bot: the core, its web application and what runs beside it."""

    core: Core
    web: web.Application
    notes: list[str] = field(default_factory=list)


def build_platforms(settings: Settings, core: Core) -> dict[str, Platform]:
    """The platforms this process can post to: local always; Slack and Teams when configured."""
    platforms: dict[str, Platform] = {"local": LocalPlatform(core)}
    if settings.slack_bot_token:
        from bot.slack import SlackPlatform, slack_client

        platforms["slack"] = SlackPlatform(slack_client(settings.slack_bot_token, settings.slack_api_url))
    else:  # a stand-in that names the missing variables when a slack: channel is posted to
        from bot.slack.unconfigured import UnconfiguredSlack

        platforms["slack"] = UnconfiguredSlack(settings)
    from bot.teams.unconfigured import UnconfiguredTeams, set_up

    if set_up(settings):  # posts only where the app was installed
        from bot.teams.endpoint import build_platform as build_teams_platform

        platforms["teams"] = build_teams_platform(settings, core)
    else:  # botbuilder is not even imported: a stand-in naming the variables to set
        platforms["teams"] = UnconfiguredTeams()
    return platforms


def build_core(
    settings: Settings, config: Config, pack: Pack, clock: Clock, db: Database | None = None, index: Index | None = None
) -> Core:
    """The core with every platform this process can reach; the search index is built on first use."""
    core = Core(config, db or Database(settings.db_path, clock()), pack, clock, {}, index)
    core.dashboard_url = settings.dashboard_url
    core.platforms.update(build_platforms(settings, core))
    return core


def build_app(
    settings: Settings, config: Config, pack: Pack, clock: Clock, db: Database | None = None, index: Index | None = None
) -> Assembly:
    core = build_core(settings, config, pack, clock, db, index)
    local_only: set[str] = set()  # the routes only this machine may use: the workspace, Teams' emulator mode
    app = web.Application(client_max_size=1024 * 1024, middlewares=[this_machine_only(local_only, settings.port)])
    assembly = Assembly(core, app)
    assembly.notes.extend(empty_tracks(config, pack))
    app.router.add_get("/healthz", _health(core))

    if settings.host_is_loopback:
        from bot.local.workspace import add_routes

        local_only.update(add_routes(app, core))
        assembly.notes.append(f"local workspace at http://{_url_host(settings.host)}:{settings.port}/")
    else:
        assembly.notes.append(
            f"local workspace is off: HOST={settings.host} is not a loopback address, and anyone who can reach "
            "the page could act as anyone. Use HOST=127.0.0.1 to try it."
        )

    if "slack" in core.platforms:
        from bot.slack.transport import attach

        attach(app, core, core.platforms["slack"], settings, assembly.notes)

    from bot.teams import unconfigured

    teams = core.platforms.get("teams")
    if isinstance(teams, unconfigured.UnconfiguredTeams):
        assembly.notes.append(unconfigured.add_routes(app, settings))
    elif teams is not None:
        from bot.teams.endpoint import TEAMS_ENDPOINT
        from bot.teams.endpoint import add_routes as add_teams_routes
        from bot.teams.platform import TeamsPlatform

        assert isinstance(teams, TeamsPlatform)
        assembly.notes.append(add_teams_routes(app, core, settings, teams))
        if TEAMS_ENDPOINT in app and app[TEAMS_ENDPOINT].emulator:  # unauthenticated: this machine only
            local_only.add(unconfigured.PATH)

    async def recover(_app: web.Application) -> None:
        counts = await core.recover()
        if any(counts.values()):
            log.info("recovered unfinished deliveries: %s", counts)

    app.on_startup.append(recover)
    _attach_scheduler(app, core, clock)  # after recover (start-up order), before the store closes (clean-up order)
    app.on_cleanup.append(_close_core(core))
    return assembly


def empty_tracks(config: Config, pack: Pack) -> list[str]:
    """A line for each team whose audience has no card in the pack: its nudges cannot be sent until one is."""
    return [
        f"team {team.id} is for {team.audience}, but the pack has no {team.audience} cards: "
        "nothing can be posted to it until some are added"
        for team in config.teams if not pack.for_audience(team.audience)
    ]


# -- requests only this machine may make (docs: the workspace is never put behind a proxy) ---------
def this_machine_only(paths: set[str], port: int) -> Middleware:
    """Refuse any request for one of `paths` (route paths as registered, e.g. `/teams/{team}/brief`) that
    did not come straight from this machine: 403 (or 421 for a foreign Host) with one line, no cookie.

    `port` is the configured PORT, used only when the listening socket cannot be asked (it always can)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        if resource is None or resource.canonical not in paths:
            return await handler(request)
        refusal = local_request_refusal(request, _listening_port(request) or port)
        if refusal is None:
            return await handler(request)
        status, reason = refusal
        log.warning("refused %s %r from %s with %d: %s", request.method, request.path[:200], request.remote, status, reason)
        return web.Response(status=status, text=reason + "\n",
                            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    return guard


def local_request_refusal(request: web.Request, port: int) -> tuple[int, str] | None:
    """Why this request did not come straight from this machine, as (status, one line), or None if it did:
    a loopback peer, a Host naming this machine on the port it was received on, no proxy's headers."""
    if not _is_loopback_peer(request.remote):
        return 403, f"Refused: only this machine may use this page, and this request came from {request.remote}."
    proxied = sorted({name for name in request.headers
                      if name.lower() in PROXY_HEADERS or name.lower().startswith("x-forwarded-")})
    if proxied:
        return 403, (f"Refused: the request came through a proxy ({', '.join(proxied)}); this page is never served "
                     "through one.")
    hosts = request.headers.getall("Host", [])
    allowed = {f"{name}:{port}" for name in LOOPBACK_NAMES} | (set(LOOPBACK_NAMES) if port == 80 else set())
    if len(hosts) != 1 or hosts[0].lower() not in allowed:
        return 421, f"Refused: the Host header must be 127.0.0.1:{port}, localhost:{port} or [::1]:{port}."
    return None


def _is_loopback_peer(remote: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _listening_port(request: web.Request) -> int | None:
    """The port this connection was accepted on (the configured PORT, or the one a test server picked)."""
    sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
    if isinstance(sockname, tuple) and len(sockname) >= 2 and isinstance(sockname[1], int):
        return sockname[1]
    return None


# -- the scheduler: pre-shift nudges and reminders (docs/scheduling.md) ---------------------------
def build_runner(core: Core, clock: Clock, timer: Timer, missed_after: datetime | None = None) -> NudgeRunner:
    """The nudge runner for this configuration, calling the same core methods a sergeant's post uses."""
    from scheduler.runner import NudgeRunner

    async def post(team_id: str, shift_start: datetime) -> None:
        try:
            view = await core.post_scheduled(team_id, shift_start)
            if view is not None:
                log.info("posted %s to %s for the shift at %s", view.card.id, view.team.channel,
                         shift_start.astimezone(core.timezone).isoformat())
        except PostFailed as exc:  # already recorded as failed, with the reason, by Core.publish
            log.warning("scheduled nudge for %s failed: %s", team_id, exc)
            raise  # the runner tries again shortly, while the shift has not started

    async def record_missed(team_id: str, shift_start: datetime, reason: str) -> None:
        if await core.record_missed(team_id, shift_start, reason) is not None:
            log.warning("scheduled nudge for %s (shift at %s) missed: %s", team_id, shift_start.isoformat(), reason)

    return NudgeRunner(
        core.teams(), core.timezone, clock, timer, post=post, record_missed=record_missed,
        remind=core.remind_unacknowledged, missed_after=missed_after, concurrency=POSTS_AT_ONCE,
    )


def _attach_scheduler(app: web.Application, core: Core, clock: Clock) -> None:
    """APScheduler on this server's loop: started after start-up recovery, stopped before the store closes."""
    from scheduler.runner import SchedulerTimer

    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job; the runner logs what matters
    timer = SchedulerTimer(clock)
    runner = build_runner(core, clock, timer)

    async def start(_app: web.Application) -> None:
        runner.missed_after = await core.first_opened()
        timer.start()
        await runner.sweep()

    async def stop(_app: web.Application) -> None:
        await timer.stop()
        await runner.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def _close_core(core: Core) -> Callable[[web.Application], Awaitable[None]]:
    async def close(_app: web.Application) -> None:
        await asyncio.to_thread(core.close)

    return close


def _health(core: Core) -> Handler:
    """`/healthz`: 503 while the database cannot take a write (disk full, read-only file), else 200. A write
    lock held by another process, or this process's own queued writes, are busy, not broken: still 200,
    within HEALTH_WAIT."""
    failing = False

    async def health(_request: web.Request) -> web.StreamResponse:
        nonlocal failing
        try:
            writable = await asyncio.wait_for(core.database_writable(), HEALTH_WAIT)
        except TimeoutError:
            writable = True
        if writable != (not failing):  # one log line when it starts failing and one when it recovers
            failing = not writable
            if failing:
                log.error("the database %s cannot be written (disk full or read-only?): /healthz answers 503", core.db.path)
            else:
                log.info("the database can be written again: /healthz answers 200")
        if not writable:
            return web.json_response({"ok": False, "database": "not writable"}, status=503)
        return web.json_response({"ok": True})

    return health


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def release_free_memory() -> None:
    """Give the memory freed by start-up (the search index's build makes some 40 MB of short-lived
    objects) back to the operating system: glibc keeps freed heap for reuse, so without this the
    process's resident size stays at its start-up peak. Elsewhere (musl, macOS) it does nothing."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


async def serve(assembly: Assembly, settings: Settings) -> None:
    """Run the one aiohttp server until SIGINT or SIGTERM."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    runner = web.AppRunner(assembly.web, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise OSError(exc.errno, f"cannot listen on {settings.host}:{settings.port} (HOST, PORT): {exc.strerror}") from None
    for note in assembly.notes:
        log.info("%s", note)
    await assembly.core.warm()  # build the search index now, so the first question need not wait
    release_free_memory()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runner.cleanup()
