"""Requests Slack did not sign: a bad or non-numeric timestamp is a 401 like a bad signature, and is logged
as one reason, never with the request's body (officers' ids and words)."""

from __future__ import annotations

import logging
import time

import pytest

from tests.slack.conftest import Bot, sign
from tests.slack.fake_slack import FakeSlack


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])


async def test_a_non_numeric_timestamp_is_refused_like_a_bad_signature(
    bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"command=%2Fbrief&text=now&user_id=U0SGT&channel_id=C0RESPA&trigger_id=t1"
    for stamp in ("abc", "", "1e9", "-5", "\u0661\u0662"):
        response = await bot.client.post("/slack/events", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, int(time.time())),
        })
        assert response.status == 401, stamp
    await bot.drain()
    assert fake.called("chat.postMessage") == []
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


async def test_a_forged_request_is_logged_as_one_reason_without_its_body(
    bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"command=%2Fbrief&text=ask+about+my+neighbour&user_id=U0PRIVATE&channel_id=C0RESPA&trigger_id=t1"
    now = int(time.time())
    assert await bot.send(body, "application/x-www-form-urlencoded", signature=sign(body, now, "wrong")) == 401
    assert await bot.send(body, "application/x-www-form-urlencoded", timestamp=now - 3600,
                          signature=sign(body, now - 3600)) == 401
    logged = everything_logged(caplog)
    assert "U0PRIVATE" not in logged and "neighbour" not in logged
    reasons = [r.getMessage() for r in caplog.records if r.name == "bot.slack.transport"]
    assert len(reasons) == 2 and "does not match SLACK_SIGNING_SECRET" in reasons[0] and "old" in reasons[1]
    assert all(logging.getLogger(n).getEffectiveLevel() >= logging.WARNING for n in ("slack_bolt", "slack_sdk"))
