"""Answering from the real pack: officers' spellings meet, out-of-scope questions are refused, answers cite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from content import load_pack
from content.model import Pack
from content.search import THRESHOLD, Index, Params, decide, fold, normalise, stem
from tests.content.conftest import card_fields, write_card

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.parametrize(
    "spelling", ["hot spot", "hotspot", "hot-spot", "HOT SPOT", "hot  spot", "Hot-Spots", "hotspots", "hotpsot"]
)
def test_hot_spot_spellings_answer_the_same_card(index: Index, spelling: str) -> None:
    reference = index.answer("what actually counts as a hot spot")
    answer = index.answer(f"what actually counts as a {spelling}")
    assert reference.answered and answer.answered
    assert answer.card is not None and reference.card is not None
    assert (answer.card.topic, answer.card.id) == (reference.card.topic, reference.card.id)


@pytest.mark.parametrize(
    "question", ["why 15 mins", "why fifteen minutes", "why 15 minutes?", "why 15min", "why a quarter of an hour?"]
)
def test_fifteen_minutes_however_written_is_answered_on_fifteen_minutes(index: Index, question: str) -> None:
    answer = index.answer(question)
    assert answer.answered, answer.score
    assert answer.card is not None and answer.card.topic == "fifteen-minutes"


def test_a_three_word_question_is_not_refused_for_being_short(index: Index) -> None:
    # The first version scored "why 15 mins" 1.8 against a raw BM25 threshold of 4.0 and refused it.
    answer = index.answer("why 15 mins")
    assert answer.answered and 0.0 <= answer.score <= 1.0 and answer.score >= THRESHOLD


def test_a_long_rambling_question_is_still_answered_on_its_topic(index: Index) -> None:
    question = (
        "Look, I've done twelve years on response, and on every overtime op we run the scrotes just pack up and "
        "move round the corner to the next street. Why is hot spots any different? Doesn't it just displace it "
        "somewhere else?"
    )
    answer = index.answer(question)
    assert answer.answered and answer.card is not None and answer.card.topic == "displacement"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("won't the scrotes just go round the corner", "displacement"),
        ("whats the sarge's role in hot spots", "roles"),
        ("PCSOs can't nick anyone so why send them", "roles"),
        ("is it just more stop and search on the same lads", "community"),
        ("we're drowning in 999s, why are we stood on a corner", "proactive-vs-reactive"),
        ("i know my patch better than any spreadsheet", "judgement-vs-data"),
        ("whats the phantom effect", "suppression"),
        ("does displacment actually happen", "displacement"),
    ],
)
def test_officers_slang_and_typos_reach_the_right_topic(index: Index, question: str, topic: str) -> None:
    answer = index.answer(question)
    assert answer.answered, answer.score
    assert answer.card is not None and answer.card.topic == topic


@pytest.mark.parametrize(
    "question",
    [
        "how do I book annual leave",
        "can I get overtime on Saturday",
        "when is the new rota out",
        "my payslip is wrong, who do I ring",
        "forgot my laptop password",
        "who won the football last night",
        "how do I turn on the hotspot on my work phone",
        "is there parking round the back of the station",
        "my pc wont turn on",
        "what time is it",
        "",
        "???",
        "the and of to",
    ],
)
def test_out_of_scope_questions_are_refused_not_near_missed(index: Index, question: str) -> None:
    answer = index.answer(question)
    assert not answer.answered, (answer.score, answer.card.id if answer.card else None)
    assert answer.score < THRESHOLD
    refused = answer.as_json()
    assert refused == {"answered": False, "near_topic": False, "topic": None, "card": None, "title": None,
                       "text": None, "sources": [], "score": round(answer.score, 3)}


def test_an_answer_carries_its_card_text_and_sources(index: Index) -> None:
    answer = index.answer("won't they just move round the corner")
    assert answer.answered and answer.card is not None
    shown = answer.as_json()
    assert set(shown) == {"answered", "near_topic", "topic", "card", "title", "text", "sources", "score"}
    assert shown["near_topic"] is True  # an answered question is about the pack's subject
    assert (shown["card"], shown["topic"], shown["title"], shown["text"]) == (
        answer.card.id, answer.card.topic, answer.card.title, answer.card.body)
    assert shown["sources"] == [
        {"authors": s.authors, "year": s.year, "title": s.title, "published_in": s.published_in, "url": s.url}
        for s in answer.card.sources
    ]
    assert shown["sources"] and shown["score"] == round(answer.score, 3)


def test_a_card_is_found_by_its_own_title(pack: Pack, index: Index) -> None:
    lost = {card.id: index.answer(card.title).card for card in pack.cards}
    wrong = {cid: (found.id if found else None) for cid, found in lost.items()
             if found is None or found.topic != pack.card(cid).topic}  # type: ignore[union-attr]
    assert not wrong, f"titles that find another topic's card or none: {wrong}"


def test_a_stricter_threshold_refuses_what_a_looser_one_answers(pack: Pack) -> None:
    question = "does the effect wear off"
    assert Index(pack, threshold=0.1).answer(question).answered
    assert not Index(pack, threshold=1.01).answer(question).answered


def test_spellings_fold_to_one_form() -> None:
    assert normalise("hot-spot") == normalise("hotspot") == normalise("hot spot") == ["hotspot"]
    assert normalise("hot spots policing") == normalise("HSP") == ["hsp"]
    assert normalise("15 mins") == normalise("fifteen minutes") == normalise("a quarter of an hour")
    assert normalise("the sarge") == normalise("my skipper") == normalise("sergeants")
    assert "offender" in normalise("scrotes") and "arrest" in normalise("can't nick anyone")
    assert "station" in fold("back at the nick") and "arrest" not in fold("back at the nick")


def test_stemming_brings_word_forms_together() -> None:
    assert stem("patrols") == stem("patrolling") == stem("patrol")
    assert stem("displaced") == stem("displace")
    assert stem("visits") == stem("visiting") == stem("visit")


def test_explain_shows_why_a_question_was_refused(index: Index) -> None:
    evidence = index.explain("can I carry my annual leave over")
    assert "annualleav" in evidence.terms
    assert evidence.confidence < THRESHOLD


@pytest.mark.parametrize(("question", "topic"), [
    ("does dispalcement really happen", "displacement"),   # two letters swapped: more than one edit away
    ("why 15 minuets", "fifteen-minutes"),
    ("wat is hsp", "what-is-hsp"),
])
def test_misspellings_beyond_one_letter_still_reach_the_topic(index: Index, question: str, topic: str) -> None:
    answer = index.answer(question)
    assert answer.answered and answer.card is not None and answer.card.topic == topic, answer.score


def test_the_decision_is_the_fitted_parameters_applied_to_parameter_free_signals(index: Index) -> None:
    question = "won't they just move round the corner"
    topic, features, confidence = decide(index.signals(question), index.params)
    evidence = index.explain(question)
    assert (topic, confidence) == (evidence.topic, evidence.confidence) and features == evidence.features
    assert 0.0 <= confidence <= 1.0 and set(features) == set(evidence.features)


def test_a_question_without_any_pack_word_gets_no_topic(index: Index) -> None:
    evidence = index.explain("zxqv blorp")
    assert evidence.topic is None and evidence.card is None and evidence.confidence == 0.0


def test_the_index_learns_from_the_pack_it_is_given(tmp_path: Path) -> None:
    # Everything but a few fitted numbers comes from the cards: a new card's phrasings answer at once.
    folder = tmp_path / "cards"
    write_card(folder, card_fields())
    write_card(folder, card_fields(
        "displacement-test", topic="displacement", title="Won't they just move next door?",
        myth="Crime just moves round the corner.",
        also_asked=["won't the scrotes just move two streets over", "doesn't it just shift the problem",
                    "they'll only go and do it on the next estate"],
    ), body="Researchers watched the streets around the policed sites; crime did not simply move.")
    small = Index(load_pack(folder))
    answer = small.answer("surely the scrotes just shift to the next estate")
    assert answer.card is not None and answer.card.id == "displacement-test"
    assert small.answer("why 15 mins").card is not None
    assert small.answer("why 15 mins").card.id == "fifteen-minutes-test"  # type: ignore[union-attr]


def test_a_pack_with_one_topic_still_answers_and_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    write_card(folder, card_fields())
    small = Index(load_pack(folder), params=Params())
    assert small.answer("why fifteen minutes").card is not None
    assert not small.answer("how do I book annual leave").answered


def test_content_imports_nothing_of_bot_or_scheduler() -> None:
    for path in CONTENT.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] in {"bot", "scheduler"} for n in names), f"{path.name} imports {names}"
