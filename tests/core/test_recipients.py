"""Whose card it is (issue 13 item 2): "Acknowledged by N of M" counts the team's officers.

A team's sergeants and the coordinators lead it, so they are never its recipients; on an officers' team no
configured sergeant of any team is one either (sergeants have their own track). They are not counted in M,
not listed as not acknowledged, not nudged nor reminded, and their Acknowledge or check answer is refused
with the reason and records nothing. A sergeants' team (`audience = "sergeants"`) counts the sergeants of
other teams who are in its channel, but not its own leads or the coordinators."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.core import Actor, Core, Refused
from bot.core.roles import receives
from bot.store import Database
from content.model import Pack
from content.search import Index
from tests.conftest import FakeClock, write_config
from tests.platform import RecordingPlatform
from tests.records import answer_of, records

SGT = Actor("local:sgt-a", "Sgt A")  # leads response-a
SGT_B = Actor("local:sgt-b", "Sgt B")  # leads response-b
COORD = Actor("local:coord", "Insp. Coord")
PC1 = Actor("local:pc-1", "PC One")
PC2 = Actor("local:pc-2", "PC Two")
OFFICERS_REFUSAL = ("This card is for Response Team A's officers: as {lead} you are not counted (sergeants have "
                    "their own track), so your {what} was not recorded. Ask for status to see who has acknowledged.")


@pytest.fixture
def crowded(platform: RecordingPlatform) -> RecordingPlatform:
    """Response Team A's channel also holds the other team's sergeant and a coordinator, as real channels do."""
    platform.rosters["local:response-a"] += [(SGT_B.id, "Sgt B"), (COORD.id, "Insp. Coord")]
    return platform


def audited_clicks(core: Core) -> list[dict[str, object]]:
    return [r for r in records(core).audit_trail() if r["action"].startswith("refused-")]


async def test_the_channels_sergeants_and_coordinator_are_not_recipients_of_an_officers_card(
    core: Core, crowded: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    assert records(core).recipients(view.delivery.id) == ["local:pc-1", "local:pc-2"]
    assert view.progress == "Acknowledged by 0 of 2"
    assert [card.progress for card in crowded.cards_in("local:response-a")] == ["Acknowledged by 0 of 2"]
    assert (await core.acknowledge(PC1, view.delivery.id, via="local")).view.progress == "Acknowledged by 1 of 2"
    assert (await core.acknowledge(PC2, view.delivery.id, via="local")).view.progress == "Acknowledged by 2 of 2"


@pytest.mark.parametrize(("who", "lead"), [(SGT, "a sergeant"), (SGT_B, "a sergeant"), (COORD, "a coordinator")])
async def test_a_sergeant_or_coordinator_pressing_acknowledge_is_told_why_and_nothing_is_recorded(
    core: Core, crowded: RecordingPlatform, who: Actor, lead: str
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    await core.acknowledge(PC1, view.delivery.id, via="local")
    updates = len(crowded.updates)

    with pytest.raises(Refused) as acknowledging:
        await core.acknowledge(who, view.delivery.id, via="local")
    assert str(acknowledging.value) == OFFICERS_REFUSAL.format(lead=lead, what="acknowledgement")
    with pytest.raises(Refused) as answering:
        await core.answer_check(who, view.delivery.id, view.card.check.answer)
    assert str(answering.value) == OFFICERS_REFUSAL.format(lead=lead, what="answer")

    assert records(core).acknowledged_by(view.delivery.id) == ["local:pc-1"]
    assert records(core).ack_counts(view.delivery.id) == (1, 2)  # N and M as they were
    assert who.id not in records(core).recipients(view.delivery.id)
    assert answer_of(records(core), view.delivery.id, who.id) == (None, None)
    assert len(crowded.updates) == updates and crowded.direct == []
    assert audited_clicks(core) == []
    rows = await core.stats(COORD, by="officer")
    assert who.id not in {r["officer"] for r in rows}


async def test_a_sergeant_from_slack_pressing_in_the_cards_own_channel_is_refused_before_any_membership_lookup(
    tmp_path: Path, db: Database, pack: Pack, clock: FakeClock, index: Index,
) -> None:
    config = load_config(write_config(tmp_path, """
timezone = "Europe/London"
[roles]
coordinators = ["slack:U0COORD"]
[[team]]
id = "open"
name = "Open Team"
channel = "slack:C0OPEN"
sergeants = ["slack:U0SGT"]
rota_start = "2026-11-23"
rota = ["off"]
"""))
    platform = RecordingPlatform("slack", {"slack:C0OPEN": [("slack:U0SGT", "Sgt S"), ("slack:U0COORD", "Insp. O"),
                                                            ("slack:U0IN", "PC In")]})
    core = Core(config, db, pack, clock, {"slack": platform}, index)
    view = await core.post_briefing(Actor("slack:U0SGT", "Sgt S"), "open")
    assert view.progress == "Acknowledged by 0 of 1"
    for who in ("slack:U0SGT", "slack:U0COORD"):
        with pytest.raises(Refused, match="you are not counted"):
            await core.acknowledge(Actor(who, "x"), view.delivery.id, "slack", where="slack:C0OPEN")
    assert platform.membership_checks == [] and records(core).ack_counts(view.delivery.id) == (0, 1)


async def test_status_lists_only_the_officers_and_nudge_never_reaches_a_sergeant_or_coordinator(
    core: Core, crowded: RecordingPlatform
) -> None:
    view = await core.post_briefing(SGT, "response-a")
    pending = await core.pending(COORD, "response-a")
    assert [pid for pid, _name in pending.not_acknowledged] == ["local:pc-1", "local:pc-2"]
    assert (pending.acknowledged, pending.recipients) == (0, 2)

    await core.acknowledge(PC1, view.delivery.id, via="local")
    by_coordinator = await core.nudge(COORD, "response-a")  # the coordinator nudging: the sergeant is not skipped
    assert [pid for pid, _name in by_coordinator.nudged] == ["local:pc-2"]  # as the nudger, but as no recipient
    by_sergeant = await core.nudge(SGT, "response-a")
    assert by_sergeant.nudged == [] and [pid for pid, _name in by_sergeant.already] == ["local:pc-2"]
    assert crowded.people_messaged() == ["local:pc-2"]
    for lead in (SGT, SGT_B, COORD):
        assert records(core).nudges_for(lead.id) == []

    await core.acknowledge(PC2, view.delivery.id, via="local")
    done = await core.pending(SGT, "response-a")
    assert done.not_acknowledged == [] and (done.acknowledged, done.recipients) == (2, 2)


async def test_the_scheduled_reminder_goes_to_the_officers_only(
    tmp_path: Path, db: Database, pack: Pack, clock: FakeClock, index: Index,
) -> None:
    from datetime import UTC, datetime

    config = load_config(write_config(tmp_path, """
timezone = "Europe/London"
[roles]
coordinators = ["local:coord"]
[[team]]
id = "daily"
name = "Daily Earlies"
channel = "local:daily"
sergeants = ["local:sgt-d"]
members = ["local:pc-d1"]
rota_start = "2027-01-04"
rota = ["07:00"]
remind_after_minutes = 60
"""))
    platform = RecordingPlatform("local", {"local:daily": [("local:sgt-d", "Sgt D"), ("local:coord", "Insp. Coord"),
                                                           ("local:pc-d1", "PC D1")]})
    clock.set(datetime(2027, 6, 1, 5, 30, tzinfo=UTC))
    core = Core(config, db, pack, clock, {"local": platform}, index)
    view = await core.post_scheduled("daily", datetime(2027, 6, 1, 6, 0, tzinfo=UTC))
    assert view is not None and view.progress == "Acknowledged by 0 of 1"
    clock.set(datetime(2027, 6, 1, 6, 31, tzinfo=UTC))
    await core.remind_unacknowledged("daily", datetime(2027, 6, 1, 6, 0, tzinfo=UTC), datetime(2027, 6, 1, 14, 0, tzinfo=UTC))
    assert platform.people_messaged() == ["local:pc-d1"]


# -- a sergeants' team -------------------------------------------------------------------------------------
SERGEANTS_TEAM = """
timezone = "Europe/London"
[roles]
coordinators = ["local:coord"]
[people]
"local:insp" = "Insp. Lead"
"local:sgt-a" = "Sgt A"
"local:sgt-b" = "Sgt B"
[[team]]
id = "response-a"
name = "Response Team A"
channel = "local:response-a"
sergeants = ["local:sgt-a"]
rota_start = "2026-11-23"
rota = ["off"]
[[team]]
id = "response-b"
name = "Response Team B"
channel = "local:response-b"
sergeants = ["local:sgt-b"]
rota_start = "2026-11-23"
rota = ["off"]
[[team]]
id = "sergeants"
name = "Sergeants' Development"
channel = "local:sergeants"
sergeants = ["local:insp"]
rota_start = "2026-11-23"
rota = ["off"]
audience = "sergeants"
"""
INSP = Actor("local:insp", "Insp. Lead")  # leads the sergeants' team


@pytest.fixture
def sergeants_team(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path, SERGEANTS_TEAM))


def with_a_sergeants_card(pack: Pack) -> Pack:
    """The real pack plus one sergeants' card of the test's own, so the test does not depend on the track's
    cards as they are being written."""
    extra = dataclasses.replace(pack.by_topic("roles")[0], id="sgt-recipients-test", audience="sergeants")
    return Pack((*pack.cards, extra), pack.warnings, pack.examples)


def test_receives_says_who_a_teams_cards_are_for(sergeants_team: Config) -> None:
    officers, sergeants = sergeants_team.team("response-a"), sergeants_team.team("sergeants")
    assert officers is not None and sergeants is not None
    assert receives(sergeants_team, officers, "local:pc-1")
    assert not receives(sergeants_team, officers, "local:sgt-a")  # its own sergeant
    assert not receives(sergeants_team, officers, "local:sgt-b")  # another team's sergeant
    assert not receives(sergeants_team, officers, "local:insp")
    assert not receives(sergeants_team, officers, "local:coord")
    assert receives(sergeants_team, sergeants, "local:sgt-a") and receives(sergeants_team, sergeants, "local:sgt-b")
    assert not receives(sergeants_team, sergeants, "local:insp")  # its own lead
    assert not receives(sergeants_team, sergeants, "local:coord")


async def test_a_sergeants_team_counts_the_sergeants_in_its_channel_but_not_its_own_leads_or_coordinators(
    sergeants_team: Config, db: Database, pack: Pack, clock: FakeClock, index: Index,
) -> None:
    platform = RecordingPlatform("local", {"local:sergeants": [
        ("local:insp", "Insp. Lead"), ("local:sgt-a", "Sgt A"), ("local:sgt-b", "Sgt B"), ("local:coord", "Insp. Coord"),
    ]})
    core = Core(sergeants_team, db, with_a_sergeants_card(pack), clock, {"local": platform}, index)
    view = await core.post_briefing(INSP, "sergeants")
    assert view.card.audience == "sergeants"
    assert records(core).recipients(view.delivery.id) == ["local:sgt-a", "local:sgt-b"]
    assert view.progress == "Acknowledged by 0 of 2"

    counted = await core.acknowledge(SGT, view.delivery.id, via="local")
    assert counted.first_time and counted.view.progress == "Acknowledged by 1 of 2"
    assert (await core.answer_check(SGT, view.delivery.id, view.card.check.answer)).correct

    for who, lead in ((INSP, "a sergeant"), (COORD, "a coordinator")):
        with pytest.raises(Refused) as refused:
            await core.acknowledge(who, view.delivery.id, via="local")
        assert str(refused.value) == (
            f"This card is for Sergeants' Development's sergeants: as {lead} you are not counted, so your "
            "acknowledgement was not recorded. Ask for status to see who has acknowledged.")
    assert records(core).acknowledged_by(view.delivery.id) == ["local:sgt-a"]
    assert records(core).ack_counts(view.delivery.id) == (1, 2)

    pending = await core.pending(INSP, "sergeants")
    assert [name for _pid, name in pending.not_acknowledged] == ["Sgt B"]
    nudged = await core.nudge(COORD, "sergeants")
    assert [pid for pid, _name in nudged.nudged] == ["local:sgt-b"]
    assert platform.people_messaged() == ["local:sgt-b"]


async def test_a_card_that_recorded_its_sergeant_as_a_recipient_still_lists_and_nudges_officers_only(
    core: Core, db: Database
) -> None:
    """Cards posted by an earlier version kept the sergeant among their recipients: status and nudge leave
    them out all the same."""
    from bot.store import Store

    view = await core.post_briefing(SGT, "response-a")
    await db.write(Store.add_recipients, view.delivery.id, [("local:sgt-a", "Sgt A")], core.now())
    pending = await core.pending(SGT, "response-a")
    assert "local:sgt-a" not in [pid for pid, _name in pending.not_acknowledged]
    assert pending.recipients == len(pending.not_acknowledged) + pending.acknowledged
    nudged = await core.nudge(COORD, "response-a")
    assert "local:sgt-a" not in [pid for pid, _name in nudged.nudged]
