"""The core with the in-memory platform (tests/platform.py): briefings, and the rules every platform relies on."""

from __future__ import annotations

import pytest

from bot.core import Actor, Core, Delivery, InvalidInput, NotFound, Refused
from bot.core.roles import CLI
from tests.conftest import FakeClock
from tests.platform import RecordingPlatform
from tests.records import records

SGT = Actor("local:sgt-a", "Sgt A")
SGT_B = Actor("local:sgt-b", "Sgt B")
PC1 = Actor("local:pc-1", "PC One")
PC2 = Actor("local:pc-2", "PC Two")
COORD = Actor("local:coord", "Insp. Coord")


def on_record(core: Core, delivery_id: str) -> Delivery:
    """A delivery as it now stands in the database."""
    delivery = records(core).delivery(delivery_id)
    assert delivery is not None
    return delivery


async def interrupted_mid_post(core: Core, clock: FakeClock) -> Delivery:
    """A sergeant's delivery the bot was posting when it crashed: claimed, marked mid-post, no answer kept."""
    card = await core.choose_card(core.team("response-a"))
    claimed = records(core).create_delivery(
        card_id=card.id, card_version=1, topic=card.topic, team_id="response-a", channel="local:response-a",
        reason="sergeant", posted_by="local:sgt-a", now=clock(),
    )
    assert claimed is not None and records(core).mark_posting(claimed.id)
    return claimed


async def test_sergeant_posts_a_card_to_their_team_with_the_channel_members_as_recipients(
    core: Core, platform: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    assert view.delivery.state == "posted"
    assert view.delivery.channel == "local:response-a"
    [card] = platform.cards_in("local:response-a")
    assert card.delivery.id == view.delivery.id and card.progress == "Acknowledged by 0 of 2"
    assert view.delivery.message_ref == platform.in_channel[view.delivery.id]
    # the channel holds the sergeant too, but the card is for the team's officers
    assert [pid for pid, _name in platform.rosters["local:response-a"]] == ["local:sgt-a", "local:pc-1", "local:pc-2"]
    assert records(core).recipients(view.delivery.id) == ["local:pc-1", "local:pc-2"]
    assert view.progress == "Acknowledged by 0 of 2"


async def test_first_card_follows_the_teaching_order(core: Core) -> None:
    first = await core.post_briefing(SGT, "response-a")
    second = await core.post_briefing(SGT, "response-a")
    assert first.card.topic == "what-is-hsp"
    assert second.card.topic == "what-is-a-hot-spot"


async def test_sergeant_can_choose_the_topic(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a", topic="displacement")
    assert view.card.topic == "displacement"


async def test_officer_cannot_post_and_is_told_why(core: Core) -> None:
    with pytest.raises(Refused, match="sergeants or a coordinator"):
        await core.post_briefing(PC1, "response-a")
    assert records(core).deliveries(team_ids=["response-a"]) == []


async def test_sergeant_of_another_team_cannot_post_here(core: Core) -> None:
    with pytest.raises(Refused, match="not a sergeant of Response Team A"):
        await core.post_briefing(SGT_B, "response-a")


async def test_coordinator_can_post_to_any_team(core: Core) -> None:
    view = await core.post_briefing(COORD, "response-b")
    assert view.team.id == "response-b"


async def test_unknown_topic_and_team_are_refused_clearly(core: Core) -> None:
    with pytest.raises(InvalidInput, match="not a topic"):
        await core.post_briefing(SGT, "response-a", topic="zero-tolerance")
    with pytest.raises(NotFound, match="no team 'nope'"):
        await core.post_briefing(SGT, "nope")


async def test_second_click_on_acknowledge_is_not_counted_twice(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    first = await core.acknowledge(PC1, view.delivery.id, via="local")
    again = await core.acknowledge(PC1, view.delivery.id, via="local")
    assert first.first_time and not again.first_time
    assert again.view.progress == "Acknowledged by 1 of 2"
    rows = (await core.stats(COORD, by="officer"))
    assert {r["officer"]: r["acknowledged"] for r in rows} == {"local:pc-1": 1, "local:pc-2": 0}


async def test_acknowledging_a_made_up_delivery_changes_nothing(core: Core) -> None:
    with pytest.raises(InvalidInput):
        await core.acknowledge(PC1, "'; DROP TABLE deliveries; --", via="local")
    with pytest.raises(NotFound):
        await core.acknowledge(PC1, "d-0000000000000000", via="local")


async def test_check_answer_first_answer_is_kept(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    right = view.card.check.answer
    wrong = 1 if right != 1 else 2
    result = await core.answer_check(PC1, view.delivery.id, wrong)
    assert not result.correct and "Not quite" in result.message
    retry = await core.answer_check(PC1, view.delivery.id, right)
    assert not retry.first_time and not retry.correct
    with pytest.raises(InvalidInput, match="from 1 to"):
        await core.answer_check(PC2, view.delivery.id, 9)


async def test_pending_lists_who_has_not_acknowledged_for_the_teams_sergeant_only(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    await core.acknowledge(PC1, view.delivery.id, via="local")
    pending = (await core.pending(SGT, "response-a"))
    assert [name for _pid, name in pending.not_acknowledged] == ["PC Two"]  # not the sergeant
    assert (pending.acknowledged, pending.recipients) == (1, 2)
    with pytest.raises(Refused):
        await core.pending(PC2, "response-a")
    with pytest.raises(Refused):
        await core.pending(SGT_B, "response-a")
    assert any(a["action"] == "view-pending" and a["actor"] == "local:sgt-a" for a in records(core).audit_trail())


async def test_nudge_reaches_each_non_acknowledger_once(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    await core.acknowledge(PC1, view.delivery.id, via="local")
    first = await core.nudge(SGT, "response-a")
    second = await core.nudge(SGT, "response-a")
    assert {p for p, _ in first.nudged} == {"local:pc-2"}
    assert second.nudged == [] and {p for p, _ in second.already} == {"local:pc-2"}


async def test_ask_answers_from_the_pack_or_says_it_does_not_know(core: Core) -> None:
    answered = await core.ask(PC1, "Won't the criminals just move round the corner?", via="local")
    assert answered.answered and answered.answer.card is not None
    assert answered.answer.card.topic == "displacement"
    unknown = await core.ask(PC1, "how do I book annual leave over christmas", via="local")
    assert not unknown.answered and unknown.message.startswith("I don't know")
    assert [q["text"] for q in records(core).questions() if not q["answered"]] == [
        "how do I book annual leave over christmas"]  # kept, but outside hot spots policing: no content gap
    assert records(core).questions(unanswered_only=True) == []
    with pytest.raises(InvalidInput):
        await core.ask(PC1, "   ", via="local")


async def test_stats_are_scoped_officers_get_none_sergeants_their_own_teams(core: Core) -> None:
    await core.post_briefing(SGT, "response-a")
    await core.post_briefing(COORD, "response-b")
    with pytest.raises(Refused):
        await core.stats(PC1, by="team")
    assert [r["team"] for r in (await core.stats(SGT, by="team"))] == ["response-a"]
    with pytest.raises(Refused, match="own teams"):
        await core.stats(SGT, by="team", team_id="response-b")
    assert [r["team"] for r in (await core.stats(COORD, by="team"))] == ["response-a", "response-b"]
    await core.stats(CLI, by="officer")
    assert any(a["action"] == "view-officer-stats" for a in records(core).audit_trail())


async def test_stats_by_week_use_local_monday(core: Core, clock: FakeClock) -> None:
    from datetime import UTC, datetime

    clock.set(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # Sunday 23:30 in London
    await core.post_briefing(SGT, "response-a")
    rows = (await core.stats(COORD, by="week"))
    assert rows[0]["week"] == "2026-11-23"


async def test_restart_after_crash_finishes_a_claimed_delivery_once(core: Core, clock: FakeClock) -> None:
    from datetime import timedelta

    shift = clock() + timedelta(hours=1)
    occurrence_card = (await core.choose_card(core.team("response-a")))
    claimed = records(core).create_delivery(
        card_id=occurrence_card.id, card_version=1, topic=occurrence_card.topic, team_id="response-a",
        channel="local:response-a", reason="scheduled", posted_by=None, now=clock(), shift_start=shift,
        occurrence="response-a|x",
    )
    assert claimed is not None
    counts = await core.recover()
    assert counts["posted"] == 1
    again = await core.recover()
    assert again == {"posted": 0, "missed": 0, "failed": 0, "found": 0}
    assert on_record(core, claimed.id).state == "posted"


async def test_claimed_delivery_whose_shift_has_started_is_recorded_as_missed(core: Core, clock: FakeClock) -> None:
    from datetime import timedelta

    card = (await core.choose_card(core.team("response-a")))
    claimed = records(core).create_delivery(
        card_id=card.id, card_version=1, topic=card.topic, team_id="response-a", channel="local:response-a",
        reason="scheduled", posted_by=None, now=clock(), shift_start=clock() - timedelta(minutes=5), occurrence="k",
    )
    assert claimed is not None
    counts = await core.recover()
    assert counts["missed"] == 1
    assert on_record(core, claimed.id).state == "missed"
    assert records(core).recent_problems()[0].id == claimed.id


async def test_scheduled_occurrence_is_posted_once_even_if_asked_twice(core: Core, clock: FakeClock) -> None:
    from datetime import timedelta

    shift = clock() + timedelta(minutes=30)
    first = await core.post_scheduled("response-a", shift)
    second = await core.post_scheduled("response-a", shift)
    assert first is not None and second is None
    assert len(records(core).deliveries(team_ids=["response-a"])) == 1


async def test_post_interrupted_on_a_platform_that_cannot_tell_is_not_sent_twice(
    core: Core, clock: FakeClock, platform: RecordingPlatform
) -> None:
    claimed = await interrupted_mid_post(core, clock)
    platform.cannot_tell = True
    counts = await core.recover()
    assert counts["failed"] == 1 and platform.posts == []
    assert platform.lookups == [claimed.id]
    after = on_record(core, claimed.id)
    assert after.state == "failed" and "not sent again" in (after.error or "")


async def test_post_interrupted_after_it_reached_the_channel_is_found_not_sent_again(
    core: Core, clock: FakeClock, platform: RecordingPlatform
) -> None:
    claimed = await interrupted_mid_post(core, clock)
    reference = platform.arrived(claimed)  # the platform took the post; the crash came before its answer
    counts = await core.recover()
    assert counts == {"posted": 0, "missed": 0, "failed": 0, "found": 1}
    assert platform.posts == []
    after = on_record(core, claimed.id)
    assert after.state == "posted" and after.message_ref == reference


async def test_post_interrupted_before_it_reached_the_channel_is_posted_once(
    core: Core, clock: FakeClock, platform: RecordingPlatform
) -> None:
    claimed = await interrupted_mid_post(core, clock)
    counts = await core.recover()
    assert counts == {"posted": 1, "missed": 0, "failed": 0, "found": 0}
    assert [view.delivery.id for view in platform.posts] == [claimed.id]
    assert await core.recover() == {"posted": 0, "missed": 0, "failed": 0, "found": 0}
    assert len(platform.posts) == 1


async def test_officer_asking_to_nudge_is_told_they_cannot_nudge(core: Core) -> None:
    await core.post_briefing(SGT, "response-a")
    with pytest.raises(Refused, match="nudge the team"):
        await core.nudge(PC1, "response-a")


async def test_sergeant_is_not_sent_their_own_nudge(core: Core) -> None:
    await core.post_briefing(SGT, "response-a")
    result = await core.nudge(SGT, "response-a")
    assert "local:sgt-a" not in {pid for pid, _ in result.nudged}
    assert records(core).nudges_for("local:sgt-a") == []


async def test_configured_names_win_over_the_platforms(core: Core, platform: RecordingPlatform) -> None:
    platform.rosters["local:response-a"] = [("local:pc-1", "pc1 (from the platform)"), ("local:pc-9", "PC Nine")]
    view = await core.post_briefing(SGT, "response-a")
    assert records(core).person_name("local:pc-1") == "PC One" and records(core).person_name("local:pc-9") == "PC Nine"
    assert view.recipients == 2


async def test_post_to_an_unconnected_platform_is_refused_before_anything_is_recorded(core: Core) -> None:
    from bot.core import PostFailed

    del core.platforms["local"]
    with pytest.raises(PostFailed, match="not connected"):
        await core.post_briefing(SGT, "response-a")
    assert records(core).deliveries(team_ids=["response-a"], states=("claimed", "posting", "posted", "failed")) == []


async def test_someone_off_a_configured_roster_cannot_acknowledge_that_teams_card(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    outsider = Actor("local:pc-3", "PC Three")  # on response-b's roster
    with pytest.raises(Refused, match="not on its roster"):
        await core.acknowledge(outsider, view.delivery.id, via="local")
    with pytest.raises(Refused, match="not on its roster"):
        await core.answer_check(outsider, view.delivery.id, 1)
    assert records(core).ack_counts(view.delivery.id) == (0, 2)


async def test_a_channel_that_refuses_the_card_leaves_it_on_record_as_failed_with_the_reason(
    core: Core, platform: RecordingPlatform
) -> None:
    from bot.core import PostFailed

    platform.fail("local:response-a", ConnectionError("channel_not_found"))
    with pytest.raises(PostFailed, match="channel_not_found"):
        await core.post_briefing(SGT, "response-a")
    [failed] = records(core).recent_problems()
    assert failed.state == "failed" and "ConnectionError: channel_not_found" in (failed.error or "")
    assert platform.posts == []
    assert records(core).recipients(failed.id) == ["local:pc-1", "local:pc-2"]  # asked before posting
