"""An in-memory chat platform for the core's tests: it records everything the core sends.

The idea of Errbot's test backend (errbot/backends/test.py): the core talks to it exactly as it talks to
Slack, Teams or the local workspace (it implements `bot.core.Platform`, and `is_member`), and a test asserts on what
arrived: cards posted, card updates, private messages and channel texts, in order. A few knobs make a
channel or a person unreachable, or decide what the platform says after a crash mid-post.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

from bot.config import Config
from bot.core import CardView, Delivery, PostStateUnknown


class Text(NamedTuple):
    """A plain message to a channel, or a private message to a person (`to` is then their id)."""

    to: str
    text: str


class RecordingPlatform:
    """A `bot.core.Platform` that keeps what it is sent. `name` is the prefix of the channels it serves.

    `rosters` says who is in each channel (platform-prefixed id, display name); `for_config` fills it
    from a configuration's sergeants and members, as the local workspace does.
    """

    def __init__(self, name: str = "local", rosters: dict[str, list[tuple[str, str]]] | None = None) -> None:
        self.name = name
        self.rosters: dict[str, list[tuple[str, str]]] = dict(rosters or {})
        self.posts: list[CardView] = []  # every card that reached its channel
        self.updates: list[CardView] = []  # every 'Acknowledged by N of M' update
        self.direct: list[Text] = []  # private messages (nudges, reminders), to a person
        self.texts: list[Text] = []  # plain messages to a channel (forwarded questions)
        self.lookups: list[str] = []  # delivery ids the core asked `find_post` about after a crash
        self.membership_checks: list[tuple[str, str]] = []  # (channel, person) the core asked `is_member` about
        self.failing: dict[str, Exception] = {}  # channel or person id -> what posting there raises
        self.in_channel: dict[str, dict[str, Any]] = {}  # delivery id -> message reference, for find_post
        self.cannot_tell = False  # find_post raises PostStateUnknown
        self._refs = itertools.count(1)

    @classmethod
    def for_config(cls, config: Config, name: str = "local") -> RecordingPlatform:
        """Each team's channel holds its sergeants and members, named as the configuration names them."""
        rosters = {
            team.channel: [(pid, config.display_name(pid)) for pid in dict.fromkeys((*team.sergeants, *team.members))]
            for team in config.teams
            if team.platform == name
        }
        return cls(name, rosters)

    # -- knobs -----------------------------------------------------------------------------------
    def fail(self, where: str, error: Exception | None = None) -> None:
        """From now on, posting to channel `where` (a card or a text), or a private message to person
        `where`, raises `error` (by default what Slack says of a channel it cannot find)."""
        self.failing[where] = error or ConnectionError("channel_not_found")

    def restore(self, where: str) -> None:
        """`where` can be reached again."""
        self.failing.pop(where, None)

    def arrived(self, delivery: Delivery) -> dict[str, Any]:
        """Say that this delivery's card reached its channel although the core never heard back (a crash
        between the platform taking the post and answering): `find_post` then finds it."""
        reference = self._reference(delivery.channel)
        self.in_channel[delivery.id] = reference
        return reference

    # -- what was sent ---------------------------------------------------------------------------
    def cards_in(self, channel: str) -> list[CardView]:
        return [view for view in self.posts if view.delivery.channel == channel]

    def direct_to(self, person_id: str) -> list[str]:
        return [message.text for message in self.direct if message.to == person_id]

    def people_messaged(self) -> list[str]:
        """Everyone sent a private message, sorted, once each."""
        return sorted({message.to for message in self.direct})

    # -- the Platform protocol -------------------------------------------------------------------
    async def members(self, channel: str) -> list[tuple[str, str]]:
        return list(self.rosters.get(channel, []))

    async def is_member(self, channel: str, person_id: str) -> bool:
        """In the channel's roster now (`rosters`, which a test may change after a post)."""
        self.membership_checks.append((channel, person_id))
        return any(pid == person_id for pid, _name in self.rosters.get(channel, []))

    async def post_card(self, view: CardView) -> dict[str, Any]:
        self._refuse(view.delivery.channel)
        reference = self._reference(view.delivery.channel)
        self.posts.append(view)
        self.in_channel[view.delivery.id] = reference
        return reference

    async def update_card(self, view: CardView) -> None:
        self._refuse(view.delivery.channel)
        self.updates.append(view)

    async def find_post(self, delivery: Delivery) -> dict[str, Any] | None:
        self.lookups.append(delivery.id)
        if self.cannot_tell:
            raise PostStateUnknown(f"{self.name} cannot look up earlier posts")
        return self.in_channel.get(delivery.id)

    async def send_direct(self, person_id: str, text: str) -> None:
        self._refuse(person_id)
        self.direct.append(Text(person_id, text))

    async def post_text(self, channel: str, text: str) -> None:
        self._refuse(channel)
        self.texts.append(Text(channel, text))

    # -- inside ----------------------------------------------------------------------------------
    def _refuse(self, where: str) -> None:
        error = self.failing.get(where)
        if error is not None:
            raise error

    def _reference(self, channel: str) -> dict[str, Any]:
        return {"channel": channel, "message": next(self._refs)}

