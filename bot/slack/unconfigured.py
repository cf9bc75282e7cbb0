"""Slack when SLACK_BOT_TOKEN is not set: a stand-in whose every call says which variables to set."""

from __future__ import annotations

from bot.config import Settings
from bot.core.platform import Unconfigured


def missing_variables(settings: Settings) -> str:
    """What is missing for Slack, as a sentence naming the environment variables."""
    if settings.slack_app_token or settings.slack_signing_secret:
        return "SLACK_BOT_TOKEN is not set"
    return ("SLACK_BOT_TOKEN is not set, and neither is SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN "
            "(Socket Mode) for hearing clicks and commands")


class UnconfiguredSlack(Unconfigured):
    """Registered as the `slack` platform when Slack is not set up, so a post to a `slack:` channel fails
    with the variables to set rather than a bare 'not connected'."""

    name = "slack"

    def __init__(self, settings: Settings) -> None:
        self.missing = missing_variables(settings)

    def why_not(self, channel: str) -> str:
        """Why `channel` cannot be reached: for the core to refuse before recording anything, if it asks."""
        return (f"Slack is not set up in this process, so {channel} cannot be reached: {self.missing}. "
                "Set the variables as docs/slack.md (step 4) describes.")
