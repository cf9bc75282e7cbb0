"""Fit the answerer's few learned numbers on labelled questions: `python -m bench.tune` prints them,
`python -m bench.tune --write` writes them to content/lexicon/fitted.json, where content/search.py reads them.

What is fitted (everything else in content/search.py is built from the pack's own text and content/lexicon/):

- `BLEND`, the weights of the three topic scores (BM25, phrasing similarity, naive Bayes), and
  `NB_TEMPERATURE`, how sharp the naive Bayes posterior is, chosen from a small grid by top-1 topic
  accuracy on the in-scope questions;
- `CONFIDENCE`, a logistic regression over `FEATURES` whose positives are in-scope questions the chosen
  topic gets right and whose negatives are out-of-scope questions and wrong topics (an answer on the
  wrong topic is a near miss), with both classes weighing the same, then shifted so that `THRESHOLD`
  sits where the smaller of accuracy and refusal rate is largest on the questions it was fitted on.
  Its coefficients are written to 4 decimals.

The index itself also learns from the benchmark's questions now: they are seeded into the pack's curated
example questions (content/examples.jsonl). So the signals a question is fitted on must come from an index
that did not learn from that question: `crossfit` splits the questions into folds and builds, for each
fold, an index from the pack with every example except that fold's questions, and takes the fold's
signals from it. Fitting on signals from an index that had memorised the questions would teach the
confidence that every question is an exact match.

The numbers this fits are only as good as their cross-validated score (`python -m bench.crossval`):
fitting them on every question and reporting that fit would measure nothing.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from bench.measure import QUESTION_FILES, Question, load_all
from content import load_pack
from content.model import Pack
from content.search import (
    BLEND,
    CONFIDENCE,
    FEATURES,
    FITTED,
    NB_TEMPERATURE,
    THRESHOLD,
    Index,
    Params,
    Signals,
    decide,
    fitted_json,
)

FOLD_COUNT = 5      # folds for `crossfit`
GRID = (0.5, 1.0, 2.0)
TEMPERATURES = (0.1, 0.25, 0.5, 1.0)
RIDGE = 1.0          # L2 penalty on the standardised coefficients
NEWTON_STEPS = 25


@dataclass(frozen=True)
class Example:
    question: Question
    signals: Signals


def examples(index: Index, questions: Sequence[Question]) -> list[Example]:
    return [Example(q, index.signals(q.text)) for q in questions]


def key(text: str) -> str:
    """How a benchmark question is matched to an example question: case and spacing ignored."""
    return " ".join(text.lower().split())


def without(pack: Pack, questions: Iterable[Question]) -> Pack:
    """`pack` with none of `questions` among its example questions: what an index may learn from when
    those questions are to be scored."""
    held = {key(q.text) for q in questions}
    return replace(pack, examples=tuple(e for e in pack.examples if key(e.q) not in held))


def folds(questions: Sequence[Question], k: int, seed: int) -> list[list[Question]]:
    """k folds, each label (topic, or out of scope) spread evenly across them; a question asked twice
    (the same words) always lands in one fold, so it is never both learned from and scored."""
    by_label: dict[str, dict[str, list[Question]]] = defaultdict(lambda: defaultdict(list))
    for question in questions:
        by_label[question.topic or "(out of scope)"][key(question.text)].append(question)
    rng = random.Random(seed)
    parts: list[list[Question]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        groups = [by_label[label][text] for text in sorted(by_label[label])]
        rng.shuffle(groups)
        for i, group in enumerate(groups):
            parts[(i + offset) % k].extend(group)
        offset += len(groups)
    return parts


def crossfit(pack: Pack, questions: Sequence[Question], k: int = FOLD_COUNT, seed: int = 0) -> list[Example]:
    """Every question's signals from an index built without that question's fold among its examples."""
    result: list[Example] = []
    for part in folds(questions, k, seed):
        index = Index(without(pack, part))
        result.extend(examples(index, part))
    return result


def fit(train: Sequence[Example]) -> Params:
    """Blend by topic accuracy, then the confidence by logistic regression, on `train` only."""
    blend, temperature = _best_blend(train)
    rows: list[list[float]] = []
    labels: list[int] = []
    for example in train:
        topic, feats, _ = decide(example.signals, Params(blend, (0.0,) * (len(FEATURES) + 1), temperature))
        if topic is None:
            continue
        rows.append([feats[name] for name in FEATURES])
        labels.append(int(example.question.topic is not None and topic == example.question.topic))
    coefficients = _logistic(rows, labels)
    params = Params(blend, tuple(coefficients), temperature)
    # Move the intercept so that THRESHOLD is the cut that best balances accuracy and refusal on train.
    cut = _best_cut(train, params)
    shift = _logit(cut) - _logit(THRESHOLD)
    return Params(blend, (coefficients[0] - shift, *coefficients[1:]), temperature)


def evaluate(examples_: Sequence[Example], params: Params, threshold: float = THRESHOLD) -> tuple[int, int, int, int]:
    """(in-scope right, in-scope total, out-of-scope refused, out-of-scope total)."""
    right = inside = refused = outside = 0
    for example in examples_:
        topic, _, confidence = decide(example.signals, params)
        answered = topic is not None and confidence >= threshold
        if example.question.topic is None:
            outside += 1
            refused += not answered
        else:
            inside += 1
            right += answered and topic == example.question.topic
    return right, inside, refused, outside


def _best_blend(train: Sequence[Example]) -> tuple[tuple[float, float, float], float]:
    """The blend weights and naive Bayes temperature with the best top-1 topic accuracy on `train`."""
    inside = [e for e in train if e.question.topic is not None]
    best: tuple[float, tuple[float, float, float], float] = (-1.0, (1.0, 1.0, 1.0), NB_TEMPERATURE)
    for temperature in TEMPERATURES:
        for w_bm25, w_phrasing, w_nb in itertools.product(GRID, repeat=3):
            blend = (w_bm25, w_phrasing, w_nb)
            if not any(blend):
                continue
            params = Params(blend, (0.0,) * (len(FEATURES) + 1), temperature)
            hits = sum(decide(e.signals, params)[0] == e.question.topic for e in inside)
            # Ties go to the least fitted choice: weights closest to an even blend, the middle temperature.
            score = hits - 1e-3 * sum(abs(w - 1.0) for w in blend) - 1e-4 * abs(math.log(temperature / NB_TEMPERATURE))
            if score > best[0]:
                best = (score, blend, temperature)
    return best[1], best[2]


def _best_cut(train: Sequence[Example], params: Params) -> float:
    best = (-1.0, THRESHOLD)
    for step in range(5, 96):
        cut = step / 100
        right, inside, refused, outside = evaluate(train, params, cut)
        accuracy, refusal = right / max(inside, 1), refused / max(outside, 1)
        score = min(accuracy, refusal) + 1e-3 * (accuracy + refusal) - 1e-6 * abs(cut - THRESHOLD)
        if score > best[0]:
            best = (score, cut)
    return best[1]


def _logistic(rows: list[list[float]], labels: list[int]) -> list[float]:
    """Class-balanced, ridge-penalised logistic regression by Newton's method; [intercept, *weights]."""
    if not rows or len(set(labels)) < 2:
        return [0.0] * (len(FEATURES) + 1)
    width = len(rows[0])
    means = [sum(r[j] for r in rows) / len(rows) for j in range(width)]
    spreads = [math.sqrt(sum((r[j] - means[j]) ** 2 for r in rows) / len(rows)) or 1.0 for j in range(width)]
    x = [[1.0, *((r[j] - means[j]) / spreads[j] for j in range(width))] for r in rows]
    positives = sum(labels)
    weight = {1: len(labels) / (2 * positives), 0: len(labels) / (2 * (len(labels) - positives))}
    beta = [0.0] * (width + 1)
    for _ in range(NEWTON_STEPS):
        gradient = [RIDGE * b if j else 0.0 for j, b in enumerate(beta)]
        hessian = [[(RIDGE if i == j and i else 0.0) for j in range(width + 1)] for i in range(width + 1)]
        for xi, yi in zip(x, labels, strict=True):
            p = 1.0 / (1.0 + math.exp(-max(min(sum(b * v for b, v in zip(beta, xi, strict=True)), 30.0), -30.0)))
            w = weight[yi]
            for i in range(width + 1):
                gradient[i] += w * (p - yi) * xi[i]
                for j in range(width + 1):
                    hessian[i][j] += w * p * (1 - p) * xi[i] * xi[j]
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    # Back to the raw features' scale.
    weights = [beta[j + 1] / spreads[j] for j in range(width)]
    intercept = beta[0] - sum(w * m for w, m in zip(weights, means, strict=True))
    return [intercept, *weights]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    return [a[i][n] / a[i][i] if abs(a[i][i]) > 1e-12 else 0.0 for i in range(n)]


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def shipped(params: Params) -> Params:
    """`params` as written to the fitted-numbers file: the confidence's coefficients to 4 decimals."""
    return Params(params.blend, tuple(round(c, 4) for c in params.confidence), params.temperature)


def provenance(pack: Pack, questions: Sequence[Question], today: date) -> str:
    """The fitted-numbers file's comment: which command wrote it, when, and on what."""
    sets = ", ".join(f"bench/data/{path.name}" for path in QUESTION_FILES)
    return (f"Written by `python -m bench.tune --write` on {today.isoformat()}: fitted on {len(questions)} labelled"
            f" questions ({sets}), each one's signals from an index built without its fold ({FOLD_COUNT} folds),"
            f" with {len(pack.cards)} cards and {len(pack.examples):,} example questions. Refit rather than edit;"
            " judge the result by `python -m bench.crossval`, never by `python -m bench`.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tune", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", nargs="?", const=FITTED, type=Path, metavar="FILE",
                        help="write the numbers to FILE, by default the one the answerer reads"
                             " (content/lexicon/fitted.json); without --write they are only printed")
    args = parser.parse_args(argv)
    pack, questions = load_pack(), load_all()
    params = shipped(fit(crossfit(pack, questions)))
    text = fitted_json(params, provenance(pack, questions, datetime.now(UTC).date()))
    same = (params.blend, params.temperature, params.confidence) == (BLEND, NB_TEMPERATURE, CONFIDENCE)
    status = "the same as" if same else "different from"
    if args.write is None:
        print(text, end="")
        print(f"# not written: {status} the shipped numbers ({FITTED}); `python -m bench.tune --write` writes them.\n"
              "# Fitted on every question (each one's signals from an index that did not learn it): judge them by\n"
              "# `python -m bench.crossval`, not by `python -m bench`.")
        return 0
    args.write.write_text(text, encoding="utf-8")
    print(f"wrote {args.write} ({status} the shipped numbers); judge them by `python -m bench.crossval`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
