"""The core's view of Slack: channel members, card posts and updates, direct messages (Web API calls).

Text from the core (`post_text`, `send_direct`) is plain text and is escaped here (`&`, `<`, `>`), so an
officer's `<!channel>` or `<https://…|words>` is shown as typed, never acted on. The listeners' own replies,
already rendered as mrkdwn with everything inside escaped, go through `post_mrkdwn`, `send_direct_mrkdwn`
and `post_private` instead, so nothing is escaped twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Delivery
from bot.core.errors import PostFailed
from bot.core.platform import CardView
from bot.slack.render import CARD_EVENT, card_blocks, card_metadata, card_text, clip, escape

log = logging.getLogger(__name__)
Monotonic = Callable[[], float]
DEFAULT_API_URL = "https://slack.com/api/"
PREFIX = "slack:"
SDK_LOGGER = "shiftbrief.slack.sdk"
UPDATE_SPACING = 1.0
"""Seconds between any two chat.update calls: Slack's tier 3 allows "50+ per minute" per workspace."""
_WORKSPACE = "workspace"


def slack_client(token: str, api_url: str | None = None) -> AsyncWebClient:
    """A Web API client that honours 429 Retry-After (slack_sdk does not by default) and SLACK_API_URL.

    Its logger is set to WARNING itself: slack_sdk tests the level of that very logger, not the effective
    one, and at NOTSET formats every request and response (blocks included) for a debug line nobody sees."""
    base = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
    logger = logging.getLogger(SDK_LOGGER)
    logger.setLevel(logging.WARNING)
    client = AsyncWebClient(token=token, base_url=base, timeout=15, logger=logger)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def bare(prefixed: str) -> str:
    """`slack:C0123` -> `C0123`."""
    return prefixed[len(PREFIX) :] if prefixed.startswith(PREFIX) else prefixed


class ChannelPacer:
    """At most one post per `interval` seconds per channel (Slack allows about one a second)."""

    def __init__(self, interval: float = 1.0, monotonic: Monotonic = time.monotonic) -> None:
        self.interval = interval
        self.monotonic = monotonic
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    def free(self, channel: str) -> bool:
        """Whether a turn in `channel` can start now, without waiting."""
        lock = self._locks.get(channel)
        return (lock is None or not lock.locked()) and \
            self._last.get(channel, float("-inf")) + self.interval <= self.monotonic()

    @contextlib.asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._last.get(channel, float("-inf")) + self.interval - self.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._last[channel] = self.monotonic()


@dataclass
class _Pending:
    """The newest view waiting for a message's next chat.update, and when the last one went out."""

    last_sent: float
    view: CardView | None = None
    task: asyncio.Task[None] | None = None


class SlackPlatform:
    """Slack as a core Platform. Ids are `slack:<user id>` and `slack:<channel id>`."""

    name = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        post_interval: float = 1.0,
        update_interval: float = 2.0,
        update_spacing: float = UPDATE_SPACING,
        user_cache_seconds: float = 3600.0,
        member_cache_seconds: float = 300.0,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self.client = client
        self.pacer = ChannelPacer(post_interval, monotonic)
        self.update_interval = update_interval
        self.update_turns = ChannelPacer(update_spacing, monotonic)  # chat.update, across every message
        self.user_cache_seconds = user_cache_seconds
        self.member_cache_seconds = member_cache_seconds
        self.monotonic = monotonic
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self._channel_members: dict[str, tuple[float, frozenset[str]]] = {}  # bare channel id -> (when, user ids)
        self._member_locks: dict[str, asyncio.Lock] = {}
        self._dm_channels: dict[str, str] = {}
        self._updates: dict[str, _Pending] = {}
        self._user_lookups = asyncio.Semaphore(8)

    # -- people -------------------------------------------------------------------------------
    async def user(self, user_id: str) -> dict[str, Any]:
        """users.info, cached: names change rarely and the method is rate-limited."""
        cached = self._users.get(user_id)
        if cached is not None and self.monotonic() - cached[0] < self.user_cache_seconds:
            return cached[1]
        async with self._user_lookups:
            response = await self.client.users_info(user=user_id)
        info: dict[str, Any] = response.get("user") or {}
        self._users[user_id] = (self.monotonic(), info)
        return info

    async def display_name(self, user_id: str) -> str:
        """The name Slack shows for a person; their id if Slack cannot say."""
        try:
            info = await self.user(user_id)
        except Exception:
            log.warning("users.info failed for %s", user_id, exc_info=True)
            return user_id
        return name_of(info) or user_id

    async def members(self, channel: str) -> list[tuple[str, str]]:
        try:
            return await self._members(channel)
        except SlackApiError as exc:
            raise PostFailed(explain(exc, channel)) from exc

    async def _members(self, channel: str) -> list[tuple[str, str]]:
        ids = await self._member_ids(bare(channel))
        infos = await asyncio.gather(*(self.user(uid) for uid in ids))
        people: list[tuple[str, str]] = []
        for uid, info in zip(ids, infos, strict=True):
            if uid == "USLACKBOT" or info.get("is_bot") or info.get("deleted"):
                continue
            people.append((PREFIX + uid, name_of(info) or uid))
        return people

    async def _member_ids(self, channel: str) -> list[str]:
        """conversations.members, every page; the answer also refreshes the membership cache."""
        ids: list[str] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"channel": channel, "limit": 200}
            if cursor:
                kwargs["cursor"] = cursor
            response = await self.client.conversations_members(**kwargs)
            ids.extend(str(uid) for uid in response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        unique = list(dict.fromkeys(ids))
        self._channel_members[channel] = (self.monotonic(), frozenset(unique))
        return unique

    async def is_member(self, channel: str, person_id: str) -> bool:
        """Whether a Slack user is in the channel now: conversations.members, cached per channel for
        `member_cache_seconds` and forgotten when Slack says someone joined or left (`forget_members`).
        Concurrent first clicks share one look-up. Raises (SlackApiError) if Slack cannot say."""
        if not person_id.startswith(PREFIX) or not channel.startswith(PREFIX):
            return False
        target = bare(channel)
        cached = self._channel_members.get(target)
        if cached is None or self.monotonic() - cached[0] >= self.member_cache_seconds:
            async with self._member_locks.setdefault(target, asyncio.Lock()):
                cached = self._channel_members.get(target)
                if cached is None or self.monotonic() - cached[0] >= self.member_cache_seconds:
                    await self._member_ids(target)
                    cached = self._channel_members[target]
        return bare(person_id) in cached[1]

    def forget_members(self, channel: str) -> None:
        """Someone joined or left `channel` (either form of its id): look its members up afresh next time."""
        self._channel_members.pop(bare(channel), None)

    # -- cards --------------------------------------------------------------------------------
    async def post_card(self, view: CardView) -> dict[str, Any]:
        channel = bare(view.delivery.channel)
        try:
            async with self.pacer.turn(channel):
                response = await self.client.chat_postMessage(
                    channel=channel,
                    text=card_text(view),
                    blocks=card_blocks(view),
                    metadata=card_metadata(view),
                    unfurl_links=False,
                    unfurl_media=False,
                )
        except SlackApiError as exc:
            raise PostFailed(explain(exc, view.delivery.channel)) from exc
        self._updates[view.delivery.id] = _Pending(last_sent=self.monotonic())
        return {"channel": response["channel"], "ts": response["ts"]}

    async def update_card(self, view: CardView) -> None:
        """chat.update, coalesced: at most one per message every `update_interval` seconds and one across all
        messages every `update_spacing` seconds (Slack's per-workspace limit), the newest count winning. The
        update is sent now if both allow it, else by a task, so no click waits for another card's update."""
        ref = view.delivery.message_ref or {}
        if not ref.get("ts") or not ref.get("channel"):
            log.warning("delivery %s has no Slack message to update", view.delivery.id)
            return
        if len(self._updates) > 1000:
            self._forget_quiet_messages()
        pending = self._updates.setdefault(view.delivery.id, _Pending(last_sent=float("-inf")))
        pending.view = view
        if pending.task is not None:
            return  # an update is already due; it will carry this newer view
        wait = pending.last_sent + self.update_interval - self.monotonic()
        if wait <= 0 and self.update_turns.free(_WORKSPACE):
            await self._send_update(view.delivery.id)
            return
        pending.task = asyncio.create_task(self._send_later(view.delivery.id, max(wait, 0.0)))

    def _forget_quiet_messages(self) -> None:
        """Drop bookkeeping for messages with nothing waiting and no update in the last interval."""
        cutoff = self.monotonic() - self.update_interval
        for delivery_id, pending in list(self._updates.items()):
            if pending.task is None and pending.view is None and pending.last_sent < cutoff:
                del self._updates[delivery_id]

    async def _send_later(self, delivery_id: str, wait: float) -> None:
        await asyncio.sleep(wait)
        pending = self._updates[delivery_id]
        try:
            await self._send_update(delivery_id)
        except Exception:
            log.warning("could not update the card for %s", delivery_id, exc_info=True)
        finally:
            pending.task = None
        if pending.view is not None:  # clicks came while it waited for its turn: their count goes next
            left = pending.last_sent + self.update_interval - self.monotonic()
            pending.task = asyncio.create_task(self._send_later(delivery_id, max(left, 0.0)))

    async def _send_update(self, delivery_id: str, *, paced: bool = True) -> None:
        """Send the newest view waiting for this message, in its turn across the workspace (`paced`)."""
        pending = self._updates[delivery_id]
        async with self.update_turns.turn(_WORKSPACE) if paced else contextlib.nullcontext():
            view, pending.view = pending.view, None
            if view is None:
                return
            pending.last_sent = self.monotonic()
            ref = view.delivery.message_ref or {}
            await self.client.chat_update(
                channel=ref["channel"], ts=ref["ts"], text=card_text(view), blocks=card_blocks(view)
            )

    async def flush(self) -> None:
        """Send every update still waiting (at shutdown)."""
        for delivery_id, pending in list(self._updates.items()):
            if pending.task is not None:
                pending.task.cancel()
                pending.task = None
                with contextlib.suppress(Exception):
                    await self._send_update(delivery_id, paced=False)  # shutting down: no turns to wait for

    async def find_post(self, delivery: Delivery) -> dict[str, Any] | None:
        """Look through the channel's history since the delivery was claimed for its metadata."""
        channel = bare(delivery.channel)
        oldest = f"{delivery.created_at.timestamp() - 60:.6f}"
        cursor: str | None = None
        for _page in range(20):
            kwargs: dict[str, Any] = {"channel": channel, "oldest": oldest, "limit": 200, "include_all_metadata": True}
            if cursor:
                kwargs["cursor"] = cursor
            response = await self.client.conversations_history(**kwargs)
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == CARD_EVENT and payload.get("delivery") == delivery.id:
                    return {"channel": channel, "ts": message["ts"]}
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    # -- messages -----------------------------------------------------------------------------
    async def send_direct(self, person_id: str, text: str) -> None:
        """A direct message of plain text (the core's): escaped, so it is shown exactly as written."""
        await self.send_direct_mrkdwn(person_id, escape(text))

    async def post_text(self, channel: str, text: str) -> None:
        """A channel message of plain text (the core's, e.g. a forwarded question): escaped, so no mention,
        link or formatting control sequence in it takes effect."""
        await self.post_mrkdwn(channel, escape(text))

    async def send_direct_mrkdwn(self, person_id: str, mrkdwn: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """A direct message already rendered as mrkdwn (anything untrusted in it escaped by the caller)."""
        user = bare(person_id)
        channel = self._dm_channels.get(user)
        if channel is None:
            response = await self.client.conversations_open(users=user)
            channel = str(response["channel"]["id"])
            self._dm_channels[user] = channel
        await self.post_mrkdwn(PREFIX + channel, mrkdwn, blocks)

    async def post_mrkdwn(self, channel: str, mrkdwn: str, blocks: list[dict[str, Any]] | None = None,
                          thread_ts: str | None = None) -> None:
        """A channel message already rendered as mrkdwn (anything untrusted in it escaped by the caller)."""
        target = bare(channel)
        kwargs: dict[str, Any] = {"channel": target, "text": clip(mrkdwn, 3000), "unfurl_links": False,
                                  "unfurl_media": False}
        if blocks:
            kwargs["blocks"] = blocks
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        async with self.pacer.turn(target):
            await self.client.chat_postMessage(**kwargs)

    async def post_private(self, channel: str, user: str, mrkdwn: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral message already rendered as mrkdwn: only `user` sees it, in the channel they acted in."""
        kwargs: dict[str, Any] = {"channel": bare(channel), "user": bare(user), "text": clip(mrkdwn, 3000)}
        if blocks:
            kwargs["blocks"] = blocks
        await self.client.chat_postEphemeral(**kwargs)


def name_of(info: dict[str, Any]) -> str:
    profile = info.get("profile") or {}
    for value in (profile.get("display_name"), profile.get("real_name"), info.get("real_name"), info.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


REASONS = {
    "not_in_channel": "the bot is not a member of that channel: invite it there with /invite",
    "channel_not_found": "Slack cannot find that channel, or the bot has not been invited to it (/invite)",
    "is_archived": "that channel is archived",
    "ratelimited": "Slack is limiting how fast the bot may post; try again in a minute",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid for this workspace",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "missing_scope": "the app lacks a permission; reinstall it from the manifest (docs/slack.md)",
}


def explain(error: SlackApiError, channel: str) -> str:
    """Slack's error code as a sentence a sergeant or coordinator can act on."""
    code = str(error.response.get("error") or "unknown_error")
    return f"Slack would not take the card for {channel}: {REASONS.get(code, 'Slack said ' + code)}."
