"""Acknowledgements through the core, seen from the platform: the card's 'Acknowledged by N of M' is updated
once per new acknowledgement, and a platform that cannot update it loses nothing."""

from __future__ import annotations

import pytest

from bot.core import SYSTEM, Actor, Core, Refused
from tests.platform import RecordingPlatform
from tests.records import records

SGT = Actor("local:sgt-a", "Sgt A")
PC1 = Actor("local:pc-1", "PC One")
PC2 = Actor("local:pc-2", "PC Two")


async def test_each_new_acknowledgement_updates_the_card_and_a_repeat_does_not(
    core: Core, platform: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    await core.acknowledge(PC1, view.delivery.id, via="local")
    await core.acknowledge(PC1, view.delivery.id, via="local")
    await core.acknowledge(PC2, view.delivery.id, via="local")
    assert [update.progress for update in platform.updates] == ["Acknowledged by 1 of 3", "Acknowledged by 2 of 3"]
    assert {update.delivery.id for update in platform.updates} == {view.delivery.id}


async def test_a_card_the_platform_cannot_update_still_counts_the_acknowledgement(
    core: Core, platform: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    platform.fail("local:response-a", ConnectionError("message_not_found"))
    result = await core.acknowledge(PC1, view.delivery.id, via="local")
    assert result.first_time and result.view.progress == "Acknowledged by 1 of 3"
    assert records(core).acknowledged_by(view.delivery.id) == ["local:pc-1"] and platform.updates == []


async def test_a_check_answer_changes_nothing_on_the_card(core: Core, platform: RecordingPlatform) -> None:
    view = await core.post_briefing(SGT, "response-a")
    await core.answer_check(PC1, view.delivery.id, view.card.check.answer)
    assert platform.updates == [] and platform.direct == []


async def test_only_a_person_can_acknowledge_or_answer(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    with pytest.raises(Refused, match="Only a person"):
        await core.acknowledge(SYSTEM, view.delivery.id, via="local")
    with pytest.raises(Refused, match="Only a person"):
        await core.answer_check(SYSTEM, view.delivery.id, 1)
