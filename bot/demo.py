"""Made-up history for the demo teams, so the coordinator's views have something to show."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.core.roles import receives
from bot.store import ACK_BANDS, DEMO_PEOPLE, Store, band_of, iso
from content.model import Card, Pack
from scheduler.curriculum import next_card


def seed(store: Store, config: Config, pack: Pack, now: datetime, weeks: int, seed_value: int = 7) -> int:
    """Post roughly three cards a week to every local team, with plausible acknowledgements and answers from
    the people its cards are for (its officers: not its sergeants, nor a coordinator; see `receives`).
    Any demo history already there is replaced, so seeding twice never doubles it."""
    rng = random.Random(seed_value)
    store.clear_demo()
    count = 0
    for team in config.teams:
        members = [pid for pid in dict.fromkeys((*team.sergeants, *team.members)) if receives(config, team, pid)]
        if not members:
            continue
        people = [(pid, config.display_name(pid)) for pid in members]
        store.save_people(people, now)
        for day in range(weeks * 7, 0, -2):
            when = now - timedelta(days=day, hours=rng.randint(0, 6))
            card = next_card(pack, store.team_history(team.id), store.topic_weakness(team.id), when)
            delivery = store.create_delivery(
                card_id=card.id, card_version=card.version, topic=card.topic, team_id=team.id, channel=team.channel,
                reason="scheduled", posted_by=None, now=when, occurrence=f"demo|{team.id}|{when.isoformat()}",
            )
            if delivery is None:
                continue
            store.add_recipients(delivery.id, people, when)
            store.mark_posted(delivery.id, {"demo": True}, when)
            uptake = 0.45 + 0.5 * (1 - day / (weeks * 7))  # acknowledgement grows as the training beds in
            for pid in members:
                if rng.random() < uptake:
                    name = config.display_name(pid)
                    store.acknowledge(delivery.id, pid, name, "demo", when + timedelta(minutes=rng.randint(1, 90)))
                    if rng.random() < 0.8:
                        choice = card.check.answer if rng.random() < 0.75 else 1 + (card.check.answer % len(card.check.options))
                        store.record_answer(delivery.id, pid, name, choice, card.check.is_right(choice),
                                            when + timedelta(minutes=rng.randint(2, 120)))
            count += 1
    return count


# -- a made-up force ------------------------------------------------------------------------------------
FIRST = ("Amy", "Ben", "Chloe", "Dan", "Ella", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Leah", "Mo",
         "Nia", "Owen", "Priya", "Rhys", "Sian", "Tom", "Uma", "Vic", "Will", "Yusuf", "Zoe")
LAST = ("Patel", "Jones", "Smith", "Khan", "Evans", "Murphy", "Okafor", "Walsh", "Hughes", "Clarke", "Ahmed",
        "Taylor", "Price", "Nowak", "Reid", "Shaw", "Kaur", "Lewis", "Ward", "Young")
ROTA = ("07:00", "07:00", "15:00", "15:00", "22:00", "22:00", None, None)
"""An 8-day rota: two earlies, two lates, two nights, two rest days."""
NUDGE_BEFORE = timedelta(minutes=30)
BATCH_DAYS = 14


@dataclass
class ForceSummary:
    officers: int
    teams: int
    moved: int
    deliveries: int
    recipients: int
    acknowledgements: int
    answers: int


def force_teams(officers: int, rng: random.Random) -> list[list[str]]:
    """Officers `local:demo-00001`… in teams of 8 to 15 (team ids `demo-0001`…)."""
    teams: list[list[str]] = []
    left, number = officers, 1
    while left > 0:
        size = min(left, rng.randint(8, 15))
        if 0 < left - size < 8 and teams:  # never leave a team of fewer than 8 at the end
            size = left
        teams.append([f"{DEMO_PEOPLE}{number + i:05d}" for i in range(size)])
        number, left = number + size, left - size
    return teams


def seed_force(
    store: Store, pack: Pack, now: datetime, zone: ZoneInfo, officers: int, days: int, seed_value: int = 7
) -> ForceSummary:
    """A made-up force of `officers` officers in teams of 8 to 15 on 8-day rotas, `days` days of history up
    to `now`: a card half an hour before each shift, acknowledgements that mostly come before the shift and
    grow as the training beds in, check answers mostly right, and about one officer in twenty moving team
    part-way. Written in batches of two weeks straight into the store, its counts made as it goes; any demo
    history already there is replaced first, so seeding twice never doubles it."""
    rng = random.Random(seed_value)
    store.clear_demo()
    teams = force_teams(officers, rng)
    team_ids = [f"demo-{i + 1:04d}" for i in range(len(teams))]
    names = {pid: f"{rng.choice(FIRST)} {rng.choice(LAST)}" for team in teams for pid in team}
    keen = {pid: rng.betavariate(6, 2) for pid in names}  # how readily each officer acknowledges
    cards = list(pack.for_audience("officers") or pack.cards)
    start = (now - timedelta(days=days)).astimezone(zone).date()
    membership = {tid: list(team) for tid, team in zip(team_ids, teams, strict=True)}
    moves: dict[int, list[tuple[str, str, str]]] = {}  # day -> (officer, from team, to team)
    moved = 0
    if len(teams) > 1:
        for pid in names:
            if rng.random() < 0.05:
                origin = next(tid for tid, team in membership.items() if pid in team)
                moves.setdefault(rng.randrange(1, max(2, days)), []).append(
                    (pid, origin, rng.choice([t for t in team_ids if t != origin])))
                moved += 1
    summary = ForceSummary(len(names), len(teams), moved, 0, 0, 0, 0)
    written_people: set[str] = set()
    sent: dict[str, int] = {}
    batch = _Batch()
    stamp = iso(now)
    for day in range(days):
        for pid, origin, target in moves.get(day, ()):
            if pid in membership[origin] and len(membership[origin]) > 1:
                membership[origin].remove(pid)
                membership[target].append(pid)
        local_day = start + timedelta(days=day)
        progress = day / max(1, days - 1)
        for index, tid in enumerate(team_ids):
            starts = ROTA[(local_day.toordinal() + index) % len(ROTA)]
            if starts is None:
                continue
            shift = datetime.combine(local_day, time.fromisoformat(starts), tzinfo=zone)
            posted = shift - NUDGE_BEFORE
            if posted > now:
                continue
            summary.deliveries += 1
            sent[tid] = sent.get(tid, index) + 1  # each team works through the pack in turn
            card = cards[sent[tid] % len(cards)]
            batch.delivery(card, tid, shift, posted, membership[tid], names, keen, progress, rng, written_people, stamp)
        if day % BATCH_DAYS == BATCH_DAYS - 1 or day == days - 1:
            summary.recipients += len(batch.recipients)
            summary.acknowledgements += len(batch.acknowledgements)
            summary.answers += len(batch.answers)
            batch.write(store)
            batch = _Batch(batch.first + batch.count)
    return summary


class _Batch:
    def __init__(self, first: int = 0) -> None:
        self.first, self.count = first, 0
        self.people: list[tuple[str, str, str]] = []
        self.deliveries: list[list[object]] = []
        self.recipients: list[tuple[str, str]] = []
        self.acknowledgements: list[tuple[str, str, str, str]] = []
        self.answers: list[tuple[str, str, int, int, str]] = []

    def delivery(
        self, card: Card, team_id: str, shift: datetime, posted: datetime, members: list[str], names: dict[str, str],
        keen: dict[str, float], progress: float, rng: random.Random, written: set[str], stamp: str,
    ) -> None:
        self.count += 1
        delivery_id = f"d-demo{self.first + self.count:012d}"  # in order: each batch goes on the end of the index
        posted_text, shift_text = iso(posted), iso(shift)
        posted_utc = posted.astimezone(UTC).replace(tzinfo=None)
        acknowledged = on_time = late = answered = correct = 0
        bands = [0] * (len(ACK_BANDS) + 1)
        for pid in members:
            if pid not in written:
                self.people.append((pid, names[pid], stamp))
                written.add(pid)
            self.recipients.append((delivery_id, pid))
            if rng.random() >= keen[pid] * (0.75 + 0.25 * progress):
                continue
            seconds = round(min(rng.lognormvariate(2.6, 1.0), 60 * 24 * 3) * 60)  # most within half an hour, a tail
            minutes = seconds / 60
            at = posted + timedelta(minutes=minutes)
            at_text = (posted_utc + timedelta(minutes=minutes)).isoformat(timespec="microseconds") + "Z"  # as iso()
            self.acknowledgements.append((delivery_id, pid, at_text, "demo"))
            acknowledged += 1
            on_time, late = (on_time + 1, late) if at <= shift else (on_time, late + 1)
            bands[band_of(seconds)] += 1
            if rng.random() < 0.8:
                right = rng.random() < 0.65 + 0.25 * progress
                choice = card.check.answer if right else 1 + (card.check.answer % len(card.check.options))
                self.answers.append((delivery_id, pid, choice, int(right), at_text))
                answered += 1
                correct += int(right)
        self.deliveries.append([
            delivery_id, card.id, card.version, card.topic, team_id, f"local:{team_id}", "scheduled", shift_text,
            f"demo|{team_id}|{shift_text}", posted_text, posted_text, "posted", len(members), acknowledged, on_time,
            late, answered, correct, *bands,
        ])

    def write(self, store: Store) -> None:
        store.insert_demo(self.people, self.deliveries, self.recipients, self.acknowledgements, self.answers)
