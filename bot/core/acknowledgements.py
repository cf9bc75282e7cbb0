"""Acknowledgements and check answers: one officer, one delivery, once, from the people it is for."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.context import CLICK_DEADLINE, CoreContext, not_recorded
from bot.core.errors import AlreadyHandled, CoreError, InvalidInput, NotFound, NotRecorded, Refused
from bot.core.platform import CardView, Membership
from bot.core.roles import Actor, receives
from bot.store import AlreadyProcessed, CardState, DatabaseBusy, Delivery, Store
from content.model import Card

log = logging.getLogger(__name__)
ACKNOWLEDGEMENT = "acknowledgement"


@dataclass(frozen=True)
class AckResult:
    view: CardView
    first_time: bool

    @property
    def message(self) -> str:
        if self.first_time:
            return f"Thanks, you have acknowledged \u201c{self.view.card.title}\u201d."
        return f"You had already acknowledged \u201c{self.view.card.title}\u201d; nothing changed."


@dataclass(frozen=True)
class CheckResult:
    card: Card
    choice: int
    correct: bool
    first_time: bool

    attempted: int | None = None
    """The choice pressed this time, when it was not the first answer (the first is the one kept)."""

    @property
    def message(self) -> str:
        right = self.card.check.options[self.card.check.answer - 1]
        if self.first_time or self.attempted in (None, self.choice):
            verdict = "Right." if self.correct else f"Not quite: the answer is \u201c{right}\u201d."
            note = "" if self.first_time else " (You had already answered this one; your first answer is the one kept.)"
            return f"{verdict} {self.card.check.explanation}{note}"
        first = "right" if self.correct else "not right"
        again = ("That one is right" if self.attempted == self.card.check.answer
                 else f"That one is not right either: the answer is \u201c{right}\u201d" if not self.correct
                 else f"That one is not right: the answer is \u201c{right}\u201d")
        return (f"You had already answered this one, and your first answer ({first}) is the one kept. {again}. "
                f"{self.card.check.explanation}")


class Acknowledgements:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def _require_roster(self, actor: Actor, delivery: Delivery, where: str | None, what: str) -> None:
        """Only someone who belongs to the delivery's team counts, pressing the button where the card is.

        `where` is the channel the button was pressed in (platform-prefixed); None only for the local
        workspace, which has no channel. It must be the delivery's channel: a card's button pressed
        anywhere else (a forged or copied delivery id) is refused. Then the person must be one the card is for
        (`roles.receives`): a coordinator, the team's own sergeant or, on an officers' team, any configured
        sergeant is refused, saying so, and nothing is recorded (not even an audit entry). Then they must belong:
        - a configured member of the team, or a recorded recipient of this delivery, counts;
        - a team with a configured roster (`members`) counts no one else;
        - otherwise the channel is the roster: the platform says whether they are in it now (Slack: the
          channel's members; Teams: the team's roster), so someone who joined after the post still counts.
        Any other refusal writes nothing but an audit entry; every refusal says why (the platforms show it
        privately)."""
        ctx = self.ctx
        team = ctx.team(delivery.team_id)
        if where is not None and where != delivery.channel:
            await self._refuse(actor, delivery, what, f"pressed in {where or 'no channel'}, not {delivery.channel}")
            raise Refused(f"That button belongs to a {team.name} card in its own channel, and was pressed somewhere "
                          f"else; your {what} was not recorded.")
        if not receives(ctx.config, team, actor.id):
            lead = "a coordinator" if actor.id in ctx.config.coordinators else "a sergeant"
            track = "" if team.audience != "officers" else " (sergeants have their own track)"
            raise Refused(f"This card is for {team.name}'s {team.audience}: as {lead} you are not counted{track}, "
                          f"so your {what} was not recorded. Ask for status to see who has acknowledged.")
        if actor.id in team.members:
            return
        if await ctx.db.read(Store.is_recipient, delivery.id, actor.id):
            return
        if team.members:
            await self._refuse(actor, delivery, what, "not on the configured roster")
            raise Refused(f"This briefing is for {team.name}, and you are not on its roster; it was not recorded.")
        if not await self._in_channel(delivery.channel, actor.id, what):
            await self._refuse(actor, delivery, what, f"not a member of {delivery.channel}")
            raise Refused(f"This briefing is for {team.name}, and only members of its channel count; "
                          f"your {what} was not recorded.")

    async def _in_channel(self, channel: str, person_id: str, what: str) -> bool:
        """The platform's word on membership; a platform that cannot say counts as "no"."""
        platform = self.ctx.platforms.get(channel.split(":", 1)[0])
        if not isinstance(platform, Membership):
            return False
        try:
            return await platform.is_member(channel, person_id)
        except CoreError:  # a stand-in for a platform that is not set up says what to configure
            raise
        except Exception as exc:
            log.warning("could not check %s's membership of %s: %s: %s", person_id, channel, type(exc).__name__, exc)
            raise NotRecorded(f"Your {what} was not recorded: shiftbrief could not check the channel's members "
                              "just now. Please press again in a moment.") from None

    async def _refuse(self, actor: Actor, delivery: Delivery, what: str, why: str) -> None:
        """Audit a refused click; the refusal stands even if the audit cannot be written in time."""
        action = "refused-acknowledgement" if what == ACKNOWLEDGEMENT else "refused-check-answer"
        ctx = self.ctx
        try:
            await ctx.db.write_within(
                CLICK_DEADLINE, Store.audit, actor.id, action, delivery.team_id, f"{delivery.id}: {why}", ctx.now()
            )
        except (DatabaseBusy, sqlite3.Error) as exc:
            log.warning("could not audit a refused %s by %s: %s", what, actor.id, exc)

    async def acknowledge(
        self, actor: Actor, delivery_id: object, via: str, event_key: str | None = None, where: str | None = None
    ) -> AckResult:
        """One officer, one delivery, once: a second click or a platform retry changes nothing. Only from
        someone who belongs to the delivery's team, pressing the button in its channel (`where`, the channel
        the click came from; None only for the local workspace): see `_require_roster`.

        The acknowledgement, the person's name and the retry key are one transaction, given CLICK_DEADLINE to
        get the database; past it nothing is written and the officer is asked to press again."""
        ctx = self.ctx
        if actor.is_system:
            raise Refused("Only a person can acknowledge a briefing.")
        delivery = await ctx.posted(delivery_id)
        await self._require_roster(actor, delivery, where, ACKNOWLEDGEMENT)
        try:
            first, acknowledged, recipients = await ctx.db.write_within(
                CLICK_DEADLINE, Store.acknowledge, delivery.id, actor.id, ctx.name_for(actor), via, ctx.now(), event_key
            )
        except DatabaseBusy:
            raise not_recorded("acknowledgement", "Please press Acknowledge again in a moment") from None
        except AlreadyProcessed:
            raise AlreadyHandled("that click was already handled") from None
        except sqlite3.IntegrityError:  # purged between the read and the write
            ctx.forget(delivery.id)
            raise NotFound("That briefing is no longer on record (it may have been purged).") from None
        view = CardView(delivery, ctx.card(delivery.card_id), ctx.team(delivery.team_id), acknowledged, recipients)
        if first:
            try:
                await ctx.platform_for(delivery.channel).update_card(view)
            except Exception:  # the count is recorded; a stale counter on the card is not worth an error
                log.warning("could not update the card for %s", delivery.id, exc_info=True)
        return AckResult(view, first)

    async def answer_check(
        self, actor: Actor, delivery_id: object, choice: object, event_key: str | None = None,
        where: str | None = None,
    ) -> CheckResult:
        """The officer's answer to the card's check question; the first answer is the one kept. Only from
        someone who belongs to the delivery's team, in its channel, as for `acknowledge`."""
        ctx = self.ctx
        if actor.is_system:
            raise Refused("Only a person can answer the check question.")
        delivery = await ctx.posted(delivery_id)
        await self._require_roster(actor, delivery, where, "answer")
        card = ctx.card(delivery.card_id)
        number = _choice(choice, len(card.check.options))
        try:
            first, kept, correct = await ctx.db.write_within(
                CLICK_DEADLINE, Store.record_answer, delivery.id, actor.id, ctx.name_for(actor), number,
                card.check.is_right(number), ctx.now(), event_key,
            )
        except DatabaseBusy:
            raise not_recorded("answer", "Please choose it and press Check my answer again in a moment") from None
        except AlreadyProcessed:
            raise AlreadyHandled("that click was already handled") from None
        except sqlite3.IntegrityError:  # purged between the read and the write
            ctx.forget(delivery.id)
            raise NotFound("That briefing is no longer on record (it may have been purged).") from None
        return CheckResult(card, kept, correct, first, None if first else number)

    async def card_states(self, actor: Actor, delivery_ids: Sequence[str]) -> dict[str, CardState]:
        """What this person has done with each delivery, for showing the cards on their screen."""
        return await self.ctx.db.read(Store.card_states, list(delivery_ids), actor.id)


def _choice(raw: object, options: int) -> int:
    """A check answer as typed or sent by a button: a whole number from 1 to `options`."""
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not text or not text.isascii() or not text.isdigit():
        raise InvalidInput("Choose one of the answers, then press Check my answer.")
    if len(text) > 3 or not 1 <= int(text) <= options:
        raise InvalidInput(f"Choose an answer from 1 to {options}.")
    return int(text)
