"""Answers that know their limits (issue 12 item 6): the bot refuses other policing subjects, HR and admin,
chit-chat and the other meanings of "hot spot", and tells a question near the topics (a content gap, passed
on to the coordinators) from one plainly about something else (not passed on). Wordings here are new, not
copies of the example questions, so they show the answerer generalising, not remembering."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.model import MAX_QUESTION, Pack
from content.search import THRESHOLD, Index, near_topic

REFUSED = {
    "county lines and exploitation": [
        "is this address being used for county lines",
        "who do I tell about a child being criminally exploited",
    ],
    "stop and search powers and procedure": [
        "what goes in the grounds box on a search record",
        "do I have to give a receipt after a stop and search",
    ],
    "custody and detention": [
        "how long can a prisoner stay in custody before charge",
        "who reviews detention at the custody desk",
    ],
    "domestic abuse risk assessment": ["how do I fill in a DASH form", "when does a domestic go to MARAC"],
    "mental health powers": ["can I use s136 at a train station", "how long does a section 136 last"],
    "rest days, leave and shift swaps": [
        "can i swap my rest day for a late", "how many days annual leave do I get", "who do i ask to swap shifts next week",
    ],
    "pay and overtime": ["when is pay day this month", "how do I claim my overtime"],
    "kit, uniform and IT": [
        "where do I get a new stab vest", "can I wear shorts in summer uniform", "my email won't open on the laptop",
    ],
    "chit-chat": ["good morning", "tell me a joke", "who won the match on saturday", "is it going to rain later"],
    "the other meanings of hot spot": [
        "how do I turn on my phone hotspot", "best holiday hot spots in greece", "my dog has hot spots on his back",
        "there's a hot spot on my tyre", "best dating hot spots in leeds", "what's trending on tiktok",
    ],
}


@pytest.mark.parametrize(
    ("kind", "question"), [(kind, q) for kind, questions in REFUSED.items() for q in questions]
)
def test_a_question_outside_hot_spots_policing_is_refused_and_not_near_the_topics(
    index: Index, kind: str, question: str
) -> None:
    answer = index.answer(question)
    assert not answer.answered, (kind, answer.score, answer.card.id if answer.card else None)
    assert not answer.near_topic, kind
    assert answer.as_json()["near_topic"] is False


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("is hot spot policing racist", "community"),
        ("aren't hot spots just profiling poor areas", "community"),
        ("is a stop and search at a hot spot more likely to be disproportionate", "community"),
        ("how do I run a card at parade", "roles"),
        ("my team keeps getting sent to jobs instead of the hot spot, what can I do as sergeant", "roles"),
        ("do my officers need training before we start", "roles"),
        ("what should I ask the analysts for", "judgement-vs-data"),
        ("should we patrol every hot spot or the top few", "what-is-a-hot-spot"),
        ("can we say it works after a month of figures", "evidence"),
    ],
)
def test_the_sergeant_leader_results_and_fairness_cards_are_reached(index: Index, question: str, topic: str) -> None:
    answer = index.answer(question)
    assert answer.answered and answer.card is not None and answer.card.topic == topic, answer.score
    assert answer.near_topic


@pytest.fixture(scope="module")
def nothing_answered(pack: Pack) -> Index:
    """The shipped pack with a threshold no confidence reaches: every question is refused, as a question near
    the topics that no card answers would be."""
    return Index(pack, threshold=1.01)


@pytest.mark.parametrize("question", ["why 15 mins", "won't they just move round the corner", "is hot spot policing racist"])
def test_a_question_near_the_topics_that_no_card_answers_is_near(nothing_answered: Index, question: str) -> None:
    answer = nothing_answered.answer(question)
    assert not answer.answered and answer.near_topic


@pytest.mark.parametrize("question", ["how many days annual leave do I get", "how do I turn on my phone hotspot",
                                      "good morning", "", "???"])
def test_a_question_about_something_else_is_not_near_whatever_the_threshold(
    nothing_answered: Index, question: str
) -> None:
    assert not nothing_answered.answer(question).near_topic


def test_near_is_the_classifier_preferring_the_topic_to_the_out_of_scope_examples(index: Index) -> None:
    for question, near in [("why 15 mins", True), ("how do I claim my overtime", False)]:
        signals = index.signals(question)
        evidence = index.explain(question)
        assert near_topic(signals, evidence.topic, evidence.features) is near
        assert (evidence.features["posterior"] > evidence.features["oos_posterior"]) is near
    assert not near_topic(index.signals("zxqv blorp"), None, {})  # no pack word at all


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=MAX_QUESTION) | st.lists(st.sampled_from(
    ["hot", "spot", "hotspot", "15", "mins", "leave", "custody", "search", "phone", "why", "the", "patrol", "dog",
     "section", "136", "rest", "day", "racist", "parade", "?", "'s", "-"]), max_size=12).map(" ".join))
def test_any_text_gets_an_answer_that_is_near_whenever_it_is_answered(index: Index, text: str) -> None:
    answer = index.answer(text)
    assert isinstance(answer.near_topic, bool) and 0.0 <= answer.score <= 1.0
    if answer.answered:
        assert answer.near_topic and answer.score >= THRESHOLD
    shown = answer.as_json()
    assert shown["near_topic"] is answer.near_topic and shown["answered"] is answer.answered
