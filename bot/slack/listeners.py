"""Bolt listeners: button clicks, /brief, direct messages, @mentions and App Home, each `ack()` first.

With bolt's default (`process_before_response=False`) the HTTP response goes back as soon as `ack()`
is called and the rest of the listener runs after it, so neither the database nor Web API retries
(429) hold up the three-second acknowledgement Slack requires. bolt does not de-duplicate Slack's
retries: each request's retry key goes to the core, which commits it in the same transaction as the
work it guards, so a retry of handled work is dropped and a retry of failed work is let through.

A request whose payload has a shape Slack never sends (an empty `actions`, a `user` that is a string, a
number where an id belongs) is refused with 400 and one log line by `RefuseMalformed`, before bolt or a
listener reads it (`payload_problem` says what is wrong). `bolt_request` does the same for a signed HTTP
body that is not a Slack payload at all (not JSON, a number too long to read).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.core import Actor, AlreadyHandled, Command, Core, CoreError, Invocation, Reply, parse
from bot.slack.platform import PREFIX, SlackPlatform
from bot.slack.render import ACKNOWLEDGE, CHECK_PREFIX, HELPFUL, NOT_HELPFUL, escape, home_view
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

    async def tell(self, channel: str, user: str, mrkdwn: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """A private reply, already mrkdwn, in the channel they acted in; by direct message if the bot
        cannot post there."""
        try:
            await self.platform.post_private(channel, user, mrkdwn, blocks)
        except SlackApiError as exc:
            if exc.response.get("error") not in ("channel_not_found", "not_in_channel", "is_archived"):
                raise
            await self.platform.send_direct_mrkdwn(PREFIX + user, mrkdwn, blocks)

    # -- the card's buttons ---------------------------------------------------------------------
    async def acknowledge(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        async def record(actor: Actor, key: str | None, where: str) -> str:
            return (await self.core.acknowledge(actor, str(action.get("value", "")), "slack", key, where)).message

        await self._button(ack, body, record)

    async def check(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        delivery_id, _sep, choice = str(action.get("value", "")).rpartition(":")

        async def record(actor: Actor, key: str | None, where: str) -> str:
            return (await self.core.answer_check(actor, delivery_id, choice, key, where)).message

        await self._button(ack, body, record)

    async def rate(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        helpful = action.get("action_id") == HELPFUL

        async def record(actor: Actor, _key: str | None, _where: str) -> str:  # only the asker may rate (the core)
            return await self.core.rate_answer(actor, str(action.get("value", "")), helpful)

        await self._button(ack, body, record)

    async def _button(
        self, ack: Any, body: dict[str, Any], record: Callable[[Actor, str | None, str], Awaitable[str]]
    ) -> None:
        """ack() first, then the core call with where the click came from (`slack:<channel>`, for the core to
        compare with the card's channel); its message, or the refusal, goes privately to whoever clicked."""
        await ack()
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else None
        if not isinstance(user_id, str) or not user_id:
            log.warning("ignored a Slack click with no user")
            return
        channel = _channel_of(body)
        try:
            text = await record(await self.actor(user_id), retry_key(body), PREFIX + channel if channel else "")
        except AlreadyHandled:
            log.info("ignoring a repeat of %s", retry_key(body))
            return
        except CoreError as exc:
            text = str(exc)
        await self.tell(channel, user_id, escape(text))  # the core's words are plain text (card titles too)

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
            await self.platform.post_mrkdwn(PREFIX + channel, message, blocks or None, thread_ts=thread_ts)
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

    async def membership(self, event: dict[str, Any]) -> None:
        """member_joined_channel, member_left_channel: look the channel's members up afresh on the next click."""
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            self.platform.forget_members(channel)

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
    found = (channel or {}).get("id") or (container or {}).get("channel_id") or ""
    return found if isinstance(found, str) else ""


# -- what a well-formed request looks like ------------------------------------------------------------
EVENT_TEXT_FIELDS = ("user", "channel", "channel_type", "text", "ts", "thread_ts", "event_ts", "subtype", "bot_id",
                     "tab")
HANDLED_EVENTS = {"message", "app_mention", "app_home_opened", "member_joined_channel", "member_left_channel"}


def _text_or_absent(where: Mapping[str, Any], *keys: str) -> str | None:
    """The first key whose value is present (not None) and not a string, as a problem; None if all are fine."""
    for key in keys:
        value = where.get(key)
        if value is not None and not isinstance(value, str):
            return f"`{key}` is a {type(value).__name__}, not a string"
    return None


def _id_holder(value: object) -> bool:
    """What bolt reads an id out of: absent, a string, or an object with a string `id` (if any)."""
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, dict) and isinstance(value.get("id", ""), str)


def payload_problem(body: object) -> str | None:
    """Why a Slack request body cannot be handled, in a few words; None if it can.

    It checks the fields bolt and these listeners read, with the types Slack sends, before either reads
    them: a signed request of any other shape is refused with 400 rather than failing half-way (500 and a
    traceback). Requests of a kind the bot does not handle pass, for bolt to answer 404."""
    if not isinstance(body, dict):
        return f"the payload is a JSON {type(body).__name__}, not an object"
    problem = _text_or_absent(body, "type", "token", "team_id", "api_app_id", "trigger_id", "response_url")
    if problem:
        return problem
    for key in ("user", "channel", "team", "enterprise"):
        if not _id_holder(body.get(key)):
            return f"`{key}` is neither an id nor an object with one"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "`authorizations` is not a list of objects"
    if "response_urls" in body:
        return "`response_urls` (a modal's) is not something shiftbrief sends"
    kind = body.get("type")
    if "command" in body:
        return _text_or_absent(body, "command", "text") or (
            None if isinstance(body.get("user_id"), str) and isinstance(body.get("channel_id"), str)
            else "a command without a `user_id` and `channel_id`"
        )
    if kind == "block_actions":
        return _block_actions_problem(body)
    if kind in ("interactive_message", "workflow_step_edit", "view_submission", "view_closed"):
        return f"`{kind}` is not something shiftbrief sends"
    if "event" in body or kind == "event_callback":
        return _event_problem(body.get("event"))
    return None


def _block_actions_problem(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return "a click without a `user` object holding its id"
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "a click without a list of `actions`"
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return "an action that is not an object with an `action_id`"
        problem = _text_or_absent(action, "value", "block_id", "action_ts", "type")
        if problem:
            return problem
    for key in ("container", "message", "state", "view"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"`{key}` is not an object"
    container = body.get("container")
    if isinstance(container, dict):
        return _text_or_absent(container, "channel_id", "message_ts")
    return None


def _event_problem(event: object) -> str | None:
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "an event that is not an object with a `type`"
    if event["type"] in HANDLED_EVENTS:
        problem = _text_or_absent(event, *EVENT_TEXT_FIELDS)
        if problem:
            return problem
        for key in ("message", "previous_message"):
            if event.get(key) is not None and not isinstance(event[key], dict):
                return f"the event's `{key}` is not an object"
    return None


def _refusal(problem: str) -> BoltResponse:
    log.warning("refused a Slack request: %s", problem)
    return BoltResponse(status=400, body="malformed Slack request")


class RefuseMalformed(AsyncMiddleware):
    """Answers 400, with one log line, for a request `payload_problem` finds fault with; placed first,
    before bolt's own middleware, which reads the body too."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        problem = payload_problem(req.body)
        if problem is not None:
            return _refusal(problem)
        return await next()


def bolt_request(raw: bytes, query: str, headers: Mapping[str, str]) -> AsyncBoltRequest | BoltResponse:
    """A signed HTTP body as bolt's request, or the 400 to answer (with one log line) when it is not a Slack
    payload: not UTF-8, not JSON, a number too long to read, or a shape `payload_problem` refuses. bolt would
    otherwise raise while reading it (a 500 and a traceback)."""
    try:
        request = AsyncBoltRequest(body=raw.decode("utf-8"), query=query, headers=dict(headers.items()))
    except Exception as exc:  # whatever reading an arbitrary body raises, it is the sender's fault
        return _refusal(f"the body is not a Slack payload ({type(exc).__name__})")
    problem = payload_problem(request.body)
    return _refusal(problem) if problem is not None else request


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("Slack listener failed on %s: %s", body.get("type") or body.get("command"), error, exc_info=error)


def register(bolt: AsyncApp, core: Core, platform: SlackPlatform) -> Listeners:
    """Attach every listener to `bolt`, and `RefuseMalformed` ahead of bolt's own middleware (`bolt.use`
    would add it after them, and they read the body: an `event` that is not an object fails in them)."""
    bolt._async_middleware_list.insert(0, RefuseMalformed())
    listeners = Listeners(core, platform)
    bolt.action(ACKNOWLEDGE)(listeners.acknowledge)
    bolt.action(re.compile(rf"^{CHECK_PREFIX}\d$"))(listeners.check)
    bolt.action(HELPFUL)(listeners.rate)
    bolt.action(NOT_HELPFUL)(listeners.rate)
    bolt.command(COMMAND)(listeners.brief)
    bolt.event("message")(listeners.direct_message)
    bolt.event("app_mention")(listeners.mention)
    bolt.event("app_home_opened")(listeners.home)
    bolt.event("member_joined_channel")(listeners.membership)
    bolt.event("member_left_channel")(listeners.membership)
    bolt.error(_log_error)
    return listeners
