"""A card's button counts only when pressed in the card's own channel by someone on the team's roster (review
B3). A submit from another conversation carrying team A's delivery id, or from someone not on the roster, is
refused privately with the reason, records nothing (no acknowledgement, no recipient, no card update, the same
figures) and is audited. The roster is cached, and read afresh when Teams says members were added."""

from __future__ import annotations

from typing import Any

from bot.core import CLI
from tests.records import answer_of, records
from tests.teams.conftest import (
    CHANNEL,
    CHANNEL_B,
    PC1,
    SGT,
    TENANT,
    Teams,
    cards_in,
    sergeant_briefs,
    submit_data,
)
from tests.teams.fake_connector import Call, Member

OUT = Member("29:out", "aad-out", "Mx Outsider")  # in the tenant, not on Response Team A's roster


def from_channel_b(activity: dict[str, Any]) -> dict[str, Any]:
    """The same press, as if made in Response Team B's channel."""
    activity["conversation"] = {"id": f"{CHANNEL_B};messageid=1700000000999", "conversationType": "channel",
                                "isGroup": True, "tenantId": TENANT}
    activity["channelData"] = {"channel": {"id": CHANNEL_B}, "team": {"id": CHANNEL_B}, "tenant": {"id": TENANT}}
    return activity


def private_texts(teams: Teams, who: Member) -> list[str]:
    return teams.connector.texts_to(f"a:personal-{who.user_id}")


def channel_replies(teams: Teams) -> int:
    return sum(1 for c in teams.connector.replies() if CHANNEL_B in c.path or CHANNEL in c.path)


def refusals(teams: Teams) -> list[dict[str, Any]]:
    return [r for r in records(teams.core).audit_trail() if r["action"].startswith("refused-")]


async def delivery_of(teams: Teams) -> str:
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None
    return str(delivery.id)


async def test_a_submit_from_another_conversation_is_refused_privately_and_records_nothing(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    delivery_id = await delivery_of(teams)
    before = await teams.core.stats(CLI, by="officer")
    in_channels = channel_replies(teams)

    assert (await teams.send(from_channel_b(teams.card_click(PC1, post, "Acknowledge")))).status == 200
    assert (await teams.send(from_channel_b(teams.card_click(PC1, post, "Check my answer", choice="1")))).status == 200

    told = private_texts(teams, PC1)
    assert len(told) == 2 and all("pressed somewhere else" in t and "not recorded" in t for t in told)
    assert channel_replies(teams) == in_channels  # nothing said in either channel
    assert records(teams.core).acknowledged_by(delivery_id) == []
    assert answer_of(records(teams.core), delivery_id, f"teams:{PC1.aad}") == (None, None)
    assert teams.connector.updates() == []
    assert await teams.core.stats(CLI, by="officer") == before
    assert [(r["actor"], r["action"], r["target"]) for r in refusals(teams)] == [
        (f"teams:{PC1.aad}", "refused-check-answer", "response-a"),
        (f"teams:{PC1.aad}", "refused-acknowledgement", "response-a"),
    ]


async def test_an_action_execute_from_another_conversation_is_refused_in_its_answer(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    data = submit_data(cards_in(post)[0], "Acknowledge")
    invoke = from_channel_b(teams.activity(
        type="invoke", name="adaptiveCard/action",
        **{"from": {"id": PC1.user_id, "name": PC1.name, "aadObjectId": PC1.aad}},
        value={"action": {"type": "Action.Execute", "verb": "ack", "data": data}, "trigger": "manual"},
    ))

    response = await teams.send(invoke)

    assert response.status == 200
    assert "pressed somewhere else" in (await response.json())["value"]
    assert records(teams.core).acknowledged_by(await delivery_of(teams)) == []


async def test_someone_not_on_the_roster_is_refused_until_teams_says_they_joined(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    delivery_id = await delivery_of(teams)
    before = await teams.core.stats(CLI, by="officer")

    assert (await teams.send(teams.card_click(OUT, post, "Acknowledge"))).status == 200
    assert "only members of its channel count" in private_texts(teams, OUT)[-1]
    teams.connector.roster.append(OUT)  # added to the team; the bot's cached roster does not know yet
    await teams.send(teams.card_click(OUT, post, "Acknowledge"))
    assert "only members of its channel count" in private_texts(teams, OUT)[-1]
    assert records(teams.core).acknowledged_by(delivery_id) == [] and teams.connector.updates() == []
    assert f"teams:{OUT.aad}" not in records(teams.core).recipients(delivery_id)
    assert await teams.core.stats(CLI, by="officer") == before
    assert [r["detail"] for r in refusals(teams)] == [f"{delivery_id}: not a member of teams:{CHANNEL}"] * 2

    added = teams.activity(
        type="conversationUpdate",
        membersAdded=[{"id": OUT.user_id, "name": OUT.name, "aadObjectId": OUT.aad}],
        **{"from": {"id": SGT.user_id, "name": SGT.name, "aadObjectId": SGT.aad}},
        conversation={"id": CHANNEL, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
        channelData={"eventType": "teamMemberAdded", "team": {"id": CHANNEL}, "tenant": {"id": TENANT}},
    )
    assert (await teams.send(added)).status == 200
    await teams.send(teams.card_click(OUT, post, "Acknowledge"))

    assert private_texts(teams, OUT)[-1].startswith("Thanks, you have acknowledged")
    assert records(teams.core).acknowledged_by(delivery_id) == [f"teams:{OUT.aad}"]


async def test_roster_members_count_and_clicks_read_the_roster_once(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    delivery_id = await delivery_of(teams)
    reads = roster_reads(teams.connector.calls)

    for _ in range(3):
        await teams.send(teams.card_click(OUT, post, "Acknowledge"))
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))

    assert records(teams.core).acknowledged_by(delivery_id) == [f"teams:{PC1.aad}"]
    assert roster_reads(teams.connector.calls) - reads <= 3  # one roster read (of pages of two) for three clicks


def roster_reads(calls: list[Call]) -> int:
    return sum(1 for c in calls if c.method == "GET" and c.path.endswith("/pagedmembers"))
