"""The aggregates the leadership report and the dashboard read: scoped like every team figure (a sergeant
their own teams, a coordinator all, an officer none) and never naming anyone."""

from __future__ import annotations

import pytest

from bot.core import Actor, Core, Refused

SGT = Actor("local:sgt-a", "Sgt A")
SGT_B = Actor("local:sgt-b", "Sgt B")
COORD = Actor("local:coord", "Coordinator")
PC1 = Actor("local:pc-1", "PC One")


async def test_reach_and_coverage_follow_who_may_see_which_team(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    recipients = view.recipients
    assert await core.reach(SGT) == recipients and await core.reach(COORD) == recipients
    assert await core.reach(SGT_B) == 0  # another team's sergeant: their own teams only, none posted
    assert await core.coverage(SGT) == {"response-a": {view.card.topic: 1}}
    assert await core.coverage(SGT_B) == {}
    with pytest.raises(Refused, match="your own teams only"):
        await core.coverage(SGT_B, team_id="response-a")
    with pytest.raises(Refused, match="sergeants and coordinators"):
        await core.reach(PC1)
