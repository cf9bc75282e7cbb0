"""Questions in a personal chat, a post from a second process, Teams' throttling, and failures kept out of chat."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from bot.teams.throttle import Throttle
from tests.records import records
from tests.teams.conftest import CHANNEL, PC1, SGT, Teams, cards_in, progress_of, sergeant_briefs

REPO = Path(__file__).resolve().parents[2]


async def test_a_question_in_a_personal_chat_is_answered_from_the_cards_with_its_source(teams: Teams) -> None:
    response = await teams.send(teams.personal_message(PC1, "won't they just move round the corner?"))

    assert response.status == 200
    [answer] = teams.connector.replies()
    assert answer.path == f"/v3/conversations/a:personal-{PC1.user_id}/activities/{answer.body['replyToId']}"
    [card] = cards_in(answer)
    assert card["body"][0]["text"] == "Won't they just move round the corner?"
    assert any("Source: Weisburd" in b["text"] for b in card["body"])
    [question] = records(teams.core).questions()
    assert question["answered"] == 1 and question["card_id"] == "displacement-jersey-city"


async def test_a_question_the_cards_cannot_answer_gets_an_honest_i_dont_know(teams: Teams) -> None:
    await teams.send(teams.personal_message(PC1, "what is the canteen menu on friday?"))

    [reply] = teams.connector.replies()
    text = reply.body["text"]
    assert text.startswith("I don't know: that is outside hot spots policing, so I have not passed it on.")
    assert "I can answer questions on: what hot spots policing is;" in text and text.endswith("the community.")
    assert not reply.body.get("attachments")
    kept = records(teams.core)
    assert [q["text"] for q in kept.questions()] == ["what is the canteen menu on friday?"]
    assert kept.questions(unanswered_only=True) == []  # not near the topics: no content gap


async def test_my_record_is_given_in_a_personal_chat_and_not_in_the_channel(teams: Teams) -> None:
    await teams.install()
    await teams.send(teams.channel_message(SGT, "brief now"))
    await teams.send(teams.channel_message(PC1, "me"))
    assert "private chat" in teams.connector.replies()[-1].body["text"]

    await teams.send(teams.personal_message(PC1, "me"))

    record = teams.connector.replies()[-1].body["text"]
    assert "not acknowledged" in record and "check not answered" in record


async def test_shiftbrief_post_from_a_second_process_posts_proactively_and_the_card_still_updates(teams: Teams) -> None:
    await teams.install()
    env = {**os.environ, "SHIFTBRIEF_CONFIG": str(teams.config_path), "SHIFTBRIEF_DB": str(teams.settings.db_path),
           "HOST": "127.0.0.1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "post", "--team", "response-a", "--topic", "evidence", "--json",
        cwd=str(REPO), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    posted = json.loads(out)
    assert posted["recipients"] == 3 and posted["topic"] == "evidence"  # the officers, not the sergeant

    [post] = teams.connector.posts()
    assert post.body["channelData"]["channel"]["id"] == CHANNEL
    assert progress_of(cards_in(post)[0]) == "Acknowledged by 0 of 3"
    await teams.send(teams.card_click(PC1, post, "Acknowledge"))  # this process, the other's card
    [update] = teams.connector.updates()
    assert progress_of(cards_in(update)[0]) == "Acknowledged by 1 of 3"


async def test_a_429_from_teams_is_retried_after_its_retry_after(teams: Teams) -> None:
    await teams.install()
    teams.connector.fail("POST", "/v3/conversations", (429, "1"))

    await teams.send(teams.channel_message(SGT, "brief now displacement"))

    create = [c for c in teams.connector.calls if c.path == "/v3/conversations"]
    assert [c.status for c in create] == [429, 201]
    assert len(teams.connector.posts()) == 1
    assert "Posted" in teams.connector.replies()[-1].body["text"]


async def test_a_429_without_retry_after_backs_off_and_persistent_throttling_is_reported(teams: Teams) -> None:
    await teams.install()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    teams.platform.throttle = Throttle(attempts=3, base_delay=1.0, sleep=sleep, jitter=lambda: 0.5)
    teams.connector.fail("POST", "/v3/conversations", (429, None), (429, None), (429, None))

    await teams.send(teams.channel_message(SGT, "brief now displacement"))

    assert slept == [1.0, 2.0]  # exponential: 1 s, then 2 s (jitter fixed at the middle)
    assert teams.connector.posts() == []
    reply = teams.connector.replies()[-1].body["text"]
    assert "throttling" in reply and "Traceback" not in reply
    delivery = records(teams.core).deliveries(states=("failed",))[0]
    assert "429" in (delivery.error or "")


async def test_an_activity_that_cannot_be_processed_gets_an_error_status_not_a_trace_in_chat(teams: Teams) -> None:
    teams.connector.fail("POST", f"/v3/conversations/a:personal-{PC1.user_id}/activities", (500, None))

    response = await teams.send(teams.personal_message(PC1, "help"))

    assert response.status == 500
    assert "Traceback" not in await response.text()
    assert teams.connector.replies() == []


async def test_a_body_that_is_not_an_activity_is_refused(teams: Teams) -> None:
    bad_json = await teams.client.post("/api/messages", data=b"{not json", headers={"Content-Type": "application/json"})
    no_type = await teams.client.post("/api/messages", json={"text": "hello"})

    assert (bad_json.status, no_type.status) == (400, 400)
    assert teams.connector.calls == []


async def test_a_429_on_a_reply_is_retried_too(teams: Teams) -> None:
    teams.connector.fail("POST", f"/v3/conversations/a:personal-{PC1.user_id}/activities", (429, "0"))

    response = await teams.send(teams.personal_message(PC1, "help"))

    assert response.status == 200
    replies = [c for c in teams.connector.calls if "a:personal-" in c.path]
    assert [c.status for c in replies] == [429, 201]
    assert "brief now [topic]" in replies[-1].body["text"]


def fake_time(teams: Teams) -> list[float]:
    """Teams' throttle on a clock that only its sleeps move; returns the list of sleeps."""
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    teams.platform.throttle = Throttle(sleep=sleep, clock=lambda: now[0], jitter=lambda: 0.5)
    return slept


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
    post = await sergeant_briefs(teams)
    slept = fake_time(teams)
    teams.connector.fail("PUT", "/v3/conversations", (429, "7"), (429, "7"))
    started = time.monotonic()

    response = await teams.send(teams.card_click(PC1, post, "Acknowledge"))

    assert response.status == 200
    assert time.monotonic() - started < 5, "the click waited on Teams' throttling inside the request"
    assert slept[:1] == [7.0] and sum(slept) <= 10  # the throttle waited once within the budget, then handed off
    await teams.platform.settle()
    [update] = teams.connector.updates()
    assert progress_of(cards_in(update)[0]) == "Acknowledged by 1 of 3"
    delivery = records(teams.core).latest_delivery("response-a")
    assert delivery is not None and records(teams.core).acknowledged_by(delivery.id) == [f"teams:{PC1.aad}"]
