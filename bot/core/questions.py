"""Questions: answered from the pack only, with the source, or an honest "I don't know" that names what the
bot can answer and says whether the question was passed on. Only unanswered questions near the topics are
passed on (kept on the content-gap list and forwarded to the questions channel, if one is set); one plainly
outside hot spots policing (leave, custody, the football) is kept for counting but not passed on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.context import CLICK_DEADLINE, CoreContext, not_recorded
from bot.core.errors import AlreadyHandled, InvalidInput, Refused
from bot.core.roles import Actor
from bot.store import AlreadyProcessed, DatabaseBusy, Store
from content.model import MAX_QUESTION
from content.topics import TOPICS

if TYPE_CHECKING:
    from content.search import Answer

log = logging.getLogger(__name__)
UNKNOWN = (
    "I don't know: none of the training cards answers that, and I would rather say so than guess. "
    "I have passed your question to the coordinators so the content can be improved."
)
"""A question near the topics that no card answers: passed on."""
OFF_TOPIC = "I don't know: that is outside hot spots policing, so I have not passed it on."
"""A question plainly about something else (leave, custody, a phone's hotspot, the football): not passed on."""
NOT_KEPT = ("I don't know: none of the training cards answers that, and I would rather say so than guess. "
            "It is not on record, so it has not been passed on.")
"""A question near the topics, asked without keeping it (a coordinator trying the answerer)."""


def _can_answer() -> str:
    titles = [title[0].lower() + title[1:] for title in TOPICS.values()]
    return f"I can answer questions on: {'; '.join(titles)}."


CAN_ANSWER = _can_answer()
"""What every "I don't know" ends with: the eleven topics, by title, in teaching order."""
THANKS = "Thanks for the feedback."
NOT_YOURS = "Only the person who asked can rate that answer (or it is no longer on record)."


@dataclass(frozen=True)
class AskResult:
    answer: Answer
    question_id: int
    passed_on: bool = False
    """Unanswered, near the topics and on record: on the content-gap list, and forwarded if a channel is set."""

    @property
    def answered(self) -> bool:
        return self.answer.answered

    @property
    def message(self) -> str:
        """For a plain-text surface: the line before the card (rendered by each platform), or the whole
        "I don't know", saying whether the question was passed on and what the bot can answer."""
        card = self.answer.card
        if self.answered and card is not None:
            return f"From the training card \u201c{card.title}\u201d:"
        if self.passed_on:
            return f"{UNKNOWN} {CAN_ANSWER}"
        if self.answer.near_topic:
            return f"{NOT_KEPT} {CAN_ANSWER}"
        return f"{OFF_TOPIC} {CAN_ANSWER}"


class Questions:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def ask(
        self, actor: Actor, text: object, via: str, event_key: str | None = None, *, record: bool = True
    ) -> AskResult:
        """Answer from the pack only, or say so. Every question is kept; an unanswered one near the topics is
        passed on to the coordinators (the content-gap list, and the questions channel if one is set), one
        plainly outside hot spots policing is not. With `record` False (a coordinator trying the answerer from
        the command line) nothing is kept or passed on, and the question id is 0."""
        ctx = self.ctx
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("Ask a question in your own words, for example: why fifteen minutes?")
        question = " ".join(text.split())
        if len(question) > MAX_QUESTION:
            raise InvalidInput(f"That question is {len(question)} characters; please keep it under {MAX_QUESTION}.")
        answer = await ctx.index.answer(question)
        card = answer.card if answer.answered else None
        if not record:
            return AskResult(answer, 0)
        person = None if actor.is_system else actor.id
        try:
            question_id = await ctx.db.write_within(
                CLICK_DEADLINE, Store.record_question,
                asked_by=person, asker_name=None if person is None else ctx.name_for(actor), via=via, text=question,
                answered=answer.answered, card_id=card.id if card else None, topic=card.topic if card else None,
                score=answer.score, now=ctx.now(), event_key=event_key, off_topic=not answer.near_topic,
            )
        except DatabaseBusy:
            raise not_recorded("question", "Please ask it again in a moment") from None
        except AlreadyProcessed:
            raise AlreadyHandled("that question was already answered") from None
        passed_on = not answer.answered and answer.near_topic
        if passed_on and ctx.config.questions_channel:
            try:
                await ctx.platform_for(ctx.config.questions_channel).post_text(
                    ctx.config.questions_channel, f"Unanswered question for the content team: \u201c{question}\u201d"
                )
            except Exception:
                log.warning("could not forward question %s", question_id, exc_info=True)
        return AskResult(answer, question_id, passed_on)

    async def rate_answer(self, actor: Actor, question_id: object, helpful: bool) -> str:
        """The asker's verdict on an answer; anyone else is refused."""
        text = str(question_id) if isinstance(question_id, (int, str)) and not isinstance(question_id, bool) else ""
        if not text.isascii() or not text.isdigit() or len(text) > 12:
            raise InvalidInput("That button does not belong to a shiftbrief answer.")
        try:
            saved = await self.ctx.db.write_within(CLICK_DEADLINE, Store.set_helpful, int(text), actor.id, helpful)
        except DatabaseBusy:
            raise not_recorded("feedback") from None
        if not saved:
            raise Refused(NOT_YOURS)
        return THANKS

    async def questions(self, *, unanswered_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """The questions on record, newest first; `unanswered_only` is the content-gap list (unanswered ones
        near the topics, and answers marked not helpful)."""
        return await self.ctx.db.read(Store.questions, unanswered_only=unanswered_only, limit=limit)
