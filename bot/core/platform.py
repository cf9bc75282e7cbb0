"""What the core needs from a chat platform. Slack, Teams and the local workspace each provide one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn, Protocol, runtime_checkable

from bot.config import Team
from bot.core.errors import PostFailed
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

    Text the core hands a platform (`send_direct`, `post_text`) is *plain text*: it may hold what an officer
    typed, a person's name or a card's title, none of it trusted. Each platform shows it exactly as written:
    Slack escapes its control characters (`&`, `<`, `>`, so `<!channel>` or `<url|words>` is shown, never
    acted on), Teams neutralises Markdown and HTML. Messages a platform renders itself (its own mrkdwn or
    Markdown) go through its own, separately named methods, never these.

    A stand-in for a platform that is not set up (`Unconfigured`) offers `why_not(channel) -> str` too,
    saying what to configure; the core then refuses posts there before recording anything.

    A platform may offer `is_member(channel, person_id) -> bool` (see `Membership`): whether the person
    belongs to the channel now, for deciding whose acknowledgement counts. One that does not is treated as
    answering "no": only a team's configured people and the delivery's recorded recipients then count.
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
        """A private message to one person. `text` is plain text, shown as written (never markup)."""
        ...

    async def post_text(self, channel: str, text: str) -> None:
        """A message to a channel (e.g. unanswered questions to coordinators). `text` is plain text, shown
        as written: no mention, link or formatting in it takes effect."""
        ...


@runtime_checkable
class Membership(Protocol):
    """What a platform offers, optionally, so the core can tell whose click counts."""

    async def is_member(self, channel: str, person_id: str) -> bool:
        """True if `person_id` (platform-prefixed) belongs to `channel` now: for Slack a member of the
        channel, for Teams on the team's roster, locally a configured member or sergeant. May be cached
        briefly; raises if the platform cannot tell just now."""
        ...


class Unconfigured:
    """The stand-in registered for a platform this process is not set up for: every call raises PostFailed
    saying what to configure (`why_not`, which each platform's subclass words), so nothing is recorded and
    nobody is told a bare 'not connected'. The core asks `why_not` before it records a post."""

    name: str

    def why_not(self, channel: str) -> str:
        raise NotImplementedError

    def _refuse(self, channel: str) -> NoReturn:
        raise PostFailed(self.why_not(channel))

    async def members(self, channel: str) -> list[tuple[str, str]]:
        self._refuse(channel)

    async def is_member(self, channel: str, person_id: str) -> bool:
        """The platform cannot be asked: the refusal says what to configure."""
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
