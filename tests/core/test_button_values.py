"""What a button or a typed answer sends back is accepted in one form only: a check answer is a whole number
from 1 to the number of options, an answer's id is a number; anything else is refused as invalid input,
never an error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core import Actor, Core, InvalidInput, Refused
from bot.core.acknowledgements import _choice

ANYTHING = st.one_of(
    st.text(), st.integers(), st.booleans(), st.none(), st.floats(), st.binary(),
    st.from_regex(r"\A\s*[0-9]{1,14}\s*\Z"), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
OPTIONS = st.integers(min_value=2, max_value=6)


def digits(raw: object) -> str | None:
    """The ASCII digits a value stands for, as a button would send them, else None."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None
    text = str(raw).strip()
    return text if text and text.isascii() and text.isdigit() else None


@given(ANYTHING, OPTIONS)
@example("2", 4)
@example(" 3 ", 4)
@example("03", 4)
@example(True, 4)
@example(2.0, 4)
@example("\uff12", 4)  # a full-width 2
@example("0", 4)
@example("5", 4)
@example("-1", 4)
@example("1e0", 4)
def test_a_check_answer_is_a_number_from_1_to_the_options_or_refused(raw: object, options: int) -> None:
    text = digits(raw)
    try:
        choice = _choice(raw, options)
    except InvalidInput:
        assert text is None or len(text) > 3 or not 1 <= int(text) <= options
        return
    assert text is not None and 1 <= choice <= options and choice == int(text)


@pytest.mark.parametrize("options", [2, 4])
def test_every_option_is_accepted_as_a_number_and_as_text(options: int) -> None:
    for n in range(1, options + 1):
        assert _choice(n, options) == _choice(str(n), options) == n


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=60)
@given(raw=ANYTHING)
@example(raw="12")
@example(raw=12)
@example(raw="999999999999")
@example(raw="9999999999999")
@example(raw=" 7")
@example(raw=True)
@example(raw=-3)
def test_rating_an_answer_names_it_by_a_number_or_is_refused_as_invalid(core: Core, raw: Any) -> None:
    officer = Actor("local:pc-1", "PC One")
    text = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    well_formed = text.isascii() and text.isdigit() and len(text) <= 12
    try:
        asyncio.run(core.rate_answer(officer, raw, True))
    except InvalidInput:
        assert not well_formed
    except Refused:  # a number, but no question of theirs by it: nothing was asked yet
        assert well_formed
    else:
        raise AssertionError(f"{raw!r} rated a question that was never asked")
