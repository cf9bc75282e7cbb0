"""Curated example questions (content/examples.jsonl): validated like cards, and learned from by answering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from content import ContentError, load_pack
from content.load import load_examples
from content.model import Example, Pack, Problem
from content.search import Index
from tests.content.conftest import card_fields, write_card

ROOT = Path(__file__).resolve().parents[2]


def pack_folder(tmp_path: Path, lines: list[str]) -> tuple[Path, Path]:
    """A valid cards folder and an examples file beside it holding `lines`."""
    cards = tmp_path / "cards"
    write_card(cards, card_fields())
    examples = tmp_path / "examples.jsonl"
    examples.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return cards, examples


def test_the_shipped_examples_load_with_the_pack(pack: Pack) -> None:
    assert len(pack.examples) >= 600
    assert sum(e.topic is None for e in pack.examples) >= 150
    assert all(1 <= len(e.q) <= 300 for e in pack.examples)


def test_examples_beside_the_cards_are_loaded(tmp_path: Path) -> None:
    cards, _ = pack_folder(tmp_path, [
        json.dumps({"q": "why 15 mins", "topic": "fifteen-minutes"}),
        "",
        json.dumps({"q": "how do i book leave", "topic": None}),
    ])
    loaded = load_pack(cards)
    assert loaded.examples == (Example("why 15 mins", "fifteen-minutes", 1), Example("how do i book leave", None, 3))


def test_a_pack_without_an_examples_file_has_none(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    write_card(cards, card_fields())
    assert load_pack(cards).examples == ()


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ('{"q": "why 15 mins", "topic": "fifteen-minute"}', "topic", "'fifteen-minute' is not a topic"),
        ('{"q": "why 15 mins", "topic": 3}', "topic", "3 is not a topic"),
        ('{"q": "", "topic": null}', "q", "must be non-empty text"),
        ('{"q": 15, "topic": null}', "q", "must be non-empty text"),
        (json.dumps({"q": "x" * 301, "topic": None}), "q", "is 301 characters; at most 300"),
        ('{"topic": null}', "q", "is required"),
        ('{"q": "why 15 mins"}', "topic", "is required"),
        ('{"q": "why 15 mins", "topic": null, "card": "x"}', "card", "unknown field"),
        ('{"q": "why 15 mins", "topic": null', "(line)", "is not valid JSON"),
        ('["why 15 mins", null]', "(line)", "must be a JSON object"),
    ],
)
def test_a_bad_example_names_the_file_line_and_reason(tmp_path: Path, line: str, field: str, reason: str) -> None:
    good = json.dumps({"q": "why 15 mins", "topic": "fifteen-minutes"})
    cards, examples = pack_folder(tmp_path, [good, good, line])
    with pytest.raises(ContentError) as caught:
        load_pack(cards)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.field) == (str(examples), 3, field)
    assert reason in problem.reason
    assert str(problem).startswith(f"{examples}: line 3: field `{field}`: ")


def test_every_bad_example_is_reported_not_just_the_first(tmp_path: Path) -> None:
    path = tmp_path / "examples.jsonl"
    path.write_text('{"q": "", "topic": null}\nnot json\n{"q": "ok", "topic": "roles"}\n{"q": "a", "topic": "x"}\n',
                    encoding="utf-8")
    examples, problems = load_examples(path)
    assert examples == (Example("ok", "roles", 3),)
    assert [(p.line, p.field) for p in problems] == [(1, "q"), (2, "(line)"), (4, "topic")]


def test_a_problem_with_a_line_reads_as_file_line_field_reason() -> None:
    assert str(Problem("content/examples.jsonl", "topic", "'x' is not a topic", line=7)) == (
        "content/examples.jsonl: line 7: field `topic`: 'x' is not a topic"
    )


def test_content_check_fails_on_a_bad_example_naming_file_and_line(tmp_path: Path) -> None:
    cards, examples = pack_folder(tmp_path, [json.dumps({"q": "why 15 mins", "topic": "fifteen-minute"})])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--path", str(cards)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert f"{examples}: line 1: field `topic`: 'fifteen-minute' is not a topic" in result.stderr


# -- answering learns from them ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def bare(pack: Pack) -> Index:
    """The shipped cards with no example questions at all."""
    return Index(replace(pack, examples=()))


def test_an_out_of_scope_example_makes_a_similar_question_refused(pack: Pack, bare: Index) -> None:
    question = "is the patrol car fixed yet"
    assert bare.answer(question).answered  # the cards alone: "patrol" reads as hot spots policing
    taught = Index(replace(pack, examples=(
        Example("has the patrol car been fixed yet", None), Example("when is the van back from the garage", None),
    )))
    assert not taught.answer(question).answered
    assert taught.answer("is the response car fixed yet").answered is False
    for question, topic in [("why 15 mins", "fifteen-minutes"), ("wont they just move round the corner", "displacement")]:
        answer = taught.answer(question)
        assert answer.answered and answer.card is not None and answer.card.topic == topic


def test_a_topic_example_routes_a_similar_new_wording(pack: Pack, bare: Index) -> None:
    # A wording the cards alone read as another topic by a clear margin, and one example turns round by a clear
    # margin too: a near-tie either side would make this test about rounding, not about learning.
    question = "is there a minimum time at a hot spot before it makes a difference"
    before = bare.explain(question)
    assert before.topic != "fifteen-minutes" and before.features["margin"] > 0.05
    taught = Index(replace(pack, examples=(
        Example("minimum time at a hotspot to make a difference", "fifteen-minutes"),
    )))
    after = taught.answer(question)
    assert after.answered and after.card is not None and after.card.topic == "fifteen-minutes"
    assert taught.explain(question).features["margin"] > 0.05


def test_answers_come_from_cards_with_sources_never_from_an_example(pack: Pack) -> None:
    example = "what is the least time i can spend at a hot spot and still make a difference"
    taught = Index(replace(pack, examples=(Example(example, "fifteen-minutes"),)))
    answer = taught.answer(example)
    assert answer.answered and answer.card is not None
    assert answer.card in pack.cards and answer.card.topic == "fifteen-minutes"
    shown = answer.as_json()
    assert list(shown) == ["answered", "near_topic", "topic", "card", "title", "text", "sources", "score"]
    assert shown["card"] == answer.card.id and shown["text"] == answer.card.body
    assert shown["sources"] and example not in json.dumps(shown)


def test_an_out_of_scope_example_never_becomes_an_answer(pack: Pack) -> None:
    taught = Index(replace(pack, examples=(Example("how do i claim overtime for the hot spot patrols", None),)))
    answer = taught.answer("how do i claim overtime for the hot spot patrols")
    assert not answer.answered and answer.as_json()["card"] is None


def test_the_shipped_index_refuses_the_measured_misroutes(index: Index) -> None:
    # The independently written second set found these answered confidently before examples existed.
    for question in ["can i swap shifts with someone on the other team", "is the patrol car fixed yet",
                     "can i take my 15 min break in the van", "when is my next officer safety training"]:
        assert not index.answer(question).answered, question
