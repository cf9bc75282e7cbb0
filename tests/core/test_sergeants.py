"""A sergeant's nudge, seen from the platform: one private message to each officer who has not acknowledged,
worded with the sergeant's name and the card, never twice; one that cannot be delivered can be tried again."""

from __future__ import annotations

from bot.core import Actor, Core
from tests.platform import RecordingPlatform

SGT = Actor("local:sgt-a", "sergeant as the platform names them")
PC1 = Actor("local:pc-1", "PC One")


async def test_a_nudge_is_one_private_message_to_each_officer_who_has_not_acknowledged(
    core: Core, platform: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    await core.acknowledge(PC1, view.delivery.id, via="local")
    await core.nudge(SGT, "response-a")
    await core.nudge(SGT, "response-a")
    assert platform.people_messaged() == ["local:pc-2"]  # not PC One (acknowledged), nor the sergeant
    [text] = platform.direct_to("local:pc-2")
    assert text.startswith("Sgt A asks you to read today's briefing in Response Team A")  # the configured name
    assert f"\u201c{view.card.title}\u201d" in text


async def test_a_nudge_that_cannot_be_delivered_is_reported_and_can_be_sent_later(
    core: Core, platform: RecordingPlatform
) -> None:
    await core.post_briefing(SGT, "response-a")
    platform.fail("local:pc-2")
    first = await core.nudge(SGT, "response-a")
    assert [pid for pid, _name in first.failed] == ["local:pc-2"]
    assert [pid for pid, _name in first.nudged] == ["local:pc-1"]
    platform.restore("local:pc-2")
    again = await core.nudge(SGT, "response-a")
    assert [pid for pid, _name in again.nudged] == ["local:pc-2"]
    assert [pid for pid, _name in again.already] == ["local:pc-1"]
    assert platform.people_messaged() == ["local:pc-1", "local:pc-2"]
