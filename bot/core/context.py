"""What every use case is given: configuration, the database, the pack, the clock and the platforms,
with the few lookups they all share (a team, a card, a person's name, the platform of a channel)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Config, Team
from bot.core.errors import InvalidInput, NotFound, NotRecorded, PostFailed
from bot.core.platform import CardView, Platform
from bot.core.roles import Actor
from bot.store import Database, DatabaseBusy, Delivery, Store
from content.model import Card, Pack

if TYPE_CHECKING:
    from content.search import Answer, Index

Clock = Callable[[], datetime]
CLICK_DEADLINE = 2.0
"""Seconds a person's click or message may wait for the database before they are told to try again:
Slack wants its answer within 3 s, and a person should not wait longer either."""
POSTED_CACHE = 4096


class SearchIndex:
    """The pack's search index, built once per process on first use, and asked, off the event loop.

    Answers run one at a time on the index's own thread: a question costs a few milliseconds of Python,
    which on the loop would hold up every click arriving meanwhile (the GIL still lets the loop in every
    switch interval); one thread also keeps the index's SQLite connection to one user at a time."""

    def __init__(self, pack: Pack, index: Index | None = None) -> None:
        self.pack = pack
        self._index = index
        self._lock = asyncio.Lock()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shiftbrief-search")

    async def get(self) -> Index:
        if self._index is None:
            async with self._lock:
                if self._index is None:
                    from content.search import Index  # only what answers questions needs the index

                    loop = asyncio.get_running_loop()
                    self._index = await loop.run_in_executor(self._thread, Index, self.pack)
        return self._index

    async def answer(self, question: str) -> Answer:
        index = await self.get()
        return await asyncio.get_running_loop().run_in_executor(self._thread, index.answer, question)

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)


class CoreContext:
    def __init__(
        self,
        config: Config,
        db: Database,
        pack: Pack,
        clock: Clock,
        platforms: Mapping[str, Platform] | None = None,
        index: Index | None = None,
    ) -> None:
        self.config = config
        self.db = db
        self.pack = pack
        self.clock = clock
        self.platforms: dict[str, Platform] = dict(platforms or {})
        self.index = SearchIndex(pack, index)
        self.cards = {c.id: c for c in pack.cards}
        self._posted: OrderedDict[str, Delivery] = OrderedDict()  # a posted delivery never changes, only goes

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock returned a naive datetime")
        return moment

    def team(self, team_id: str) -> Team:
        team = self.config.team(team_id)
        if team is None:
            known = ", ".join(t.id for t in self.config.teams)
            raise NotFound(f"There is no team {team_id!r}. Teams: {known}.")
        return team

    def card(self, card_id: str) -> Card:
        card = self.cards.get(card_id)
        if card is None:
            raise NotFound(f"There is no card {card_id!r} in the pack.")
        return card

    def name_for(self, actor: Actor) -> str:
        """The name kept for a person: the configured one wins over the platform's."""
        return self.config.people.get(actor.id) or actor.name or actor.id.split(":", 1)[1]

    async def name_of(self, person_id: str, sent: str = "") -> str:
        """One name per person: configured, else the one on record, else what the platform `sent`, else
        their id without the platform."""
        configured = self.config.people.get(person_id)
        if configured:
            return configured
        return await self.db.read(Store.person_name, person_id) or sent or person_id.split(":", 1)[-1]

    def platform_for(self, channel: str) -> Platform:
        name = channel.split(":", 1)[0]
        platform = self.platforms.get(name)
        if platform is None:
            raise PostFailed(f"{name} is not connected, so {channel} cannot be reached; see the README to set it up.")
        why_not = getattr(platform, "why_not", None)  # a stand-in for a platform that is not set up
        if why_not is not None:
            raise PostFailed(why_not(channel))
        return platform

    async def view(self, delivery: Delivery) -> CardView:
        acknowledged, recipients = await self.db.read(Store.ack_counts, delivery.id)
        return CardView(delivery, self.card(delivery.card_id), self.team(delivery.team_id), acknowledged, recipients)

    async def posted(self, delivery_id: object) -> Delivery:
        """The posted delivery a button names, or a clear refusal. Posted deliveries are remembered (a
        few thousand): every click on a card names the same one."""
        if not isinstance(delivery_id, str) or not delivery_id.startswith("d-") or len(delivery_id) > 40:
            raise InvalidInput("That button does not belong to a shiftbrief card.")
        delivery = self._posted.get(delivery_id)
        if delivery is None:
            delivery = await self.db.read(Store.delivery, delivery_id)
            if delivery is not None and delivery.state in ("claimed", "posting"):  # a click faster than the post
                raise NotRecorded("That briefing is still being posted, so this was not recorded. "
                                  "Please press again in a moment.")
            if delivery is None or delivery.state != "posted":
                raise NotFound("That briefing is no longer on record (it may have been purged).")
            self._posted[delivery_id] = delivery
            if len(self._posted) > POSTED_CACHE:
                self._posted.popitem(last=False)
        if delivery.card_id not in self.cards:
            raise NotFound("That card has been withdrawn from the pack.")
        return delivery

    def forget(self, delivery_id: str) -> None:
        """Drop a remembered delivery (it was purged)."""
        self._posted.pop(delivery_id, None)


def not_recorded(what: str, again: str = "Please press again in a moment") -> NotRecorded:
    """The refusal for a write the database could not take in time (another process held it)."""
    return NotRecorded(f"Your {what} was not recorded: the database could not take it just now. {again}.")


__all__ = ["CLICK_DEADLINE", "Clock", "CoreContext", "DatabaseBusy", "SearchIndex", "not_recorded"]
