"""A local stand-in for Slack's Web API (and its Socket Mode endpoint), on 127.0.0.1.

It records every call, checks each call's arguments against the published method reference
(`shared/schemas/slack-methods/<method>.json`, its `args`) and every Block Kit payload against
`shared/schemas/slack-block-kit.schema.json` plus Slack's size limits, and can be told to answer
429 with Retry-After once. Anything that would not pass lands in `problems`; the fixture that owns
the fake fails the test if any did.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from jsonschema import Draft7Validator, Draft202012Validator

# Methods the bot calls that the shared method reference does not include; their arguments are
# checked by hand below instead.
UNPUBLISHED = {"conversations.history"}
# Arguments slack_sdk itself adds that the mirrored reference does not list: bolt's client copy sends
# the workspace id with its own auth.test.
SDK_EXTRAS = {("auth.test", "team_id")}
HUMANS = {
    "U0SGT": "Sgt Stone",
    "U0PC1": "PC Ahmed",
    "U0PC2": "PC Brown",
    "U0PC3": "PC Clarke",
    "U0COORD": "Insp. Okafor",
}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str
    at: float
    status: int = 200


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    thread_ts: str | None = None


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None


@dataclass
class FakeSlack:
    schemas: Path
    members: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    views: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    socket_frames: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    refused: dict[str, str] = field(default_factory=dict)
    failing: dict[str, str] = field(default_factory=dict)  # method -> the error Slack answers with (ok: false)
    _limited: dict[str, int] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    # -- set-up -------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        self.block_kit = Draft202012Validator(json.loads((self.schemas / "slack-block-kit.schema.json").read_text()))
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        """The next call of `method` gets HTTP 429 with this Retry-After."""
        self._limited[method] = retry_after

    # -- what happened ------------------------------------------------------------------------
    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def in_channel(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel]

    def private_to(self, user: str) -> list[Ephemeral]:
        return [e for e in self.ephemerals if e.user == user]

    async def wait_for(self, condition: Callable[[], Any], within: float = 10.0) -> Any:
        """Listeners finish after the HTTP response (ack first): poll until `condition()` is truthy."""
        deadline = time.monotonic() + within
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {condition}")
            await asyncio.sleep(0.02)

    async def idle(self, within: float = 10.0) -> None:
        """Wait until every connection to the fake has closed and each request on it has been handled.
        Once the process that talked to the fake has exited, nothing more can arrive after this.
        (The bot in the test's own process is drained instead: tests/slack/conftest.py, Bot.drain.)"""
        assert self._runner is not None and self._runner.server is not None
        server = self._runner.server
        await self.wait_for(lambda: not server.connections, within)

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected bot."""
        await self.wait_for(lambda: self._sockets)
        await self._sockets[-1].send_str(json.dumps(envelope))

    # -- the Web API --------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else str(args.pop("token", ""))
        call = Call(method, args, token, time.monotonic())
        self.calls.append(call)
        if method in self._limited:
            call.status = 429
            retry_after = self._limited.pop(method)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(retry_after)})
        self._check_args(method, {"token": token, **args})
        if method in self.failing:
            return web.json_response({"ok": False, "error": self.failing[method]})
        if str(args.get("channel", "")) in self.refused:
            return web.json_response({"ok": False, "error": self.refused[str(args["channel"])]})
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            self.problems.append(f"{method}: the fake does not implement it")
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response({"ok": True, **handler(args)})

    def _check_args(self, method: str, args: dict[str, Any]) -> None:
        path = self.schemas / "slack-methods" / f"{method}.json"
        if not path.exists():
            if method not in UNPUBLISHED:
                self.problems.append(f"{method}: not in the shared method reference")
            return
        schema = json.loads(path.read_text())["args"]
        known = schema.get("properties", {})
        for name in args:
            if name not in known and (method, name) not in SDK_EXTRAS:
                self.problems.append(f"{method}: unknown argument {name!r}")
        wire = {k: _as_wire(v, known.get(k, {})) for k, v in args.items()}
        for error in Draft7Validator(schema).iter_errors(wire):
            self.problems.append(f"{method}: {error.json_path}: {error.message}")
        blocks = _decoded(args.get("blocks"))
        if blocks is not None:
            self._check_blocks(method, blocks, 50)
            if not str(args.get("text") or "").strip():
                self.problems.append(f"{method}: blocks without a plain-text `text` fallback")
        view = _decoded(args.get("view"))
        if view is not None:
            self._check_blocks(method, view.get("blocks") or [], 100)

    def _check_blocks(self, method: str, blocks: list[dict[str, Any]], most: int) -> None:
        for error in self.block_kit.iter_errors(blocks):
            self.problems.append(f"{method}: Block Kit {error.json_path}: {error.message}")
        if len(blocks) > most:
            self.problems.append(f"{method}: {len(blocks)} blocks; Slack allows {most}")
        for block in blocks:
            if block.get("type") == "section" and len((block.get("text") or {}).get("text", "")) > 3000:
                self.problems.append(f"{method}: a section text over 3000 characters")
            for element in block.get("elements") or []:
                if element.get("type") == "button" and len(element["text"]["text"]) > 75:
                    self.problems.append(f"{method}: a button label over 75 characters")

    # -- methods ------------------------------------------------------------------------------
    def m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://force.example/", "team": "Force", "user": "shiftbrief", "team_id": "T0FORCE",
                "user_id": "U0BOT", "bot_id": "B0BOT"}

    def m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.url.replace("http://", "ws://").replace("/api/", "/link")}

    def m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        everyone = self.members.get(args["channel"], [])
        start = int(args.get("cursor") or 0)
        page = everyone[start : start + 2]  # small pages, so paging is exercised
        following = start + 2 if start + 2 < len(everyone) else None
        return {"members": page, "response_metadata": {"next_cursor": str(following) if following else ""}}

    def m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        uid = args["user"]
        user: dict[str, Any] = {"id": uid, "name": uid.lower(), "deleted": False, "is_bot": False}
        if uid in HUMANS:
            user["profile"] = {"display_name": HUMANS[uid], "real_name": HUMANS[uid]}
        elif uid == "U0BOT":
            user.update(is_bot=True, profile={"real_name": "shiftbrief"})
        elif uid == "U0GONE":
            user.update(deleted=True, profile={"real_name": "Former Officer"})
        return {"user": user}

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._new_ts()
        self.messages.append(Message(args["channel"], ts, args.get("text", ""), _decoded(args.get("blocks")),
                                     _decoded(args.get("metadata")), args.get("thread_ts")))
        return {"channel": args["channel"], "ts": ts, "message": {"text": args.get("text", "")}}

    def _new_ts(self) -> str:
        """Slack's message ts: the wall-clock second it arrived, made unique."""
        return f"{int(time.time())}.{next(self._ts):06d}"

    def m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        for message in self.messages:
            if message.channel == args["channel"] and message.ts == args["ts"]:
                message.text = args.get("text", message.text)
                message.blocks = _decoded(args.get("blocks")) or message.blocks
                return {"channel": message.channel, "ts": message.ts}
        self.problems.append(f"chat.update of a message that does not exist: {args}")
        return {}

    def m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self.ephemerals.append(Ephemeral(args["channel"], args["user"], args.get("text", ""),
                                         _decoded(args.get("blocks"))))
        return {"message_ts": self._new_ts()}

    def m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": "D" + str(args["users"])}}

    def m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            self.problems.append("conversations.history without a channel")
        if str(args.get("include_all_metadata")).lower() not in ("true", "1"):
            self.problems.append("conversations.history without include_all_metadata: metadata is not returned")
        found = [
            {"type": "message", "ts": m.ts, "text": m.text, **({"metadata": m.metadata} if m.metadata else {})}
            for m in reversed(self.messages)
            if m.channel == args.get("channel") and float(m.ts) >= float(args.get("oldest") or 0)
        ]
        return {"messages": found, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _decoded(args["view"])
        self.views.append((args["user_id"], view))
        return {"view": {"id": "V0HOME", **view}}

    # -- Socket Mode --------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0SHIFT"}}))
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                self.socket_frames.append(json.loads(frame.data))
        return ws


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _types(prop: dict[str, Any]) -> set[str]:
    found = set()
    for option in [prop, *prop.get("anyOf", [])]:
        kind = option.get("type")
        if isinstance(kind, str):
            found.add(kind)
        elif isinstance(kind, list):
            found.update(kind)
    return found


def _as_wire(value: Any, prop: dict[str, Any]) -> Any:
    """A value as Slack reads it: JSON-encoded objects where a string is expected, form strings as numbers."""
    types = _types(prop)
    if isinstance(value, (dict, list)) and "string" in types:
        return json.dumps(value)
    if isinstance(value, str) and types and "string" not in types:
        if "boolean" in types and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if types & {"number", "integer"}:
            try:
                return int(value) if value.lstrip("-").isdigit() else float(value)
            except ValueError:
                return value
    return value
