"""Bolt listeners: button clicks, /brief, direct messages, @mentions and App Home, each `ack()` first.

With bolt's default (`process_before_response=False`) the HTTP response goes back as soon as `ack()`
is called and the rest of the listener runs after it, so neither the database nor Web API retries
(429) hold up the three-second acknowledgement Slack requires. bolt does not de-duplicate Slack's
retries: each request's retry key goes to the core, which commits it in the same transaction as the
work it guards, so a retry of handled work is dropped and a retry of failed work is let through.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.core import Actor, AlreadyHandled, Command, Core, CoreError, Invocation, Reply, parse
from bot.slack.platform import PREFIX, SlackPlatform
from bot.slack.render import ACKNOWLEDGE, CHECK_PREFIX, HELPFUL, NOT_HELPFUL, home_view
from bot.slack.reply import COMMAND, render_reply, usage_lines

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
        typed = str(body.get("text") or "").encode("utf-8", "surrogatepass")  # valid JSON may hold a lone surrogate
        text = hashlib.sha256(typed).hexdigest()[:16]
        return f"slack:command:{user}:{body.get('channel_id', '')}:{trigger}:{text}"
    if body.get("type") == "block_actions":
        user = body.get("user")
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
        user_id = user.get("id") if isinstance(user, dict) else None
        action_ts, trigger = action.get("action_ts"), body.get("trigger_id")
        if not user_id or not (action_ts or trigger):
            return None
        return f"slack:action:{user_id}:{action_ts or ''}:{action.get('action_id', '')}:{trigger or ''}"
    return None


def without_mentions(text: str) -> str:
    return " ".join(MENTION.sub(" ", text).split())


class Listeners:
    """The listener functions; registered on an AsyncApp by `register`."""

    def __init__(self, core: Core, platform: SlackPlatform) -> None:
        self.core = core
        self.platform = platform

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

    # -- the card's buttons ---------------------------------------------------------------------
    async def acknowledge(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        async def record(actor: Actor, key: str | None) -> str:
            return (await self.core.acknowledge(actor, str(action.get("value", "")), "slack", key)).message

        await self._button(ack, body, record)

    async def check(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        delivery_id, _sep, choice = str(action.get("value", "")).rpartition(":")

        async def record(actor: Actor, key: str | None) -> str:
            return (await self.core.answer_check(actor, delivery_id, choice, key)).message

        await self._button(ack, body, record)

    async def rate(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        helpful = action.get("action_id") == HELPFUL

        async def record(actor: Actor, _key: str | None) -> str:
            return await self.core.rate_answer(actor, str(action.get("value", "")), helpful)

        await self._button(ack, body, record)

    async def _button(
        self, ack: Any, body: dict[str, Any], record: Callable[[Actor, str | None], Awaitable[str]]
    ) -> None:
        """ack() first, then the core call; its message, or the refusal, goes privately to whoever clicked."""
        await ack()
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else None
        if not isinstance(user_id, str) or not user_id:
            log.warning("ignored a Slack click with no user")
            return
        channel = _channel_of(body)
        try:
            text = await record(await self.actor(user_id), retry_key(body))
        except AlreadyHandled:
            log.info("ignoring a repeat of %s", retry_key(body))
            return
        except CoreError as exc:
            text = str(exc)
        await self.tell(channel, user_id, text)

    # -- commands -------------------------------------------------------------------------------
    async def run(self, invocation: Invocation, command: Command) -> Reply | None:
        """The core's reply, its refusal as a reply, or None for a retry already handled."""
        try:
            return await self.core.run(invocation, command)
        except AlreadyHandled:
            log.info("ignoring a repeat of %s", invocation.event_key)
            return None
        except CoreError as exc:
            return Reply(str(exc))

    async def brief(self, ack: Any, command: dict[str, Any], body: dict[str, Any]) -> None:
        """`/brief …`: help is answered in the acknowledgement itself; other commands after it, privately."""
        parsed = parse(str(command.get("text") or ""), explicit=True)
        if parsed.name in ("help", "unknown"):
            text, _blocks = render_reply(self.core.help(unknown=parsed.args[0] if parsed.args else None))
            await ack(text=text)
            return
        await ack()
        user, channel = command["user_id"], command["channel_id"]
        invocation = Invocation(await self.actor(user), "slack", PREFIX + channel, True, retry_key(body))
        reply = await self.run(invocation, parsed)
        if reply is not None:
            await self.tell(channel, user, *render_reply(reply))

    async def typed(self, user: str, channel: str, text: str, key: str | None, *, direct: bool,
                    thread_ts: str | None = None) -> None:
        """A message to the bot: `brief …` (or a short command alone) is the same as `/brief …`; anything
        else is a question. In a channel a command's reply is private and an answer goes in the thread;
        in a direct message both are ordinary replies (it is private already)."""
        parsed = parse(text, explicit=False)
        invocation = Invocation(await self.actor(user), "slack", None if direct else PREFIX + channel, True, key)
        reply = await self.run(invocation, parsed)
        if reply is None:
            return
        message, blocks = render_reply(reply)
        if direct or parsed.name == "ask":
            await self.platform.post_text(PREFIX + channel, message, blocks or None, thread_ts=thread_ts)
        else:
            await self.tell(channel, user, message, blocks or None)

    # -- messages -------------------------------------------------------------------------------
    async def direct_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        await self.typed(event["user"], event["channel"], str(event.get("text") or ""), retry_key(body), direct=True)

    async def mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        text = without_mentions(str(event.get("text") or ""))
        await self.typed(event["user"], event["channel"], text, retry_key(body), direct=False,
                         thread_ts=event.get("thread_ts") or event.get("ts"))

    # -- App Home -----------------------------------------------------------------------------
    async def home(self, event: dict[str, Any]) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        actor = await self.actor(event["user"])
        record = await self.core.my_record(actor)
        titles = {e.card_id: self.core.card_title(e.card_id) for e in record}
        try:
            team_rows: list[dict[str, Any]] | None = await self.core.stats(actor, by="team")
        except CoreError:  # officers: the core keeps team figures to sergeants and coordinators
            team_rows = None
        view = home_view(actor.name, record, titles, team_rows, usage_lines(self.core.help()))
        await self.platform.client.views_publish(user_id=event["user"], view=view)


def _channel_of(body: dict[str, Any]) -> str:
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    return str((channel or {}).get("id") or (container or {}).get("channel_id") or "")


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("Slack listener failed on %s: %s", body.get("type") or body.get("command"), error, exc_info=error)


def register(bolt: AsyncApp, core: Core, platform: SlackPlatform) -> Listeners:
    """Attach every listener to `bolt`."""
    listeners = Listeners(core, platform)
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
