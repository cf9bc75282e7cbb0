"""One stable name per officer: the first name seen is kept, not whatever each message says, and the
configured name wins over both."""

from __future__ import annotations

import dataclasses

import pytest

from tests.records import records
from tests.teams.conftest import PC1, Teams, sergeant_briefs
from tests.teams.fake_connector import Member


async def test_an_officers_name_does_not_change_with_every_message(teams: Teams) -> None:
    await sergeant_briefs(teams)  # the roster names PC1 "PC Ahmed"
    renamed = Member(PC1.user_id, PC1.aad, "Ahmed, Sam (Northshire Police)")

    await teams.send(teams.personal_message(renamed, "me"))
    await teams.send(teams.channel_message(renamed, "help"))

    assert records(teams.core).person_name(f"teams:{PC1.aad}") == "PC Ahmed"
    reference = records(teams.core).reference(f"teams:person:{PC1.aad}")
    assert reference is not None and reference["name"] == "PC Ahmed"


async def test_a_name_first_seen_in_a_message_is_kept_and_the_configured_name_wins(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "why fifteen minutes?"
    await teams.send(teams.personal_message(Member("29:new", "aad-new", "PC New"), question))
    await teams.send(teams.personal_message(Member("29:new", "aad-new", "New, P."), question))
    assert records(teams.core).person_name("teams:aad-new") == "PC New"

    config = dataclasses.replace(teams.core.config, people={"teams:aad-new": "PC Newton"})
    monkeypatch.setattr(teams.core, "config", config)
    await teams.send(teams.personal_message(Member("29:new", "aad-new", "Someone else"), question))
    assert records(teams.core).person_name("teams:aad-new") == "PC Newton"
