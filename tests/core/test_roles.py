"""Who someone is to the bot (officer, sergeant of some teams, coordinator), from the configuration alone,
and what they are told when they may not do something."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Config
from bot.core import CLI, SYSTEM, Actor, InvalidInput, Refused, Role
from bot.core.roles import require_lead, role_of, teams_led_by

COORD = Actor("local:coord", "Insp. Coord")
SGT_A = Actor("local:sgt-a", "Sgt A")
SGT_B = Actor("local:sgt-b", "Sgt B")
PC1 = Actor("local:pc-1", "PC One")


def test_roles_come_from_the_configuration(config: Config) -> None:
    assert role_of(config, COORD) is Role.COORDINATOR
    assert role_of(config, Actor("slack:U0COORD")) is Role.COORDINATOR
    assert role_of(config, SGT_B) is Role.SERGEANT
    assert role_of(config, PC1) is Role.OFFICER
    assert role_of(config, Actor("slack:U0SOMEONE")) is Role.OFFICER  # anyone not named is an officer


def test_the_system_and_the_command_line_act_as_coordinators(config: Config) -> None:
    assert SYSTEM.is_system and CLI.is_system and not COORD.is_system
    assert role_of(config, SYSTEM) is Role.COORDINATOR and role_of(config, CLI) is Role.COORDINATOR


def test_a_coordinator_leads_every_team_a_sergeant_their_own_an_officer_none(config: Config) -> None:
    assert [t.id for t in teams_led_by(config, COORD)] == ["response-a", "response-b"]
    assert [t.id for t in teams_led_by(config, SGT_B)] == ["response-b"]
    assert teams_led_by(config, PC1) == []


def test_a_teams_sergeant_and_a_coordinator_may_lead_it(config: Config) -> None:
    team = config.teams[0]
    require_lead(config, SGT_A, team, "nudge the team")
    require_lead(config, COORD, team, "nudge the team")
    require_lead(config, CLI, team, "nudge the team")


def test_a_sergeant_of_another_team_is_told_whose_team_it_is(config: Config) -> None:
    with pytest.raises(Refused) as refused:
        require_lead(config, SGT_B, config.teams[0], "nudge the team")
    assert str(refused.value) == (
        "Only Response Team A's sergeants or a coordinator can nudge the team; you are not a sergeant of Response Team A."
    )


def test_an_officer_is_told_who_can_and_to_ask_their_sergeant(config: Config) -> None:
    with pytest.raises(Refused) as refused:
        require_lead(config, PC1, config.teams[0], "post a briefing to this team")
    assert str(refused.value) == (
        "Only a team's sergeants or a coordinator can post a briefing to this team. Ask your sergeant if the team needs it."
    )


@pytest.mark.parametrize("person_id", ["slack:U0123", "teams:00000000-aaaa-bbbb", "local:pc-1", "teams:29:1a@b.c"])
def test_a_platform_prefixed_id_is_a_person(person_id: str) -> None:
    actor = Actor.person(person_id, "PC One")
    assert (actor.id, actor.name, actor.platform) == (person_id, "PC One", person_id.split(":", 1)[0])


@pytest.mark.parametrize(
    "person_id", ["", "U0123", "slack:", "irc:nick", "system:shiftbrief", "slack: U1", "slack:U 1", "slack:" + "x" * 129],
)
def test_anything_else_is_refused_as_a_person(person_id: str) -> None:
    with pytest.raises(InvalidInput, match="not a platform-prefixed person id"):
        Actor.person(person_id)


def test_a_persons_name_is_tidied_and_falls_back_to_their_id() -> None:
    assert Actor.person("slack:U1", "  PC   Ahmed \n").name == "PC Ahmed"
    assert Actor.person("slack:U1", "A" * 200).name == "A" * 80
    assert Actor.person("slack:U1", "   ").name == "U1"
    assert Actor.person("slack:U1").name == "U1"


@given(st.one_of(st.text(), st.from_regex(r"\A(slack|teams|local|system):\S{0,130}\Z"), st.integers(), st.none()),
       st.one_of(st.text(), st.none(), st.integers()))
def test_any_id_and_name_a_platform_sends_is_a_person_or_refused_never_an_error(person_id: Any, name: Any) -> None:
    try:
        actor = Actor.person(person_id, name)  # platforms hand over whatever arrived
    except InvalidInput:
        return
    assert actor.id == person_id and actor.platform in ("slack", "teams", "local") and 1 <= len(actor.name) <= 80


def test_an_id_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Actor.person("slack:U1\n")
