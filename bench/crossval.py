"""`python -m bench.crossval [--folds 5] [--repeats 3] [--json]`: how well the answerer generalises.

Every labelled question (bench/data/questions.jsonl, both splits, questions-round2.jsonl and questions-round3.jsonl) is put in
one of k folds, stratified by label. The answerer learns from the labelled questions in two ways, and
both are kept away from each fold:

- **the index**: every benchmark question is also one of the pack's curated example questions
  (content/examples.jsonl), which train the topic classifier and its out-of-scope class. Fold i is
  answered by an index built from the pack with every example *except* fold i's questions (the
  out-of-scope examples a coordinator wrote, that are not benchmark questions, stay in);
- **the fitted numbers** (`BLEND`, `NB_TEMPERATURE`, `CONFIDENCE`, see bench/tune.py) are fitted on the
  other k-1 folds only, and on signals that are themselves out of sample: fold j's signals (j != i) come
  from an index built without folds i and j, so neither the scored fold nor the question being fitted on
  is ever learned from.

The k folds' answers together give one accuracy and one refusal rate, overall and for each labelled set;
with `--repeats`, the split is redrawn and the rates averaged. They also measure the passing-on rule
(`content.search.near_topic`): of the in-scope questions refused, the share passed on to the coordinators
(they are content gaps), and of the out-of-scope questions refused, the share kept back. Latency is timed on
the shipped `Index.answer` (every example), once per question.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.measure import Question, load_all
from bench.tune import Example, evaluate, examples, fit, folds, without
from content import load_pack
from content.model import Pack
from content.search import THRESHOLD, Index, Params, decide, near_topic

__all__ = ["Run", "crossvalidate", "folds", "latency"]


@dataclass(frozen=True)
class Run:
    """One k-fold run's rates, overall and for each labelled set (by file name)."""

    rates: dict[str, float]
    by_set: dict[str, dict[str, float]]


def crossvalidate(pack: Pack, questions: Sequence[Question], k: int, seed: int,
                  misses: list[str] | None = None) -> Run:
    """One k-fold run; out-of-fold misses are appended to `misses` when given."""
    parts = folds(questions, k, seed)
    # inner[i][j]: fold j's signals from an index that learned from neither fold i nor fold j.
    inner: dict[int, dict[int, list[Example]]] = {i: {} for i in range(k)}
    for i in range(k):
        for j in range(i + 1, k):
            index = Index(without(pack, [*parts[i], *parts[j]]))
            inner[i][j] = examples(index, parts[j])
            inner[j][i] = examples(index, parts[i])
    right = inside = refused = outside = 0
    per_fold = []
    # Per question: (its set, labelled in scope, scored right, refused, near the topics).
    scored: list[tuple[str, bool, bool, bool, bool]] = []
    for i, test_questions in enumerate(parts):
        params = fit([e for j in range(k) if j != i for e in inner[i][j]])
        test = examples(Index(without(pack, test_questions)), test_questions)
        r, n, f, m = evaluate(test, params)
        if misses is not None:
            misses.extend(_misses(test, params))
        right, inside, refused, outside = right + r, inside + n, refused + f, outside + m
        per_fold.append((r / max(n, 1), f / max(m, 1)))
        for example in test:
            topic, feats, confidence = decide(example.signals, params)
            answered = topic is not None and confidence >= THRESHOLD
            want = example.question.topic
            correct = (answered and topic == want) if want is not None else not answered
            near = answered or near_topic(example.signals, topic, feats)
            scored.append((example.question.source, want is not None, correct, not answered, near))
    refused_inside = [near for _, in_scope, _, no, near in scored if in_scope and no]
    refused_outside = [near for _, in_scope, _, no, near in scored if not in_scope and no]
    by_set: dict[str, dict[str, float]] = {}
    for name in dict.fromkeys(q.source for q in questions):  # in the order the sets were written
        rows = [row for row in scored if row[0] == name]
        by_set[name] = {
            "accuracy": sum(c for _, i, c, _, _ in rows if i) / max(sum(i for _, i, *_ in rows), 1),
            "refusal_rate": sum(c for _, i, c, _, _ in rows if not i) / max(sum(not i for _, i, *_ in rows), 1),
        }
    return Run({
        "accuracy": right / max(inside, 1),
        "refusal_rate": refused / max(outside, 1),
        "fold_accuracy_min": min(a for a, _ in per_fold),
        "fold_refusal_min": min(b for _, b in per_fold),
        "refused_in_scope_passed_on": sum(refused_inside) / max(len(refused_inside), 1),
        "refused_out_of_scope_kept_back": 1 - sum(refused_outside) / max(len(refused_outside), 1),
    }, by_set)


def _misses(test: Sequence[Example], params: Params) -> list[str]:
    lines = []
    for example in test:
        topic, _, confidence = decide(example.signals, params)
        answered = topic is not None and confidence >= THRESHOLD
        want = example.question.topic
        if (want is None and answered) or (want is not None and not (answered and topic == want)):
            got = topic if answered else f"(refused; {topic})"
            lines.append(f"[{want} -> {got} {confidence:.2f}] {example.question.text}")
    return lines


def latency(index: Index, questions: Sequence[Question]) -> dict[str, float]:
    for warm in ("warm up", "why 15 mins"):
        index.answer(warm)
    millis = []
    for question in questions:
        start = time.perf_counter()
        index.answer(question.text)
        millis.append((time.perf_counter() - start) * 1000)
    millis.sort()
    cuts = statistics.quantiles(millis, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 3), "p95_ms": round(cuts[94], 3), "max_ms": round(millis[-1], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crossval", description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="redraw the folds this many times and average")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the first run's out-of-fold misses")
    args = parser.parse_args(argv)

    pack = load_pack()
    started = time.perf_counter()
    index = Index(pack)
    build_ms = (time.perf_counter() - started) * 1000
    questions = load_all()
    missed: list[str] = []
    done = [crossvalidate(pack, questions, args.folds, seed, missed if seed == 0 else None)
            for seed in range(args.repeats)]
    runs = [run.rates for run in done]
    by_set = {name: {rate: round(statistics.mean(run.by_set[name][rate] for run in done), 4)
                     for rate in ("accuracy", "refusal_rate")} for name in done[0].by_set}
    result: dict[str, object] = {
        "cards": len(pack.cards),
        "examples": len(pack.examples),
        "questions": len(questions),
        "in_scope": sum(q.topic is not None for q in questions),
        "out_of_scope": sum(q.topic is None for q in questions),
        "folds": args.folds,
        "repeats": args.repeats,
        "accuracy": round(statistics.mean(r["accuracy"] for r in runs), 4),
        "refusal_rate": round(statistics.mean(r["refusal_rate"] for r in runs), 4),
        "accuracy_runs": [round(r["accuracy"], 4) for r in runs],
        "refusal_runs": [round(r["refusal_rate"], 4) for r in runs],
        "worst_fold_accuracy": round(min(r["fold_accuracy_min"] for r in runs), 4),
        "worst_fold_refusal": round(min(r["fold_refusal_min"] for r in runs), 4),
        "refused_in_scope_passed_on": round(statistics.mean(r["refused_in_scope_passed_on"] for r in runs), 4),
        "refused_out_of_scope_kept_back": round(statistics.mean(r["refused_out_of_scope_kept_back"] for r in runs), 4),
        "by_set": by_set,
        "index_build_ms": round(build_ms, 1),
        **latency(index, questions),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"pack: {result['cards']} cards, {result['examples']} example questions; index built in {build_ms:.0f} ms")
        print(f"{result['questions']} questions ({result['in_scope']} in scope, {result['out_of_scope']} out of"
              f" scope), {args.folds}-fold cross-validation by question, {args.repeats} redraw(s); each fold's"
              " questions held out of the examples its index learned from")
        print(f"  top-1 topic accuracy (in scope)   {result['accuracy']:.1%}   runs {result['accuracy_runs']}"
              f"   worst fold {result['worst_fold_accuracy']:.1%}")
        print(f"  refusal rate (out of scope)       {result['refusal_rate']:.1%}   runs {result['refusal_runs']}"
              f"   worst fold {result['worst_fold_refusal']:.1%}")
        print(f"  refused and passed on to the coordinators: in scope {result['refused_in_scope_passed_on']:.1%}"
              f" (should be); out of scope kept back {result['refused_out_of_scope_kept_back']:.1%} (should be)")
        for name, rates in by_set.items():
            print(f"  {name:28s} accuracy {rates['accuracy']:.1%}   refusal {rates['refusal_rate']:.1%}")
        print(f"  latency per question  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  max {result['max_ms']} ms")
        if args.misses:
            print("  out-of-fold misses (first run):")
            for line in sorted(missed):
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
