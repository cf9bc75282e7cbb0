"""What the core needs from a chat platform. Slack, Teams and the local workspace each provide one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.config import Team
from bot.store import Delivery
from content.model import Card


@dataclass(frozen=True)
class CardView:
    """Everything a platform needs to render one delivery of a card."""

    delivery: Delivery
    card: Card
    team: Team
    acknowledged: int
    recipients: int

    @property
    def progress(self) -> str:
        return f"Acknowledged by {self.acknowledged} of {self.recipients}"


class Platform(Protocol):
    """A chat platform, seen from the core. `name` is the prefix of its ids: slack, teams or local.

    A stand-in for a platform that is not set up may instead offer `why_not(channel) -> str`, saying what
    to configure; the core then refuses posts there before recording anything.
    """

    name: str

    async def members(self, channel: str) -> list[tuple[str, str]]:
        """The channel's human members now, as (platform-prefixed id, display name)."""
        ...

    async def post_card(self, view: CardView) -> dict[str, Any]:
        """Post a new card; return the platform's reference to the message (kept to update it)."""
        ...

    async def update_card(self, view: CardView) -> None:
        """Bring the posted card's 'Acknowledged by N of M' up to date (may coalesce)."""
        ...

    async def find_post(self, delivery: Delivery) -> dict[str, Any] | None:
        """After a crash mid-post: the message reference if this delivery did reach the channel, None if it
        did not, and PostStateUnknown (bot.core.errors) if the platform cannot tell."""
        ...

    async def send_direct(self, person_id: str, text: str) -> None:
        """A private message to one person."""
        ...

    async def post_text(self, channel: str, text: str) -> None:
        """A plain message to a channel (e.g. unanswered questions to coordinators)."""
        ...
