"""Questions by direct message or @mention, the Helpful buttons, and the App Home tab."""

from __future__ import annotations

import re

from tests.slack.conftest import Bot, direct_message
from tests.slack.fake_slack import FakeSlack


async def test_a_dm_question_is_answered_once_even_when_slack_retries_the_event(bot: Bot, fake: FakeSlack) -> None:
    event = direct_message("U0PC1", "won't they just move round the corner?")
    assert await bot.event(event, "Ev0DISPLACE") == 200
    assert await bot.event(event, "Ev0DISPLACE", retry=1) == 200
    assert await bot.event(event, "Ev0DISPLACE", retry=2) == 200
    await bot.drain()  # all three deliveries reached a listener and finished
    assert bot.work.started == 3

    answers = fake.in_channel("DU0PC1")
    assert len(answers) == 1
    blocks = str(answers[0].blocks)
    assert re.search(r"Sources?:", blocks) and "Helpful" in blocks and "Not helpful" in blocks
    assert "Jersey City" in answers[0].text or "displace" in answers[0].text.lower()
    assert len(bot.store.questions()) == 1


async def test_an_unanswerable_question_gets_an_honest_i_dont_know_and_reaches_coordinators(
    unanswering_bot: Bot, fake: FakeSlack
) -> None:
    bot = unanswering_bot  # no card answers: a question near the topics is passed on
    await bot.event(direct_message("U0PC1", "why do patrols stay 15 minutes?"), "Ev0GAP")
    reply = (await fake.wait_for(lambda: fake.in_channel("DU0PC1")))[0]
    assert reply.text.startswith("I don't know")
    forwarded = await fake.wait_for(lambda: fake.in_channel("C0QUEST"))
    assert "stay 15 minutes" in forwarded[0].text
    assert bot.store.questions(unanswered_only=True)[0]["text"] == "why do patrols stay 15 minutes?"


async def test_the_bots_own_messages_and_edits_are_not_treated_as_questions(bot: Bot, fake: FakeSlack) -> None:
    await bot.event({**direct_message("U0PC1", "an answer the bot posted"), "bot_id": "B0BOT", "user": "U0BOT"}, "Ev0SELF")
    await bot.event({**direct_message("U0PC1", "edited"), "subtype": "message_changed"}, "Ev0EDIT")
    await bot.drain()
    assert fake.called("chat.postMessage") == []
    assert bot.store.questions() == []


async def test_an_at_mention_is_answered_in_a_thread(bot: Bot, fake: FakeSlack) -> None:
    event = {"type": "app_mention", "channel": "C0RESPA", "user": "U0PC2", "ts": "1764061400.000200",
             "text": "<@U0BOT> why fifteen minutes at a hot spot?", "event_ts": "1764061400.000200"}
    await bot.event(event, "Ev0MENTION")
    reply = (await fake.wait_for(lambda: fake.in_channel("C0RESPA")))[0]
    assert reply.thread_ts == "1764061400.000200"
    assert re.search(r"Sources?:", str(reply.blocks))
    assert bot.store.questions()[0]["text"] == "why fifteen minutes at a hot spot?"


async def test_helpful_buttons_record_the_askers_rating(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(direct_message("U0PC1", "won't they just move round the corner?"), "Ev0RATE")
    answer = (await fake.wait_for(lambda: fake.in_channel("DU0PC1")))[0]
    actions = next(b for b in answer.blocks if b["type"] == "actions")
    not_helpful = next(e for e in actions["elements"] if e["action_id"] == "answer_not_helpful")

    await bot.click("U0PC1", "answer_not_helpful", not_helpful["value"], channel="DU0PC1")
    thanks = await fake.wait_for(lambda: fake.private_to("U0PC1"))
    assert thanks[0].text == "Thanks for the feedback."
    assert bot.store.questions(unanswered_only=True)  # rated unhelpful: back on the content-gap list

    await bot.click("U0PC2", "answer_helpful", not_helpful["value"], channel="DU0PC1")
    refused = await fake.wait_for(lambda: fake.private_to("U0PC2"))
    assert "Only the person who asked" in refused[0].text


async def test_brief_ask_answers_privately(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0PC1", "ask why fifteen minutes?")
    reply = (await fake.wait_for(lambda: fake.private_to("U0PC1")))[0]
    assert re.search(r"Sources?:", str(reply.blocks))
    assert [m for m in fake.messages if m.channel == "C0RESPA"] == []


async def test_app_home_shows_an_officer_their_record_and_a_sergeant_their_teams(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id
    await bot.click("U0PC1", "acknowledge", delivery_id)
    await fake.wait_for(lambda: fake.private_to("U0PC1"))

    await bot.event({"type": "app_home_opened", "user": "U0PC1", "channel": "DU0PC1", "tab": "home"}, "Ev0HOME1")
    await bot.event({"type": "app_home_opened", "user": "U0SGT", "channel": "DU0SGT", "tab": "home"}, "Ev0HOME2")
    await fake.wait_for(lambda: len(fake.views) == 2)
    views = dict(fake.views)

    officer = str(views["U0PC1"]["blocks"])
    assert "Cards delivered to you: *1*. Acknowledged: *1*." in officer
    assert "Your teams" not in officer
    sergeant = str(views["U0SGT"]["blocks"])
    assert "Your teams" in sergeant and "Response Team A" in sergeant and "acknowledged 1 of 2" in sergeant
    assert "Response Team B" not in sergeant


async def test_brief_me_gives_an_officer_their_own_record(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    await bot.command("U0PC2", "me")
    reply = (await fake.wait_for(lambda: fake.private_to("U0PC2")))[0]
    assert reply.text.startswith("Cards delivered to you: 1. Acknowledged: 0.")


async def test_brief_stats_for_an_officer_is_refused_with_the_reason(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0PC2", "stats")
    reply = (await fake.wait_for(lambda: fake.private_to("U0PC2")))[0]
    assert "for sergeants and coordinators" in reply.text
