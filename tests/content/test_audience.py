"""A card is for officers (the default), sergeants or leaders; anything else is refused naming the file and
the field. The pack gives each audience its own track, topic by topic in teaching order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import AUDIENCES as CONFIG_AUDIENCES
from content import ContentError, load_pack
from content.audiences import AUDIENCES
from content.model import Card, Pack
from content.topics import TOPICS
from tests.content.conftest import card_fields, write_card


def for_audience(card: Card, audience: str, suffix: str | None = None) -> Card:
    """A copy of a real card in another audience's track."""
    return dataclasses.replace(card, id=f"{card.id}-{suffix or audience}", audience=audience)


def test_a_card_without_an_audience_is_for_officers(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields())
    assert load_pack(tmp_path).cards[0].audience == "officers"


@pytest.mark.parametrize("audience", ["officers", "sergeants", "leaders"])
def test_a_card_for_each_audience_loads(tmp_path: Path, audience: str) -> None:
    write_card(tmp_path, card_fields(audience=audience))
    assert load_pack(tmp_path).cards[0].audience == audience


@pytest.mark.parametrize("audience", ["Sergeants", "inspectors", "", 3, ["sergeants"], True])
def test_any_other_audience_is_refused_naming_file_and_field(tmp_path: Path, audience: object) -> None:
    path = write_card(tmp_path, card_fields(audience=audience))
    with pytest.raises(ContentError) as caught:
        load_pack(tmp_path)
    [problem] = caught.value.problems
    assert problem.path == str(path) and problem.field == "audience"
    assert "is not an audience; expected one of officers, sergeants, leaders" in problem.reason


def test_the_configuration_and_the_cards_name_the_same_audiences() -> None:
    assert tuple(AUDIENCES) == CONFIG_AUDIENCES


def test_each_audience_has_its_own_cards_and_topics(pack: Pack) -> None:
    officers = Pack(pack.for_audience("officers"))  # the officers' track alone, to add the others' cards to
    displacement = officers.by_topic("displacement")[0]
    evidence = officers.by_topic("evidence")[0]
    mixed = Pack((*officers.cards, for_audience(evidence, "sergeants"), for_audience(displacement, "sergeants"),
                  for_audience(evidence, "leaders")))
    assert [c.id for c in mixed.for_audience("sergeants")] == [f"{evidence.id}-sergeants",
                                                                f"{displacement.id}-sergeants"]
    assert mixed.topics_for("sergeants") == ["evidence", "displacement"]  # teaching order, not pack order
    assert mixed.topics_for("leaders") == ["evidence"]
    assert [c.id for c in mixed.by_topic("evidence", "leaders")] == [f"{evidence.id}-leaders"]
    assert all(c.audience == "officers" for c in mixed.by_topic("evidence", "officers"))
    assert len(mixed.by_topic("evidence")) == len(officers.by_topic("evidence")) + 2  # no audience: every card


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_the_shipped_pack_gives_each_audience_exactly_its_own_cards_in_teaching_order(
    pack: Pack, audience: str
) -> None:
    track = pack.for_audience(audience)
    assert track and [c.id for c in track] == [c.id for c in pack.cards if c.audience == audience]
    assert pack.topics_for(audience) == [t for t in TOPICS if any(c.topic == t for c in track)]
    for topic in pack.topics_for(audience):
        assert pack.by_topic(topic, audience) == sorted((c for c in track if c.topic == topic), key=lambda c: c.id)


def test_every_shipped_card_has_a_known_audience_and_officers_have_a_track(pack: Pack) -> None:
    assert {c.audience for c in pack.cards} <= set(AUDIENCES)
    assert pack.for_audience("officers")
