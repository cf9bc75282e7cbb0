"""Incoming Teams activities, parsed into core calls; the core's results rendered back.

Installs store the channel's conversation reference; messages are commands or questions; card
buttons are acknowledgements and check answers. Every refusal is the core's message, shown as is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeAlias

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment, TextFormatTypes

from bot.config import Team
from bot.core import Actor, Core, CoreError
from bot.core.errors import InvalidInput
from bot.teams.card import ACKNOWLEDGE, ACTION_KEY, CHECK, CONTENT_TYPE, render_answer
from bot.teams.commands import Command, clean_text, help_text, parse
from bot.teams.platform import TeamsPlatform, channel_key

log = logging.getLogger(__name__)
Reply: TypeAlias = "str | Activity"


class TeamsBot:
    """The turn handler the adapter calls for each authenticated activity."""

    def __init__(self, core: Core, platform: TeamsPlatform) -> None:
        self.core = core
        self.platform = platform

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.id and activity.conversation and activity.conversation.id:
            key = f"teams:activity:{activity.conversation.id}:{activity.id}"
            if not self.core.store.first_time(key, self.core.now()):
                log.info("ignoring a repeated Teams activity %s", activity.id)
                return
        if activity.type == ActivityTypes.conversation_update:
            await self._conversation_update(context)
        elif activity.type == ActivityTypes.message:
            self._remember(activity)
            value = activity.value
            if isinstance(value, dict) and value.get(ACTION_KEY):
                await self._card_action(context, value)
            else:
                await self._message(context)

    async def _reply(self, context: TurnContext, activity: Activity) -> None:
        """A reply in the conversation the activity came from, paced and retried on 429 like every post."""
        conversation = context.activity.conversation.id.split(";", 1)[0]
        await self.platform.throttle.run(conversation, lambda: context.send_activity(activity))

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
            self.platform.remember_person(aad, sender.id, sender.name or aad, activity.service_url, _tenant(activity), bot, chat)
        if _conversation_type(activity) == "channel" and activity.conversation and activity.conversation.id:
            self._save_channel(activity, activity.conversation.id)

    # -- messages -----------------------------------------------------------------------------
    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        in_channel = _conversation_type(activity) != "personal"
        mentions = _bot_mentions(activity)
        if in_channel and not mentions:
            return  # in a channel, only messages that mention the bot are for it
        text = clean_text(activity.text, mentions)
        try:
            actor = _actor(activity)
            reply = await self._command(parse(text) if text else Command("help"), actor, activity, in_channel)
        except CoreError as exc:
            reply = str(exc)
        await self._reply(context, _text(reply) if isinstance(reply, str) else reply)

    async def _command(self, command: Command, actor: Actor, activity: Activity, in_channel: bool) -> Reply:
        core = self.core
        if command.name == "help":
            return help_text(in_channel)
        if command.name == "ask":
            return await self._ask(actor, command.argument)
        if command.name == "me":
            if in_channel:
                return "Your record is yours: ask me **me** in a personal chat with shiftbrief."
            return self._record(actor)
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
            return self._stats(actor, team, in_channel)
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

    def _stats(self, actor: Actor, team: Team, in_channel: bool) -> str:
        if in_channel:  # a channel is public: by topic, no names
            rows = self.core.stats(actor, by="topic", team_id=team.id)
            lines = [f"{team.name}, by topic (ask me **stats** in a personal chat for officers):"]
            lines += [f"- {r['title']}: {r['acknowledged']} of {r['delivered']} acknowledged, "
                      f"{r['correct']} of {r['answered']} checks right" for r in rows]
        else:
            rows = self.core.stats(actor, by="officer")
            lines = ["By officer, for your teams:"]
            lines += [f"- {r['name']}: {r['acknowledged']} of {r['delivered']} acknowledged, "
                      f"{r['correct']} of {r['answered']} checks right" for r in rows]
        if not rows:
            lines.append("Nothing has been delivered yet.")
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
            attachments=[Attachment(content_type=CONTENT_TYPE, content=render_answer(card))],
        )

    # -- card buttons -------------------------------------------------------------------------
    async def _card_action(self, context: TurnContext, value: dict[str, Any]) -> None:
        activity = context.activity
        kind, delivery_id = value.get(ACTION_KEY), value.get("delivery")
        actor: Actor | None = None
        try:
            actor = _actor(activity)
            if not isinstance(delivery_id, str):
                raise InvalidInput("That button does not belong to a shiftbrief card.")
            if kind == ACKNOWLEDGE:
                message = (await self.core.acknowledge(actor, delivery_id, via="teams")).message
            elif kind == CHECK:
                raw = str(value.get("choice") or "")
                if not raw.isdigit():
                    raise InvalidInput("Choose one of the answers, then press Check my answer.")
                message = (await self.core.answer_check(actor, delivery_id, int(raw))).message
            else:
                raise InvalidInput("That button does not belong to a shiftbrief card.")
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
            if kind == ACKNOWLEDGE:
                await self._reply(context, _text(f"{actor.name}: {message}"))


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


def _actor(activity: Activity) -> Actor:
    sender = activity.from_property
    if sender is None:
        raise InvalidInput("I cannot tell who sent that.")
    aad = getattr(sender, "aad_object_id", None) or sender.id
    return Actor.person(f"teams:{aad}", sender.name or "")
