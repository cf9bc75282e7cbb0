"""What QA found testing the Teams adapter from outside: strict cards, Action.Execute invokes, the time a
request may be held by Teams' throttling, stats for people with several teams, help in an unknown channel,
and one stable name per officer."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import pytest

from bot.teams.card import ACTION_KEY, RATE
from bot.teams.throttle import Throttle
from tests.records import answer_of, records
from tests.teams.conftest import (
    CHANNEL,
    MENTION,
    PC1,
    PC2,
    SGT,
    TENANT,
    Teams,
    assert_valid_card,
    cards_in,
    outgoing_activities,
    progress_of,
    submit_data,
)
from tests.teams.fake_connector import Call, Member

COORD = Member("29:coord", "aad-coord", "Insp Okafor")
SGT_B = Member("29:sgtb", "aad-sgtb", "Sgt Walsh")


async def brief(teams: Teams) -> Call:
    await teams.install()
    response = await teams.send(teams.channel_message(SGT, "brief now displacement"))
    assert response.status == 200, await response.text()
    [post] = teams.connector.posts()
    return post


def fake_time(teams: Teams) -> list[float]:
    """Teams' throttle on a clock that only its sleeps move; returns the list of sleeps."""
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    teams.platform.throttle = Throttle(sleep=sleep, clock=lambda: now[0], jitter=lambda: 0.5)
    return slept


# -- 1. every card is valid Adaptive Card 1.5 exactly as sent ------------------------------------
async def test_every_card_the_bot_sends_is_valid_adaptive_card_1_5_as_sent(teams: Teams) -> None:
    post = await brief(teams)
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))
    await teams.send(teams.personal_message(PC2, "won't they just move round the corner?"))

    cards = [a["content"] for act in outgoing_activities(teams.connector.calls) for a in act.get("attachments") or []]
    assert len(cards) == 3  # the post, its update, the answer
    for card in cards:
        assert "msteams" not in card
        assert_valid_card(card)  # strictly: nothing is set aside before validating


# -- 3. Action.Execute: adaptiveCard/action invokes ----------------------------------------------
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
    post = await brief(teams)
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
    assert progress_of(cards_in(update)[0]) == "Acknowledged by 1 of 4"
    assert len(teams.connector.outgoing()) == before + 1  # the card update only: the answer went in the response


async def test_an_action_execute_check_answer_goes_through_the_same_code_as_a_submit(teams: Teams) -> None:
    post = await brief(teams)
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


# -- 4. one incoming request is not held past Bot Service's 15 s ---------------------------------
async def test_throttling_cannot_hold_a_request_past_its_budget_and_the_post_is_recorded_failed(teams: Teams) -> None:
    await teams.install()
    slept = fake_time(teams)
    teams.connector.fail("POST", "/v3/conversations", (429, "7"), (429, "7"), (429, "7"))
    started = time.monotonic()

    response = await teams.send(teams.channel_message(SGT, "brief now displacement"))

    assert response.status == 200
    assert time.monotonic() - started < 5
    assert sum(slept) <= 10  # waited on Teams inside the request for at most its budget
    assert teams.connector.posts() == []
    delivery = records(teams.core).deliveries(states=("failed",))[0]
    assert "429" in (delivery.error or "")  # not posted, and on record as failed with the reason
    await teams.platform.settle()  # the reply had no time left in the request: it follows
    reply = teams.connector.replies()[-1].body["text"]
    assert "throttling" in reply and "try again" in reply
    assert [c.status for c in teams.connector.calls if c.path.startswith("/v3/conversations") and c.method == "POST"][-4:] \
        == [429, 429, 429, 201]


async def test_a_throttled_card_update_finishes_after_the_click_is_answered(teams: Teams) -> None:
    post = await brief(teams)
    slept = fake_time(teams)
    teams.connector.fail("PUT", "/v3/conversations", (429, "7"), (429, "7"))

    response = await teams.send(teams.card_click(PC1, post, "Acknowledge"))

    assert response.status == 200
    assert sum(slept) <= 10
    await teams.platform.settle()
    [update] = teams.connector.updates()
    assert progress_of(cards_in(update)[0]) == "Acknowledged by 1 of 4"
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None and records(teams.core).acknowledged_by(delivery.id) == [f"teams:{PC1.aad}"]


# -- 5. stats for sergeants and coordinators with several teams -----------------------------------
async def test_a_coordinator_gets_stats_by_team_and_a_teams_by_officer_view_in_a_personal_chat(teams: Teams) -> None:
    post = await brief(teams)
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))

    await teams.send(teams.personal_message(COORD, "stats"))
    summary = teams.connector.replies()[-1].body["text"]
    assert "Response Team A (response-a): 1 cards, 1 of 4 acknowledged" in summary
    assert "Response Team B (response-b): nothing delivered yet" in summary
    assert "PC Ahmed" not in summary

    await teams.send(teams.personal_message(COORD, "stats response-a"))
    by_officer = teams.connector.replies()[-1].body["text"]
    assert by_officer.startswith("Response Team A, by officer:")
    assert "- PC Ahmed: 1 of 1 acknowledged" in by_officer and "- PC Brown: 0 of 1 acknowledged" in by_officer
    audit = records(teams.core).audit_trail()
    assert any(a["action"] == "view-officer-stats" and a["actor"] == "teams:aad-coord" and a["target"] == "response-a"
               for a in audit)


async def test_a_sergeant_sees_only_their_own_teams_by_officer_and_officers_none(teams: Teams) -> None:
    await brief(teams)

    await teams.send(teams.personal_message(SGT_B, "stats response-a"))
    assert "your own teams only" in teams.connector.replies()[-1].body["text"]
    await teams.send(teams.personal_message(PC1, "stats response-a"))
    assert "for sergeants and coordinators" in teams.connector.replies()[-1].body["text"]
    await teams.send(teams.personal_message(SGT, "stats response-a"))
    assert "PC Ahmed" in teams.connector.replies()[-1].body["text"]


# -- 6. help in a channel no team uses tells its id -------------------------------------------------
async def test_help_in_an_unconfigured_channel_shows_the_channel_id(teams: Teams) -> None:
    other = "19:unlisted@thread.tacv2"
    message = teams.channel_message(SGT, "help")
    message["conversation"]["id"] = f"{other};messageid=1700000000999"
    message["channelData"] = {"teamsChannelId": other, "channel": {"id": other}, "team": {"id": other},
                              "tenant": {"id": TENANT}}

    assert (await teams.send(message)).status == 200

    text = teams.connector.replies()[-1].body["text"]
    assert "brief now [topic]" in text and f"teams:{other}" in text


async def test_help_in_a_configured_channel_does_not_talk_about_its_id(teams: Teams) -> None:
    await teams.install()
    await teams.send(teams.channel_message(SGT, "help"))
    assert "channel id" not in teams.connector.replies()[-1].body["text"]


# -- 7. one stable display name per officer ---------------------------------------------------------
async def test_an_officers_name_does_not_change_with_every_message(teams: Teams) -> None:
    await brief(teams)  # the roster names PC1 "PC Ahmed"
    renamed = Member(PC1.user_id, PC1.aad, "Ahmed, Sam (Northshire Police)")

    await teams.send(teams.personal_message(renamed, "me"))
    await teams.send(teams.channel_message(renamed, "help"))

    assert records(teams.core).person_name(f"teams:{PC1.aad}") == "PC Ahmed"
    reference = records(teams.core).reference(f"teams:person:{PC1.aad}")
    assert reference is not None and reference["name"] == "PC Ahmed"


async def test_a_name_first_seen_in_a_message_is_kept_and_the_configured_name_wins(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "why fifteen minutes?"
    await teams.send(teams.personal_message(Member("29:new", "aad-new", "PC New"), question))
    await teams.send(teams.personal_message(Member("29:new", "aad-new", "New, P."), question))
    assert records(teams.core).person_name("teams:aad-new") == "PC New"

    config = dataclasses.replace(teams.core.config, people={"teams:aad-new": "PC Newton"})
    monkeypatch.setattr(teams.core, "config", config)
    await teams.send(teams.personal_message(Member("29:new", "aad-new", "Someone else"), question))
    assert records(teams.core).person_name("teams:aad-new") == "PC Newton"


# A mention that is not at the start still works (the channel message helper puts it first).
def test_the_mention_constant_is_what_the_helpers_send() -> None:
    assert MENTION == "<at>shiftbrief</at>"
