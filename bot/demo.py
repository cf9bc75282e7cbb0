"""Made-up history for the demo teams, so the coordinator's views have something to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.config import Config
from bot.store import Store
from content.model import Pack
from scheduler.curriculum import next_card


def seed(store: Store, config: Config, pack: Pack, now: datetime, weeks: int, seed_value: int = 7) -> int:
    """Post roughly three cards a week to every local team, with plausible acknowledgements and answers.
    Any demo history already there is replaced, so seeding twice never doubles it."""
    rng = random.Random(seed_value)
    store.clear_demo()
    count = 0
    for team in config.teams:
        members = list(dict.fromkeys((*team.sergeants, *team.members)))
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
