"""Questions officers asked: kept with what the bot answered, rated only by whoever asked."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Store
from tests.store.conftest import NOW


def ask(store: Store, text: str, *, by: str | None = "local:pc-1", answered: bool = True, minutes: int = 0) -> int:
    return store.record_question(
        asked_by=by, asker_name="PC One" if by else None, via="local", text=text, answered=answered,
        card_id="displacement-jersey-city" if answered else None, topic="displacement" if answered else None,
        score=0.8 if answered else 0.1, now=NOW + timedelta(minutes=minutes),
    )


def test_a_question_is_kept_with_the_answer_and_the_askers_name(store: Store) -> None:
    first = ask(store, "won't they just move round the corner?")
    second = ask(store, "what is on the canteen menu?", answered=False, minutes=1)
    assert second > first > 0
    [newest, oldest] = store.questions()
    assert newest["id"] == second and newest["answered"] == 0 and newest["card_id"] is None
    assert oldest["text"] == "won't they just move round the corner?" and oldest["topic"] == "displacement"
    assert oldest["helpful"] is None
    assert store.person_name("local:pc-1") == "PC One"


def test_a_long_question_is_kept_to_2000_characters_and_a_system_question_names_nobody(store: Store) -> None:
    ask(store, "why " * 1000, by=None)
    [kept] = store.questions()
    assert len(kept["text"]) == 2000
    assert store.person_names(["system:cli"]) == {}


def test_only_the_asker_can_rate_an_answer(store: Store) -> None:
    question = ask(store, "why fifteen minutes?")
    assert not store.set_helpful(question, "local:pc-2", True)
    assert not store.set_helpful(question + 1, "local:pc-1", True)  # no such question
    assert store.set_helpful(question, "local:pc-1", False)
    assert store.questions()[0]["helpful"] == 0


def test_the_content_gap_list_is_unanswered_questions_and_answers_rated_unhelpful(store: Store) -> None:
    unanswered = ask(store, "canteen?", answered=False)
    unhelpful = ask(store, "corner?", minutes=1)
    helpful = ask(store, "fifteen?", minutes=2)
    ask(store, "unrated", minutes=3)
    store.set_helpful(unhelpful, "local:pc-1", False)
    store.set_helpful(helpful, "local:pc-1", True)
    assert [q["id"] for q in store.questions(unanswered_only=True)] == [unhelpful, unanswered]
    assert len(store.questions(limit=2)) == 2


def test_an_off_topic_question_is_counted_but_is_no_content_gap(store: Store) -> None:
    near = ask(store, "does it work in a village?", answered=False)
    off = store.record_question(asked_by="local:pc-1", asker_name="PC One", via="local", text="who won the football?",
                                answered=False, card_id=None, topic=None, score=0.0, now=NOW + timedelta(minutes=1),
                                off_topic=True)
    assert [(q["id"], q["off_topic"]) for q in store.questions()] == [(off, 1), (near, 0)]  # both on record
    assert [q["id"] for q in store.questions(unanswered_only=True)] == [near]
    assert [g["text"] for g in store.content_gaps(10)["unanswered"]] == ["does it work in a village?"]
