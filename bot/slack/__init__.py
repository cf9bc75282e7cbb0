"""Slack: bolt listeners, Block Kit rendering, and the Socket Mode / HTTP wiring.

Parsing and rendering only: every decision about officers, cards or roles is the core's. Imports
`bot.core`, `bot.config` and the Slack SDKs; nothing else in `bot/` imports slack_bolt or slack_sdk.
"""

from bot.slack.platform import SlackPlatform, slack_client

__all__ = ["SlackPlatform", "slack_client"]
