"""`Core`: the one surface the platforms, the CLI and the scheduler talk to.

A small façade over the use cases (briefings, acknowledgements, questions, sergeants, reports) and the
command table, plus the queries platforms need (which team a channel is, a person's name, conversation
references, retry keys), so nothing outside the core touches the store, the configuration or the pack.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.config import Config, Team
from bot.core.acknowledgements import Acknowledgements
from bot.core.briefings import Briefings
from bot.core.commands import Command, Commands, Invocation
from bot.core.context import CLICK_DEADLINE, Clock, CoreContext
from bot.core.platform import Platform
from bot.core.questions import Questions
from bot.core.replies import Reply
from bot.core.reports import Reports
from bot.core.roles import Actor, Role, role_of, teams_led_by
from bot.core.sergeants import Sergeants
from bot.store import Database, DatabaseBusy, DatabaseUnwritable, Store
from content.model import Card, Pack

if TYPE_CHECKING:
    from content.search import Index


log = logging.getLogger(__name__)


class Core:
    """The platform-neutral bot. Platforms are looked up by the prefix of a channel id."""

    def __init__(
        self,
        config: Config,
        db: Database,
        pack: Pack,
        clock: Clock,
        platforms: Mapping[str, Platform] | None = None,
        index: Index | None = None,
    ) -> None:
        self.ctx = CoreContext(config, db, pack, clock, platforms, index)
        self.db = db
        self.dashboard_url: str | None = None
        """Where sergeants and coordinators open the dashboard, for the link under stats in chat."""
        self.cards: Mapping[str, Card] = self.ctx.cards
        self.platforms = self.ctx.platforms
        self.briefings = Briefings(self.ctx)
        self.acknowledgements = Acknowledgements(self.ctx)
        self.answers = Questions(self.ctx)
        self.sergeants = Sergeants(self.ctx)
        self.reports = Reports(self.ctx)
        self.commands = Commands(self)
        # The use cases, as the platforms call them.
        self.post_briefing = self.briefings.post_briefing
        self.post_scheduled = self.briefings.post_scheduled
        self.publish = self.briefings.publish
        self.recover = self.briefings.recover
        self.record_missed = self.briefings.record_missed
        self.choose_card = self.briefings.choose_card
        self.recent = self.briefings.recent
        self.acknowledge = self.acknowledgements.acknowledge
        self.answer_check = self.acknowledgements.answer_check
        self.card_states = self.acknowledgements.card_states
        self.ask = self.answers.ask
        self.rate_answer = self.answers.rate_answer
        self.questions = self.answers.questions
        self.pending = self.sergeants.pending
        self.nudge = self.sergeants.nudge
        self.remind_unacknowledged = self.sergeants.remind_unacknowledged
        self.nudges_for = self.sergeants.nudges_for
        self.stats = self.reports.stats
        self.my_record = self.reports.my_record
        self.my_totals = self.reports.my_totals
        self.content_gaps = self.reports.content_gaps
        self.reach = self.reports.reach
        self.coverage = self.reports.coverage

    @property
    def config(self) -> Config:
        """The configuration, for the core's own modules and the composition root; platforms ask the
        queries below instead."""
        return self.ctx.config

    @config.setter
    def config(self, config: Config) -> None:
        self.ctx.config = config

    # -- commands ---------------------------------------------------------------------------
    async def run(self, invocation: Invocation, command: Command) -> Reply:
        return await self.commands.run(invocation, command)

    def help(self, invocation: Invocation | None = None, unknown: str | None = None) -> Reply:
        return self.commands.help(invocation, unknown)

    # -- who and what -----------------------------------------------------------------------
    def now(self) -> datetime:
        return self.ctx.now()

    @property
    def timezone(self) -> ZoneInfo:
        return self.config.timezone

    def role(self, actor: Actor) -> Role:
        return role_of(self.config, actor)

    def teams(self) -> tuple[Team, ...]:
        return self.config.teams

    def team(self, team_id: str) -> Team:
        return self.ctx.team(team_id)

    def team_for_channel(self, channel: str) -> Team | None:
        return self.config.team_for_channel(channel)

    def teams_led_by(self, actor: Actor) -> list[Team]:
        return teams_led_by(self.config, actor)

    async def teams_of(self, actor: Actor) -> list[Team]:
        """Teams a person belongs to or leads, as far as the configuration and history know."""
        led = self.teams_led_by(actor)
        member = [t for t in self.config.teams if actor.id in t.members]
        seen = {e.team_id for e in await self.my_record(actor)}
        return [t for t in self.config.teams if t in led or t in member or t.id in seen]

    def card(self, card_id: str) -> Card:
        return self.ctx.card(card_id)

    def card_title(self, card_id: str) -> str:
        """A card's title, or its id if it has left the pack."""
        card = self.cards.get(card_id)
        return card.title if card else card_id

    def known_people(self) -> list[str]:
        return self.config.known_people()

    async def name_of(self, person_id: str, sent: str = "") -> str:
        """One name per person: configured, else on record, else what the platform sent, else the bare id."""
        return await self.ctx.name_of(person_id, sent)

    async def save_name(self, person_id: str, name: str) -> None:
        """Keep the name a person gave themselves (the local workspace's join form)."""
        await self.db.write(Store.save_people, [(person_id, name)], self.now())

    # -- what platforms keep ----------------------------------------------------------------
    async def first_time(self, key: str) -> bool:
        """True the first time a platform event key is seen (for events whose work writes nothing else).
        If the database cannot take the key in a person's time, the event is handled: a rare repeated
        reply is better than a person left waiting."""
        try:
            return await self.db.write_within(CLICK_DEADLINE, Store.first_time, key, self.now())
        except DatabaseBusy:
            log.warning("could not record event key %s in time; handling it anyway", key)
            return True

    async def reference(self, channel: str) -> dict[str, Any] | None:
        """What a proactive post to `channel` needs (Teams' conversation reference), if it was kept."""
        return await self.db.read(Store.reference, channel)

    async def save_reference(self, channel: str, reference: dict[str, Any]) -> None:
        """Keep what a later proactive post needs; bookkeeping that never holds up the person's request (if
        the database is busy it is kept the next time the platform sends it)."""
        if await self.reference(channel) == reference:
            return
        try:
            await self.db.write_within(CLICK_DEADLINE, Store.save_reference, channel, reference, self.now())
        except DatabaseBusy:
            log.warning("could not keep the conversation reference of %s in time; will keep it next time", channel)

    # -- the scheduler and start-up -----------------------------------------------------------
    async def first_opened(self) -> datetime:
        return await self.db.read(Store.first_opened)

    async def database_writable(self) -> bool:
        """True unless the database cannot take a write (disk full, read-only file). A write lock held by
        another process is not a fault: it counts as writable."""
        try:
            await self.db.write_within(0.2, Store.probe_write, self.now())
        except DatabaseUnwritable:
            return False
        except DatabaseBusy:
            return True
        except sqlite3.Error:
            return False
        return True

    async def warm(self) -> None:
        """Build the search index now rather than on the first question."""
        await self.ctx.index.get()

    def close(self) -> None:
        self.ctx.index.close()
        self.db.close()
