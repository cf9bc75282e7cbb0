"""`/brief`: parse the words, call the core, word the reply. Each route carries its own help text,
so `/brief help` is generated from what the bot accepts and cannot drift from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core import Actor, Core, CoreError, InvalidInput
from bot.slack.render import answer_message, escape, officer_line, team_line

COMMAND = "/brief"


@dataclass(frozen=True)
class Reply:
    """What the person who typed the command sees, privately."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    actor: Actor
    channel: str  # slack:C…
    words: list[str]
    rest: str  # everything after the sub-command, as typed


Handler = Callable[["BriefCommands", Context], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    name: str
    usage: str
    help: str
    handler: Handler


class BriefCommands:
    """The sub-commands of /brief, over the core."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def run(self, actor: Actor, channel: str, text: str) -> Reply:
        """Run one `/brief …`; a refusal or mistake comes back as a Reply saying why."""
        words = text.split()
        if not words:
            return self.help(None)
        route = ROUTES.get(words[0].lower())
        if route is None:
            return self.help(words[0])
        rest = text.strip()[len(words[0]) :].strip()
        try:
            return await route.handler(self, Context(actor, channel, words[1:], rest))
        except CoreError as exc:
            return Reply(str(exc))

    def help(self, unknown: str | None) -> Reply:
        lead = f"I don't know `{escape(unknown)}`. " if unknown else ""
        lines = [f"{lead}What `{COMMAND}` can do:"]
        lines += [f"\u2022 `{COMMAND} {r.usage}`: {r.help}" for r in ROUTES.values()]
        return Reply("\n".join(lines))

    def team_here(self, ctx: Context, doing: str) -> str:
        team = self.core.config.team_for_channel(ctx.channel)
        if team is None:
            raise InvalidInput(
                f"This channel is not a team's channel, so I cannot tell which team to {doing}. "
                f"Run `{COMMAND}` in your team's channel."
            )
        return team.id

    # -- the routes ---------------------------------------------------------------------------
    async def now(self, ctx: Context) -> Reply:
        team_id = self.team_here(ctx, "post to")
        topic = ctx.words[0].lower() if ctx.words else None
        view = await self.core.post_briefing(ctx.actor, team_id, topic=topic, reason="sergeant")
        return Reply(f"Posted \u201c{escape(view.card.title)}\u201d to {escape(view.team.name)}.")

    async def status(self, ctx: Context) -> Reply:
        result = self.core.pending(ctx.actor, self.team_here(ctx, "report on"))
        head = f"\u201c{escape(result.card.title)}\u201d: acknowledged by {result.acknowledged} of {result.recipients}."
        if not result.not_acknowledged:
            return Reply(f"{head} Everyone has acknowledged it.")
        names = "\n".join(f"\u2022 {escape(name)}" for _pid, name in result.not_acknowledged)
        return Reply(f"{head} Not yet acknowledged:\n{names}")

    async def nudge(self, ctx: Context) -> Reply:
        result = await self.core.nudge(ctx.actor, self.team_here(ctx, "nudge"))
        parts = [f"Nudged {len(result.nudged)} by direct message about \u201c{escape(result.pending.card.title)}\u201d."]
        if result.already:
            parts.append(f"{len(result.already)} had already been nudged once, so were not nudged again.")
        if result.failed:
            parts.append(f"{len(result.failed)} could not be reached: " + ", ".join(escape(n) for _p, n in result.failed))
        if not result.pending.not_acknowledged:
            parts = ["Everyone has acknowledged the latest card; nobody needed a nudge."]
        return Reply(" ".join(parts))

    async def stats(self, ctx: Context) -> Reply:
        team_id = ctx.words[0] if ctx.words else None
        if team_id is None:
            rows = self.core.stats(ctx.actor, by="team")
            lines = [team_line(r) for r in rows]
        else:
            rows = self.core.stats(ctx.actor, by="officer", team_id=team_id)
            lines = [f"*{escape(self.core.team(team_id).name)}*, by officer:"] + [officer_line(r) for r in rows]
        if not rows:
            return Reply("Nothing has been delivered to your teams yet.")
        return Reply("\n".join(lines))

    async def me(self, ctx: Context) -> Reply:
        record = self.core.my_record(ctx.actor)
        if not record:
            return Reply("No briefing has been delivered to you yet.")
        acked = sum(e.acknowledged for e in record)
        answered = sum(e.answered for e in record)
        correct = sum(e.correct for e in record)
        return Reply(
            f"Cards delivered to you: {len(record)}. Acknowledged: {acked}. "
            f"Check questions answered: {answered}, right: {correct}. Your App Home tab shows the detail."
        )

    async def ask(self, ctx: Context) -> Reply:
        result = await self.core.ask(ctx.actor, ctx.rest, via="slack")
        text, blocks = answer_message(result.answer, result.question_id)
        return Reply(text, blocks)

    async def show_help(self, ctx: Context) -> Reply:
        return self.help(None)


ROUTES: dict[str, Route] = {
    r.name: r
    for r in (
        Route("now", "now [topic]", "post the next card (or one on a topic) to this channel's team; sergeants "
              "and coordinators", BriefCommands.now),
        Route("status", "status", "who has not acknowledged this team's latest card; sergeants", BriefCommands.status),
        Route("nudge", "nudge", "one private reminder to each of them, never twice; sergeants", BriefCommands.nudge),
        Route("stats", "stats [team]", "acknowledgement and check answers for your teams (by officer for one team); "
              "sergeants and coordinators", BriefCommands.stats),
        Route("me", "me", "your own record", BriefCommands.me),
        Route("ask", "ask <question>", "ask about hot spots policing in your own words", BriefCommands.ask),
        Route("help", "help", "this list", BriefCommands.show_help),
    )
}


def usage_lines() -> list[tuple[str, str]]:
    return [(f"{COMMAND} {r.usage}", r.help) for r in ROUTES.values()]
