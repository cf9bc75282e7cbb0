"""Questions, seen from the platform: an answer from the pack stays with the person who asked; a question the
pack cannot answer gets an honest "I don't know" that names what the bot can answer, and is passed to the
coordinators (the content-gap list, and the questions channel if one is set) only when it is near the topics."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import Config
from bot.core import Actor, Core
from bot.core.questions import CAN_ANSWER
from bot.store import Database
from content.model import Pack
from content.search import Index
from content.topics import TOPICS
from tests.conftest import FakeClock
from tests.platform import RecordingPlatform
from tests.records import records

PC1 = Actor("local:pc-1", "PC One")
NEAR = "why do we stay 15 minutes?"  # near the topics: refused only where no card answers (`nothing_answered`)
OFF_TOPIC = "how  do I book\nannual leave?"


@pytest.fixture(scope="module")
def nothing_answered(pack: Pack) -> Index:
    """The shipped pack with a threshold no confidence reaches, so a question near the topics goes unanswered
    as one the cards do not cover would."""
    return Index(pack, threshold=1.01)


def with_questions_channel(config: Config, db: Database, pack: Pack, clock: FakeClock, index: Index,
                           platform: RecordingPlatform) -> Core:
    return Core(dataclasses.replace(config, questions_channel="local:questions"), db, pack, clock,
                {"local": platform}, index)


async def test_an_unanswered_question_near_the_topics_is_passed_to_the_questions_channel(
    config: Config, db: Database, pack: Pack, clock: FakeClock, nothing_answered: Index, platform: RecordingPlatform
) -> None:
    core = with_questions_channel(config, db, pack, clock, nothing_answered, platform)
    near = await core.ask(PC1, NEAR, via="local")
    assert not near.answered and near.answer.near_topic and near.passed_on
    assert platform.texts == [("local:questions", f"Unanswered question for the content team: \u201c{NEAR}\u201d")]
    assert "I have passed your question to the coordinators" in near.message and near.message.endswith(CAN_ANSWER)
    assert [q["text"] for q in records(core).questions(unanswered_only=True)] == [NEAR]


async def test_a_question_outside_hot_spots_policing_is_not_passed_on_and_the_reply_says_so(
    config: Config, db: Database, pack: Pack, clock: FakeClock, index: Index, platform: RecordingPlatform
) -> None:
    core = with_questions_channel(config, db, pack, clock, index, platform)
    answered = await core.ask(PC1, "won't they just move round the corner?", via="local")
    off = await core.ask(PC1, OFF_TOPIC, via="local")
    assert answered.answered and not off.answered and not off.answer.near_topic and not off.passed_on
    assert platform.texts == []  # nothing reached the coordinators' channel
    assert off.message == f"I don't know: that is outside hot spots policing, so I have not passed it on. {CAN_ANSWER}"
    kept = records(core)
    assert sorted((q["text"], q["off_topic"]) for q in kept.questions()) == [
        ("how do I book annual leave?", 1), ("won't they just move round the corner?", 0)]  # both counted
    assert kept.questions(unanswered_only=True) == [] and kept.content_gaps(10)["unanswered"] == []


def test_the_i_dont_know_names_every_topic_by_title() -> None:
    assert CAN_ANSWER.startswith("I can answer questions on: ")
    for title in TOPICS.values():
        assert title[0].lower() + title[1:] in CAN_ANSWER


async def test_a_question_tried_from_the_command_line_is_neither_kept_nor_passed_on(
    config: Config, db: Database, pack: Pack, clock: FakeClock, nothing_answered: Index, platform: RecordingPlatform
) -> None:
    core = with_questions_channel(config, db, pack, clock, nothing_answered, platform)
    tried = await core.ask(PC1, NEAR, via="cli", record=False)
    assert tried.question_id == 0 and not tried.passed_on and "has not been passed on" in tried.message
    assert platform.texts == [] and records(core).questions() == []


async def test_a_questions_channel_that_cannot_be_reached_loses_no_question(
    config: Config, db: Database, pack: Pack, clock: FakeClock, nothing_answered: Index, platform: RecordingPlatform
) -> None:
    core = with_questions_channel(config, db, pack, clock, nothing_answered, platform)
    platform.fail("local:questions")
    result = await core.ask(PC1, NEAR, via="local")
    assert not result.answered and result.passed_on and platform.texts == []
    assert [q["text"] for q in records(core).questions(unanswered_only=True)] == [NEAR]


async def test_without_a_questions_channel_nothing_is_posted(
    config: Config, db: Database, pack: Pack, clock: FakeClock, nothing_answered: Index, platform: RecordingPlatform
) -> None:
    core = Core(config, db, pack, clock, {"local": platform}, nothing_answered)
    result = await core.ask(PC1, NEAR, via="local")
    assert result.passed_on  # still on the content-gap list
    assert platform.texts == [] and platform.posts == []
