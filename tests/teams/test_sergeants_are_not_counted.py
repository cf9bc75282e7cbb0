"""In Teams, "Acknowledged by N of M" counts the team's officers (issue 13 item 2). Response Team A's roster also
holds its own sergeant, Response Team B's sergeant and a coordinator: none of them is counted in M; their
Acknowledge or check answer, by Action.Submit or Action.Execute, is refused privately with the reason and
changes nothing; status lists only the officers and nudge never reaches a sergeant or coordinator."""

from __future__ import annotations

from typing import Any

import pytest

from bot.teams.card import ACTION_KEY
from tests.records import answer_of, records
from tests.teams.conftest import (
    CHANNEL,
    COORD,
    PC1,
    PC2,
    PC3,
    SGT,
    SGT_B,
    TENANT,
    Teams,
    cards_in,
    progress_of,
    sergeant_briefs,
    submit_data,
)
from tests.teams.fake_connector import Call, FakeConnector, Member

LEADS = (SGT, SGT_B, COORD)  # the team's sergeant, another team's sergeant, a coordinator
OFFICERS = {f"teams:{m.aad}" for m in (PC1, PC2, PC3)}


@pytest.fixture
def crowded(connector: FakeConnector) -> FakeConnector:
    connector.roster += [SGT_B, COORD]
    return connector


def private_texts(teams: Teams, who: Member) -> list[str]:
    """What the bot said to `who` in their personal chat (exactly theirs: 29:sgt is a prefix of 29:sgtb)."""
    return teams.connector.texts_to(f"/a:personal-{who.user_id}/")


def execute(teams: Teams, who: Member, data: dict[str, Any]) -> dict[str, Any]:
    """What Teams sends when `who` presses an Action.Execute button on the card in the channel."""
    return teams.activity(
        type="invoke", name="adaptiveCard/action",
        **{"from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad}},
        conversation={"id": f"{CHANNEL};messageid=1000", "conversationType": "channel", "isGroup": True,
                      "tenantId": TENANT},
        value={"action": {"type": "Action.Execute", "verb": str(data.get(ACTION_KEY)), "data": data},
               "trigger": "manual"},
        channelData={"channel": {"id": CHANNEL}, "team": {"id": CHANNEL}, "tenant": {"id": TENANT}},
    )


def in_the_channel(teams: Teams) -> list[str]:
    return [c.body.get("text") or "" for c in teams.connector.replies() if CHANNEL in c.path]


async def posted_and_acknowledged_once(teams: Teams) -> tuple[Call, str]:
    post = await sergeant_briefs(teams)
    assert progress_of(cards_in(post)[0]) == "Acknowledged by 0 of 3"
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))
    [update] = teams.connector.updates()
    assert progress_of(cards_in(update)[0]) == "Acknowledged by 1 of 3"
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None
    return post, delivery.id


async def test_the_card_counts_the_rosters_officers_only(teams: Teams, crowded: FakeConnector) -> None:
    await sergeant_briefs(teams)
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None
    assert set(records(teams.core).recipients(delivery.id)) == OFFICERS
    assert progress_of(cards_in(teams.connector.posts()[0])[0]) == "Acknowledged by 0 of 3"


async def test_a_sergeant_or_coordinator_pressing_acknowledge_is_refused_privately_and_n_of_m_stays(
    teams: Teams, crowded: FakeConnector
) -> None:
    post, delivery_id = await posted_and_acknowledged_once(teams)
    channel_before = in_the_channel(teams)

    for who in LEADS:
        assert (await teams.send(teams.card_click(who, post, "Acknowledge"))).status == 200
    assert (await teams.send(teams.card_click(SGT, post, "Check my answer", choice="1"))).status == 200

    for who in LEADS:
        told = private_texts(teams, who)
        assert told and all(t.startswith("This card is for Response Team A's officers: as a ") for t in told)
        assert all("you are not counted" in t and "Ask for status" in t for t in told)
    assert "as a coordinator" in private_texts(teams, COORD)[0] and "as a sergeant" in private_texts(teams, SGT_B)[0]
    sergeant = private_texts(teams, SGT)
    assert len(sergeant) == 2 and "acknowledgement was not recorded" in sergeant[0]
    assert "answer was not recorded" in sergeant[1]

    assert in_the_channel(teams) == channel_before  # nothing said in the channel
    assert len(teams.connector.updates()) == 1  # PC Ahmed's only: "1 of 3" stands
    assert records(teams.core).ack_counts(delivery_id) == (1, 3)
    assert records(teams.core).acknowledged_by(delivery_id) == [f"teams:{PC1.aad}"]
    assert set(records(teams.core).recipients(delivery_id)) == OFFICERS
    assert answer_of(records(teams.core), delivery_id, f"teams:{SGT.aad}") == (None, None)


async def test_a_sergeants_action_execute_is_refused_in_the_invokes_answer(teams: Teams, crowded: FakeConnector) -> None:
    post, delivery_id = await posted_and_acknowledged_once(teams)
    data = submit_data(cards_in(post)[0], "Acknowledge")

    response = await teams.send(execute(teams, SGT, data))

    assert response.status == 200
    body = await response.json()
    assert body["value"].startswith("This card is for Response Team A's officers: as a sergeant you are not counted")
    assert records(teams.core).ack_counts(delivery_id) == (1, 3) and len(teams.connector.updates()) == 1


async def test_status_lists_only_the_officers_and_nudge_never_reaches_a_sergeant_or_coordinator(
    teams: Teams, crowded: FakeConnector
) -> None:
    await posted_and_acknowledged_once(teams)

    await teams.send(teams.channel_message(SGT, "status"))
    status = teams.connector.replies()[-1].body["text"]
    assert "acknowledged by 1 of 3" in status and "PC Brown" in status and "PCSO Clarke" in status
    for name in ("PC Ahmed", SGT.name, SGT_B.name, COORD.name):
        assert name not in status

    await teams.send(teams.channel_message(COORD, "nudge"))  # the coordinator, so the sergeant is not the nudger
    assert "Nudged 2 privately" in teams.connector.replies()[-1].body["text"]
    await teams.send(teams.channel_message(SGT, "nudge"))
    assert "2 had already been nudged once" in teams.connector.replies()[-1].body["text"]
    nudged = {c.path for c in teams.connector.replies() if "asks you to read" in (c.body.get("text") or "")}
    assert nudged == {f"/v3/conversations/a:personal-{m.user_id}/activities" for m in (PC2, PC3)}
    for lead in LEADS:
        assert not any("asks you to read" in t for t in private_texts(teams, lead))
