"""`shiftbrief run` as a real process with SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL
pointing at the fake: it serves /slack/events, and a sergeant's briefing and officers' clicks end up
in the card and in `shiftbrief stats --json --by officer`."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.conftest import without_due_nudges
from tests.process import free_port, start, stats_by_officer
from tests.slack.conftest import BOT_TOKEN, SECRET, SLACK_CONFIG, card_message, progress, sign
from tests.slack.fake_slack import FakeSlack


async def post_signed(session: aiohttp.ClientSession, url: str, form: dict[str, str]) -> int:
    body = urlencode(form).encode()
    ts = int(time.time())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(ts),
               "X-Slack-Signature": sign(body, ts)}
    async with session.post(url, data=body, headers=headers) as response:
        return response.status


def click(user: str, delivery_id: str, trigger: str) -> dict[str, str]:
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T0FORCE"}, "trigger_id": trigger,
               "api_app_id": "A0SHIFT", "channel": {"id": "C0RESPA"},
               "container": {"type": "message", "channel_id": "C0RESPA", "message_ts": "1.0"},
               "actions": [{"action_id": "acknowledge", "block_id": "acknowledge", "type": "button",
                            "value": delivery_id, "action_ts": "1.0"}]}
    return {"payload": json.dumps(payload)}


async def test_shiftbrief_run_serves_slack_events_end_to_end(tmp_path: Path, fake: FakeSlack) -> None:
    (tmp_path / "shiftbrief.toml").write_text(without_due_nudges(SLACK_CONFIG), encoding="utf-8")
    port = free_port()
    process = await asyncio.to_thread(
        start, tmp_path, port, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url,
        SLACK_APP_TOKEN="",
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with aiohttp.ClientSession() as session:
            forged = {"command": "/brief", "text": "now", "user_id": "U0SGT", "channel_id": "C0RESPA"}
            async with session.post(url, data=urlencode(forged), headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64,
            }) as response:
                assert response.status == 401

            command = {"command": "/brief", "text": "now displacement", "user_id": "U0SGT", "channel_id": "C0RESPA",
                       "team_id": "T0FORCE", "trigger_id": "trig.run.1", "api_app_id": "A0SHIFT"}
            assert await post_signed(session, url, command) == 200
            # The sergeant's "Posted …" comes once the card is on record as posted; a click before then would
            # find it still mid-post (the card reaches Slack a moment before the bot hears back).
            await fake.wait_for(lambda: fake.private_to("U0SGT"))
            message = card_message(fake)
            delivery_id = message.metadata["event_payload"]["delivery"]

            assert await post_signed(session, url, click("U0PC1", delivery_id, "trig.run.2")) == 200
            assert await post_signed(session, url, click("U0PC1", delivery_id, "trig.run.3")) == 200  # double tap
            await fake.wait_for(lambda: len(fake.private_to("U0PC1")) == 2)
            await fake.wait_for(lambda: progress(card_message(fake)) == "Acknowledged by 1 of 2")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 20)

    acknowledged = await asyncio.to_thread(stats_by_officer, tmp_path)
    assert acknowledged == {"slack:U0PC1": 1, "slack:U0PC2": 0}  # the officers: the sergeant is not one
