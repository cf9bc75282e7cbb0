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
from bot.store import DatabaseBusy, Engagement, Store


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
        self, actor: Actor, by: str = "team", team_id: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Acknowledgement and understanding; sergeants see their own teams, coordinators all."""
        ctx = self.ctx
        if by not in summaries.GROUPINGS:
            raise InvalidInput(f"--by must be one of {', '.join(summaries.GROUPINGS)}, not {by!r}.")
        if role_of(ctx.config, actor) is Role.OFFICER:
            raise Refused("Team statistics are for sergeants and coordinators; ask for your own record instead.")
        visible = teams_led_by(ctx.config, actor)
        if team_id is not None:
            team = ctx.team(team_id)
            if team not in visible:
                raise Refused(f"You can see statistics for your own teams only; {team.name} is not one of them.")
            visible = [team]
        tallies = await ctx.db.read(
            Store.tallies, summaries.tally_key(by), team_ids=[t.id for t in visible], since=since
        )
        rows = summaries.rows(tallies, by, ctx.config)
        if by == "officer":  # shown only once it is on the audit trail
            try:
                await ctx.db.write_within(
                    CLICK_DEADLINE, Store.audit, actor.id, "view-officer-stats", ",".join(t.id for t in visible), None,
                    ctx.now(),
                )
            except DatabaseBusy:
                raise NotRecorded("The figures could not be shown: the database could not take it just now. "
                                  "Please try again in a moment.") from None
        return rows

    async def my_record(self, actor: Actor) -> list[Engagement]:
        """An officer's own record: every card delivered to them and what they did, oldest first."""
        return await self.ctx.db.read(Store.engagements, person_id=actor.id)

    async def my_totals(self, actor: Actor) -> Totals:
        return Totals.of(await self.my_record(actor))
