"""Acknowledgements and check answers: one officer, one delivery, once, from the people it is for."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.context import CLICK_DEADLINE, CoreContext, not_recorded
from bot.core.errors import AlreadyHandled, InvalidInput, NotFound, Refused
from bot.core.platform import CardView
from bot.core.roles import Actor
from bot.store import AlreadyProcessed, CardState, DatabaseBusy, Delivery, Store
from content.model import Card

log = logging.getLogger(__name__)


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

    @property
    def message(self) -> str:
        right = self.card.check.options[self.card.check.answer - 1]
        verdict = "Right." if self.correct else f"Not quite: the answer is \u201c{right}\u201d."
        note = "" if self.first_time else " (You had already answered this one; your first answer is the one kept.)"
        return f"{verdict} {self.card.check.explanation}{note}"


class Acknowledgements:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def _require_roster(self, actor: Actor, delivery: Delivery) -> None:
        """A team with a configured roster (`members`) counts only its own people. Elsewhere a chat
        channel is the roster, so someone who joined it after the post may still acknowledge."""
        team = self.ctx.team(delivery.team_id)
        if not team.members or actor.id in team.members or actor.id in team.sergeants:
            return
        if not await self.ctx.db.read(Store.is_recipient, delivery.id, actor.id):
            raise Refused(f"This briefing is for {team.name}, and you are not on its roster; it was not recorded.")

    async def acknowledge(
        self, actor: Actor, delivery_id: object, via: str, event_key: str | None = None
    ) -> AckResult:
        """One officer, one delivery, once: a second click or a platform retry changes nothing.

        The acknowledgement, the person's name and the retry key are one transaction, given CLICK_DEADLINE to
        get the database; past it nothing is written and the officer is asked to press again."""
        ctx = self.ctx
        if actor.is_system:
            raise Refused("Only a person can acknowledge a briefing.")
        delivery = await ctx.posted(delivery_id)
        await self._require_roster(actor, delivery)
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
        self, actor: Actor, delivery_id: object, choice: object, event_key: str | None = None
    ) -> CheckResult:
        """The officer's answer to the card's check question; the first answer is the one kept."""
        ctx = self.ctx
        if actor.is_system:
            raise Refused("Only a person can answer the check question.")
        delivery = await ctx.posted(delivery_id)
        await self._require_roster(actor, delivery)
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
        return CheckResult(card, kept, correct, first)

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
