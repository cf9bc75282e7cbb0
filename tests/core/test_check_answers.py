"""The reply to a check answer: a second, different answer never opens with "Right." when it was wrong,
and always says the first answer is the one kept."""

from __future__ import annotations

import pytest

from bot.core import Actor, Core

SGT = Actor("local:sgt-a", "Sgt A")
PC1 = Actor("local:pc-1", "PC One")


def a_wrong_choice(answer: int, options: int) -> int:
    return 1 + (answer % options)


async def test_a_second_different_wrong_answer_after_a_right_one_does_not_say_right(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    check = view.card.check
    right = check.options[check.answer - 1]
    first = await core.answer_check(PC1, view.delivery.id, check.answer)
    assert first.message.startswith("Right.")
    again = await core.answer_check(PC1, view.delivery.id, a_wrong_choice(check.answer, len(check.options)))
    assert not again.message.startswith("Right.")
    assert "your first answer (right) is the one kept" in again.message
    assert f"That one is not right: the answer is \u201c{right}\u201d" in again.message


async def test_a_second_right_answer_after_a_wrong_one_keeps_the_wrong_one_and_says_so(core: Core) -> None:
    view = await core.post_briefing(SGT, "response-a")
    check = view.card.check
    await core.answer_check(PC1, view.delivery.id, a_wrong_choice(check.answer, len(check.options)))
    again = await core.answer_check(PC1, view.delivery.id, check.answer)
    assert not again.correct  # the first answer is the one counted
    assert "your first answer (not right) is the one kept. That one is right." in again.message


@pytest.mark.parametrize("right_first", [True, False])
async def test_the_same_answer_twice_is_answered_as_before_with_the_note(core: Core, right_first: bool) -> None:
    view = await core.post_briefing(SGT, "response-a")
    check = view.card.check
    choice = check.answer if right_first else a_wrong_choice(check.answer, len(check.options))
    await core.answer_check(PC1, view.delivery.id, choice)
    again = await core.answer_check(PC1, view.delivery.id, choice)
    assert again.message.startswith("Right." if right_first else "Not quite")
    assert again.message.endswith("(You had already answered this one; your first answer is the one kept.)")
