"""The cross-validation runner: folds partition the questions, every label spread across them."""

from __future__ import annotations

from collections import Counter

from bench.crossval import folds
from bench.measure import Question
from bench.tune import Example, evaluate, fit
from content.search import Index


def test_folds_partition_the_questions_and_spread_each_label(index: Index) -> None:
    questions = [Question(f"why {n} mins", "fifteen-minutes", "dev") for n in range(10)]
    questions += [Question(f"how do I book annual leave for the {n}th", None, "dev") for n in range(5)]
    data = [Example(q, index.signals(q.text)) for q in questions]
    parts = folds(data, 5, seed=0)
    assert sorted(e.question.text for part in parts for e in part) == sorted(q.text for q in questions)
    for part in parts:
        labels = Counter(e.question.topic for e in part)
        assert labels["fifteen-minutes"] == 2 and labels[None] == 1
    assert [e.question.text for e in folds(data, 5, seed=0)[0]] == [e.question.text for e in parts[0]]


def test_fitting_on_some_questions_gives_parameters_that_answer_others(index: Index) -> None:
    train = [Example(Question(q, t, "dev"), index.signals(q)) for q, t in [
        ("why 15 mins", "fifteen-minutes"), ("won't they just move round the corner", "displacement"),
        ("whats a hot spot", "what-is-a-hot-spot"), ("does the effect wear off", "suppression"),
        ("how do I book annual leave", None), ("who won the football", None), ("my payslip is wrong", None),
    ]]
    params = fit(train)
    right, inside, refused, outside = evaluate(train, params)
    assert (inside, outside) == (4, 3) and right >= 3 and refused >= 2
