"""Reports: acknowledgement and understanding for sergeants (their teams) and coordinators (all), and an
officer's own record. Officer-level views are audited; rows are never ranked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core import stats as summaries
from bot.core.context import CLICK_DEADLINE, CoreContext
from bot.core.errors import InvalidInput, NotRecorded, Refused
from bot.core.roles import Actor, Role, role_of, teams_led_by
from bot.store import DatabaseBusy, Engagement, Store, week_of
from content.topics import topic_title


@dataclass(frozen=True)
class Totals:
    """An officer's own totals: cards delivered to them, acknowledged, checks answered and right."""

    delivered: int
    acknowledged: int
    answered: int
    correct: int

    @classmethod
    def of(cls, record: list[Engagement]) -> Totals:
        return cls(len(record), sum(e.acknowledged for e in record), sum(e.answered for e in record),
                   sum(e.correct for e in record))

    @property
    def message(self) -> str:
        return (f"Cards delivered to you: {self.delivered}. Acknowledged: {self.acknowledged}. "
                f"Check questions answered: {self.answered}, right: {self.correct}.")


class Reports:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def stats(
        self, actor: Actor, by: str = "team", team_id: str | None = None, since: datetime | None = None, *,
        export: bool = False, names: bool = True,
    ) -> list[dict[str, Any]]:
        """Acknowledgement and understanding; sergeants see their own teams, coordinators every team on record.

        By officer, the view (or, with `export`, the export) is written to the audit trail before it is
        shown. An export names officers only when a coordinator asks (`names`); otherwise ids alone."""
        ctx = self.ctx
        if by not in summaries.GROUPINGS:
            raise InvalidInput(f"--by must be one of {', '.join(summaries.GROUPINGS)}, not {by!r}.")
        role = role_of(ctx.config, actor)
        visible = await self._visible(actor, team_id)
        tallies = await ctx.db.read(Store.tallies, summaries.tally_key(by), team_ids=visible, since=since)
        archived = []
        if by != "officer":
            since_week = week_of(since, ctx.config.timezone) if since else None
            archived = await ctx.db.read(Store.archived_tallies, by, team_ids=visible, since_week=since_week)
        rows = summaries.rows(tallies, by, ctx.config, archived)
        if by == "officer":  # shown only once it is on the audit trail
            named = names and (not export or role is Role.COORDINATOR)
            action = ("export-officer-stats" + ("-with-names" if named else "")) if export else "view-officer-stats"
            try:
                await ctx.db.write_within(
                    CLICK_DEADLINE, Store.audit, actor.id, action, ",".join(visible) if visible else "all teams",
                    f"{len(rows)} officers" + (f" since {since.date().isoformat()}" if since else ""), ctx.now(),
                )
            except DatabaseBusy:
                raise NotRecorded("The figures could not be shown: the database could not take it just now. "
                                  "Please try again in a moment.") from None
            if not named:  # ids alone, in the order of the ids (the order of names would hint at them)
                rows = sorted(({key: value for key, value in row.items() if key != "name"} for row in rows),
                              key=lambda row: str(row["officer"]))
        return rows

    async def _visible(self, actor: Actor, team_id: str | None) -> list[str] | None:
        """The teams whose figures a person may see: a sergeant their own teams, a coordinator every team on
        record (None: configured or not, a disbanded team keeps its history) or the one named; officers none."""
        ctx = self.ctx
        role = role_of(ctx.config, actor)
        if role is Role.OFFICER:
            raise Refused("Team statistics are for sergeants and coordinators; ask for your own record instead.")
        if team_id is None:
            return None if role is Role.COORDINATOR else [t.id for t in teams_led_by(ctx.config, actor)]
        if role is Role.COORDINATOR and ctx.config.team(team_id) is None:
            if not await ctx.db.read(Store.team_on_record, team_id):
                ctx.team(team_id)  # neither configured nor on record: says which teams there are
        elif ctx.team(team_id) not in teams_led_by(ctx.config, actor):
            raise Refused(f"You can see statistics for your own teams only; {ctx.team(team_id).name} is not one of them.")
        return [team_id]

    async def reach(self, actor: Actor, team_id: str | None = None, since: datetime | None = None) -> int:
        """How many officers the cards have reached: a count for the leadership report, no one named."""
        return await self.ctx.db.read(Store.reach, await self._visible(actor, team_id), since)

    async def coverage(
        self, actor: Actor, team_id: str | None = None, since: datetime | None = None
    ) -> dict[str, dict[str, int]]:
        """Cards posted to each team on each topic, for the teams the person may see."""
        return await self.ctx.db.read(Store.coverage, await self._visible(actor, team_id), since)

    async def content_gaps(self, actor: Actor, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """What officers ask that the cards do not answer well, for coordinators to turn into cards: the
        most asked topics, the questions left unanswered and the answers marked not helpful (no names)."""
        if role_of(self.ctx.config, actor) is not Role.COORDINATOR:
            raise Refused("Content gaps are for coordinators.")
        if not 1 <= limit <= 500:
            raise InvalidInput("limit must be from 1 to 500")
        gaps = await self.ctx.db.read(Store.content_gaps, limit)
        for row in gaps["most_asked"]:
            row["title"] = topic_title(str(row["topic"]))
        return gaps

    async def my_record(self, actor: Actor) -> list[Engagement]:
        """An officer's own record: every card delivered to them and what they did, oldest first."""
        return await self.ctx.db.read(Store.engagements, person_id=actor.id)

    async def my_totals(self, actor: Actor) -> Totals:
        return Totals.of(await self.my_record(actor))
