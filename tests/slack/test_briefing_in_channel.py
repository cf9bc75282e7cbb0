"""A sergeant's /brief in the team channel, officers' one-tap acknowledgements, and the check question."""

from __future__ import annotations

import json
import re
import time

from bot.core.roles import CLI
from bot.slack.render import escape
from tests.slack.conftest import CHANNEL, Bot, button_values, card_message, progress, sign
from tests.slack.fake_slack import FakeSlack


async def test_forged_signature_is_refused_and_nothing_happens(bot: Bot, fake: FakeSlack) -> None:
    body = b"command=%2Fbrief&text=now&user_id=U0SGT&channel_id=C0RESPA&trigger_id=t1"
    forged = sign(body, int(time.time()), secret="someone-elses-secret")
    status = await bot.send(body, "application/x-www-form-urlencoded", signature=forged)
    assert status == 401
    await bot.drain()
    assert fake.called("chat.postMessage") == []


async def test_stale_signature_is_refused_even_when_the_hmac_is_right(bot: Bot, fake: FakeSlack) -> None:
    body = b"command=%2Fbrief&text=now&user_id=U0SGT&channel_id=C0RESPA&trigger_id=t1"
    old = int(time.time()) - 10 * 60
    status = await bot.send(body, "application/x-www-form-urlencoded", timestamp=old, signature=sign(body, old))
    assert status == 401
    await bot.drain()
    assert fake.called("chat.postMessage") == []


async def test_sergeant_brief_now_displacement_posts_a_card_to_the_team_channel(bot: Bot, fake: FakeSlack) -> None:
    assert await bot.command("U0SGT", "now displacement") == 200
    await fake.wait_for(lambda: fake.private_to("U0SGT"))

    message = card_message(fake)
    card = bot.core.card(bot.store.latest_delivery("response-a").card_id)
    assert card.topic == "displacement"
    assert message.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": card.title, "emoji": True}}
    assert re.search(r"Sources?:", str(message.blocks)) and all(escape(s.link) in str(message.blocks) for s in card.sources)
    assert card.title in message.text and "Acknowledge" in message.text  # the notification fallback
    delivery_id = bot.store.latest_delivery("response-a").id
    assert button_values(message, "acknowledge") == [delivery_id]
    assert len(button_values(message, "check_")) == len(card.check.options)
    assert message.metadata["event_payload"]["delivery"] == delivery_id
    # Two officers: the bot and the deactivated account are not expected to acknowledge, nor is the sergeant.
    assert progress(message) == "Acknowledged by 0 of 2"
    assert "Posted" in fake.private_to("U0SGT")[0].text


async def test_an_officer_brief_now_posts_nothing_and_says_why(bot: Bot, fake: FakeSlack) -> None:
    assert await bot.command("U0PC1", "now") == 200
    reply = await fake.wait_for(lambda: fake.private_to("U0PC1"))
    assert "Only a team's sergeants or a coordinator can post a briefing" in reply[0].text
    await bot.drain()
    assert fake.called("chat.postMessage") == []
    everything = ("claimed", "posting", "posted", "failed", "missed")
    assert bot.store.deliveries(team_ids=["response-a"], states=everything) == []


async def test_a_sergeant_of_another_team_is_told_whose_channel_it_is(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGTB", "now")
    reply = await fake.wait_for(lambda: fake.private_to("U0SGTB"))
    assert "Response Team A's sergeants" in reply[0].text
    assert fake.called("chat.postMessage") == []


async def test_clicks_update_acknowledged_by_and_stats_show_exactly_who(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id

    assert await bot.click("U0PC1", "acknowledge", delivery_id) == 200
    assert await bot.click("U0PC2", "acknowledge", delivery_id) == 200
    await fake.wait_for(lambda: progress(card_message(fake)) == "Acknowledged by 2 of 2", within=6)

    confirmations = [e.text for e in fake.private_to("U0PC1")]
    assert len(confirmations) == 1 and confirmations[0].startswith("Thanks, you have acknowledged")
    rows = {r["officer"]: r for r in (await bot.core.stats(CLI, by="officer"))}
    assert {pid for pid, r in rows.items() if r["acknowledged"]} == {"slack:U0PC1", "slack:U0PC2"}
    assert "slack:U0SGT" not in rows  # the sergeant was not sent it as one of the team's officers
    assert rows["slack:U0PC1"]["name"] == "PC Ahmed"


async def test_updates_are_coalesced_to_one_per_two_seconds(bot: Bot, fake: FakeSlack) -> None:
    fake.members["C0RESPA"].append("U0PC3")  # a third officer in the channel
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id
    for user in ("U0PC1", "U0PC2", "U0PC3"):
        await bot.click(user, "acknowledge", delivery_id)
    await fake.wait_for(lambda: progress(card_message(fake)) == "Acknowledged by 3 of 3", within=6)
    await bot.drain()
    updates = fake.called("chat.update")
    assert len(updates) <= 2, f"{len(updates)} chat.update calls for three clicks inside two seconds"
    if len(updates) == 2:
        assert updates[1].at - updates[0].at >= 1.9


async def test_a_double_click_or_a_retried_click_is_counted_once(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id

    await bot.click("U0PC1", "acknowledge", delivery_id, trigger="trig.first")
    await fake.wait_for(lambda: fake.private_to("U0PC1"))
    await bot.click("U0PC1", "acknowledge", delivery_id)  # a second tap: a new request
    await fake.wait_for(lambda: len(fake.private_to("U0PC1")) == 2)
    assert await bot.click("U0PC1", "acknowledge", delivery_id, trigger="trig.first", retry=1) == 200  # Slack's retry
    await bot.drain()

    replies = [e.text for e in fake.private_to("U0PC1")]
    assert len(replies) == 2, replies
    assert "already acknowledged" in replies[1] and "nothing changed" in replies[1]
    assert bot.store.ack_counts(delivery_id) == (1, 2)
    assert progress(card_message(fake)) == "Acknowledged by 1 of 2"  # the drain waited for the card's update too
    assert len(fake.called("chat.update")) == 1


async def test_check_answer_and_explanation_come_back_only_to_who_clicked(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now displacement")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery = bot.store.latest_delivery("response-a")
    card = bot.core.card(delivery.card_id)
    wrong = 1 if card.check.answer != 1 else 2

    await bot.click("U0PC1", f"check_{card.check.answer}", f"{delivery.id}:{card.check.answer}")
    await bot.click("U0PC2", f"check_{wrong}", f"{delivery.id}:{wrong}")
    right_reply = (await fake.wait_for(lambda: fake.private_to("U0PC1")))[0].text
    wrong_reply = (await fake.wait_for(lambda: fake.private_to("U0PC2")))[0].text

    assert right_reply.startswith("Right.") and card.check.explanation in right_reply
    assert wrong_reply.startswith("Not quite") and card.check.options[card.check.answer - 1] in wrong_reply
    assert [m for m in fake.messages if m.channel == CHANNEL and not m.metadata] == []  # nothing public
    state = bot.store.card_states([delivery.id], "slack:U0PC1")[delivery.id]
    assert (state.choice, state.correct) == (card.check.answer, True)


async def test_status_and_nudge_for_the_sergeant_nudge_never_twice(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id
    await bot.click("U0PC1", "acknowledge", delivery_id)
    await fake.wait_for(lambda: fake.private_to("U0PC1"))

    await bot.command("U0SGT", "status")
    status = (await fake.wait_for(lambda: len(fake.private_to("U0SGT")) == 2 and fake.private_to("U0SGT")))[1].text
    assert "PC Brown" in status and "PC Ahmed" not in status
    assert "Sgt Stone" not in status and "acknowledged by 1 of 2" in status  # the officers only

    await bot.command("U0SGT", "nudge")
    await fake.wait_for(lambda: len(fake.private_to("U0SGT")) == 3)
    await bot.command("U0SGT", "nudge")
    again = (await fake.wait_for(lambda: len(fake.private_to("U0SGT")) == 4 and fake.private_to("U0SGT")))[3].text
    dms = [m for m in fake.messages if m.channel.startswith("D")]
    assert sorted(m.channel for m in dms) == ["DU0PC2"]  # the sergeant is not a recipient, so never nudged
    assert "already been nudged once" in again


async def test_officers_cannot_see_status_and_are_told_why(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0PC1", "status")
    reply = (await fake.wait_for(lambda: fake.private_to("U0PC1")))[0].text
    assert "sergeants or a coordinator" in reply


async def test_unknown_words_get_help_not_silence(bot: Bot, fake: FakeSlack) -> None:
    response = await bot.client.post("/slack/events", data=b"", headers={})  # unsigned: refused
    assert response.status == 401
    body, ts = b"command=%2Fbrief&text=brew+tea&user_id=U0PC1&channel_id=C0RESPA&trigger_id=t9", int(time.time())
    response = await bot.client.post("/slack/events", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, ts)})
    text = await response.text()
    assert response.status == 200
    assert "I don't know \u201cbrew\u201d" in text and "/brief now [topic]" in text and "/brief ask &lt;question&gt;" in text  # escaped as Slack shows it


async def test_a_429_from_slack_is_retried_after_retry_after(bot: Bot, fake: FakeSlack) -> None:
    fake.rate_limit_once("chat.postMessage", retry_after=1)
    started = time.monotonic()
    assert await bot.command("U0SGT", "now") == 200
    assert time.monotonic() - started < 3, "the 429 wait must not hold up Slack's three-second acknowledgement"
    await fake.wait_for(lambda: fake.private_to("U0SGT"), within=10)

    attempts = fake.called("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.95
    card_message(fake)  # exactly one card
    assert bot.store.latest_delivery("response-a").state == "posted"


async def test_posts_to_one_channel_are_paced_to_one_a_second(bot: Bot, fake: FakeSlack) -> None:
    await bot.platform.post_text("slack:C0RESPA", "first")
    await bot.platform.post_text("slack:C0RESPA", "second")
    await bot.platform.post_text("slack:C0RESPB", "another channel need not wait")
    posts = fake.called("chat.postMessage")
    assert posts[1].at - posts[0].at >= 0.95
    assert posts[2].at - posts[1].at < 0.5


async def test_slacks_request_url_check_is_answered_with_the_challenge(bot: Bot) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-3po", "type": "url_verification"}).encode()
    ts = int(time.time())
    response = await bot.client.post("/slack/events", data=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sign(body, ts)})
    assert response.status == 200
    assert "c-3po" in await response.text()


async def test_a_channel_the_bot_was_not_invited_to_is_reported_plainly(bot: Bot, fake: FakeSlack) -> None:
    fake.refused["C0RESPB"] = "not_in_channel"
    await bot.command("U0SGTB", "now", channel="C0RESPB")
    # Not in the channel, the bot cannot whisper there either: the reason comes by direct message.
    reply = (await fake.wait_for(lambda: fake.in_channel("DU0SGTB")))[0].text
    assert "the bot is not a member of that channel: invite it there with /invite" in reply
    [failed] = bot.store.recent_problems()
    assert failed.team_id == "response-b" and failed.state == "failed" and "invite" in (failed.error or "")
