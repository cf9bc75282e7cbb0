"""The local 'platform': channels are `local:<name>` and the database is the channel history."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.core import CardView, Delivery

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


class LocalPlatform:
    name = "local"

    def __init__(self, core: Core) -> None:
        self.core = core

    async def members(self, channel: str) -> list[tuple[str, str]]:
        """A local team's configured sergeants and members."""
        team = self.core.team_for_channel(channel)
        if team is None:
            return []
        people = dict.fromkeys((*team.sergeants, *team.members))
        return [(pid, await self.core.name_of(pid)) for pid in people]

    async def post_card(self, view: CardView) -> dict[str, Any]:
        return {"local": view.delivery.id}

    async def update_card(self, view: CardView) -> None:
        return None  # the page reads the count from the database each time

    async def find_post(self, delivery: Delivery) -> dict[str, Any] | None:
        return {"local": delivery.id}  # a local post is the database row itself

    async def send_direct(self, person_id: str, text: str) -> None:
        log.info("local nudge for %s: %s", person_id, text)  # the page shows nudges from the database

    async def post_text(self, channel: str, text: str) -> None:
        log.info("local message to %s: %s", channel, text)
