"""Acknowledgements through the core, seen from the platform: the card's 'Acknowledged by N of M' is updated
once per new acknowledgement, and a platform that cannot update it loses nothing; and only someone who belongs
to the delivery's team, pressing in its channel, counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.core import CLI, SYSTEM, Actor, Core, NotRecorded, PostFailed, Refused
from bot.store import Database
from content.model import Pack
from content.search import Index
from tests.conftest import FakeClock, write_config
from tests.platform import RecordingPlatform
from tests.records import answer_of, records

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
    assert [update.progress for update in platform.updates] == ["Acknowledged by 1 of 2", "Acknowledged by 2 of 2"]
    assert {update.delivery.id for update in platform.updates} == {view.delivery.id}


async def test_a_card_the_platform_cannot_update_still_counts_the_acknowledgement(
    core: Core, platform: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    platform.fail("local:response-a", ConnectionError("message_not_found"))
    result = await core.acknowledge(PC1, view.delivery.id, via="local")
    assert result.first_time and result.view.progress == "Acknowledged by 1 of 2"
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


# -- whose click counts (review B3) -----------------------------------------------------------------------
OPEN_TEAM = """
timezone = "Europe/London"
[[team]]
id = "open"
name = "Open Team"
channel = "slack:C0OPEN"
sergeants = ["slack:U0SGT"]
rota_start = "2026-11-23"
rota = ["off"]
[[team]]
id = "other"
name = "Other Team"
channel = "slack:C0OTHER"
sergeants = ["slack:U0SGT2"]
rota_start = "2026-11-23"
rota = ["off"]
"""
SLACK_SGT = Actor("slack:U0SGT", "Sgt S")
IN = Actor("slack:U0IN", "PC In")
IN2 = Actor("slack:U0IN2", "PC In Two")
LATE = Actor("slack:U0LATE", "PC Late")
OUT = Actor("slack:U0OUT", "PC Out")


class NoMembership:
    """A platform that cannot say who is in a channel (no `is_member`): only the configuration counts."""

    def __init__(self, recording: RecordingPlatform) -> None:
        self.name = recording.name
        self.recording = recording

    async def members(self, channel: str) -> list[tuple[str, str]]:
        return await self.recording.members(channel)

    async def post_card(self, view: Any) -> dict[str, Any]:
        return await self.recording.post_card(view)

    async def update_card(self, view: Any) -> None:
        await self.recording.update_card(view)

    async def find_post(self, delivery: Any) -> dict[str, Any] | None:
        return await self.recording.find_post(delivery)

    async def send_direct(self, person_id: str, text: str) -> None:
        await self.recording.send_direct(person_id, text)

    async def post_text(self, channel: str, text: str) -> None:
        await self.recording.post_text(channel, text)


@pytest.fixture
def slack_like(tmp_path: Path, db: Database, pack: Pack, clock: FakeClock, index: Index) -> tuple[Core, RecordingPlatform]:
    """Teams with no configured `members`: their channel is the roster, as in Slack or Teams."""
    config = load_config(write_config(tmp_path, OPEN_TEAM))
    platform = RecordingPlatform("slack", {"slack:C0OPEN": [("slack:U0SGT", "Sgt S"), ("slack:U0IN", "PC In"),
                                                            ("slack:U0IN2", "PC In Two")],
                                           "slack:C0OTHER": [("slack:U0OUT", "PC Out")]})
    return Core(config, db, pack, clock, {"slack": platform}, index), platform


def refused(core: Core) -> list[tuple[str, str, str]]:
    return [(r["actor"], r["action"], r["detail"]) for r in records(core).audit_trail() if r["action"].startswith("refused")]


async def test_a_click_from_another_channel_is_refused_audited_and_records_nothing(
    slack_like: tuple[Core, RecordingPlatform],
) -> None:
    core, platform = slack_like
    view = await core.post_briefing(SLACK_SGT, "open")
    with pytest.raises(Refused, match="pressed somewhere else"):
        await core.acknowledge(IN, view.delivery.id, "slack", where="slack:C0OTHER")
    with pytest.raises(Refused, match="pressed somewhere else"):
        await core.answer_check(IN, view.delivery.id, 1, where="slack:C0OTHER")
    assert records(core).acknowledged_by(view.delivery.id) == [] and platform.updates == []
    assert answer_of(records(core), view.delivery.id, IN.id) == (None, None)
    assert refused(core) == [
        ("slack:U0IN", "refused-check-answer", f"{view.delivery.id}: pressed in slack:C0OTHER, not slack:C0OPEN"),
        ("slack:U0IN", "refused-acknowledgement", f"{view.delivery.id}: pressed in slack:C0OTHER, not slack:C0OPEN"),
    ]
    result = await core.acknowledge(IN, view.delivery.id, "slack", where="slack:C0OPEN")  # from the card's own channel
    assert result.first_time and result.view.progress == "Acknowledged by 1 of 2"  # the two officers, not the sergeant


async def test_without_a_configured_roster_the_channel_decides_and_is_asked_only_about_strangers(
    slack_like: tuple[Core, RecordingPlatform],
) -> None:
    core, platform = slack_like
    view = await core.post_briefing(SLACK_SGT, "open")
    await core.acknowledge(IN, view.delivery.id, "slack", where="slack:C0OPEN")  # a recipient: no question asked
    assert platform.membership_checks == []

    with pytest.raises(Refused, match="only members of its channel count"):
        await core.acknowledge(OUT, view.delivery.id, "slack", where="slack:C0OPEN")
    platform.rosters["slack:C0OPEN"].append(("slack:U0LATE", "PC Late"))  # joined after the post
    result = await core.acknowledge(LATE, view.delivery.id, "slack", where="slack:C0OPEN")
    assert result.view.progress == "Acknowledged by 2 of 3"
    assert platform.membership_checks == [("slack:C0OPEN", "slack:U0OUT"), ("slack:C0OPEN", "slack:U0LATE")]
    assert refused(core) == [("slack:U0OUT", "refused-acknowledgement", f"{view.delivery.id}: not a member of slack:C0OPEN")]


async def test_a_platform_that_cannot_say_counts_only_the_recipients_and_never_the_sergeant(
    tmp_path: Path, db: Database, pack: Pack, clock: FakeClock, index: Index,
) -> None:
    recording = RecordingPlatform("slack", {"slack:C0OPEN": [("slack:U0SGT", "Sgt S"), ("slack:U0IN", "PC In")]})
    core = Core(load_config(write_config(tmp_path, OPEN_TEAM)), db, pack, clock, {"slack": NoMembership(recording)}, index)
    view = await core.post_briefing(SLACK_SGT, "open")
    recording.rosters["slack:C0OPEN"].append(("slack:U0LATE", "PC Late"))

    with pytest.raises(Refused, match="only members of its channel count"):
        await core.acknowledge(LATE, view.delivery.id, "slack", where="slack:C0OPEN")
    assert (await core.acknowledge(IN, view.delivery.id, "slack", where="slack:C0OPEN")).first_time
    with pytest.raises(Refused, match="as a sergeant you are not counted"):  # configured, but not a recipient
        await core.acknowledge(SLACK_SGT, view.delivery.id, "slack", where="slack:C0OPEN")
    assert records(core).acknowledged_by(view.delivery.id) == ["slack:U0IN"]
    assert records(core).ack_counts(view.delivery.id) == (1, 1)


async def test_a_membership_lookup_that_fails_asks_to_press_again_and_records_nothing(
    slack_like: tuple[Core, RecordingPlatform], monkeypatch: pytest.MonkeyPatch,
) -> None:
    core, platform = slack_like
    view = await core.post_briefing(SLACK_SGT, "open")

    async def down(channel: str, person_id: str) -> bool:
        raise ConnectionError("ratelimited")

    monkeypatch.setattr(platform, "is_member", down)
    with pytest.raises(NotRecorded, match="press again"):
        await core.acknowledge(OUT, view.delivery.id, "slack", where="slack:C0OPEN")

    async def not_set_up(channel: str, person_id: str) -> bool:
        raise PostFailed("Slack is not set up in this process")

    monkeypatch.setattr(platform, "is_member", not_set_up)
    with pytest.raises(PostFailed, match="not set up"):
        await core.acknowledge(OUT, view.delivery.id, "slack", where="slack:C0OPEN")
    assert records(core).acknowledged_by(view.delivery.id) == [] and refused(core) == []


async def test_a_configured_roster_still_decides_alone_and_refusals_are_audited(
    core: Core, platform: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    pc3 = Actor("local:pc-3", "PC Three")  # Response Team B's
    platform.rosters["local:response-a"].append((pc3.id, "PC Three"))  # even if the channel says otherwise
    with pytest.raises(Refused, match="not on its roster"):
        await core.acknowledge(pc3, view.delivery.id, via="local")
    with pytest.raises(Refused, match="not on its roster"):
        await core.answer_check(pc3, view.delivery.id, 1)
    assert (await core.acknowledge(PC1, view.delivery.id, via="local")).first_time  # the workspace: no channel
    assert platform.membership_checks == []
    assert [r[1] for r in refused(core)] == ["refused-check-answer", "refused-acknowledgement"]


async def test_refused_clicks_leave_the_figures_as_they_were(slack_like: tuple[Core, RecordingPlatform]) -> None:
    core, _platform = slack_like
    view = await core.post_briefing(SLACK_SGT, "open")
    await core.acknowledge(IN, view.delivery.id, "slack", where="slack:C0OPEN")
    before = await core.stats(CLI, by="officer")
    for where in ("slack:C0OTHER", "slack:C0OPEN", ""):
        with pytest.raises(Refused):
            await core.acknowledge(OUT, view.delivery.id, "slack", where=where)
    assert await core.stats(CLI, by="officer") == before
    assert records(core).recipients(view.delivery.id) == ["slack:U0IN", "slack:U0IN2"]  # the officers, not the sergeant
