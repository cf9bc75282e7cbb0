"""Questions, seen from the platform: an answer from the pack stays with the person who asked; a question the
pack cannot answer is also passed to the coordinators' questions channel, if one is set."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from bot.core import Actor, Core
from bot.store import Database
from content.model import Pack
from content.search import Index
from tests.conftest import FakeClock
from tests.platform import RecordingPlatform
from tests.records import records

PC1 = Actor("local:pc-1", "PC One")


def with_questions_channel(config: Config, db: Database, pack: Pack, clock: FakeClock, index: Index,
                           platform: RecordingPlatform) -> Core:
    return Core(dataclasses.replace(config, questions_channel="local:questions"), db, pack, clock,
                {"local": platform}, index)


async def test_an_unanswered_question_is_passed_to_the_questions_channel(
    config: Config, db: Database, pack: Pack, clock: FakeClock, index: Index, platform: RecordingPlatform
) -> None:
    core = with_questions_channel(config, db, pack, clock, index, platform)
    answered = await core.ask(PC1, "won't they just move round the corner?", via="local")
    unanswered = await core.ask(PC1, "how  do I book\nannual leave?", via="local")
    assert answered.answered and not unanswered.answered
    assert platform.texts == [
        ("local:questions", "Unanswered question for the content team: \u201chow do I book annual leave?\u201d"),
    ]


async def test_a_questions_channel_that_cannot_be_reached_loses_no_question(
    config: Config, db: Database, pack: Pack, clock: FakeClock, index: Index, platform: RecordingPlatform
) -> None:
    core = with_questions_channel(config, db, pack, clock, index, platform)
    platform.fail("local:questions")
    result = await core.ask(PC1, "how do I book annual leave?", via="local")
    assert not result.answered and platform.texts == []
    assert [q["text"] for q in records(core).questions(unanswered_only=True)] == ["how do I book annual leave?"]


async def test_without_a_questions_channel_nothing_is_posted(core: Core, platform: RecordingPlatform) -> None:
    await core.ask(PC1, "how do I book annual leave?", via="local")
    assert platform.texts == [] and platform.posts == []
