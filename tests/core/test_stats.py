"""Summaries of acknowledgement and understanding by officer, team, topic or week: in a stable order that
is never a ranking, with rates that say nothing rather than divide by zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config
from bot.core.stats import GROUPINGS, columns, summarise
from bot.store import Engagement
from content.model import Pack
from content.topics import TOPICS, topic_title

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def seen(
    person: str, *, name: str = "", delivery: str = "d-1", team: str = "response-a", topic: str = "what-is-hsp",
    at: datetime = MONDAY, acknowledged: bool = False, answered: bool = False, correct: bool = False,
) -> Engagement:
    """One officer's row for one delivery, as the store hands it out."""
    return Engagement(delivery, team, topic, "card-1", at, person, name or person, acknowledged, answered, correct)


def test_an_unknown_grouping_is_refused(config: Config) -> None:
    with pytest.raises(ValueError, match="officer, team, topic, week"):
        summarise([], "rank", config)


@pytest.mark.parametrize("by", GROUPINGS)
def test_nothing_delivered_gives_no_rows_and_still_the_columns(by: str, config: Config) -> None:
    assert summarise([], by, config) == []
    assert columns([], by)[:1] == [by] and "acknowledged" in columns([], by)


def test_officers_are_listed_by_name_whatever_their_figures(config: Config) -> None:
    rows = summarise([
        seen("local:pc-2", name="zara Young", acknowledged=True, answered=True, correct=True),
        seen("local:pc-1", name="Adam Smith"),
        seen("local:pc-3", name="bea Jones", acknowledged=True),
    ], "officer", config)
    assert [r["name"] for r in rows] == ["Adam Smith", "bea Jones", "zara Young"]  # alphabetical, any case
    assert rows[0] == {"officer": "local:pc-1", "name": "Adam Smith", "delivered": 1, "acknowledged": 0,
                       "answered": 0, "correct": 0, "on_time": 0, "late": 0, "median_ack_minutes": None,
                       "wrong": 0, "topics_reached": 1, "topics_never_reached": list(TOPICS)[1:]}
    assert columns(rows, "officer") == columns([], "officer") == [
        "officer", "name", "delivered", "acknowledged", "answered", "correct", "on_time", "late",
        "median_ack_minutes", "wrong", "topics_reached", "topics_never_reached",
    ]


def test_two_officers_with_one_name_are_two_rows_in_a_stable_order(config: Config) -> None:
    rows = summarise([seen("local:b", name="PC Smith"), seen("local:a", name="PC Smith")], "officer", config)
    assert [r["officer"] for r in rows] == ["local:a", "local:b"]


def test_teams_come_in_configured_order_and_an_unconfigured_team_last_by_its_id(config: Config) -> None:
    rows = summarise([
        seen("local:pc-3", team="response-b", acknowledged=True),
        seen("local:x", team="disbanded"),
        seen("local:pc-1", team="response-a"),
    ], "team", config)
    assert [(r["team"], r["name"]) for r in rows] == [
        ("response-a", "Response Team A"), ("response-b", "Response Team B"), ("disbanded", "disbanded"),
    ]


def test_topics_come_in_teaching_order_with_their_titles(config: Config) -> None:
    early, _second, _third, late = list(TOPICS)[:4]
    rows = summarise([seen("local:pc-1", topic=late), seen("local:pc-1", topic="retired-topic"),
                      seen("local:pc-1", topic=early)], "topic", config)
    assert [r["topic"] for r in rows] == [early, late, "retired-topic"]
    assert rows[0]["title"] == topic_title(early)


def test_weeks_start_on_the_local_monday_across_the_clock_change(config: Config) -> None:
    rows = summarise([
        seen("local:pc-1", at=datetime(2027, 3, 28, 22, 30, tzinfo=UTC)),  # Sunday 23:30 BST: the week of the 22nd
        seen("local:pc-1", at=datetime(2027, 3, 28, 23, 30, tzinfo=UTC)),  # Monday 00:30 BST: a new week
        seen("local:pc-1", at=datetime(2027, 3, 22, 0, 0, tzinfo=UTC)),  # Monday 00:00 GMT
    ], "week", config)
    assert [(r["week"], r["delivered"]) for r in rows] == [("2027-03-22", 2), ("2027-03-29", 1)]


def test_counts_and_rates_for_a_team(config: Config) -> None:
    rows = summarise([
        seen("local:pc-1", delivery="d-1", acknowledged=True, answered=True, correct=True),
        seen("local:pc-2", delivery="d-1", acknowledged=True, answered=True, correct=False),
        seen("local:sgt-a", delivery="d-1", answered=True, correct=True),
        seen("local:pc-1", delivery="d-2", at=MONDAY + timedelta(days=1)),
    ], "team", config)
    [row] = rows
    assert row == {
        "team": "response-a", "name": "Response Team A", "deliveries": 2, "delivered": 4, "acknowledged": 2,
        "ack_rate": 0.5, "answered": 3, "correct": 2, "correct_rate": 0.667, "on_time": 0, "late": 0,
        "median_ack_minutes": None, "wrong": 1,
    }
    assert columns(rows, "team") == columns([], "team") == list(row)


def test_on_time_late_and_the_median_time_to_acknowledge(config: Config) -> None:
    shift = MONDAY + timedelta(minutes=30)
    rows = summarise([
        Engagement("d-1", "response-a", "what-is-hsp", "card-1", MONDAY, "local:pc-1", "A", True, False, False,
                   MONDAY + timedelta(minutes=3), shift),  # 3 minutes: on time
        Engagement("d-1", "response-a", "what-is-hsp", "card-1", MONDAY, "local:pc-2", "B", True, False, False,
                   MONDAY + timedelta(minutes=20), shift),  # 20 minutes: on time
        Engagement("d-1", "response-a", "what-is-hsp", "card-1", MONDAY, "local:pc-3", "C", True, False, False,
                   MONDAY + timedelta(minutes=50), shift),  # 50 minutes: after the shift began
        Engagement("d-1", "response-a", "what-is-hsp", "card-1", MONDAY, "local:pc-4", "D", False, False, False,
                   None, shift),
    ], "team", config)
    [row] = rows
    assert (row["on_time"], row["late"]) == (2, 1)
    assert 15 <= row["median_ack_minutes"] <= 30  # the middle of 3, 20 and 50 falls in the 15-30 minute band


def test_the_median_is_read_from_the_bands() -> None:
    from bot.core.stats import median_minutes

    assert median_minutes([0] * 9) is None
    assert median_minutes([2, 0, 0, 0, 0, 0, 0, 0, 0]) == 2.5  # two within 5 minutes: half way into the band
    assert median_minutes([0, 0, 0, 0, 0, 0, 0, 0, 3]) == 1440.0  # all a day or more late: at least a day
    assert median_minutes([1, 0, 0, 0, 0, 0, 0, 0, 1]) == 5.0


def test_a_rate_with_nothing_to_count_is_none_not_zero(config: Config) -> None:
    [row] = summarise([seen("local:pc-1")], "topic", config)
    assert row["ack_rate"] == 0.0 and row["answered"] == 0 and row["correct_rate"] is None


# -- the figures are added up in SQL --------------------------------------------------------------
@pytest.mark.parametrize("by", GROUPINGS)
def test_sql_tallies_give_the_same_rows_as_adding_up_every_record(
    by: str, config: Config, tmp_path: Path, pack: Pack
) -> None:
    from bot.core.stats import rows, tally_key
    from bot.demo import seed
    from bot.store import Store

    store = Store.open(tmp_path / "seeded.db", datetime(2027, 4, 20, 9, 0, tzinfo=UTC))
    try:  # twelve weeks back from late April: the spring clock change is inside, and late-evening posts
        seed(store, config, pack, datetime(2027, 4, 20, 23, 30, tzinfo=UTC), 12)
        from_sql = rows(store.tallies(tally_key(by)), by, config)
        from_records = summarise(store.engagements(), by, config)
    finally:
        store.close()
    assert from_sql == from_records and len(from_sql) > 1
