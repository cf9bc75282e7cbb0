"""A signed Slack click while another process holds the database's write lock: Slack gets its answer at once
(ack() comes before any database write), the officer is told it was not recorded, and the next click counts once."""

from __future__ import annotations

from pathlib import Path

from tests.slack.conftest import Bot
from tests.slack.fake_slack import FakeSlack
from tests.test_database_lock import timed, write_lock_held


async def test_a_slack_click_during_a_held_lock_is_acknowledged_at_once_and_the_officer_asked_to_press_again(
    bot: Bot, fake: FakeSlack
) -> None:
    assert await bot.command("U0SGT", "now") == 200
    await fake.wait_for(lambda: fake.private_to("U0SGT"))  # "Posted …": the card is on record as posted
    delivery = bot.store.latest_delivery("response-a")
    assert delivery is not None
    delivery_id = delivery.id

    with write_lock_held(Path(bot.core.db.path)):
        status, took = await timed(bot.click("U0PC1", "acknowledge", delivery_id))
        assert status == 200 and took < 1.0  # ack() comes before any database write
        told = await fake.wait_for(lambda: [m.text for m in fake.private_to("U0PC1")], within=5.0)
        assert "not recorded" in told[0]
        assert bot.store.acknowledged_by(delivery_id) == []

    assert await bot.click("U0PC1", "acknowledge", delivery_id) == 200
    await fake.wait_for(lambda: len(fake.private_to("U0PC1")) == 2)
    assert "you have acknowledged" in fake.private_to("U0PC1")[1].text
    assert bot.store.acknowledged_by(delivery_id) == ["slack:U0PC1"]
