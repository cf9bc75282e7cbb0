"""Slack's retries: the very same request redelivered is handled once, while two people's requests that
share a trigger id (Slack reuses them) are both handled."""

from __future__ import annotations

from tests.slack.conftest import Bot
from tests.slack.fake_slack import FakeSlack


async def test_two_peoples_clicks_sharing_a_trigger_id_are_both_counted(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id

    await bot.click("U0PC1", "acknowledge", delivery_id, trigger="trig.shared", action_ts="1764061200.100000")
    await bot.click("U0PC2", "acknowledge", delivery_id, trigger="trig.shared", action_ts="1764061200.200000")
    await fake.wait_for(lambda: fake.private_to("U0PC1") and fake.private_to("U0PC2"))
    assert bot.store.ack_counts(delivery_id) == (2, 2)

    # Slack's retry of the very same request is still handled once.
    await bot.click("U0PC1", "acknowledge", delivery_id, trigger="trig.shared", retry=1)
    await bot.drain()
    assert len(fake.private_to("U0PC1")) == 1


async def test_two_peoples_commands_sharing_a_trigger_id_are_both_answered(bot: Bot, fake: FakeSlack) -> None:
    await bot.command("U0PC1", "me", trigger="trig.cmd")
    await bot.command("U0PC2", "me", trigger="trig.cmd")
    await fake.wait_for(lambda: fake.private_to("U0PC1") and fake.private_to("U0PC2"))
    await bot.command("U0PC1", "me", trigger="trig.cmd", retry=1)  # Slack resending the same request
    await bot.drain()
    assert len(fake.private_to("U0PC1")) == 1 and len(fake.private_to("U0PC2")) == 1
