"""The card's buttons in Teams: Action.Execute invokes go through the same code as Action.Submit (recorded
once, answered in the invoke's response), anything else is answered cleanly, and every card the bot
sends is strict Adaptive Card 1.5 exactly as sent."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.teams.card import ACTION_KEY, RATE
from tests.records import answer_of, records
from tests.teams.conftest import (
    CHANNEL,
    PC1,
    PC2,
    TENANT,
    Teams,
    assert_valid_card,
    cards_in,
    outgoing_activities,
    progress_of,
    sergeant_briefs,
    submit_data,
)
from tests.teams.fake_connector import Member


async def test_every_card_the_bot_sends_is_valid_adaptive_card_1_5_as_sent(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))
    await teams.send(teams.personal_message(PC2, "won't they just move round the corner?"))

    cards = [a["content"] for act in outgoing_activities(teams.connector.calls) for a in act.get("attachments") or []]
    assert len(cards) == 3  # the post, its update, the answer
    for card in cards:
        assert "msteams" not in card
        assert_valid_card(card)  # strictly: nothing is set aside before validating


def execute(teams: Teams, who: Member, data: dict[str, Any], conversation: dict[str, Any] | None = None,
            name: str = "adaptiveCard/action") -> dict[str, Any]:
    """What Teams sends when an Action.Execute button is pressed: an invoke, the data (and inputs) in value.action."""
    return teams.activity(
        type="invoke",
        name=name,
        **{"from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad}},
        conversation=conversation or {"id": f"{CHANNEL};messageid=1000", "conversationType": "channel",
                                      "isGroup": True, "tenantId": TENANT},
        value={"action": {"type": "Action.Execute", "verb": str(data.get(ACTION_KEY)), "data": data},
               "trigger": "manual"},
        channelData={"channel": {"id": CHANNEL}, "team": {"id": CHANNEL}, "tenant": {"id": TENANT}},
    )


async def test_an_action_execute_acknowledgement_is_recorded_once_and_answered_with_a_message(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    data = submit_data(cards_in(post)[0], "Acknowledge")
    before = len(teams.connector.outgoing())

    invoke = execute(teams, PC1, data)
    first = await teams.send(invoke)
    retried = await teams.send(invoke)  # Teams retrying the same invoke
    again = await teams.send(execute(teams, PC1, data))  # a second press

    assert [r.status for r in (first, retried, again)] == [200, 200, 200]
    body = await first.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"].startswith("Thanks, you have acknowledged")
    assert "already acknowledged" in (await again.json())["value"]
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None and records(teams.core).acknowledged_by(delivery.id) == [f"teams:{PC1.aad}"]
    [update] = teams.connector.updates()
    assert progress_of(cards_in(update)[0]) == "Acknowledged by 1 of 3"
    assert len(teams.connector.outgoing()) == before + 1  # the card update only: the answer went in the response


async def test_an_action_execute_check_answer_goes_through_the_same_code_as_a_submit(teams: Teams) -> None:
    post = await sergeant_briefs(teams)
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None
    card = teams.core.card(delivery.card_id)
    data = {**submit_data(cards_in(post)[0], "Check my answer"), "choice": str(card.check.answer)}

    response = await teams.send(execute(teams, PC2, data))

    assert response.status == 200
    assert (await response.json())["statusCode"] == 200
    assert answer_of(records(teams.core), delivery.id, f"teams:{PC2.aad}") == (card.check.answer, True)


async def test_an_answer_can_be_rated_by_submit_or_execute(teams: Teams) -> None:
    await teams.send(teams.personal_message(PC1, "won't they just move round the corner?"))
    [answer] = cards_in(teams.connector.replies()[-1])
    helpful = submit_data(answer, "Helpful")
    assert helpful[ACTION_KEY] == RATE
    personal = {"id": f"a:personal-{PC1.user_id}", "conversationType": "personal", "tenantId": TENANT}

    response = await teams.send(execute(teams, PC1, submit_data(answer, "Not helpful"), conversation=personal))
    assert (await response.json())["value"] == "Thanks for the feedback."
    assert records(teams.core).questions()[0]["helpful"] == 0

    submit = teams.personal_message(PC1, "")
    submit.pop("text")
    submit["value"] = helpful
    assert (await teams.send(submit)).status == 200
    assert teams.connector.replies()[-1].body["text"] == "Thanks for the feedback."
    assert records(teams.core).questions()[0]["helpful"] == 1


async def test_an_invoke_shiftbrief_does_not_offer_gets_a_clean_501_and_a_log_line(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.teams")
    response = await teams.send(execute(teams, PC1, {"x": 1}, name="composeExtension/query"))

    assert response.status == 501
    assert "Traceback" not in await response.text()
    assert any("composeExtension/query" in r.getMessage() for r in caplog.records)
    assert teams.connector.outgoing() == []


async def test_a_foreign_action_execute_is_answered_not_a_500(teams: Teams) -> None:
    response = await teams.send(execute(teams, PC1, {"verb": "somethingElse"}))

    assert response.status == 200
    assert "does not belong to a shiftbrief card" in (await response.json())["value"]
