"""A local stand-in for the Bot Framework connector (Teams' serviceUrl): records every call, serves a paged roster."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    path: str
    body: Any
    query: dict[str, str]
    status: int = 200
    response: Any = None

    @property
    def response_id(self) -> str:
        """The id the connector gave a new post (its activity id), or an activity."""
        return str(self.response.get("activityId") or self.response["id"])


@dataclass
class Member:
    user_id: str  # the Teams user id, 29:…
    aad: str
    name: str


@dataclass
class FakeConnector:
    roster: list[Member]
    page_size: int = 2
    channels: list[tuple[str, str]] = field(default_factory=list)  # (id, name) of each team's other channels
    calls: list[Call] = field(default_factory=list)
    # (method, path prefix) -> statuses to answer before behaving normally, with Retry-After if given
    failures: dict[tuple[str, str], list[tuple[int, str | None]]] = field(default_factory=dict)
    server: TestServer | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/")).rstrip("/") + "/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    def fail(self, method: str, path_prefix: str, *statuses: tuple[int, str | None]) -> None:
        self.failures[(method, path_prefix)] = list(statuses)

    # -- what happened -----------------------------------------------------------------------
    def sent(self, method: str | None = None, path_part: str = "") -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method) and path_part in c.path
                and c.status < 300 and c.method != "GET"]

    def posts(self) -> list[Call]:
        """New channel posts: createConversation with isGroup."""
        return [c for c in self.sent("POST", "/v3/conversations") if c.path == "/v3/conversations" and c.body.get("isGroup")]

    def updates(self) -> list[Call]:
        return self.sent("PUT", "/activities/")

    def replies(self) -> list[Call]:
        return [c for c in self.sent("POST", "/activities") if c.path != "/v3/conversations"]

    def outgoing(self) -> list[Call]:
        """Everything the bot sent that a person could see (not roster reads)."""
        return [c for c in self.calls if c.method != "GET"]

    def texts_to(self, conversation_part: str) -> list[str]:
        return [c.body.get("text") or "" for c in self.replies() if conversation_part in c.path]

    # -- the API -------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        call = Call(request.method, request.path, body, dict(request.query))
        self.calls.append(call)
        for (method, prefix), statuses in self.failures.items():
            if method == request.method and request.path.startswith(prefix) and statuses:
                status, retry_after = statuses.pop(0)
                call.status = status
                headers = {"Retry-After": retry_after} if retry_after else {}
                return web.json_response({"error": {"code": "Throttled", "message": "slow down"}}, status=status,
                                         headers=headers)
        status, payload = self.answer(request, body)
        call.status, call.response = status, payload
        return web.json_response(payload, status=status)

    def answer(self, request: web.Request, body: Any) -> tuple[int, Any]:
        path = request.path
        if request.method == "GET" and path.endswith("/pagedmembers"):
            return 200, self.page(request)
        if request.method == "GET" and path.startswith("/v3/teams/") and path.endswith("/conversations"):
            team = path.split("/")[3]
            return 200, {"conversations": [{"id": team}, *({"id": c, "name": n} for c, n in self.channels)]}
        if request.method == "POST" and path == "/v3/conversations":
            number = next(self._ids)
            if body.get("isGroup"):
                channel = body["channelData"]["channel"]["id"]
                return 201, {"id": f"{channel};messageid={number}", "activityId": str(number)}
            member = body["members"][0]["id"]
            return 201, {"id": f"a:personal-{member}"}
        if request.method in ("POST", "PUT") and "/activities" in path:
            return (200 if request.method == "PUT" else 201), {"id": str(next(self._ids))}
        return 404, {"error": {"code": "NotFound", "message": path}}

    def page(self, request: web.Request) -> dict[str, Any]:
        start = int(request.query.get("continuationToken") or 0)
        chunk = self.roster[start : start + self.page_size]
        result: dict[str, Any] = {
            "members": [
                {"id": m.user_id, "name": m.name, "aadObjectId": m.aad, "userPrincipalName": f"{m.aad}@force.example",
                 "tenantId": "tenant-1", "userRole": "user"}
                for m in chunk
            ]
        }
        if start + self.page_size < len(self.roster):
            result["continuationToken"] = str(start + self.page_size)
        return result
