"""A team configured for sergeants or leaders is posted its own track, by its sergeant and by the schedule;
asking for a topic that track has no card on is answered with what it does have."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.core import Command, Core, Invocation, NotFound
from bot.core.roles import Actor
from bot.store import Database
from content.model import Pack
from tests.conftest import CONFIG_TOML, FakeClock, write_config
from tests.platform import RecordingPlatform

SGT_B = Actor("local:sgt-b", "Sgt B")  # leads response-b, here the sergeants' channel
SGT_A = Actor("local:sgt-a", "Sgt A")


def with_sergeant_cards(pack: Pack) -> Pack:
    """The real pack's officers' cards plus sergeant cards on two topics made from them, so the track here is
    known exactly whatever sergeant cards the pack ships."""
    officers = pack.for_audience("officers")
    extra = [dataclasses.replace(Pack(officers).by_topic(topic)[0], id=f"sgt-{topic}", audience="sergeants")
             for topic in ("roles", "how-it-works")]
    return Pack((*officers, *extra), pack.warnings, pack.examples)


@pytest.fixture
def sergeants_config(tmp_path: Path) -> Config:
    text = CONFIG_TOML.replace('rota = ["19:00", "off"]', 'rota = ["19:00", "off"]\naudience = "sergeants"')
    return load_config(write_config(tmp_path, text))


@pytest.fixture
def tracks(sergeants_config: Config, db: Database, pack: Pack, clock: FakeClock) -> Core:
    platform = RecordingPlatform.for_config(sergeants_config)
    return Core(sergeants_config, db, with_sergeant_cards(pack), clock, {platform.name: platform})


async def test_a_sergeants_team_is_posted_its_track_in_teaching_order(tracks: Core) -> None:
    first = await tracks.post_briefing(SGT_B, "response-b")
    second = await tracks.post_briefing(SGT_B, "response-b")
    assert (first.card.id, second.card.id) == ("sgt-how-it-works", "sgt-roles")


async def test_an_officers_team_beside_it_never_gets_a_sergeant_card(tracks: Core) -> None:
    for _ in range(13):
        view = await tracks.post_briefing(SGT_A, "response-a")
        assert view.card.audience == "officers"


async def test_the_schedule_posts_the_sergeants_track_too(tracks: Core) -> None:
    view = await tracks.post_scheduled("response-b", datetime(2026, 11, 25, 19, 0, tzinfo=UTC))
    assert view is not None and view.card.id == "sgt-how-it-works"


async def test_brief_now_on_a_topic_the_track_lacks_says_which_topics_it_has(tracks: Core) -> None:
    with pytest.raises(NotFound) as caught:
        await tracks.run(Invocation(SGT_B, "local", "local:response-b", private=False),
                         Command("now", ("displacement",)))
    assert str(caught.value) == ("There is no card on displacement for Response Team B, whose cards are for "
                                 "sergeants. Topics with sergeants cards: how-it-works, roles.")
    reply = await tracks.run(Invocation(SGT_B, "local", "local:response-b", private=False), Command("now", ("roles",)))
    assert reply.posted is not None and reply.posted.card.id == "sgt-roles"


async def test_a_track_with_no_cards_yet_says_so(sergeants_config: Config, db: Database, pack: Pack,
                                                 clock: FakeClock) -> None:
    platform = RecordingPlatform.for_config(sergeants_config)
    officers_only = Pack(pack.for_audience("officers"), pack.warnings, pack.examples)
    core = Core(sergeants_config, db, officers_only, clock, {platform.name: platform})
    with pytest.raises(NotFound, match="no cards for sergeants"):
        await core.post_briefing(SGT_B, "response-b")
    with pytest.raises(NotFound, match="The pack has no sergeants cards yet"):
        await core.post_briefing(SGT_B, "response-b", topic="roles")


def test_start_up_names_a_team_whose_audience_has_no_cards(sergeants_config: Config, pack: Pack) -> None:
    from bot.app import empty_tracks

    officers_only = Pack(pack.for_audience("officers"), pack.warnings, pack.examples)
    assert empty_tracks(sergeants_config, officers_only) == [
        "team response-b is for sergeants, but the pack has no sergeants cards: nothing can be posted to it until "
        "some are added"]
    assert empty_tracks(sergeants_config, with_sergeant_cards(pack)) == []
    assert empty_tracks(sergeants_config, pack) == []  # the shipped pack has a sergeants' track


def test_the_shipped_pack_has_the_sergeant_and_leader_tracks_the_issue_asks_for(pack: Pack) -> None:
    assert len(pack.for_audience("sergeants")) >= 8 and len(pack.for_audience("leaders")) >= 6
    officers = Pack(pack.for_audience("officers"))
    assert len(officers.by_topic("suppression")) >= 5 and len(officers.by_topic("proactive-vs-reactive")) >= 5
