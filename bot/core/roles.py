"""Who someone is to the bot: officer, sergeant (of some teams) or coordinator, from configuration."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.config import PERSON_ID, Config, Team
from bot.core.errors import InvalidInput, Refused


class Role(enum.Enum):
    OFFICER = "officer"
    SERGEANT = "sergeant"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Actor:
    """A person acting through a platform (`slack:U…`, `teams:<aad>`, `local:<name>`), or the system."""

    id: str
    name: str = ""

    @property
    def is_system(self) -> bool:
        return self.id.startswith("system:")

    @property
    def platform(self) -> str:
        return self.id.split(":", 1)[0]

    @classmethod
    def person(cls, person_id: str, name: str = "") -> Actor:
        if not isinstance(person_id, str) or not PERSON_ID.match(person_id):
            raise InvalidInput(f"{person_id!r} is not a platform-prefixed person id")
        clean = " ".join(name.split())[:80] if isinstance(name, str) else ""
        return cls(person_id, clean or person_id.split(":", 1)[1])


SYSTEM = Actor("system:shiftbrief", "shiftbrief")
CLI = Actor("system:cli", "command line")


def role_of(config: Config, actor: Actor) -> Role:
    if actor.is_system or actor.id in config.coordinators:
        return Role.COORDINATOR
    if any(actor.id in team.sergeants for team in config.teams):
        return Role.SERGEANT
    return Role.OFFICER


def teams_led_by(config: Config, actor: Actor) -> list[Team]:
    """The teams whose sergeant-level views this person may see: all for coordinators."""
    if role_of(config, actor) is Role.COORDINATOR:
        return list(config.teams)
    return [t for t in config.teams if actor.id in t.sergeants]


def require_lead(config: Config, actor: Actor, team: Team, doing: str) -> None:
    """Allow a team's sergeants and the coordinators; refuse everyone else, saying why."""
    if role_of(config, actor) is Role.COORDINATOR or actor.id in team.sergeants:
        return
    if role_of(config, actor) is Role.SERGEANT:
        raise Refused(f"Only {team.name}'s sergeants or a coordinator can {doing}; you are not a sergeant of {team.name}.")
    raise Refused(f"Only a team's sergeants or a coordinator can {doing}. Ask your sergeant if the team needs it.")


def receives(config: Config, team: Team, person_id: str) -> bool:
    """Whether a person is one of the people a team's cards are for, counted in "N of M", listed as not
    acknowledged and nudged. Coordinators and the team's own sergeants lead it, so they are not; on an
    officers' team no sergeant is (sergeants have their own track, a team with `audience = "sergeants"`)."""
    if person_id in config.coordinators or person_id in team.sergeants:
        return False
    return not (team.audience == "officers" and any(person_id in t.sergeants for t in config.teams))
