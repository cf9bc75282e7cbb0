"""What sergeants do with their team: who has not acknowledged, one nudge each, and the scheduler's one
automatic reminder."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Team
from bot.core.context import CLICK_DEADLINE, CoreContext
from bot.core.errors import NotFound, NotRecorded
from bot.core.roles import SYSTEM, Actor, receives, require_lead
from bot.store import DatabaseBusy, Delivery, Nudge, Store
from content.model import Card
from scheduler.occurrence import occurrence_key, reminder_due

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingResult:
    delivery: Delivery
    card: Card
    team: Team
    not_acknowledged: list[tuple[str, str]]
    acknowledged: int
    recipients: int


@dataclass(frozen=True)
class NudgeResult:
    pending: PendingResult
    nudged: list[tuple[str, str]]
    already: list[tuple[str, str]]
    failed: list[tuple[str, str]]


@dataclass(frozen=True)
class NudgeNotice:
    """A nudge or reminder as the person who received it sees it listed."""

    nudge: Nudge
    card_title: str
    by_name: str | None


class Sergeants:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def pending(self, actor: Actor, team_id: str, doing: str = "see who has not acknowledged") -> PendingResult:
        """Who has not acknowledged the team's latest card (sergeants of the team, coordinators)."""
        ctx, db = self.ctx, self.ctx.db
        team = ctx.team(team_id)
        require_lead(ctx.config, actor, team, doing)
        delivery = await db.read(Store.latest_delivery, team.id)
        if delivery is None:
            raise NotFound(f"Nothing has been posted to {team.name} yet.")
        acked = set(await db.read(Store.acknowledged_by, delivery.id))
        # Leads recorded as recipients by an older version, or who became a sergeant since, are not chased.
        recipients = [pid for pid in await db.read(Store.recipients, delivery.id) if receives(ctx.config, team, pid)]
        acked &= set(recipients)
        names = await db.read(Store.person_names, recipients)
        missing = [(pid, ctx.config.people.get(pid) or names.get(pid) or pid) for pid in recipients if pid not in acked]
        missing.sort(key=lambda p: p[1].lower())
        try:  # an officer-level view is shown only once it is on the audit trail
            await db.write_within(CLICK_DEADLINE, Store.audit, actor.id, "view-pending", team.id, delivery.id, ctx.now())
        except DatabaseBusy:
            raise NotRecorded("The list could not be shown: the database could not take it just now. "
                              "Please try again in a moment.") from None
        return PendingResult(delivery, ctx.card(delivery.card_id), team, missing, len(acked), len(recipients))

    async def nudge(self, actor: Actor, team_id: str) -> NudgeResult:
        """One private reminder to each non-acknowledger of the latest card, never twice."""
        ctx, db = self.ctx, self.ctx.db
        pending = await self.pending(actor, team_id, doing="nudge the team")
        platform = ctx.platform_for(pending.delivery.channel)
        nudged: list[tuple[str, str]] = []
        already: list[tuple[str, str]] = []
        failed: list[tuple[str, str]] = []
        who = ctx.name_for(actor)
        text = (
            f"{who} asks you to read today's briefing in {pending.team.name}: \u201c{pending.card.title}\u201d. "
            "Press Acknowledge on the card once you have."
        )
        for person in pending.not_acknowledged:
            if person[0] == actor.id:  # a sergeant is not sent their own nudge
                continue
            try:
                first = await db.write_within(
                    CLICK_DEADLINE, Store.record_nudge, pending.delivery.id, person[0], "nudge", actor.id, ctx.now()
                )
            except DatabaseBusy:
                raise NotRecorded(f"Nudged {len(nudged)} before the database stopped taking writes; nudge again in "
                                  "a moment for the rest (nobody is nudged twice).") from None
            if not first:
                already.append(person)
                continue
            try:
                await platform.send_direct(person[0], text)
                nudged.append(person)
            except Exception:
                log.warning("nudge to %s failed", person[0], exc_info=True)
                await db.write(Store.forget_nudge, pending.delivery.id, person[0], "nudge")
                failed.append(person)
        await db.write(
            Store.audit, actor.id, "nudge", pending.team.id, f"{pending.delivery.id}: {len(nudged)} nudged", ctx.now()
        )
        return NudgeResult(pending, nudged, already, failed)

    async def remind_unacknowledged(self, team_id: str, shift_start: datetime, until: datetime) -> datetime | None:
        """The team's one automatic reminder for a scheduled nudge: a private message to each recipient
        who has not acknowledged, `remind_after_minutes` after the post and only while on shift (from
        `shift_start` to `until`). Nobody gets it twice, nor on top of a sergeant's nudge.

        Returns when to ask again (the post is later than planned or still in flight), or None when done.
        """
        ctx, db = self.ctx, self.ctx.db
        team = ctx.team(team_id)
        now = ctx.now()
        if team.remind_after_minutes is None or now >= until:
            return None
        delivery = await db.read(Store.delivery_by_occurrence, occurrence_key(team.id, shift_start))
        if delivery is None and now >= shift_start:
            return None  # never posted, and too late now: the runner records it as missed
        if delivery is None or delivery.state in ("claimed", "posting"):
            return now + timedelta(minutes=1)  # the post has not happened yet: look again shortly
        if delivery.state != "posted" or delivery.posted_at is None:
            return None  # missed or failed: nothing to remind anyone of
        due = reminder_due(delivery.posted_at, shift_start, team.remind_after_minutes)
        if now < due:
            return due
        card = ctx.card(delivery.card_id)
        skip = set(await db.read(Store.acknowledged_by, delivery.id)) | await db.read(Store.nudged, delivery.id, "nudge")
        skip |= await db.read(Store.nudged, delivery.id, "reminder")
        platform = ctx.platform_for(delivery.channel)
        text = (
            f"Reminder: today's briefing in {team.name} is \u201c{card.title}\u201d. "
            "Press Acknowledge on the card once you have read it."
        )
        sent = failed = 0
        for person in await db.read(Store.recipients, delivery.id):
            if person in skip or not await db.write(Store.record_nudge, delivery.id, person, "reminder", None, now):
                continue
            try:
                await platform.send_direct(person, text)
                sent += 1
            except Exception:
                log.warning("reminder to %s failed", person, exc_info=True)
                await db.write(Store.forget_nudge, delivery.id, person, "reminder")
                failed += 1
        if sent:
            await db.write(Store.audit, SYSTEM.id, "remind", team.id, f"{delivery.id}: {sent} reminded", now)
        return now + timedelta(minutes=5) if failed else None  # try those again while the shift lasts

    async def nudges_for(self, actor: Actor, limit: int = 3) -> list[NudgeNotice]:
        """The nudges and reminders this person was sent, newest first, with the card's title."""
        ctx, db = self.ctx, self.ctx.db
        notices = []
        for nudge in await db.read(Store.nudges_for, actor.id, limit):
            delivery = await db.read(Store.delivery, nudge.delivery_id)
            card = ctx.cards.get(delivery.card_id) if delivery else None
            by = await ctx.name_of(nudge.by) if nudge.by else None
            notices.append(NudgeNotice(nudge, card.title if card else "a briefing", by))
        return notices
