"""The one command table: the same command gives the same reply, whichever surface it came from."""

from __future__ import annotations

import pytest

from bot.core import COMMANDS, Command, Core, InvalidInput, Invocation, Refused, parse
from bot.core.roles import Actor

SGT = Actor("local:sgt-a", "Sgt A")
PC1 = Actor("local:pc-1", "PC One")
PC2 = Actor("local:pc-2", "PC Two")
COORD = Actor("local:coord", "Insp. Coord")


def private(actor: Actor, channel: str | None = None) -> Invocation:
    return Invocation(actor, "local", channel, private=True)


async def test_a_sergeant_with_one_team_is_understood_outside_its_channel(core: Core) -> None:
    reply = await core.run(private(SGT), Command("now"))
    assert reply.text.startswith("Posted") and "Response Team A" in reply.text
    assert reply.posted is not None and reply.posted.team.id == "response-a"


async def test_the_channel_names_the_team_and_a_coordinator_with_many_teams_is_asked_which(core: Core) -> None:
    reply = await core.run(private(COORD, "local:response-b"), Command("now"))
    assert "Response Team B" in reply.text
    with pytest.raises(InvalidInput, match="more than one team"):
        await core.run(private(COORD), Command("status"))


async def test_status_names_who_has_not_acknowledged_then_says_everyone_has(core: Core) -> None:
    view = (await core.run(private(SGT), Command("now"))).posted
    assert view is not None
    pending = await core.run(private(SGT), Command("status"))
    assert pending.items == ("PC One", "PC Two")  # the officers: the sergeant is not waited for
    assert "acknowledged by 0 of 2." in pending.text
    for person in (PC1, PC2):
        await core.acknowledge(person, view.delivery.id, via="local")
    done = await core.run(private(SGT), Command("status"))
    assert done.text.endswith("Everyone has acknowledged it.") and done.items == ()
    assert "acknowledged by 2 of 2." in done.text
    nudge = await core.run(private(SGT), Command("nudge"))
    assert nudge.text == "Everyone has acknowledged the latest card; nobody needed a nudge."


async def test_stats_in_a_public_channel_are_by_topic_without_names(core: Core) -> None:
    view = (await core.run(private(SGT), Command("now"))).posted
    assert view is not None
    await core.acknowledge(PC1, view.delivery.id, via="local")
    public = await core.run(Invocation(SGT, "teams", "local:response-a", private=False), Command("stats"))
    assert "by topic" in public.text and not any("PC One" in item for item in public.items)
    with pytest.raises(Refused, match="privately"):
        await core.run(Invocation(SGT, "teams", "local:response-a", private=False), Command("stats", ("response-a",)))
    by_officer = await core.run(private(SGT), Command("stats", ("response-a",)))
    assert any(item.startswith("PC One: 1/1 ack (100%)") for item in by_officer.items)
    assert "More, by officer, topic and week" in by_officer.footer
    core.dashboard_url = "https://shiftbrief.force.example/dashboard"
    mine = await core.run(private(SGT), Command("stats"))
    assert mine.footer.endswith("More, by officer, topic and week: https://shiftbrief.force.example/dashboard")


async def test_my_record_is_given_only_privately(core: Core) -> None:
    public = await core.run(Invocation(PC1, "teams", "local:response-a", private=False), Command("me"))
    assert "private chat" in public.text
    assert (await core.run(private(PC1), Command("me"))).text == "No briefing has been delivered to you yet."


async def test_rating_someone_elses_answer_is_refused_by_the_core(core: Core) -> None:
    asked = (await core.run(private(PC1), Command("ask", text="why fifteen minutes?"))).answer
    assert asked is not None
    with pytest.raises(Refused, match="Only the person who asked"):
        await core.rate_answer(PC2, asked.question_id, True)
    assert await core.rate_answer(PC1, asked.question_id, True) == "Thanks for the feedback."


async def test_help_lists_every_command_from_the_table_and_an_unknown_word_is_named(core: Core) -> None:
    reply = core.help(unknown="brew")
    assert reply.text.startswith("I don't know \u201cbrew\u201d")
    assert [h.usage for h in reply.help] == [spec.usage for spec in COMMANDS.values()]
    assert (await core.run(private(PC1), parse("brief brew", explicit=False))).text.startswith("I don't know")


async def test_a_retried_request_is_handled_once(core: Core) -> None:
    from bot.core import AlreadyHandled

    once = Invocation(SGT, "slack", None, private=True, event_key="slack:command:x")
    await core.run(once, Command("now"))
    with pytest.raises(AlreadyHandled):
        await core.run(once, Command("now"))
    status = Invocation(SGT, "slack", None, private=True, event_key="slack:command:y")
    await core.run(status, Command("status"))
    with pytest.raises(AlreadyHandled):
        await core.run(status, Command("status"))
