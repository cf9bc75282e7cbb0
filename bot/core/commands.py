"""The bot's commands, once, for every surface.

Slack's `/brief …` and typed `brief …`, Teams @mentions and personal chat, and the local workspace's
forms all come here: they parse their input into a `Command`, `Commands.run` carries it out through the
use cases, and they render the `Reply`. Help is generated from `COMMANDS`, so it says the same on every
surface and cannot drift from what the bot accepts. Which team a command is about is decided here too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Team
from bot.core.errors import AlreadyHandled, InvalidInput, Refused
from bot.core.replies import HelpLine, Reply
from bot.core.roles import Actor, teams_led_by

if TYPE_CHECKING:
    from bot.core.facade import Core

PREFIX_WORDS = ("brief", "/brief")
"""A chat message starting with one of these is a command (`brief status`), never a question."""


@dataclass(frozen=True)
class Invocation:
    """Who runs a command, from where, and whether the reply is for them alone."""

    actor: Actor
    via: str  # slack, teams or local
    channel: str | None = None  # the platform channel it was typed in (`slack:C…`), None in a private chat or form
    private: bool = True  # the reply is seen by the person alone (Slack ephemeral, a personal chat, the workspace)
    event_key: str | None = None  # the platform's retry key, committed with the command's work


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    text: str = ""  # everything after the command's name, as typed (a question)
    team_id: str | None = None  # a form names its team; typed commands find it from the channel or person


Handler = Callable[["Commands", Invocation, Command], Awaitable[Reply]]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    usage: str
    what: str
    who: str
    bare: bool  # may be typed in a chat without `brief` first (only when the whole message is the command)
    max_args: int
    handler: Handler
    keeps_key: bool = False  # commits the platform's retry key with its own work; else it is claimed first

    @property
    def help_line(self) -> HelpLine:
        return HelpLine(self.usage, self.what, self.who, self.bare)


def parse(text: str, *, explicit: bool) -> Command:
    """What someone typed, as a command. `explicit`: the text is a command's (Slack's `/brief` box). In a
    chat message a command must start with `brief`, or be a short command alone (`help`, `status`);
    anything else is a question."""
    words = text.split()
    if words and words[0].lower() in PREFIX_WORDS:
        explicit, words = True, words[1:]
    if not words:
        return Command("help") if explicit else Command("ask", text=text.strip())
    name = words[0].lower().strip("!.?")
    rest = " ".join(words[1:])
    spec = COMMANDS.get(name)
    if explicit:
        if spec is None:
            return Command("unknown", (words[0],))
        return Command(spec.name, tuple(w.strip("`") for w in words[1:]), rest)
    if spec is not None and spec.bare and len(words) - 1 <= spec.max_args:
        return Command(spec.name, tuple(w.strip("`") for w in words[1:]), rest)
    return Command("ask", text=" ".join(words))


class Commands:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def run(self, invocation: Invocation, command: Command) -> Reply:
        """Carry out one command. Refusals and mistakes are raised as CoreError for the surface to show."""
        if command.name == "unknown":
            return self.help(invocation, unknown=command.args[0] if command.args else "")
        spec = COMMANDS.get(command.name)
        if spec is None:
            return self.help(invocation, unknown=command.name)
        if invocation.event_key and not spec.keeps_key and not await self.core.first_time(invocation.event_key):
            raise AlreadyHandled("that request was already handled")
        return await spec.handler(self, invocation, command)

    def help(self, invocation: Invocation | None = None, unknown: str | None = None) -> Reply:
        lead = f"I don't know \u201c{unknown}\u201d. " if unknown else ""
        footer = "Anything else you write to me is a question: I answer from the training cards and say where it comes from."
        channel = invocation.channel if invocation is not None and not invocation.private else None
        if channel and self.core.config.team_for_channel(channel) is None:
            footer += (f"\nNo team in shiftbrief.toml uses this channel yet. Its channel id is {channel}: "
                       "ask your shiftbrief administrator to set it as a team's `channel`.")
        return Reply(f"{lead}Here is what I can do:", help=tuple(s.help_line for s in COMMANDS.values()), footer=footer)

    # -- which team --------------------------------------------------------------------------
    async def team_for(self, invocation: Invocation, named: str | None = None) -> Team:
        """The team a command is about: the one named, else the channel's, else the person's only team;
        with several, the person is asked which."""
        config = self.core.config
        if named:
            return self.core.team(named)
        if invocation.channel:
            team = config.team_for_channel(invocation.channel)
            if team is not None:
                return team
        actor = invocation.actor
        for candidates in (teams_led_by(config, actor), await self.core.teams_of(actor)):
            if len(candidates) == 1:
                return candidates[0]
            if len(candidates) > 1:
                names = ", ".join(f"{t.name} ({t.id})" for t in candidates)
                raise InvalidInput(f"You have more than one team ({names}): use this command in that team's channel.")
        raise InvalidInput("You are not in any shiftbrief team that I know of: use this command in your team's channel.")

    # -- the commands ------------------------------------------------------------------------
    async def now(self, invocation: Invocation, command: Command) -> Reply:
        team = await self.team_for(invocation, command.team_id)
        topic = "-".join(a.lower() for a in command.args) or None  # "fifteen minutes" is the topic fifteen-minutes
        view = await self.core.post_briefing(
            invocation.actor, team.id, topic=topic, reason="sergeant", event_key=invocation.event_key
        )
        return Reply(f"Posted \u201c{view.card.title}\u201d to {team.name}. {view.progress}.", posted=view)

    async def status(self, invocation: Invocation, command: Command) -> Reply:
        team = await self.team_for(invocation, command.team_id)
        pending = await self.core.pending(invocation.actor, team.id)
        head = (f"\u201c{pending.card.title}\u201d in {team.name}: acknowledged by {pending.acknowledged} of "
                f"{pending.recipients}.")
        if not pending.not_acknowledged:
            return Reply(f"{head} Everyone has acknowledged it.")
        return Reply(f"{head} Not yet acknowledged:", items=tuple(name for _pid, name in pending.not_acknowledged))

    async def nudge(self, invocation: Invocation, command: Command) -> Reply:
        team = await self.team_for(invocation, command.team_id)
        result = await self.core.nudge(invocation.actor, team.id)
        if not result.pending.not_acknowledged:
            return Reply("Everyone has acknowledged the latest card; nobody needed a nudge.")
        parts = [f"Nudged {len(result.nudged)} privately about \u201c{result.pending.card.title}\u201d."]
        if result.already:
            parts.append(f"{len(result.already)} had already been nudged once, so were not nudged again.")
        if result.failed:
            parts.append(f"{len(result.failed)} could not be reached:")
            return Reply(" ".join(parts), items=tuple(name for _pid, name in result.failed))
        return Reply(" ".join(parts))

    async def stats(self, invocation: Invocation, command: Command) -> Reply:
        actor, named = invocation.actor, command.team_id or (command.args[0] if command.args else None)
        more = self.more()
        if not invocation.private:  # a channel is public: its own team by topic, no names
            if named:
                raise Refused("Figures by officer are shown privately: ask me for stats in a private chat.")
            team = await self.team_for(invocation)
            rows = await self.core.stats(actor, by="topic", team_id=team.id)
            return _rows(f"{team.name}, by topic (ask me stats {team.id} in a private chat for officers):", rows,
                         "title", more)
        if named:
            team = self.core.team(named)
            rows = await self.core.stats(actor, by="officer", team_id=team.id)
            return _rows(f"{team.name}, by officer:", rows, "name", more)
        by_team = {r["team"]: r for r in await self.core.stats(actor, by="team")}
        items = []
        for team in teams_led_by(self.core.config, actor):
            r = by_team.get(team.id)
            items.append(f"{team.name} ({team.id}): nothing delivered yet" if r is None else
                         f"{team.name} ({team.id}): {_line(r)}")
        return Reply("By team: acknowledged, on time, checks right", items=tuple(items),
                     footer=f"Ask for stats <team id> to see a team by officer. {more}")

    def more(self) -> str:
        """Where the whole picture is: the dashboard's address when the force has given one."""
        url = self.core.dashboard_url
        if url:
            return f"More, by officer, topic and week: {url}"
        return "More, by officer, topic and week: the dashboard or the command shiftbrief stats on the bot's machine."

    async def me(self, invocation: Invocation, command: Command) -> Reply:
        if not invocation.private:
            return Reply("Your record is yours: ask me for your record in a private chat with shiftbrief.")
        record = await self.core.my_record(invocation.actor)
        if not record:
            return Reply("No briefing has been delivered to you yet.")
        items = []
        for e in record[-10:]:
            card = self.core.cards.get(e.card_id)
            check = "check not answered" if not e.answered else ("check right" if e.correct else "check wrong")
            ack = "acknowledged" if e.acknowledged else "not acknowledged"
            when = e.posted_at.astimezone(self.core.config.timezone)
            items.append(f"{when:%d %b}: \u201c{card.title if card else e.card_id}\u201d: {ack}, {check}")
        totals = await self.core.my_totals(invocation.actor)
        return Reply(totals.message + f" Your last {len(items)}:", items=tuple(items))

    async def ask(self, invocation: Invocation, command: Command) -> Reply:
        result = await self.core.ask(invocation.actor, command.text, via=invocation.via, event_key=invocation.event_key)
        return Reply(answer=result)

    async def show_help(self, invocation: Invocation, command: Command) -> Reply:
        return self.help(invocation)


def _rows(heading: str, rows: list[dict[str, object]], label: str, more: str) -> Reply:
    """One short line per topic or officer, narrow enough for a phone: acknowledged of delivered, on time,
    checks right of answered."""
    items = tuple(f"{r[label]}: {_line(r)}" for r in rows)
    return Reply(heading, items=items, footer=more if rows else "Nothing has been delivered yet.")


def _line(r: Mapping[str, object]) -> str:
    """`12/15 ack (80%) · 10 on time · 9/11 right`: the figures of one row in a phone's width."""
    delivered, acknowledged = int(str(r["delivered"])), int(str(r["acknowledged"]))
    answered, correct = int(str(r["answered"])), int(str(r["correct"]))
    share = f" ({round(100 * acknowledged / delivered)}%)" if delivered else ""
    right = f"{correct}/{answered} right" if answered else "no answers yet"
    return f"{acknowledged}/{delivered} ack{share} · {r.get('on_time', 0)} on time · {right}"


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("now", "now [topic]", "post the next card (or one on a topic) to the team now",
                    "sergeants, coordinators", False, 8, Commands.now, keeps_key=True),
        CommandSpec("status", "status", "who has not acknowledged the team's latest card",
                    "sergeants, coordinators", True, 0, Commands.status),
        CommandSpec("nudge", "nudge", "one private reminder to each of them, never twice",
                    "sergeants, coordinators", True, 0, Commands.nudge),
        CommandSpec("stats", "stats [team id]", "acknowledgement and check answers: your teams, or one team by "
                    "officer (in a channel: the channel's team by topic)", "sergeants, coordinators", True, 1,
                    Commands.stats),
        CommandSpec("me", "me", "your own record (privately)", "everyone", True, 0, Commands.me),
        CommandSpec("ask", "ask <question>", "ask about hot spots policing in your own words", "everyone", False, 99,
                    Commands.ask, keeps_key=True),
        CommandSpec("help", "help", "this list", "everyone", True, 0, Commands.show_help),
    )
}
