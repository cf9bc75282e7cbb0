"""A click counts only from someone in the card's own channel (review B3). A signed `block_actions` from channel
B carrying team A's delivery id, or from someone who is not a member of A's channel, is refused privately with
the reason, records nothing (no acknowledgement, no recipient, no card update, the same figures) and is
audited. Membership comes from conversations.members, cached, and looked up afresh when Slack says someone
joined or left the channel."""

from __future__ import annotations

from typing import Any

from bot.core import CLI
from tests.slack.conftest import Bot, card_message, progress
from tests.slack.fake_slack import FakeSlack


async def posted(bot: Bot, fake: FakeSlack) -> str:
    """Response Team A's sergeant posts a card to C0RESPA: its delivery id."""
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    return str(bot.store.latest_delivery("response-a").id)


async def figures(bot: Bot) -> list[dict[str, Any]]:
    return list(await bot.core.stats(CLI, by="officer"))


def refusals(bot: Bot) -> list[dict[str, Any]]:
    return [r for r in bot.store.audit_trail() if r["action"].startswith("refused-")]


async def test_a_click_from_another_channel_carrying_team_as_delivery_is_refused(bot: Bot, fake: FakeSlack) -> None:
    delivery_id = await posted(bot, fake)
    await bot.drain()
    before = await figures(bot)

    assert await bot.click("U0PC3", "acknowledge", delivery_id, channel="C0RESPB") == 200  # team B's officer
    assert await bot.click("U0PC1", "acknowledge", delivery_id, channel="C0RESPB") == 200  # A's, but not in A
    assert await bot.click("U0PC3", "check_1", f"{delivery_id}:1", channel="C0RESPB") == 200
    await bot.drain()

    for user in ("U0PC3", "U0PC1"):
        told = fake.private_to(user)
        assert told and all(e.channel == "C0RESPB" for e in told)  # privately, where they clicked
        assert all("pressed somewhere else" in e.text and "not recorded" in e.text for e in told)
    assert bot.store.acknowledged_by(delivery_id) == []
    assert bot.store.card_states([delivery_id], "slack:U0PC3")[delivery_id].choice is None
    assert bot.store.recipients(delivery_id) == ["slack:U0PC1", "slack:U0PC2"]
    assert fake.called("chat.update") == [] and progress(card_message(fake)) == "Acknowledged by 0 of 2"
    assert await figures(bot) == before
    assert {(r["actor"], r["action"], r["target"]) for r in refusals(bot)} == {
        ("slack:U0PC3", "refused-acknowledgement", "response-a"),
        ("slack:U0PC1", "refused-acknowledgement", "response-a"),
        ("slack:U0PC3", "refused-check-answer", "response-a"),
    }
    assert all(r["detail"].startswith(f"{delivery_id}: pressed in slack:C0RESPB") for r in refusals(bot))


async def test_someone_not_in_the_channel_is_refused_and_not_counted(bot: Bot, fake: FakeSlack) -> None:
    delivery_id = await posted(bot, fake)
    await bot.drain()
    before = await figures(bot)

    # A public channel can be read, and its buttons pressed, by someone who never joined it.
    assert await bot.click("U0OUT", "acknowledge", delivery_id) == 200
    assert await bot.click("U0OUT", "check_2", f"{delivery_id}:2") == 200
    await bot.drain()

    told = [e.text for e in fake.private_to("U0OUT")]
    assert len(told) == 2 and all("only members of its channel count" in t for t in told)
    assert bot.store.acknowledged_by(delivery_id) == [] and "slack:U0OUT" not in bot.store.recipients(delivery_id)
    assert await figures(bot) == before
    assert progress(card_message(fake)) == "Acknowledged by 0 of 2"
    assert [r["detail"] for r in refusals(bot)] == [f"{delivery_id}: not a member of slack:C0RESPA"] * 2
    # The post looked the members up; both clicks were answered from that, without asking Slack again.
    assert len(fake.called("conversations.members")) == 3  # the post's three pages of two


async def test_members_of_the_channel_still_count_and_a_click_costs_no_lookup(bot: Bot, fake: FakeSlack) -> None:
    delivery_id = await posted(bot, fake)
    lookups = len(fake.called("conversations.members"))

    await bot.click("U0PC1", "acknowledge", delivery_id)
    await bot.click("U0PC2", "check_1", f"{delivery_id}:1")
    await fake.wait_for(lambda: progress(card_message(fake)) == "Acknowledged by 1 of 2", within=6)
    await bot.drain()

    assert bot.store.acknowledged_by(delivery_id) == ["slack:U0PC1"]
    assert bot.store.card_states([delivery_id], "slack:U0PC2")[delivery_id].choice == 1
    assert len(fake.called("conversations.members")) == lookups  # recipients are on record
    assert refusals(bot) == []


async def test_someone_who_joins_after_the_post_counts_once_slack_says_so(bot: Bot, fake: FakeSlack) -> None:
    delivery_id = await posted(bot, fake)

    fake.members["C0RESPA"].append("U0PC3")  # joins; the bot's cached members do not know yet
    await bot.click("U0PC3", "acknowledge", delivery_id)
    await bot.drain()
    assert "only members of its channel count" in fake.private_to("U0PC3")[-1].text

    joined = {"type": "member_joined_channel", "user": "U0PC3", "channel": "C0RESPA", "channel_type": "C",
              "team": "T0FORCE", "event_ts": "1764061500.000100"}
    assert await bot.event(joined, "Ev0JOINED") == 200
    await bot.click("U0PC3", "acknowledge", delivery_id)
    await fake.wait_for(lambda: progress(card_message(fake)) == "Acknowledged by 1 of 3", within=6)
    await bot.drain()
    assert fake.private_to("U0PC3")[-1].text.startswith("Thanks, you have acknowledged")
    assert bot.store.acknowledged_by(delivery_id) == ["slack:U0PC3"]


async def test_someone_who_leaves_the_channel_no_longer_counts(bot: Bot, fake: FakeSlack) -> None:
    delivery_id = await posted(bot, fake)
    fake.members["C0RESPA"].append("U0NEW")
    await bot.event({"type": "member_joined_channel", "user": "U0NEW", "channel": "C0RESPA", "channel_type": "C",
                     "team": "T0FORCE", "event_ts": "1764061500.000100"}, "Ev0JOIN2")
    fake.members["C0RESPA"].remove("U0NEW")
    await bot.event({"type": "member_left_channel", "user": "U0NEW", "channel": "C0RESPA", "channel_type": "C",
                     "team": "T0FORCE", "event_ts": "1764061600.000100"}, "Ev0LEFT")

    await bot.click("U0NEW", "acknowledge", delivery_id)
    await bot.drain()
    assert "only members of its channel count" in fake.private_to("U0NEW")[-1].text
    assert bot.store.acknowledged_by(delivery_id) == []


async def test_a_click_with_no_channel_at_all_is_refused(bot: Bot, fake: FakeSlack) -> None:
    delivery_id = await posted(bot, fake)
    await bot.click("U0PC1", "acknowledge", delivery_id, channel="")
    await bot.drain()
    assert bot.store.acknowledged_by(delivery_id) == []
    assert "pressed somewhere else" in fake.private_to("U0PC1")[-1].text
