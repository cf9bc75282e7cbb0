"""Slack when SLACK_BOT_TOKEN is not set: a stand-in whose every call says which variables to set."""

from __future__ import annotations

from typing import Any, NoReturn

from bot.config import Settings
from bot.core import Delivery
from bot.core.errors import PostFailed
from bot.core.platform import CardView


def missing_variables(settings: Settings) -> str:
    """What is missing for Slack, as a sentence naming the environment variables."""
    if settings.slack_app_token or settings.slack_signing_secret:
        return "SLACK_BOT_TOKEN is not set"
    return ("SLACK_BOT_TOKEN is not set, and neither is SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN "
            "(Socket Mode) for hearing clicks and commands")


class UnconfiguredSlack:
    """Registered as the `slack` platform when Slack is not set up, so a post to a `slack:` channel fails
    with the variables to set rather than a bare 'not connected'."""

    name = "slack"

    def __init__(self, settings: Settings) -> None:
        self.missing = missing_variables(settings)

    def why_not(self, channel: str) -> str:
        """Why `channel` cannot be reached: for the core to refuse before recording anything, if it asks."""
        return (f"Slack is not set up in this process, so {channel} cannot be reached: {self.missing}. "
                "Set the variables as docs/slack.md (step 4) describes.")

    def _refuse(self, channel: str) -> NoReturn:
        raise PostFailed(self.why_not(channel))

    async def members(self, channel: str) -> list[tuple[str, str]]:
        self._refuse(channel)

    async def is_member(self, channel: str, person_id: str) -> bool:
        """Slack cannot be asked: the refusal says what to configure (nothing is recorded)."""
        self._refuse(channel)

    async def post_card(self, view: CardView) -> dict[str, Any]:
        self._refuse(view.delivery.channel)

    async def update_card(self, view: CardView) -> None:
        self._refuse(view.delivery.channel)

    async def find_post(self, delivery: Delivery) -> dict[str, Any] | None:
        self._refuse(delivery.channel)

    async def send_direct(self, person_id: str, text: str) -> None:
        self._refuse(person_id)

    async def post_text(self, channel: str, text: str) -> None:
        self._refuse(channel)
