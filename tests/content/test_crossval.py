"""The cross-validation runner: folds partition the questions, every label spread across them, and a fold's
questions are never among the example questions the index that answers them learned from."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bench.crossval import folds
from bench.measure import Question, load_all
from bench.tune import Example, evaluate, fit, key, without
from content.load import MAX_EXAMPLE
from content.model import Example as ContentExample
from content.model import Pack
from content.search import Index


def test_folds_partition_the_questions_and_spread_each_label() -> None:
    questions = [Question(f"why {n} mins", "fifteen-minutes", "dev") for n in range(10)]
    questions += [Question(f"how do I book annual leave for the {n}th", None, "dev") for n in range(5)]
    parts = folds(questions, 5, seed=0)
    assert sorted(q.text for part in parts for q in part) == sorted(q.text for q in questions)
    for part in parts:
        labels = Counter(q.topic for q in part)
        assert labels["fifteen-minutes"] == 2 and labels[None] == 1
    assert [q.text for q in folds(questions, 5, seed=0)[0]] == [q.text for q in parts[0]]


def test_a_question_asked_twice_lands_in_one_fold() -> None:
    questions = [Question(f"why {n} mins", "fifteen-minutes", "dev") for n in range(10)]
    questions += [Question("Why 3  mins", "fifteen-minutes", "heldout")]
    parts = folds(questions, 5, seed=1)
    assert sum(any(key(q.text) == "why 3 mins" for q in part) for part in parts) == 1


def test_a_folds_questions_are_held_out_of_the_examples_its_index_learns_from(pack: Pack) -> None:
    held = [Question("Can I swap  shifts with someone on the other team", None, "dev"),
            Question("why 15 mins", "fifteen-minutes", "dev")]
    taught = (*pack.examples, ContentExample("why 15 mins", "fifteen-minutes"))
    kept = without(replace(pack, examples=taught), held).examples
    assert {key(e.q) for e in kept}.isdisjoint({key(q.text) for q in held})
    assert len(kept) == len(taught) - sum(key(e.q) in {key(q.text) for q in held} for e in taught)
    assert any(e.topic is None for e in kept)  # the coordinators' own out-of-scope examples stay


def test_every_benchmark_question_is_an_example_so_crossval_must_hold_them_out(pack: Pack) -> None:
    examples = {key(e.q) for e in pack.examples}
    # An example is at most MAX_EXAMPLE characters: a longer benchmark question (a briefing-paper request
    # of round 7) is measured but cannot be taught.
    assert all(key(q.text) in examples for q in load_all() if len(q.text) <= MAX_EXAMPLE)


def test_fitting_on_some_questions_gives_parameters_that_answer_others(index: Index) -> None:
    train = [Example(Question(q, t, "dev"), index.signals(q)) for q, t in [
        ("why 15 mins", "fifteen-minutes"), ("won't they just move round the corner", "displacement"),
        ("whats a hot spot", "what-is-a-hot-spot"), ("does the effect wear off", "suppression"),
        ("how do I book annual leave", None), ("who won the football", None), ("my payslip is wrong", None),
    ]]
    params = fit(train)
    right, inside, refused, outside = evaluate(train, params)
    assert (inside, outside) == (4, 3) and right >= 3 and refused >= 2
