"""Incoming Teams activities, parsed into core calls; the core's results rendered back.

Installs store the channel's conversation reference; messages are commands or questions; card
buttons are acknowledgements and check answers. Every refusal is the core's message, shown as is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeAlias

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse, Attachment, TextFormatTypes

from bot.config import Team
from bot.core import Actor, Core, CoreError
from bot.core.errors import InvalidInput
from bot.teams.card import ACKNOWLEDGE, ACTION_KEY, CHECK, CONTENT_TYPE, RATE, render_answer
from bot.teams.commands import Command, clean_text, help_text, parse
from bot.teams.platform import TeamsPlatform, channel_key
from bot.teams.throttle import OverBudget

log = logging.getLogger(__name__)
Reply: TypeAlias = "str | Activity"
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
        if activity.id and activity.conversation and activity.conversation.id:
            key = f"teams:activity:{activity.conversation.id}:{activity.id}"
            if not self.core.store.first_time(key, self.core.now()):
                log.info("ignoring a repeated Teams activity %s", activity.id)
                if activity.type == ActivityTypes.invoke:  # Teams still waits for an answer to its retry
                    await _answer_invoke(context, 200, _message_response("Already received; nothing more to do."))
                return
        if activity.type == ActivityTypes.invoke:
            await self._invoke(context)
        elif activity.type == ActivityTypes.conversation_update:
            await self._conversation_update(context)
        elif activity.type == ActivityTypes.message:
            self._remember(activity)
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
        data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        if data.get("eventType") == "channelCreated" and isinstance(data.get("channel"), dict):
            self._save_channel(activity, str(data["channel"].get("id") or ""))
            return
        bot_id = activity.recipient.id if activity.recipient else None
        if not bot_id or bot_id not in [m.id for m in activity.members_added or []]:
            return
        if _conversation_type(activity) == "personal":
            self._remember(activity)
            await self._reply(context, _text("Hello. " + help_text(in_channel=False)))
            return
        keys = [self._save_channel(activity, activity.conversation.id)]
        keys += [self._save_channel(activity, channel) for channel in await self._other_channels(context)]
        teams = [(key, team) for key in keys if (team := self.core.config.team_for_channel(key)) is not None]
        if teams:
            where = "; ".join(
                f"**{team.name}**" + (" in this channel" if key == keys[0] else f" in its channel `{key}`")
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

    def _save_channel(self, activity: Activity, conversation_id: str) -> str:
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
        if self.core.store.reference(key) != reference:
            self.core.store.save_reference(key, reference, self.core.now())
        return key

    def _remember(self, activity: Activity) -> None:
        sender = activity.from_property
        aad = getattr(sender, "aad_object_id", None) if sender else None
        if aad and sender.id and activity.service_url:
            bot = {"id": activity.recipient.id, "name": activity.recipient.name} if activity.recipient else None
            personal = _conversation_type(activity) == "personal" and activity.conversation
            chat = activity.conversation.id if personal else None
            name = self._stable_name(f"teams:{aad}", sender.name or aad)
            self.platform.remember_person(aad, sender.id, name, activity.service_url, _tenant(activity), bot, chat)
        if _conversation_type(activity) == "channel" and activity.conversation and activity.conversation.id:
            self._save_channel(activity, activity.conversation.id)

    # -- people -------------------------------------------------------------------------------
    def _stable_name(self, person_id: str, sent_name: str) -> str:
        """One name per person: the configured [people] name, else the one on record (the roster's), else Teams'."""
        return self.core.config.people.get(person_id) or self.core.store.person_name(person_id) or sent_name

    def _actor(self, activity: Activity) -> Actor:
        sender = activity.from_property
        if sender is None:
            raise InvalidInput("I cannot tell who sent that.")
        person_id = f"teams:{getattr(sender, 'aad_object_id', None) or sender.id}"
        return Actor.person(person_id, self._stable_name(person_id, sender.name or ""))

    # -- messages -----------------------------------------------------------------------------
    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        in_channel = _conversation_type(activity) != "personal"
        mentions = _bot_mentions(activity)
        if in_channel and not mentions:
            return  # in a channel, only messages that mention the bot are for it
        text = clean_text(activity.text, mentions)
        try:
            actor = self._actor(activity)
            reply = await self._command(parse(text) if text else Command("help"), actor, activity, in_channel)
        except CoreError as exc:
            reply = str(exc)
        await self._reply(context, _text(reply) if isinstance(reply, str) else reply)

    async def _command(self, command: Command, actor: Actor, activity: Activity, in_channel: bool) -> Reply:
        core = self.core
        if command.name == "help":
            text = help_text(in_channel)
            if in_channel:
                key = channel_key(activity.conversation.id)
                if self.core.config.team_for_channel(key) is None:
                    text += (f"\n\nNo team in shiftbrief.toml uses this channel yet. Its channel id is `{key}`: ask your "
                             "shiftbrief administrator to set it as a team's `channel`.")
            return text
        if command.name == "ask":
            return await self._ask(actor, command.argument)
        if command.name == "me":
            if in_channel:
                return "Your record is yours: ask me **me** in a personal chat with shiftbrief."
            return self._record(actor)
        if command.name == "stats" and not in_channel:
            return self._personal_stats(actor, command.argument)
        team = self._team(activity, actor, in_channel)
        if command.name == "brief":
            view = await core.post_briefing(actor, team.id, topic=command.argument or None, reason="sergeant")
            return f"Posted \u201c{view.card.title}\u201d to {team.name}. {view.progress}."
        if command.name == "status":
            pending = core.pending(actor, team.id)
            head = f"\u201c{pending.card.title}\u201d in {team.name}: acknowledged by {pending.acknowledged} of {pending.recipients}."
            if not pending.not_acknowledged:
                return head + " Everyone has acknowledged it."
            return head + " Not yet: " + ", ".join(name for _pid, name in pending.not_acknowledged) + "."
        if command.name == "nudge":
            result = await core.nudge(actor, team.id)
            parts = [f"Nudged {len(result.nudged)} privately about \u201c{result.pending.card.title}\u201d."]
            if result.already:
                parts.append(f"{len(result.already)} had already been nudged once, so were not nudged again.")
            if result.failed:
                parts.append(f"{len(result.failed)} could not be reached: " + ", ".join(n for _p, n in result.failed) + ".")
            return " ".join(parts)
        if command.name == "stats":
            return self._channel_stats(actor, team)
        raise InvalidInput("I did not understand that. " + help_text(in_channel))

    def _team(self, activity: Activity, actor: Actor, in_channel: bool) -> Team:
        """The team a command is about: the channel's, or in a personal chat the one team the person has."""
        if in_channel:
            key = channel_key(activity.conversation.id)
            team = self.core.config.team_for_channel(key)
            if team is None:
                raise InvalidInput(f"No team in shiftbrief.toml uses this channel (`{key}`), so I cannot tell which team you mean.")
            return team
        for candidates in (self.core.teams_led_by(actor), self.core.teams_of(actor)):
            if len(candidates) == 1:
                return candidates[0]
            if len(candidates) > 1:
                names = ", ".join(t.name for t in candidates)
                raise InvalidInput(f"You have more than one team ({names}): use this command in that team's channel.")
        raise InvalidInput("You are not in any shiftbrief team that I know of: use this command in your team's channel.")

    def _channel_stats(self, actor: Actor, team: Team) -> str:
        """A channel is public: by topic, no names."""
        rows = self.core.stats(actor, by="topic", team_id=team.id)
        heading = f"{team.name}, by topic (ask me **stats {team.id}** in a personal chat for officers):"
        return _stats_list(heading, rows, "title")

    def _personal_stats(self, actor: Actor, team_id: str) -> str:
        """`stats`: the person's teams side by side; `stats <team id>`: that team by officer (the core checks who may)."""
        if team_id:
            team = self.core.team(team_id)
            return _stats_list(f"{team.name}, by officer:", self.core.stats(actor, by="officer", team_id=team.id), "name")
        by_team = {r["team"]: r for r in self.core.stats(actor, by="team")}
        lines = ["By team:"]
        for team in self.core.teams_led_by(actor):
            r = by_team.get(team.id)
            if r is None:
                lines.append(f"- {team.name} (`{team.id}`): nothing delivered yet")
            else:
                lines.append(f"- {team.name} (`{team.id}`): {r['deliveries']} cards, {r['acknowledged']} of "
                             f"{r['delivered']} acknowledged, {r['correct']} of {r['answered']} checks right")
        lines.append("Ask **stats <team id>** for a team by officer.")
        return "\n".join(lines)

    def _record(self, actor: Actor) -> str:
        record = self.core.my_record(actor)
        if not record:
            return "You have no briefings on record yet."
        lines = [f"Your last {min(len(record), 10)} briefings:"]
        for e in record[-10:]:
            check = "check not answered" if not e.answered else ("check right" if e.correct else "check wrong")
            ack = "acknowledged" if e.acknowledged else "not acknowledged"
            title = self.core.card(e.card_id).title if e.card_id in {c.id for c in self.core.pack.cards} else e.card_id
            lines.append(f"- {e.posted_at:%d %b}: \u201c{title}\u201d: {ack}, {check}")
        return "\n".join(lines)

    async def _ask(self, actor: Actor, question: str) -> Reply:
        result = await self.core.ask(actor, question, via="teams")
        card = result.answer.card
        if not result.answered or card is None:
            return (
                "I don't know: none of the training cards answers that, and I would rather say so than guess. "
                "Your question has been added to the content team's list."
            )
        return Activity(
            type=ActivityTypes.message,
            text=f"From the training card \u201c{card.title}\u201d:",
            attachments=[Attachment(content_type=CONTENT_TYPE, content=render_answer(card, result.question_id))],
        )

    # -- card buttons -------------------------------------------------------------------------
    async def _action_message(self, actor: Actor, value: dict[str, Any]) -> str:
        """Acknowledge, check an answer or rate an answer: what a button press did, for the presser alone."""
        kind = value.get(ACTION_KEY)
        if kind == RATE:
            question = value.get("question")
            if isinstance(question, bool) or not isinstance(question, (int, str)) or not str(question).isdigit():
                raise InvalidInput("That button does not belong to a shiftbrief answer.")
            saved = self.core.rate_answer(actor, int(question), value.get("helpful") is True)
            return ("Thanks for the feedback." if saved
                    else "Only the person who asked can rate that answer (or it is no longer on record).")
        delivery_id = value.get("delivery")
        if not isinstance(delivery_id, str):
            raise InvalidInput("That button does not belong to a shiftbrief card.")
        if kind == ACKNOWLEDGE:
            return (await self.core.acknowledge(actor, delivery_id, via="teams")).message
        if kind == CHECK:
            raw = str(value.get("choice") or "")
            if not raw.isdigit():
                raise InvalidInput("Choose one of the answers, then press Check my answer.")
            return (await self.core.answer_check(actor, delivery_id, int(raw))).message
        raise InvalidInput("That button does not belong to a shiftbrief card.")

    async def _card_action(self, context: TurnContext, value: dict[str, Any]) -> None:
        """An Action.Submit press: a message activity whose value is the button's data (and the inputs)."""
        activity = context.activity
        actor: Actor | None = None
        try:
            actor = self._actor(activity)
            message = await self._action_message(actor, value)
        except CoreError as exc:
            message = str(exc)
            actor = None
        if _conversation_type(activity) == "personal" or actor is None:
            await self._reply(context, _text(message))
            return
        try:  # in a channel the answer is for the officer alone
            await self.platform.send_direct(actor.id, message)
        except Exception:
            log.warning("could not reply privately to %s; replying in the thread", actor.id, exc_info=True)
            if value.get(ACTION_KEY) == ACKNOWLEDGE:
                await self._reply(context, _text(f"{actor.name}: {message}"))

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
        self._remember(activity)
        try:
            if not data.get(ACTION_KEY):
                raise InvalidInput("That button does not belong to a shiftbrief card.")
            message = await self._action_message(self._actor(activity), data)
        except CoreError as exc:
            message = str(exc)
        await _answer_invoke(context, 200, _message_response(message))


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


def _stats_list(heading: str, rows: list[dict[str, Any]], label: str) -> str:
    """One line per topic or officer: acknowledged of delivered, checks right of answered."""
    lines = [heading]
    lines += [f"- {r[label]}: {r['acknowledged']} of {r['delivered']} acknowledged, "
              f"{r['correct']} of {r['answered']} checks right" for r in rows]
    if not rows:
        lines.append("Nothing has been delivered yet.")
    return "\n".join(lines)
