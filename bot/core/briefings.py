"""Briefings: choose a card, post it (a sergeant's, the CLI's or the scheduler's), finish what a crash left
claimed or mid-post, and put missed nudges on record."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from bot.config import Team
from bot.core.context import CLICK_DEADLINE, CoreContext, not_recorded
from bot.core.errors import AlreadyHandled, InvalidInput, NotFound, PostFailed
from bot.core.platform import CardView
from bot.core.roles import SYSTEM, Actor, receives, require_lead
from bot.store import AlreadyProcessed, DatabaseBusy, Delivery, Store
from content.model import Card
from content.topics import TOPICS
from scheduler.curriculum import NoCardError, next_card
from scheduler.occurrence import occurrence_key, still_sendable

log = logging.getLogger(__name__)
REASONS = ("scheduled", "sergeant", "resent", "cli")


class Briefings:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def choose_card(self, team: Team, topic: str | None = None) -> Card:
        """The next card in the team's curriculum (or on a topic), from the team's audience's cards only."""
        if topic is not None and topic not in TOPICS:
            raise InvalidInput(f"{topic!r} is not a topic. Topics: {', '.join(TOPICS)}.")
        pack, audience = self.ctx.pack, team.audience
        if topic is not None and not pack.by_topic(topic, audience):
            offered = pack.topics_for(audience)
            raise NotFound(
                f"There is no card on {topic} for {team.name}, whose cards are for {audience}. "
                + (f"Topics with {audience} cards: {', '.join(offered)}." if offered else
                   f"The pack has no {audience} cards yet.")
            )
        history = await self.ctx.db.read(Store.team_history, team.id)
        weakness = await self.ctx.db.read(Store.topic_weakness, team.id)
        try:
            return next_card(pack, history, weakness, self.ctx.now(), topic, audience)
        except NoCardError as exc:
            raise NotFound(f"No card to send: {exc}.") from None

    async def post_briefing(
        self,
        actor: Actor,
        team_id: str,
        *,
        topic: str | None = None,
        card_id: str | None = None,
        reason: str = "sergeant",
        event_key: str | None = None,
    ) -> CardView:
        """Post a card to a team's channel now: the sergeant's 'brief now', the CLI's post, a re-send."""
        ctx = self.ctx
        team = ctx.team(team_id)
        require_lead(ctx.config, actor, team, "post a briefing to this team")
        if reason not in REASONS:
            raise InvalidInput(f"reason must be one of {', '.join(REASONS)}")
        ctx.platform_for(team.channel)  # an unconnected platform is refused before anything is recorded
        card = ctx.card(card_id) if card_id else await self.choose_card(team, topic)
        person = None if actor.is_system else actor.id
        try:
            delivery = await ctx.db.write_within(
                CLICK_DEADLINE, Store.create_delivery,
                card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
                reason=reason, posted_by=person, poster_name=None if person is None else ctx.name_for(actor),
                now=ctx.now(), audit=(actor.id, "post"), event_key=event_key,
            )
        except DatabaseBusy:
            raise not_recorded("briefing", "Nothing was posted; please try again in a moment") from None
        except AlreadyProcessed:
            raise AlreadyHandled("that request was already handled") from None
        assert delivery is not None  # no occurrence key, so never a duplicate
        return await self.publish(delivery)

    async def post_scheduled(self, team_id: str, shift_start: datetime) -> CardView | None:
        """The scheduler's nudge for one shift: claimed once in the database, then posted.

        Returns None when this (team, shift start) was already claimed, by this or another process.
        """
        ctx = self.ctx
        team = ctx.team(team_id)
        occurrence = occurrence_key(team.id, shift_start)
        existing = await ctx.db.read(Store.delivery_by_occurrence, occurrence)
        if existing is not None:
            # Posted, being posted, missed, or failed in a way that may have reached the channel: done.
            # Failed before anything reached it (say still rate-limited): this is the scheduler's retry.
            if existing.state != "failed" or not await ctx.db.write(Store.claim_retry, existing.id):
                return None
            return await self.publish(replace(existing, state="claimed", error=None))
        card = await self.choose_card(team)
        delivery = await ctx.db.write(
            Store.create_delivery,
            card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
            reason="scheduled", posted_by=None, now=ctx.now(), shift_start=shift_start, occurrence=occurrence,
        )
        if delivery is None:
            return None
        return await self.publish(delivery)

    async def publish(self, delivery: Delivery) -> CardView:
        """Take a claimed delivery to the channel: recipients first (for 'N of M'), then the post."""
        ctx, db = self.ctx, self.ctx.db
        if not await db.write(Store.mark_posting, delivery.id):
            current = await db.read(Store.delivery, delivery.id)
            if current is not None and current.state == "posted":
                return await ctx.view(current)
            raise PostFailed(f"Delivery {delivery.id} is already being posted.")
        sent = False  # whether the post itself was attempted: after that, an unexplained error may hide a post
        try:
            platform = ctx.platform_for(delivery.channel)
            team = ctx.team(delivery.team_id)
            members = [(pid, ctx.config.people.get(pid) or name) for pid, name in await platform.members(delivery.channel)
                       if receives(ctx.config, team, pid)]
            await db.write(Store.add_recipients, delivery.id, members, ctx.now())
            posting = await db.read(Store.delivery, delivery.id)
            assert posting is not None
            view = await ctx.view(posting)
            sent = True
            reference = await platform.post_card(view)
        except PostFailed as exc:  # the platform refused it: nothing reached the channel
            await db.write(Store.mark_failed, delivery.id, str(exc), retry_ok=True)
            raise
        except Exception as exc:  # the platform's own errors: record, then report plainly
            log.exception("posting %s to %s failed", delivery.id, delivery.channel)
            reason = f"{type(exc).__name__}: {exc}"
            await db.write(Store.mark_failed, delivery.id, reason, retry_ok=not sent)
            raise PostFailed(f"The card could not be posted to {delivery.channel}: {reason}") from exc
        await db.write(Store.mark_posted, delivery.id, reference, ctx.now())
        posted = await db.read(Store.delivery, delivery.id)
        assert posted is not None
        return await ctx.view(posted)

    async def recover(self) -> dict[str, int]:
        """At start-up: finish deliveries a crash left claimed or mid-post; never post one twice.

        A claimed delivery is posted if it is still worth sending (scheduler.occurrence), otherwise it is
        recorded as missed. One caught mid-post is asked of the platform first: if it did arrive, it is
        marked posted; if the platform cannot tell, it is recorded as failed rather than risk a duplicate.
        """
        ctx, db = self.ctx, self.ctx.db
        counts = {"posted": 0, "missed": 0, "failed": 0, "found": 0}
        now = ctx.now()
        for delivery in await db.read(Store.unfinished_deliveries):
            if delivery.state == "posting":
                try:
                    reference = await ctx.platform_for(delivery.channel).find_post(delivery)
                except Exception as exc:  # unknown: never risk a duplicate; say so instead
                    log.warning("could not check whether %s was posted: %s", delivery.id, exc)
                    await db.write(
                        Store.mark_failed, delivery.id,
                        f"interrupted while posting, and whether it reached {delivery.channel} cannot be checked "
                        f"({exc}); not sent again to avoid a duplicate: look in the channel and use "
                        "`shiftbrief post` if it is missing",
                    )
                    counts["failed"] += 1
                    continue
                if reference is not None:
                    await db.write(Store.mark_posted, delivery.id, reference, now)
                    counts["found"] += 1
                    continue
                await db.write(Store.reclaim, delivery.id)
            if delivery.shift_start is not None and not self._still_sendable(delivery, now):
                await db.write(Store.mark_missed, delivery.id, "the bot was down until after the shift started")
                counts["missed"] += 1
                continue
            try:
                await self.publish(delivery)
                counts["posted"] += 1
            except PostFailed:
                counts["failed"] += 1
        return counts

    def _still_sendable(self, delivery: Delivery, now: datetime) -> bool:
        assert delivery.shift_start is not None
        team = self.ctx.config.team(delivery.team_id)
        before = timedelta(minutes=team.nudge_minutes_before if team else 0)
        return still_sendable(delivery.shift_start - before, delivery.shift_start, now)

    async def record_missed(self, team_id: str, shift_start: datetime, reason: str) -> Delivery | None:
        """Put a scheduled nudge that never went out on record as missed, so `schedule status` shows it.

        Changes nothing (returns None) when that (team, shift start) is already on record in any state.
        """
        ctx, db = self.ctx, self.ctx.db
        team = ctx.team(team_id)
        occurrence = occurrence_key(team.id, shift_start)
        if await db.read(Store.delivery_by_occurrence, occurrence) is not None:
            return None
        card = await self.choose_card(team)
        now = ctx.now()
        delivery = await db.write(
            Store.create_delivery,
            card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
            reason="scheduled", posted_by=None, now=now, shift_start=shift_start, occurrence=occurrence,
        )
        if delivery is None:
            return None
        await db.write(Store.mark_missed, delivery.id, reason)  # a crash in between leaves it claimed: recover() settles it
        await db.write(
            Store.audit, SYSTEM.id, "missed", team.id, f"{delivery.id} for the shift at {shift_start.isoformat()}", now
        )
        return await db.read(Store.delivery, delivery.id)

    async def recent(self, team_id: str, limit: int = 10) -> list[CardView]:
        """The team's latest posted cards, newest first."""
        deliveries = await self.ctx.db.read(Store.deliveries, team_ids=[team_id], limit=limit)
        return [await self.ctx.view(d) for d in deliveries if d.card_id in self.ctx.cards]
