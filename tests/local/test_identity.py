"""Names typed into the workspace's join form (review bug 8): letters of any language, accents, apostrophes and
hyphens are a name; control characters and markup are refused with a line saying what a name may hold; every
name kept gets a safe local id."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.config import PERSON_ID
from bot.local.identity import LOCAL_ID, MAX_NAME, NAME_RULE, BadName, local_id, typed_name


@pytest.mark.parametrize(("typed", "kept", "person"), [
    ("PC Siân Jones", "PC Siân Jones", "local:pc-sian-jones"),
    ("PC Zoë Smith", "PC Zoë Smith", "local:pc-zoe-smith"),
    ("Sgt O'Neill", "Sgt O'Neill", "local:sgt-oneill"),
    ("PC Anne-Marie d\u2019Arcy", "PC Anne-Marie d\u2019Arcy", "local:pc-anne-marie-darcy"),
    ("PCSO Łukasz Wójcik", "PCSO Łukasz Wójcik", "local:pcso-lukasz-wojcik"),
    ("  PC   Siân  ", "PC Siân", "local:pc-sian"),
    ("PC Sia\u0302n", "PC Siân", "local:pc-sian"),  # typed with a combining accent: kept composed
])
def test_names_with_accents_and_apostrophes_are_kept_with_a_safe_id(typed: str, kept: str, person: str) -> None:
    assert typed_name(typed) == kept
    assert local_id(kept) == person


def test_a_name_in_another_script_gets_an_id_of_its_own() -> None:
    name = typed_name("Дмитрий Иванов")
    assert LOCAL_ID.match(local_id(name)) and local_id(name).startswith("local:officer-")
    assert local_id(name) == local_id("Дмитрий Иванов") != local_id("Дмитрий Петров")


@pytest.mark.parametrize("typed", [
    "<script>alert(1)</script>", "PC <b>Bold</b>", "Tom & Jerry", 'PC "Quote"', "PC\x00Nul", "PC\tTab",
    "PC\nNewline", "PC \u202eevil", "PC Zero\u200bWidth", "7 of Nine", "-Dash first", "'Quote first",
    "x" * (MAX_NAME + 1), "PC\u00a0Smith",
], ids=["script", "bold", "ampersand", "quotes", "nul", "tab", "newline", "bidi-override", "zero-width",
        "digit", "hyphen-first", "apostrophe-first", "too-long", "no-break-space"])
def test_markup_control_characters_and_odd_starts_are_refused_saying_what_a_name_may_hold(typed: str) -> None:
    with pytest.raises(BadName) as refused:
        typed_name(typed)
    assert str(refused.value) == NAME_RULE


def test_an_empty_name_asks_for_one() -> None:
    with pytest.raises(BadName, match="Type a name"):
        typed_name("   ")


@given(st.text(max_size=60))
@example("Siân")
@example("O'Neill")
@example("\u0301")
@example("ǅ")
@example("ß" * 40)
def test_any_text_is_either_a_name_with_a_valid_id_or_a_clear_refusal(text: str) -> None:
    try:
        name = typed_name(text)
    except BadName as refused:
        assert str(refused) in (NAME_RULE, "Type a name to join as an officer.")
        return
    assert 1 <= len(name) <= MAX_NAME
    assert not any(ch in name for ch in "<>&\"`=/\\")
    assert not any(unicodedata.category(ch)[0] in "CN" for ch in name)
    person = local_id(name)
    assert PERSON_ID.match(person) and LOCAL_ID.match(person), (text, name, person)
