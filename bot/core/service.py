"""The use cases. Every platform calls these same methods, so each rule is written and tested once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.config import Config, Team
from bot.core import stats as stats_module
from bot.core.errors import InvalidInput, NotFound, PostFailed, Refused
from bot.core.platform import CardView, Platform
from bot.core.roles import SYSTEM, Actor, Role, require_lead, role_of, teams_led_by
from bot.store import Delivery, Engagement, Store
from content.model import Card, Pack
from content.search import Answer, Index
from content.topics import TOPICS
from scheduler.curriculum import NoCardError, next_card

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_QUESTION = 500
REASONS = ("scheduled", "sergeant", "resent", "cli")


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


@dataclass(frozen=True)
class AskResult:
    answer: Answer
    question_id: int

    @property
    def answered(self) -> bool:
        return self.answer.answered


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


class Core:
    """The platform-neutral bot. Platforms are looked up by the prefix of a channel id."""

    def __init__(
        self,
        config: Config,
        store: Store,
        pack: Pack,
        clock: Clock,
        platforms: Mapping[str, Platform] | None = None,
        index: Index | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.pack = pack
        self.clock = clock
        self.platforms: dict[str, Platform] = dict(platforms or {})
        self.index = index or Index(pack)
        self._cards = {c.id: c for c in pack.cards}
        self._names: dict[str, str] = {}

    # -- helpers ------------------------------------------------------------------------------
    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock returned a naive datetime")
        return moment

    def role(self, actor: Actor) -> Role:
        return role_of(self.config, actor)

    def team(self, team_id: str) -> Team:
        team = self.config.team(team_id)
        if team is None:
            known = ", ".join(t.id for t in self.config.teams)
            raise NotFound(f"There is no team {team_id!r}. Teams: {known}.")
        return team

    def teams_led_by(self, actor: Actor) -> list[Team]:
        return teams_led_by(self.config, actor)

    def teams_of(self, actor: Actor) -> list[Team]:
        """Teams a person belongs to or leads, as far as the configuration and history know."""
        led = self.teams_led_by(actor)
        member = [t for t in self.config.teams if actor.id in t.members]
        seen = {e.team_id for e in self.store.engagements(person_id=actor.id)}
        return [t for t in self.config.teams if t in led or t in member or t.id in seen]

    def card(self, card_id: str) -> Card:
        card = self._cards.get(card_id)
        if card is None:
            raise NotFound(f"There is no card {card_id!r} in the pack.")
        return card

    def platform_for(self, channel: str) -> Platform:
        name = channel.split(":", 1)[0]
        platform = self.platforms.get(name)
        if platform is None:
            raise PostFailed(f"{name} is not connected, so {channel} cannot be reached; see the README to set it up.")
        why_not = getattr(platform, "why_not", None)  # a stand-in for a platform that is not set up
        if why_not is not None:
            raise PostFailed(why_not(channel))
        return platform

    def view(self, delivery: Delivery) -> CardView:
        acknowledged, recipients = self.store.ack_counts(delivery.id)
        return CardView(delivery, self.card(delivery.card_id), self.team(delivery.team_id), acknowledged, recipients)

    def _posted(self, delivery_id: str) -> Delivery:
        if not isinstance(delivery_id, str) or not delivery_id.startswith("d-") or len(delivery_id) > 40:
            raise InvalidInput("That button does not belong to a shiftbrief card.")
        delivery = self.store.delivery(delivery_id)
        if delivery is None or delivery.state != "posted":
            raise NotFound("That briefing is no longer on record (it may have been purged).")
        if delivery.card_id not in self._cards:
            raise NotFound("That card has been withdrawn from the pack.")
        return delivery

    def _require_roster(self, actor: Actor, delivery: Delivery) -> None:
        """A team with a configured roster (`members`) counts only its own people. Elsewhere a chat
        channel is the roster, so someone who joined it after the post may still acknowledge."""
        team = self.team(delivery.team_id)
        if not team.members or actor.id in team.members or actor.id in team.sergeants:
            return
        if actor.id not in self.store.recipients(delivery.id):
            raise Refused(f"This briefing is for {team.name}, and you are not on its roster; it was not recorded.")

    def _remember(self, actor: Actor) -> None:
        """Keep the person's display name (only the name and the platform id are stored)."""
        if actor.is_system:
            return
        name = self.config.people.get(actor.id) or actor.name or actor.id.split(":", 1)[1]
        if self._names.get(actor.id) != name:  # skip the write on the hot path when nothing changed
            self.store.save_people([(actor.id, name)], self.now())
            self._names[actor.id] = name

    # -- posting ------------------------------------------------------------------------------
    def choose_card(self, team: Team, topic: str | None = None) -> Card:
        if topic is not None and topic not in TOPICS:
            raise InvalidInput(f"{topic!r} is not a topic. Topics: {', '.join(TOPICS)}.")
        try:
            return next_card(
                self.pack, self.store.team_history(team.id), self.store.topic_weakness(team.id), self.now(), topic
            )
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
    ) -> CardView:
        """Post a card to a team's channel now: the sergeant's 'brief now', the CLI's post, a re-send."""
        team = self.team(team_id)
        require_lead(self.config, actor, team, "post a briefing to this team")
        if reason not in REASONS:
            raise InvalidInput(f"reason must be one of {', '.join(REASONS)}")
        self.platform_for(team.channel)  # an unconnected platform is refused before anything is recorded
        card = self.card(card_id) if card_id else self.choose_card(team, topic)
        self._remember(actor)
        delivery = self.store.create_delivery(
            card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
            reason=reason, posted_by=None if actor.is_system else actor.id, now=self.now(),
        )
        assert delivery is not None  # no occurrence key, so never a duplicate
        self.store.audit(actor.id, "post", team.id, f"{delivery.id} {card.id} ({reason})", self.now())
        return await self.publish(delivery)

    async def post_scheduled(self, team_id: str, shift_start: datetime) -> CardView | None:
        """The scheduler's nudge for one shift: claimed once in the database, then posted.

        Returns None when this (team, shift start) was already claimed, by this or another process.
        """
        team = self.team(team_id)
        occurrence = self._occurrence(team, shift_start)
        if self.store.delivery_by_occurrence(occurrence) is not None:
            return None
        card = self.choose_card(team)
        delivery = self.store.create_delivery(
            card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
            reason="scheduled", posted_by=None, now=self.now(), shift_start=shift_start, occurrence=occurrence,
        )
        if delivery is None:
            return None
        return await self.publish(delivery)

    async def publish(self, delivery: Delivery) -> CardView:
        """Take a claimed delivery to the channel: recipients first (for 'N of M'), then the post."""
        if not self.store.mark_posting(delivery.id):
            current = self.store.delivery(delivery.id)
            if current is not None and current.state == "posted":
                return self.view(current)
            raise PostFailed(f"Delivery {delivery.id} is already being posted.")
        try:
            platform = self.platform_for(delivery.channel)
            members = [(pid, self.config.people.get(pid) or name) for pid, name in await platform.members(delivery.channel)]
            self.store.save_people(members, self.now())
            self.store.add_recipients(delivery.id, [pid for pid, _name in members])
            posting = self.store.delivery(delivery.id)
            assert posting is not None
            reference = await platform.post_card(self.view(posting))
        except PostFailed as exc:
            self.store.mark_failed(delivery.id, str(exc))
            raise
        except Exception as exc:  # the platform's own errors: record, then report plainly
            log.exception("posting %s to %s failed", delivery.id, delivery.channel)
            reason = f"{type(exc).__name__}: {exc}"
            self.store.mark_failed(delivery.id, reason)
            raise PostFailed(f"The card could not be posted to {delivery.channel}: {reason}") from exc
        self.store.mark_posted(delivery.id, reference, self.now())
        posted = self.store.delivery(delivery.id)
        assert posted is not None
        return self.view(posted)

    async def recover(self) -> dict[str, int]:
        """At start-up: finish deliveries a crash left claimed or mid-post; never post one twice.

        A claimed delivery is posted if its shift has not started (or it had no shift), otherwise it is
        recorded as missed. One caught mid-post is asked of the platform first: if it did arrive, it is
        marked posted; if the platform cannot tell, it is recorded as failed rather than risk a duplicate.
        """
        counts = {"posted": 0, "missed": 0, "failed": 0, "found": 0}
        now = self.now()
        for delivery in self.store.unfinished_deliveries():
            if delivery.state == "posting":
                try:
                    reference = await self.platform_for(delivery.channel).find_post(delivery)
                except Exception as exc:  # unknown: never risk a duplicate; say so instead
                    log.warning("could not check whether %s was posted: %s", delivery.id, exc)
                    self.store.mark_failed(
                        delivery.id,
                        f"interrupted while posting, and whether it reached {delivery.channel} cannot be checked "
                        f"({exc}); not sent again to avoid a duplicate: look in the channel and use "
                        "`shiftbrief post` if it is missing",
                    )
                    counts["failed"] += 1
                    continue
                if reference is not None:
                    self.store.mark_posted(delivery.id, reference, now)
                    counts["found"] += 1
                    continue
                self.store.reclaim(delivery.id)
            if delivery.shift_start is not None and now >= delivery.shift_start:
                self.store.mark_missed(delivery.id, "the bot was down until after the shift started")
                counts["missed"] += 1
                continue
            try:
                await self.publish(delivery)
                counts["posted"] += 1
            except PostFailed:
                counts["failed"] += 1
        return counts

    # -- the scheduler's other calls (scheduler/runner.py calls these through bot/app.py) ------
    def record_missed(self, team_id: str, shift_start: datetime, reason: str) -> Delivery | None:
        """Put a scheduled nudge that never went out on record as missed, so `schedule status` shows it.

        Changes nothing (returns None) when that (team, shift start) is already on record in any state.
        """
        team = self.team(team_id)
        occurrence = self._occurrence(team, shift_start)
        if self.store.delivery_by_occurrence(occurrence) is not None:
            return None
        card = self.choose_card(team)
        now = self.now()
        delivery = self.store.create_delivery(
            card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
            reason="scheduled", posted_by=None, now=now, shift_start=shift_start, occurrence=occurrence,
        )
        if delivery is None:
            return None
        self.store.mark_missed(delivery.id, reason)  # a crash in between leaves it claimed: recover() settles it
        self.store.audit(SYSTEM.id, "missed", team.id, f"{delivery.id} for the shift at {shift_start.isoformat()}", now)
        return self.store.delivery(delivery.id)

    async def remind_unacknowledged(self, team_id: str, shift_start: datetime, until: datetime) -> datetime | None:
        """The team's one automatic reminder for a scheduled nudge: a private message to each recipient
        who has not acknowledged, `remind_after_minutes` after the post and only while on shift (from
        `shift_start` to `until`). Nobody gets it twice, nor on top of a sergeant's nudge.

        Returns when to ask again (the post is later than planned or still in flight), or None when done.
        """
        team = self.team(team_id)
        now = self.now()
        if team.remind_after_minutes is None or now >= until:
            return None
        delivery = self.store.delivery_by_occurrence(self._occurrence(team, shift_start))
        if delivery is None and now >= shift_start:
            return None  # never posted, and too late now: the runner records it as missed
        if delivery is None or delivery.state in ("claimed", "posting"):
            return now + timedelta(minutes=1)  # the post has not happened yet: look again shortly
        if delivery.state != "posted" or delivery.posted_at is None:
            return None  # missed or failed: nothing to remind anyone of
        due = max(delivery.posted_at + timedelta(minutes=team.remind_after_minutes), shift_start)
        if now < due:
            return due
        card = self.card(delivery.card_id)
        skip = set(self.store.acknowledged_by(delivery.id)) | self.store.nudged(delivery.id, "nudge")
        skip |= self.store.nudged(delivery.id, "reminder")
        platform = self.platform_for(delivery.channel)
        text = (
            f"Reminder: today's briefing in {team.name} is \u201c{card.title}\u201d. "
            "Press Acknowledge on the card once you have read it."
        )
        sent = failed = 0
        for person in self.store.recipients(delivery.id):
            if person in skip or not self.store.record_nudge(delivery.id, person, "reminder", None, now):
                continue
            try:
                await platform.send_direct(person, text)
                sent += 1
            except Exception:
                log.warning("reminder to %s failed", person, exc_info=True)
                self.store.forget_nudge(delivery.id, person, "reminder")
                failed += 1
        if sent:
            self.store.audit(SYSTEM.id, "remind", team.id, f"{delivery.id}: {sent} reminded", now)
        return now + timedelta(minutes=5) if failed else None  # try those again while the shift lasts

    def _occurrence(self, team: Team, shift_start: datetime) -> str:
        """The unique key of a scheduled nudge (the same key post_scheduled claims)."""
        return f"{team.id}|{shift_start.astimezone(self.config.timezone).isoformat()}"

    # -- officers -----------------------------------------------------------------------------
    async def acknowledge(self, actor: Actor, delivery_id: str, via: str) -> AckResult:
        """One officer, one delivery, once: a second click or a platform retry changes nothing."""
        if actor.is_system:
            raise Refused("Only a person can acknowledge a briefing.")
        delivery = self._posted(delivery_id)
        self._require_roster(actor, delivery)
        self._remember(actor)
        first = self.store.acknowledge(delivery.id, actor.id, via, self.now())
        view = self.view(delivery)
        if first:
            try:
                await self.platform_for(delivery.channel).update_card(view)
            except Exception:  # the count is recorded; a stale counter on the card is not worth an error
                log.warning("could not update the card for %s", delivery.id, exc_info=True)
        return AckResult(view, first)

    async def answer_check(self, actor: Actor, delivery_id: str, choice: int) -> CheckResult:
        if actor.is_system:
            raise Refused("Only a person can answer the check question.")
        delivery = self._posted(delivery_id)
        self._require_roster(actor, delivery)
        card = self.card(delivery.card_id)
        if not isinstance(choice, int) or isinstance(choice, bool) or not 1 <= choice <= len(card.check.options):
            raise InvalidInput(f"Choose an answer from 1 to {len(card.check.options)}.")
        self._remember(actor)
        first = self.store.record_answer(delivery.id, actor.id, choice, card.check.is_right(choice), self.now())
        if not first:
            previous = self.store.answer_of(delivery.id, actor.id)
            assert previous is not None
            return CheckResult(card, previous[0], previous[1], False)
        return CheckResult(card, choice, card.check.is_right(choice), True)

    async def ask(self, actor: Actor, text: str, via: str) -> AskResult:
        """Answer from the pack only, or say so; every question is kept, unanswered ones for coordinators."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("Ask a question in your own words, for example: why fifteen minutes?")
        question = " ".join(text.split())
        if len(question) > MAX_QUESTION:
            raise InvalidInput(f"That question is {len(question)} characters; please keep it under {MAX_QUESTION}.")
        answer = self.index.answer(question)
        if not actor.is_system:
            self._remember(actor)
        card = answer.card if answer.answered else None
        question_id = self.store.record_question(
            asked_by=None if actor.is_system else actor.id, via=via, text=question, answered=answer.answered,
            card_id=card.id if card else None, topic=card.topic if card else None, score=answer.score, now=self.now(),
        )
        if not answer.answered and self.config.questions_channel:
            try:
                await self.platform_for(self.config.questions_channel).post_text(
                    self.config.questions_channel, f"Unanswered question for the content team: \u201c{question}\u201d"
                )
            except Exception:
                log.warning("could not forward question %s", question_id, exc_info=True)
        return AskResult(answer, question_id)

    def rate_answer(self, actor: Actor, question_id: int, helpful: bool) -> bool:
        return self.store.set_helpful(question_id, actor.id, helpful)

    # -- sergeants ----------------------------------------------------------------------------
    def pending(self, actor: Actor, team_id: str, doing: str = "see who has not acknowledged") -> PendingResult:
        """Who has not acknowledged the team's latest card (sergeants of the team, coordinators)."""
        team = self.team(team_id)
        require_lead(self.config, actor, team, doing)
        delivery = self.store.latest_delivery(team.id)
        if delivery is None:
            raise NotFound(f"Nothing has been posted to {team.name} yet.")
        acked = set(self.store.acknowledged_by(delivery.id))
        recipients = self.store.recipients(delivery.id)
        missing = [(pid, self.store.person_name(pid) or pid) for pid in recipients if pid not in acked]
        missing.sort(key=lambda p: p[1].lower())
        self.store.audit(actor.id, "view-pending", team.id, delivery.id, self.now())
        return PendingResult(delivery, self.card(delivery.card_id), team, missing, len(acked), len(recipients))

    async def nudge(self, actor: Actor, team_id: str) -> NudgeResult:
        """One private reminder to each non-acknowledger of the latest card, never twice."""
        pending = self.pending(actor, team_id, doing="nudge the team")
        if self.store.delivery(pending.delivery.id) is None:
            raise NotFound("That briefing is no longer on record.")
        platform = self.platform_for(pending.delivery.channel)
        nudged, already, failed = [], [], []
        who = actor.name or actor.id
        text = (
            f"{who} asks you to read today's briefing in {pending.team.name}: \u201c{pending.card.title}\u201d. "
            "Press Acknowledge on the card once you have."
        )
        for person in pending.not_acknowledged:
            if person[0] == actor.id:  # a sergeant is not sent their own nudge
                continue
            if not self.store.record_nudge(pending.delivery.id, person[0], "nudge", actor.id, self.now()):
                already.append(person)
                continue
            try:
                await platform.send_direct(person[0], text)
                nudged.append(person)
            except Exception:
                log.warning("nudge to %s failed", person[0], exc_info=True)
                self.store.forget_nudge(pending.delivery.id, person[0], "nudge")
                failed.append(person)
        self.store.audit(actor.id, "nudge", pending.team.id, f"{pending.delivery.id}: {len(nudged)} nudged", self.now())
        return NudgeResult(pending, nudged, already, failed)

    # -- reports ------------------------------------------------------------------------------
    def stats(
        self, actor: Actor, by: str = "team", team_id: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Acknowledgement and understanding; sergeants see their own teams, coordinators all."""
        if by not in stats_module.GROUPINGS:
            raise InvalidInput(f"--by must be one of {', '.join(stats_module.GROUPINGS)}, not {by!r}.")
        role = self.role(actor)
        if role is Role.OFFICER:
            raise Refused("Team statistics are for sergeants and coordinators; ask for your own record instead.")
        visible = self.teams_led_by(actor)
        if team_id is not None:
            team = self.team(team_id)
            if team not in visible:
                raise Refused(f"You can see statistics for your own teams only; {team.name} is not one of them.")
            visible = [team]
        rows = stats_module.summarise(
            self.store.engagements(team_ids=[t.id for t in visible], since=since), by, self.config
        )
        if by == "officer":
            self.store.audit(actor.id, "view-officer-stats", ",".join(t.id for t in visible), None, self.now())
        return rows

    def my_record(self, actor: Actor) -> list[Engagement]:
        """An officer's own record: every card delivered to them and what they did."""
        return self.store.engagements(person_id=actor.id)

    def recent(self, team_id: str, limit: int = 10) -> list[CardView]:
        return [self.view(d) for d in self.store.deliveries(team_ids=[team_id], limit=limit) if d.card_id in self._cards]


__all__ = ["SYSTEM", "AckResult", "AskResult", "CheckResult", "Core", "NudgeResult", "PendingResult"]
