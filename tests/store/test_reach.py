"""Counts the leadership report and the dashboard's coverage read: people reached and cards per team and
topic, added up in SQL, for the teams asked about."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Store
from tests.store.conftest import NOW, TEAM, claim, posted


def test_reach_counts_each_person_once_across_cards_and_teams(store: Store) -> None:
    posted(store, people=[("local:pc-1", "One"), ("local:pc-2", "Two")])
    posted(store, people=[("local:pc-1", "One")], at=NOW + timedelta(days=1))
    posted(store, team="nights", people=[("local:pc-3", "Three"), ("local:pc-1", "One")])
    claim(store)  # never posted: reaches no one
    assert store.reach() == 3
    assert store.reach([TEAM]) == 2
    assert store.reach(["nights"]) == 2
    assert store.reach(since=NOW + timedelta(hours=12)) == 1


def test_coverage_is_cards_posted_per_team_and_topic(store: Store) -> None:
    posted(store, topic="displacement")
    posted(store, topic="displacement", at=NOW + timedelta(days=1))
    posted(store, topic="evidence")
    posted(store, team="nights", topic="evidence")
    assert store.coverage() == {TEAM: {"displacement": 2, "evidence": 1}, "nights": {"evidence": 1}}
    assert store.coverage(["nights"]) == {"nights": {"evidence": 1}}
