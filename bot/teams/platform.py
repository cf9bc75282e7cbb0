"""The Teams platform, seen from the core: roster, proactive posts, card updates and private messages.

Every post is proactive: a new conversation in the channel (`create_conversation` with the channel in
`channel_data` and the service URL stored at install), never `send_activity` inside
`continue_conversation`, which would reply to a made-up activity id.

Text from the core (`post_text`, `send_direct`) is plain text: it is sent as Markdown with every HTML and
Markdown character in it neutralised (`escape`), so an officer's `<at>`, `[words](address)` or `**` is
shown as typed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    TextFormatTypes,
)
from botframework.connector.aio import ConnectorClient

from bot.core import CardView, Delivery, PostFailed, PostStateUnknown
from bot.teams.card import CONTENT_TYPE, render_card
from bot.teams.commands import escape
from bot.teams.throttle import OverBudget, Throttle

log = logging.getLogger(__name__)
CHANNEL_ID = "msteams"
PREFIX = "teams:"
PERSON_PREFIX = "teams:person:"


class References(Protocol):
    """Where conversation references are kept between requests (the core offers this)."""

    async def reference(self, channel: str) -> dict[str, Any] | None: ...

    async def save_reference(self, channel: str, reference: dict[str, Any]) -> None: ...


def channel_key(conversation_id: str) -> str:
    """`teams:<channel id>` for a conversation id; a thread's `<channel id>;messageid=<root>` loses its suffix."""
    return PREFIX + conversation_id.split(";", 1)[0]


def person_key(aad_object_id: str) -> str:
    return PERSON_PREFIX + aad_object_id


class TeamsPlatform:
    name = "teams"

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str | None,
        references: References,
        throttle: Throttle | None = None,
        page_size: int = 200,
        roster_cache_seconds: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id or ""
        self.references = references
        self.throttle = throttle or Throttle()
        self.page_size = page_size
        self.roster_cache_seconds = roster_cache_seconds
        self.monotonic = monotonic
        self._rosters: dict[str, tuple[float, frozenset[str]]] = {}  # channel key -> (when, person ids)
        self._roster_locks: dict[str, asyncio.Lock] = {}
        self._connectors: dict[str, ConnectorClient] = {}
        self._latest: dict[str, CardView] = {}
        self._updating: set[str] = set()
        self._background: set[asyncio.Task[None]] = set()

    # -- work that outlives the incoming request ----------------------------------------------
    def in_background(self, work: Callable[[], Awaitable[None]], what: str) -> None:
        """Finish `work` after the incoming request has been answered, with no time budget; failures are logged."""

        async def run() -> None:
            with self.throttle.budget(None):
                try:
                    await work()
                except Exception as exc:
                    log.warning("could not %s: %s: %s", what, type(exc).__name__, exc)

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        log.info("Teams is throttling the bot: will %s in the background", what)

    async def settle(self, within: float = 60.0) -> None:
        """Wait for the background work (tests; shutdown), at most `within` seconds."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=within)

    def send_later(self, service_url: str, activity: Activity) -> None:
        """Send a reply the incoming request had no time left for (its conversation reference already applied)."""
        conversation_id = activity.conversation.id

        async def send() -> None:
            connector = await self._connector(service_url)
            if activity.reply_to_id:
                call = lambda: connector.conversations.reply_to_activity(conversation_id, activity.reply_to_id, activity)  # noqa: E731
            else:
                call = lambda: connector.conversations.send_to_conversation(conversation_id, activity)  # noqa: E731
            await self.throttle.run(conversation_id.split(";", 1)[0], call)

        self.in_background(send, f"send a reply in {conversation_id}")

    # -- references ---------------------------------------------------------------------------
    async def reference(self, channel: str) -> dict[str, Any]:
        reference = await self.references.reference(channel)
        if reference is None or not reference.get("service_url"):
            raise PostFailed(
                f"shiftbrief has not been added to the Microsoft Teams team of {channel} yet, so it cannot post there. "
                "A team owner must first add the shiftbrief app to that team (or mention @shiftbrief once in that "
                "channel); see docs/teams.md."
            )
        return reference

    async def remember_person(self, aad_object_id: str, user_id: str, name: str, service_url: str, tenant_id: str | None,
                        bot: dict[str, str] | None, conversation_id: str | None = None) -> None:
        """Keep what a private message to this person needs: Teams user id, service URL, tenant, 1:1 chat id."""
        key = person_key(aad_object_id)
        old = await self.references.reference(key) or {}
        known_chat = old.get("conversation_id") if old.get("user_id") == user_id else None
        reference = {"user_id": user_id, "name": name, "service_url": service_url, "tenant_id": tenant_id, "bot": bot,
                     "conversation_id": conversation_id or known_chat}
        if old != reference:
            await self.references.save_reference(key, reference)

    async def _connector(self, service_url: str) -> ConnectorClient:
        client = self._connectors.get(service_url)
        if client is None:
            claims = self.adapter.create_claims_identity(self.app_id)
            factory = self.adapter.bot_framework_authentication.create_connector_factory(claims)
            client = await factory.create(service_url, None)
            # msrest would retry a 429 itself (urllib3, sleeping out Retry-After inside one call), out of
            # sight of the Throttle and its per-request budget: the Throttle does the retrying instead.
            client.config.retry_policy.retries = 0
            self._connectors[service_url] = client
        return client

    async def close(self) -> None:
        await self.settle(within=5.0)
        for task in list(self._background):
            task.cancel()
        for client in self._connectors.values():
            try:
                await client.close()
            except Exception:  # closing is best effort
                log.debug("closing a connector client failed", exc_info=True)
        self._connectors.clear()

    # -- the Platform protocol ----------------------------------------------------------------
    async def members(self, channel: str) -> list[tuple[str, str]]:
        """The team's roster, page by page, as ('teams:<AAD object id>', name)."""
        reference = await self.reference(channel)
        service_url = reference["service_url"]
        roster_id = reference.get("team_id") or reference["channel_id"]
        connector = await self._connector(service_url)
        people: dict[str, str] = {}
        token: str | None = None
        for _page in range(1000):  # a bound, in case a service keeps handing back a token
            result = await self.throttle.run(
                roster_id,
                lambda token=token: connector.conversations.get_teams_conversation_paged_members(  # type: ignore[misc]
                    roster_id, self.page_size, token
                ),
            )
            for member in result.members or []:
                aad = getattr(member, "aad_object_id", None)
                if not aad:
                    continue  # bots and accounts without an Entra ID identity are not officers
                people[PREFIX + aad] = member.name or aad
                await self.remember_person(aad, member.id, member.name or aad, service_url, reference.get("tenant_id"), reference.get("bot"))
            token = result.continuation_token
            if not token:
                break
        self._rosters[channel] = (self.monotonic(), frozenset(people))
        return list(people.items())

    async def is_member(self, channel: str, person_id: str) -> bool:
        """Whether a person is on the roster of the channel's team now: `members`, cached per channel for
        `roster_cache_seconds` and forgotten when Teams says members were added or removed. Concurrent first
        clicks share one look-up. Raises if the roster cannot be read (PostFailed, a connector error)."""
        if not person_id.startswith(PREFIX) or not channel.startswith(PREFIX):
            return False
        cached = self._rosters.get(channel)
        if cached is None or self.monotonic() - cached[0] >= self.roster_cache_seconds:
            async with self._roster_locks.setdefault(channel, asyncio.Lock()):
                cached = self._rosters.get(channel)
                if cached is None or self.monotonic() - cached[0] >= self.roster_cache_seconds:
                    await self.members(channel)
                    cached = self._rosters[channel]
        return person_id in cached[1]

    def forget_rosters(self) -> None:
        """Members joined or left a team: read every roster afresh on the next click."""
        self._rosters.clear()

    async def post_card(self, view: CardView) -> dict[str, Any]:
        reference = await self.reference(view.team.channel)
        activity = Activity(
            type=ActivityTypes.message,
            attachments=[Attachment(content_type=CONTENT_TYPE, content=render_card(view))],
            summary=view.card.title,
        )
        posted = await self._post(reference, activity)
        return {**posted, "channel": view.team.channel}

    async def update_card(self, view: CardView) -> None:
        """Bring 'Acknowledged by N of M' up to date; clicks that arrive mid-update share the next one."""
        ref = view.delivery.message_ref or {}
        if not ref.get("activity_id") or not ref.get("conversation_id"):
            return
        delivery_id = view.delivery.id
        self._latest[delivery_id] = view
        if delivery_id in self._updating:
            return  # the update in flight will send the newest count when it finishes
        self._updating.add(delivery_id)
        handed_off = False
        try:
            handed_off = await self._run_updates(delivery_id)
        finally:
            if not handed_off:
                self._updating.discard(delivery_id)

    async def _run_updates(self, delivery_id: str) -> bool:
        """Send the newest view until none is waiting; True if throttling handed the rest to the background."""
        while delivery_id in self._latest:
            view = self._latest.pop(delivery_id)
            try:
                await self._update(view)
            except OverBudget:
                self._latest.setdefault(delivery_id, view)  # the newest count is sent, after the request is answered

                async def finish() -> None:
                    try:
                        await self._run_updates(delivery_id)
                    finally:
                        self._updating.discard(delivery_id)

                self.in_background(finish, f"update the card of {delivery_id}")
                return True
        return False

    async def find_post(self, delivery: Delivery) -> dict[str, Any] | None:
        # Teams offers a bot no way to look up its own past posts: say so, so the core does not post twice.
        raise PostStateUnknown("Microsoft Teams offers no way to look up the bot's earlier posts")

    async def send_direct(self, person_id: str, text: str) -> None:
        """A private 1:1 message of plain text, shown as written: the chat is created once (Teams returns the
        same one again), then posted to."""
        if not person_id.startswith(PREFIX):
            raise PostFailed(f"{person_id} is not a Microsoft Teams user.")
        key = person_key(person_id[len(PREFIX):])
        reference = await self.references.reference(key)
        if reference is None:
            raise PostFailed(
                f"shiftbrief has not seen {person_id} in a Teams team roster yet, so it cannot message them privately."
            )
        conversation_id = reference.get("conversation_id")
        if not conversation_id:
            parameters = ConversationParameters(
                is_group=False,
                bot=_account(reference.get("bot")),
                members=[ChannelAccount(id=reference["user_id"])],
                tenant_id=reference.get("tenant_id"),
                channel_data={"tenant": {"id": reference.get("tenant_id")}},
            )
            created = await self._create(person_id, reference["service_url"], parameters)
            conversation_id = created["conversation_id"]
            await self.references.save_reference(key, {**reference, "conversation_id": conversation_id})
        connector = await self._connector(reference["service_url"])
        activity = Activity(
            type=ActivityTypes.message,
            channel_id=CHANNEL_ID,
            conversation=ConversationAccount(id=conversation_id, conversation_type="personal"),
            from_property=_account(reference.get("bot")),
            recipient=ChannelAccount(id=reference["user_id"], name=reference.get("name") or ""),
            text=escape(text),
            text_format=TextFormatTypes.markdown,
        )
        await self.throttle.run(
            conversation_id, lambda: connector.conversations.send_to_conversation(conversation_id, activity)
        )

    async def post_text(self, channel: str, text: str) -> None:
        """A new post of plain text in a channel, shown as written (no mention, link or formatting)."""
        activity = Activity(type=ActivityTypes.message, text=escape(text), text_format=TextFormatTypes.markdown)
        await self._post(await self.reference(channel), activity)

    # -- the connector calls ------------------------------------------------------------------
    async def _post(self, reference: dict[str, Any], activity: Activity) -> dict[str, Any]:
        """A new post (a new thread) in a channel."""
        tenant = reference.get("tenant_id")
        channel_data: dict[str, Any] = {"channel": {"id": reference["channel_id"]}}
        if tenant:
            channel_data["tenant"] = {"id": tenant}
        activity.channel_id = CHANNEL_ID
        activity.conversation = ConversationAccount(id=reference["channel_id"], is_group=True, conversation_type="channel")
        parameters = ConversationParameters(
            is_group=True,
            bot=_account(reference.get("bot")),
            channel_data=channel_data,
            activity=activity,
            tenant_id=tenant,
        )
        return await self._create(reference["channel_id"], reference["service_url"], parameters)

    async def _create(self, pace_key: str, service_url: str, parameters: ConversationParameters) -> dict[str, Any]:
        created: dict[str, Any] = {}

        async def keep_ids(context: TurnContext) -> None:
            created["conversation_id"] = context.activity.conversation.id
            created["activity_id"] = context.activity.id

        await self.throttle.run(
            pace_key,
            lambda: self.adapter.create_conversation(self.app_id, keep_ids, parameters, CHANNEL_ID, service_url),
        )
        return {"service_url": service_url, **created}

    async def _update(self, view: CardView) -> None:
        ref = view.delivery.message_ref or {}
        connector = await self._connector(ref["service_url"])
        activity = Activity(
            type=ActivityTypes.message,
            id=ref["activity_id"],
            channel_id=CHANNEL_ID,
            conversation=ConversationAccount(id=ref["conversation_id"]),
            attachments=[Attachment(content_type=CONTENT_TYPE, content=render_card(view))],
            summary=view.card.title,
        )
        await self.throttle.run(
            ref["conversation_id"].split(";", 1)[0],
            lambda: connector.conversations.update_activity(ref["conversation_id"], ref["activity_id"], activity),
        )


def _account(bot: dict[str, str] | None) -> ChannelAccount | None:
    return ChannelAccount(id=bot["id"], name=bot.get("name")) if bot and bot.get("id") else None
