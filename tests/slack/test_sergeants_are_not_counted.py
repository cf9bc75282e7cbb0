"""In Slack, "Acknowledged by N of M" counts the team's officers (issue 13 item 2). Response Team A's channel also
holds its own sergeant, Response Team B's sergeant and a coordinator: none of them is counted in M, a signed
block_actions from any of them (Acknowledge, or a check answer) is refused privately with the reason and
changes nothing, status lists only the officers and nudge never reaches a sergeant or coordinator."""

from __future__ import annotations

import pytest

from tests.slack.conftest import CHANNEL, Bot, card_message, progress
from tests.slack.fake_slack import FakeSlack

LEADS = ("U0SGT", "U0SGTB", "U0COORD")  # the team's sergeant, another team's sergeant, a coordinator


@pytest.fixture
def crowded(fake: FakeSlack) -> FakeSlack:
    fake.members[CHANNEL] += ["U0SGTB", "U0COORD"]
    return fake


async def posted_and_acknowledged_once(bot: Bot, fake: FakeSlack) -> str:
    """The sergeant posts a card to C0RESPA and PC Ahmed acknowledges it: the delivery id."""
    assert await bot.command("U0SGT", "now") == 200
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = str(bot.store.latest_delivery("response-a").id)
    assert progress(card_message(fake)) == "Acknowledged by 0 of 2"
    await bot.click("U0PC1", "acknowledge", delivery_id)
    await fake.wait_for(lambda: progress(card_message(fake)) == "Acknowledged by 1 of 2", within=6)
    await bot.drain()
    return delivery_id


async def test_the_card_counts_the_officers_only(bot: Bot, crowded: FakeSlack) -> None:
    assert await bot.command("U0SGT", "now") == 200
    await crowded.wait_for(lambda: crowded.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id
    assert progress(card_message(crowded)) == "Acknowledged by 0 of 2"
    assert bot.store.recipients(delivery_id) == ["slack:U0PC1", "slack:U0PC2"]


async def test_a_sergeant_or_coordinator_pressing_acknowledge_is_refused_privately_and_n_of_m_stays(
    bot: Bot, crowded: FakeSlack
) -> None:
    delivery_id = await posted_and_acknowledged_once(bot, crowded)
    updates = len(crowded.called("chat.update"))
    told_before = {user: len(crowded.private_to(user)) for user in LEADS}

    for user in LEADS:
        assert await bot.click(user, "acknowledge", delivery_id) == 200
    assert await bot.click("U0SGT", "check_1", f"{delivery_id}:1") == 200
    await bot.drain()

    for user in LEADS:
        told = crowded.private_to(user)[told_before[user]:]
        assert told and all(e.channel == CHANNEL for e in told)  # privately, where they pressed
        assert all(e.text.startswith("This card is for Response Team A's officers: as a ") for e in told)
        assert all("you are not counted" in e.text and "Ask for status" in e.text for e in told)
    assert "as a coordinator" in crowded.private_to("U0COORD")[-1].text
    assert "as a sergeant" in crowded.private_to("U0SGTB")[-1].text
    sergeant = [e.text for e in crowded.private_to("U0SGT")[told_before["U0SGT"]:]]
    assert len(sergeant) == 2 and "your acknowledgement was not recorded" in sergeant[0]
    assert "your answer was not recorded" in sergeant[1]

    assert [m for m in crowded.in_channel(CHANNEL) if not m.metadata] == []  # nothing said in the channel
    assert len(crowded.called("chat.update")) == updates
    assert progress(card_message(crowded)) == "Acknowledged by 1 of 2"
    assert bot.store.ack_counts(delivery_id) == (1, 2)
    assert bot.store.acknowledged_by(delivery_id) == ["slack:U0PC1"]
    assert bot.store.recipients(delivery_id) == ["slack:U0PC1", "slack:U0PC2"]
    assert bot.store.card_states([delivery_id], "slack:U0SGT")[delivery_id].choice is None


async def test_status_lists_only_the_officers_and_nudge_never_reaches_a_sergeant_or_coordinator(
    bot: Bot, crowded: FakeSlack
) -> None:
    await posted_and_acknowledged_once(bot, crowded)

    await bot.command("U0SGT", "status")
    status = (await crowded.wait_for(lambda: len(crowded.private_to("U0SGT")) == 2 and crowded.private_to("U0SGT")))
    text = status[1].text
    assert "acknowledged by 1 of 2" in text
    assert [line for line in text.splitlines() if line.startswith("\u2022")] == ["\u2022 PC Brown"]

    await bot.command("U0COORD", "nudge")  # the coordinator: so the sergeant is not skipped as the nudger
    nudged = (await crowded.wait_for(lambda: crowded.private_to("U0COORD")))[-1].text
    assert nudged.startswith("Nudged 1 privately")
    await bot.command("U0SGT", "nudge")
    again = (await crowded.wait_for(lambda: len(crowded.private_to("U0SGT")) == 3 and crowded.private_to("U0SGT")))
    assert "already been nudged once" in again[2].text
    await bot.drain()
    assert sorted(m.channel for m in crowded.messages if m.channel.startswith("D")) == ["DU0PC2"]
    assert not any(c.args.get("users") in LEADS for c in crowded.called("conversations.open"))
