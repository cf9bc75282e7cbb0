"""The framework floor: a bare slack-bolt AsyncApp that only ack()s a button click, on bolt's own aiohttp server.

`python -m bench.floor --port P --api-url URL --secret S` serves POST /slack/events on 127.0.0.1 with bolt's
defaults (request signatures checked, `process_before_response=False`, auth.test once against `--api-url`),
and one listener: `ack()`. The click benchmark sends it the very requests it sends shiftbrief, so
"floor / ours" is what shiftbrief's own work on a click costs over the framework it is built on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

ACTION = "acknowledge"  # the action id of shiftbrief's Acknowledge button (bot.slack.render.ACKNOWLEDGE)


def build(api_url: str, secret: str, token: str) -> AsyncApp:
    app = AsyncApp(client=AsyncWebClient(token=token, base_url=api_url), signing_secret=secret,
                   logger=logging.getLogger("bench.floor"))

    async def acknowledge(ack: Any) -> None:
        await ack()

    app.action(ACTION)(acknowledge)
    return app


async def serve(app: AsyncApp, port: int) -> None:
    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"ready {port}", flush=True)
    await asyncio.Event().wait()  # until the benchmark ends the process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True, help="the Web API's base URL (the benchmark's stand-in)")
    parser.add_argument("--secret", required=True, help="the signing secret the requests are signed with")
    parser.add_argument("--token", default="xoxb-bench")
    args = parser.parse_args(argv)
    logging.getLogger("bench.floor").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(build(args.api_url, args.secret, args.token), args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
