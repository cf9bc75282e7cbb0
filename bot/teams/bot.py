"""Incoming Teams activities, parsed into core calls; the core's results rendered back.

Installs store the channel's conversation reference; messages are commands or questions; card
buttons are acknowledgements and check answers. Every refusal is the core's message, shown as is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse, Attachment, TextFormatTypes

from bot.core import Actor, AlreadyHandled, Command, Core, CoreError, InvalidInput, Invocation, Reply, parse
from bot.teams.card import ACKNOWLEDGE, ACTION_KEY, CHECK, CONTENT_TYPE, RATE, render_answer
from bot.teams.commands import clean_text, escape, render_text
from bot.teams.platform import TeamsPlatform, channel_key
from bot.teams.throttle import OverBudget

log = logging.getLogger(__name__)
CARD_ACTION_INVOKE = "adaptiveCard/action"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
# How long one incoming request may wait on Teams' throttling: Bot Service gives up on a bot after 15 s.
TURN_BUDGET = 10.0


class TeamsBot:
    """The turn handler the adapter calls for each authenticated activity."""

    def __init__(self, core: Core, platform: TeamsPlatform, turn_budget: float = TURN_BUDGET) -> None:
        self.core = core
        self.platform = platform
        self.turn_budget = turn_budget

    async def on_turn(self, context: TurnContext) -> None:
        with self.platform.throttle.budget(self.turn_budget):
            await self._turn(context)

    async def _turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.invoke:
            await self._invoke(context)
        elif activity.type == ActivityTypes.conversation_update:
            await self._conversation_update(context)
        elif activity.type == ActivityTypes.message:
            await self._remember(activity)
            value = activity.value
            if isinstance(value, dict) and value.get(ACTION_KEY):
                await self._card_action(context, value)
            else:
                await self._message(context)

    async def _reply(self, context: TurnContext, activity: Activity) -> None:
        """A reply in the conversation the activity came from, paced and retried on 429 like every post.

        If Teams' throttling would hold the request past its budget, the reply is sent after it is answered.
        """
        conversation = context.activity.conversation.id.split(";", 1)[0]
        try:
            await self.platform.throttle.run(conversation, lambda: context.send_activity(activity))
        except OverBudget:
            reference = TurnContext.get_conversation_reference(context.activity)
            TurnContext.apply_conversation_reference(activity, reference)
            self.platform.send_later(context.activity.service_url, activity)

    # -- installation -------------------------------------------------------------------------
    async def _conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        key = _event_key(activity)
        if key is not None and not await self.core.first_time(key):  # a retried install: welcomed once
            log.info("ignoring a repeated Teams activity %s", activity.id)
            return
        if activity.members_removed or any(m.id != (activity.recipient.id if activity.recipient else None)
                                           for m in activity.members_added or []):
            self.platform.forget_rosters()  # someone joined or left a team: its roster is read afresh
        data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        if data.get("eventType") == "channelCreated" and isinstance(data.get("channel"), dict):
            await self._save_channel(activity, str(data["channel"].get("id") or ""))
            return
        bot_id = activity.recipient.id if activity.recipient else None
        if not bot_id or bot_id not in [m.id for m in activity.members_added or []]:
            return
        if _conversation_type(activity) == "personal":
            await self._remember(activity)
            await self._reply(context, _text("Hello. " + render_text(self.core.help(), in_channel=False)))
            return
        keys = [await self._save_channel(activity, activity.conversation.id)]
        keys += [await self._save_channel(activity, channel) for channel in await self._other_channels(context)]
        teams = [(key, team) for key in keys if (team := self.core.team_for_channel(key)) is not None]
        if teams:
            where = "; ".join(
                f"**{escape(team.name)}**" + (" in this channel" if key == keys[0] else f" in its channel `{key}`")
                for key, team in teams
            )
            reply = f"shiftbrief is ready for {where}. Mention me with **help** to see what I can do."
        else:
            reply = (
                f"shiftbrief has been added, but no team in shiftbrief.toml uses this channel yet. Its channel id is "
                f"`{keys[0]}`: ask your shiftbrief administrator to set it as a team's `channel`."
            )
        log.info("installed in Teams channel(s) %s (%s)", ", ".join(keys), ", ".join(t.id for _k, t in teams) or "no team")
        await self._reply(context, _text(reply))

    async def _other_channels(self, context: TurnContext) -> list[str]:
        """The team's other channels, so a team configured on any of them can be posted to at once."""
        data: dict[str, Any] = context.activity.channel_data if isinstance(context.activity.channel_data, dict) else {}
        team_id = (data.get("team") or {}).get("id") if isinstance(data.get("team"), dict) else None
        if not team_id:
            return []
        try:
            client = await TeamsInfo.get_teams_connector_client(context)
            channels = await asyncio.to_thread(client.teams.get_teams_channels, team_id)  # a blocking client
        except Exception as exc:  # the channel it was added to is stored; the rest can be found later
            log.warning("could not list the channels of Teams team %s: %s", team_id, exc)
            return []
        current = context.activity.conversation.id.split(";", 1)[0]
        return [c.id for c in channels.conversations or [] if c.id and c.id != current]

    async def _save_channel(self, activity: Activity, conversation_id: str) -> str:
        """Store what a later proactive post to this channel needs; return its `teams:<channel id>` key."""
        key = channel_key(conversation_id)
        data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = data.get("team") if isinstance(data.get("team"), dict) else {}
        reference = {
            "service_url": activity.service_url,
            "tenant_id": _tenant(activity),
            "channel_id": key[len("teams:"):],
            "team_id": (team or {}).get("id"),
            "team_name": (team or {}).get("name"),
            "bot": {"id": activity.recipient.id, "name": activity.recipient.name} if activity.recipient else None,
        }
        await self.core.save_reference(key, reference)
        return key

    async def _remember(self, activity: Activity) -> None:
        sender = activity.from_property
        aad = getattr(sender, "aad_object_id", None) if sender else None
        if aad and sender.id and activity.service_url:
            bot = {"id": activity.recipient.id, "name": activity.recipient.name} if activity.recipient else None
            personal = _conversation_type(activity) == "personal" and activity.conversation
            chat = activity.conversation.id if personal else None
            name = await self.core.name_of(f"teams:{aad}", sender.name or aad)
            await self.platform.remember_person(aad, sender.id, name, activity.service_url, _tenant(activity), bot, chat)
        if _conversation_type(activity) == "channel" and activity.conversation and activity.conversation.id:
            await self._save_channel(activity, activity.conversation.id)

    # -- people -------------------------------------------------------------------------------
    async def _actor(self, activity: Activity) -> Actor:
        sender = activity.from_property
        if sender is None or not sender.id:
            raise InvalidInput("I cannot tell who sent that.")
        person_id = f"teams:{getattr(sender, 'aad_object_id', None) or sender.id}"
        return Actor.person(person_id, await self.core.name_of(person_id, sender.name or ""))

    # -- messages -------------------------------------------------------------------------------
    async def _message(self, context: TurnContext) -> None:
        """A message in a personal chat, or one that @mentions the bot in a channel: a command or a question."""
        activity = context.activity
        in_channel = _conversation_type(activity) != "personal"
        mentions = _bot_mentions(activity)
        if in_channel and not mentions:
            return  # in a channel, only messages that mention the bot are for it
        text = clean_text(activity.text, mentions)
        command = parse(text, explicit=False) if text else Command("help")
        try:
            invocation = Invocation(
                await self._actor(activity), "teams", channel_key(activity.conversation.id) if in_channel else None,
                private=not in_channel, event_key=_event_key(activity),
            )
            reply = await self.core.run(invocation, command)
        except AlreadyHandled:
            log.info("ignoring a repeated Teams activity %s", activity.id)
            return
        except CoreError as exc:
            reply = Reply(str(exc))
        await self._reply(context, self._render(reply, in_channel))

    def _render(self, reply: Reply, in_channel: bool) -> Activity:
        asked = reply.answer
        if asked is not None and asked.answered and asked.answer.card is not None:
            return Activity(
                type=ActivityTypes.message,
                text=escape(asked.message),
                attachments=[Attachment(content_type=CONTENT_TYPE,
                                        content=render_answer(asked.answer.card, asked.question_id))],
            )
        return _text(render_text(reply, in_channel=in_channel))

    # -- card buttons -------------------------------------------------------------------------
    async def _action_message(self, actor: Actor, value: dict[str, Any], key: str | None, where: str) -> str:
        """Acknowledge, check an answer or rate an answer: what a button press did, for the presser alone.
        `where` is the conversation the press came from, for the core to compare with the card's channel."""
        kind = value.get(ACTION_KEY)
        if kind == RATE:
            return await self.core.rate_answer(actor, value.get("question"), value.get("helpful") is True)
        delivery_id = value.get("delivery")
        if kind == ACKNOWLEDGE:
            return (await self.core.acknowledge(actor, delivery_id, "teams", key, where)).message
        if kind == CHECK:
            return (await self.core.answer_check(actor, delivery_id, value.get("choice") or "", key, where)).message
        raise InvalidInput("That button does not belong to a shiftbrief card.")

    async def _card_action(self, context: TurnContext, value: dict[str, Any]) -> None:
        """An Action.Submit press: a message activity whose value is the button's data (and the inputs).
        In a channel, what it did (or why it was refused) goes to the presser alone, by private message."""
        activity = context.activity
        try:
            actor = await self._actor(activity)
        except CoreError as exc:  # nobody to answer privately
            await self._reply(context, _text(escape(str(exc))))
            return
        try:
            message = await self._action_message(actor, value, _event_key(activity), _where(activity))
        except AlreadyHandled:
            log.info("ignoring a repeated Teams activity %s", activity.id)
            return
        except CoreError as exc:
            message = str(exc)
        if _conversation_type(activity) == "personal":
            await self._reply(context, _text(escape(message)))
            return
        try:  # in a channel the answer is for the officer alone
            await self.platform.send_direct(actor.id, message)
        except Exception:
            log.warning("could not reply privately to %s; replying in the thread", actor.id, exc_info=True)
            if value.get(ACTION_KEY) == ACKNOWLEDGE:
                await self._reply(context, _text(escape(f"{actor.name}: {message}")))

    async def _invoke(self, context: TurnContext) -> None:
        """An Action.Execute press (`adaptiveCard/action`), answered in the invoke's own HTTP response.

        The answer is a message only the presser sees, so nothing is posted in the channel. Other invokes
        (message extensions, task modules) are not something shiftbrief offers: 501 and a log line.
        """
        activity = context.activity
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        action: dict[str, Any] = value["action"] if isinstance(value.get("action"), dict) else {}
        data: dict[str, Any] = action["data"] if isinstance(action.get("data"), dict) else {}
        if activity.name != CARD_ACTION_INVOKE:
            log.info("answered a Teams invoke %r with 501: shiftbrief does not handle it", activity.name)
            await _answer_invoke(context, 501)
            return
        await self._remember(activity)
        try:
            if not data.get(ACTION_KEY):
                raise InvalidInput("That button does not belong to a shiftbrief card.")
            message = await self._action_message(await self._actor(activity), data, _event_key(activity),
                                                 _where(activity))
        except AlreadyHandled:  # Teams still waits for an answer to its retry
            message = "Already received; nothing more to do."
        except CoreError as exc:
            message = str(exc)
        await _answer_invoke(context, 200, _message_response(message))


def _event_key(activity: Activity) -> str | None:
    """What identifies one activity, so Teams' retry of it is handled once (committed with its work)."""
    if activity.id and activity.conversation and activity.conversation.id:
        return f"teams:activity:{activity.conversation.id}:{activity.id}"
    return None


def _where(activity: Activity) -> str:
    """The channel a button was pressed in, as the core names channels (`teams:<channel id>`); "" if none."""
    conversation = activity.conversation
    return channel_key(conversation.id) if conversation and conversation.id else ""


def _text(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format=TextFormatTypes.markdown)


def _conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    if kind:
        return str(kind)
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return "channel" if data.get("channel") or data.get("team") else "personal"


def _tenant(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) if conversation else None


def _bot_mentions(activity: Activity) -> list[str]:
    """The `<at>…</at>` texts that mention this bot."""
    bot_id = activity.recipient.id if activity.recipient else None
    texts = []
    for entity in activity.entities or []:
        props = entity.additional_properties if hasattr(entity, "additional_properties") else {}
        if getattr(entity, "type", None) != "mention":
            continue
        mentioned = props.get("mentioned") or {}
        if isinstance(mentioned, dict) and mentioned.get("id") == bot_id and props.get("text"):
            texts.append(str(props["text"]))
    return texts


def _message_response(message: str) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(status_code=200, type=MESSAGE_RESPONSE, value=message)


async def _answer_invoke(context: TurnContext, status: int, body: AdaptiveCardInvokeResponse | None = None) -> None:
    """The invoke's HTTP answer; an AdaptiveCardInvokeResponse object, never a dict (4.17.1 answers 500 for one)."""
    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body)))
