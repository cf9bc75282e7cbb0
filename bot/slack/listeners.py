"""Bolt listeners: button clicks, /brief, direct messages, @mentions and App Home, each `ack()` first.

With bolt's default (`process_before_response=False`) the HTTP response goes back as soon as `ack()`
is called and the rest of the listener runs after it, so Web API retries (429) never hold up the
three-second acknowledgement Slack requires.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.core import Actor, Core, CoreError, InvalidInput
from bot.slack.commands import COMMAND, ROUTES, BriefCommands, usage_lines
from bot.slack.platform import PREFIX, SlackPlatform
from bot.slack.render import ACKNOWLEDGE, CHECK_PREFIX, HELPFUL, NOT_HELPFUL, answer_message, home_view

log = logging.getLogger(__name__)
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def retry_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery of one request, so Slack's retry of it (the very same body) is handled
    once while a different person's click, or the same person's next click, is not (bolt does not
    de-duplicate). None when the request carries too little to tell: it is then always handled."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"slack:event:{body['event_id']}"
    if body.get("command"):
        user, trigger = body.get("user_id"), body.get("trigger_id")
        if not user or not trigger:
            return None
        text = hashlib.sha256(str(body.get("text") or "").encode()).hexdigest()[:16]
        return f"slack:command:{user}:{body.get('channel_id', '')}:{trigger}:{text}"
    if body.get("type") == "block_actions":
        user = (body.get("user") or {}).get("id")
        action = (body.get("actions") or [{}])[0]
        action_ts, trigger = action.get("action_ts"), body.get("trigger_id")
        if not user or not (action_ts or trigger):
            return None
        return f"slack:action:{user}:{action_ts or ''}:{action.get('action_id', '')}:{trigger or ''}"
    return None


def as_command(text: str) -> str | None:
    """The `/brief` words when a message's first word is `brief` (or `/brief`), after any @mention; else None."""
    words = MENTION.sub(" ", text).split()
    if not words or words[0].lower() not in ("brief", COMMAND):
        return None
    return " ".join(words[1:])


class Listeners:
    """The listener functions; registered on an AsyncApp by `register`."""

    def __init__(self, core: Core, platform: SlackPlatform) -> None:
        self.core = core
        self.platform = platform
        self.commands = BriefCommands(core)

    async def actor(self, user_id: str) -> Actor:
        return Actor.person(PREFIX + user_id, await self.platform.display_name(user_id))

    async def tell(self, channel: str, user: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """A private reply in the channel they acted in; by direct message if the bot cannot post there."""
        try:
            await self.platform.post_private(channel, user, text, blocks)
        except SlackApiError as exc:
            if exc.response.get("error") not in ("channel_not_found", "not_in_channel", "is_archived"):
                raise
            await self.platform.send_direct(PREFIX + user, text)

    # -- middleware ---------------------------------------------------------------------------
    async def once(self, body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002 (bolt's name)
        """Answer a retried request (same event_id, or same trigger) with 200 and do nothing more."""
        key = retry_key(body)
        if key is not None and not self.core.store.first_time(key, self.core.now()):
            log.info("ignoring a repeat of %s", key)
            return BoltResponse(status=200, body="")
        await next()
        return None

    # -- the card's buttons ---------------------------------------------------------------------
    async def acknowledge(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        async def record(actor: Actor) -> str:
            return (await self.core.acknowledge(actor, str(action.get("value", "")), via="slack")).message

        await self._button(ack, body, record)

    async def check(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        delivery_id, _sep, choice = str(action.get("value", "")).rpartition(":")

        async def record(actor: Actor) -> str:
            if not choice.isdigit():
                raise InvalidInput("That button does not belong to a shiftbrief card.")
            return (await self.core.answer_check(actor, delivery_id, int(choice))).message

        await self._button(ack, body, record)

    async def _button(self, ack: Any, body: dict[str, Any], record: Callable[[Actor], Awaitable[str]]) -> None:
        """ack() first, then the core call; its message, or the refusal, goes privately to whoever clicked."""
        await ack()
        user, channel = body["user"]["id"], _channel_of(body)
        try:
            text = await record(await self.actor(user))
        except CoreError as exc:
            text = str(exc)
        await self.tell(channel, user, text)

    async def rate(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user, channel = body["user"]["id"], _channel_of(body)
        value = str(action.get("value", ""))
        helpful = action.get("action_id") == HELPFUL
        try:
            if not value.isdigit():
                raise InvalidInput("That button does not belong to a shiftbrief answer.")
            saved = self.core.rate_answer(await self.actor(user), int(value), helpful)
        except CoreError as exc:
            await self.tell(channel, user, str(exc))
            return
        text = (
            "Thanks for the feedback."
            if saved
            else "Only the person who asked can rate that answer (or it is no longer on record)."
        )
        await self.tell(channel, user, text)

    # -- /brief -------------------------------------------------------------------------------
    async def brief(self, ack: Any, command: dict[str, Any]) -> None:
        text = str(command.get("text") or "")
        words = text.split()
        if not words or words[0].lower() not in ROUTES or words[0].lower() == "help":
            reply = self.commands.help(words[0] if words and words[0].lower() != "help" else None)
            await ack(text=reply.text)  # no work to do: answer in the acknowledgement itself
            return
        await ack()
        user, channel = command["user_id"], command["channel_id"]
        reply = await self.commands.run(await self.actor(user), PREFIX + channel, text)
        await self.tell(channel, user, reply.text, reply.blocks or None)

    async def typed_brief(self, user: str, channel: str, text: str, *, direct: bool) -> None:
        """`brief …` typed to the bot: the same command as `/brief …`, with the same reply. In a channel the
        reply is private to the person; in a direct message it is an ordinary reply (it is private already)."""
        reply = await self.commands.run(await self.actor(user), PREFIX + channel, text)
        if direct:
            await self.platform.post_text(PREFIX + channel, reply.text, reply.blocks or None)
        else:
            await self.tell(channel, user, reply.text, reply.blocks or None)

    # -- questions ----------------------------------------------------------------------------
    async def direct_message(self, event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        text = str(event.get("text") or "")
        command = as_command(text)
        if command is not None:
            await self.typed_brief(event["user"], event["channel"], command, direct=True)
            return
        await self.answer(event["user"], event["channel"], text, None)

    async def mention(self, event: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        command = as_command(str(event.get("text") or ""))
        if command is not None:
            await self.typed_brief(event["user"], event["channel"], command, direct=False)
            return
        question = MENTION.sub(" ", str(event.get("text") or ""))
        await self.answer(event["user"], event["channel"], question, event.get("thread_ts") or event.get("ts"))

    async def answer(self, user: str, channel: str, question: str, thread_ts: str | None) -> None:
        try:
            result = await self.core.ask(await self.actor(user), question, via="slack")
        except CoreError as exc:
            await self.platform.post_text(PREFIX + channel, str(exc), thread_ts=thread_ts)
            return
        text, blocks = answer_message(result.answer, result.question_id)
        await self.platform.post_text(PREFIX + channel, text, blocks, thread_ts=thread_ts)

    # -- App Home -----------------------------------------------------------------------------
    async def home(self, event: dict[str, Any]) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        actor = await self.actor(event["user"])
        record = self.core.my_record(actor)
        titles = {c.id: c.title for c in self.core.pack.cards}
        try:
            team_rows: list[dict[str, Any]] | None = self.core.stats(actor, by="team")
        except CoreError:  # officers: the core keeps team figures to sergeants and coordinators
            team_rows = None
        view = home_view(actor.name, record, titles, team_rows, usage_lines())
        await self.platform.client.views_publish(user_id=event["user"], view=view)


def _channel_of(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("Slack listener failed on %s: %s", body.get("type") or body.get("command"), error, exc_info=error)


def register(bolt: AsyncApp, core: Core, platform: SlackPlatform) -> Listeners:
    """Attach every listener and the retry de-duplication middleware to `bolt`."""
    listeners = Listeners(core, platform)
    bolt.middleware(listeners.once)
    bolt.action(ACKNOWLEDGE)(listeners.acknowledge)
    bolt.action(re.compile(rf"^{CHECK_PREFIX}\d$"))(listeners.check)
    bolt.action(HELPFUL)(listeners.rate)
    bolt.action(NOT_HELPFUL)(listeners.rate)
    bolt.command(COMMAND)(listeners.brief)
    bolt.event("message")(listeners.direct_message)
    bolt.event("app_mention")(listeners.mention)
    bolt.event("app_home_opened")(listeners.home)
    bolt.error(_log_error)
    return listeners
