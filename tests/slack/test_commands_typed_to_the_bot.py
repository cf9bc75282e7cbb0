"""`brief …` typed to the bot, after an @mention or in a direct message, is the same command as `/brief …`
with the same reply; anything else typed there is still a question."""

from __future__ import annotations

from tests.slack.conftest import CHANNEL, Bot, card_message, direct_message
from tests.slack.fake_slack import FakeSlack


async def test_brief_after_an_at_mention_is_the_command_not_a_question(bot: Bot, fake: FakeSlack) -> None:
    event = {"type": "app_mention", "channel": CHANNEL, "user": "U0SGT", "ts": "1764061400.000200",
             "text": "<@U0BOT> brief now displacement", "event_ts": "1764061400.000200"}
    await bot.event(event, "Ev0BRIEFNOW")
    posted = await fake.wait_for(lambda: fake.private_to("U0SGT"))
    assert posted[0].text.startswith("Posted")
    assert bot.core.card(bot.store.latest_delivery("response-a").card_id).topic == "displacement"
    card_message(fake)  # one card, and nothing else in the channel (no answer in a thread)
    assert len(fake.in_channel(CHANNEL)) == 1
    assert bot.store.questions() == []

    officer = {**event, "user": "U0PC1", "text": "<@U0BOT> Brief now"}
    await bot.event(officer, "Ev0OFFICERNOW")
    refused = await fake.wait_for(lambda: fake.private_to("U0PC1"))
    assert "Only a team's sergeants or a coordinator can post a briefing" in refused[0].text
    await bot.drain()
    assert len(fake.in_channel(CHANNEL)) == 1


async def test_brief_in_a_direct_message_is_the_command_and_gets_the_same_reply(bot: Bot, fake: FakeSlack) -> None:
    await bot.event(direct_message("U0SGT", "brief now"), "Ev0DMNOW")
    await bot.event(direct_message("U0PC1", "brief me"), "Ev0DMME")
    await bot.event(direct_message("U0PC2", "brief"), "Ev0DMHELP")
    await bot.command("U0SGT", "now", channel="DU0SGT")  # the same command as a slash command, for comparison
    same = (await fake.wait_for(lambda: fake.private_to("U0SGT")))[0].text
    replies = await fake.wait_for(
        lambda: len([m for m in fake.messages if not m.metadata]) == 3
        and {m.channel: m.text for m in fake.messages if not m.metadata}
    )
    # Outside a team's channel a command is about the person's only team: the sergeant's posts there.
    assert replies["DU0SGT"].startswith("Posted") and same.startswith("Posted") and "Response Team A" in same
    assert len([m for m in fake.messages if m.metadata and m.channel == "C0RESPA"]) == 2
    assert replies["DU0PC1"].startswith("No briefing has been delivered to you yet")
    assert replies["DU0PC2"].startswith("Here is what I can do")
    assert bot.store.questions() == []

    await bot.event(direct_message("U0PC1", "how do I brief my shift on displacement?"), "Ev0DMQUESTION")  # still a question
    await fake.wait_for(lambda: bot.store.questions())
