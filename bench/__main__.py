"""`python -m bench [--split dev|heldout|all] [--json]`: score the shipped answerer on every labelled question.

NOT AN ESTIMATE. Every labelled question is also one of the pack's curated example questions
(content/examples.jsonl), which the index learns from, and the few fitted numbers were fitted on them
too: these rates mostly show the answerer remembering questions it was taught (and the latency). How it
does on questions it has not seen is `python -m bench.crossval`, which holds each fold out of both."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.measure import HELDOUT, SEALED, SPLITS, SplitReport, load_all, load_questions, run
from content import load_pack
from content.search import Index

ACCURACY_TARGET = 0.90
REFUSAL_TARGET = 0.90
P95_TARGET_MS = 20.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all",
                        help="which part of the set to run")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    parser.add_argument("--misses", action="store_true", help="list every question answered wrongly")
    parser.add_argument("--heldout", action="store_true",
                        help="score the held-out set (bench/data/heldout-round4.jsonl): never an example, never tuned on")
    parser.add_argument("--sealed", action="store_true",
                        help="score the sealed set (bench/data/sealed-round10.jsonl), beside the held-out set: written"
                             " from evidence.md alone by someone who saw no card or example, never tuned on")
    args = parser.parse_args(argv)
    if args.sealed:
        return _independent(args, ((HELDOUT, "heldout"), (SEALED, "sealed")))
    if args.heldout:
        return _independent(args, ((HELDOUT, "heldout"),))

    started = time.perf_counter()
    index = Index(load_pack())
    build_ms = (time.perf_counter() - started) * 1000
    splits = SPLITS if args.split == "all" else (args.split,)
    reports = run(index, load_all(), splits)
    if args.json:
        print(json.dumps({"estimate": False, "note": "fit on every question (they are example questions too);"
                          " see python -m bench.crossval",
                          "index_build_ms": round(build_ms, 1), "cards": len(index.pack.cards),
                          "examples": len(index.pack.examples),
                          "splits": [r.summary() for r in reports]}, ensure_ascii=False))
    else:
        print(f"pack: {len(index.pack.cards)} cards, {len(index.pack.examples)} example questions;"
              f" index built in {build_ms:.0f} ms")
        print("NOT AN ESTIMATE: every question below is also one of the pack's example questions\n"
              "(content/examples.jsonl), which the index learned from, and the fitted numbers (BLEND, CONFIDENCE)\n"
              "were fitted on them. These rates show it remembering what it was taught, not how it does on new\n"
              "questions: `python -m bench.crossval` gives that estimate. Latency here is real.")
        for report in reports:
            _print(report, args.misses)
    return 0


def _independent(args: argparse.Namespace, sets: tuple[tuple[Path, str], ...]) -> int:
    """The honest estimates: question sets the index never learned from and nobody tuned on, side by side."""
    index = Index(load_pack())
    taught = {" ".join(e.q.lower().split()) for e in index.pack.examples}
    results = []
    for path, split in sets:
        questions = load_questions(path)
        # A question identical to an example (by chance: short ones like "whats the koper curve") is left out.
        alike = [q for q in questions if " ".join(q.text.lower().split()) in taught]
        questions = [q for q in questions if q not in alike]
        [report] = run(index, questions, (split,))
        results.append((path, len(questions), len(alike), report))
    if args.json:
        summaries = [{"estimate": True, "file": path.name, "left_out_as_examples": same, **report.summary()}
                     for path, _n, same, report in results]
        print(json.dumps(summaries[0] if len(summaries) == 1 else {"sets": summaries}, ensure_ascii=False))
        return 0
    for path, count, same, report in results:
        print(f"\n{report.split.upper()} ({path.name}): {count} questions written independently and never used for"
              f" tuning ({same} left out because an example question has the same words).")
        _print(report, args.misses)
    return 0


def _print(report: SplitReport, misses: bool) -> None:
    s = report.summary()
    mark = {True: "ok", False: "BELOW TARGET"}
    print(f"\n== {s['split']}: {s['in_scope']} in scope, {s['out_of_scope']} out of scope")
    acc, ref, p95 = float(s["accuracy"]), float(s["refusal_rate"]), float(s["p95_ms"])  # type: ignore[arg-type]
    print(f"  top-1 topic accuracy (in scope)   {acc:7.1%}   target {ACCURACY_TARGET:.0%}  {mark[acc >= ACCURACY_TARGET]}")
    print(f"  refusal rate (out of scope)       {ref:7.1%}   target {REFUSAL_TARGET:.0%}  {mark[ref >= REFUSAL_TARGET]}")
    print(f"  latency per question  p50 {s['p50_ms']} ms  p95 {p95} ms  max {s['max_ms']} ms"
          f"   target p95 <= {P95_TARGET_MS:.0f} ms  {mark[p95 <= P95_TARGET_MS]}")
    print(f"  refused and passed on: in scope {float(s['refused_in_scope_passed_on']):.1%} (should be)"  # type: ignore[arg-type]
          f"   out of scope kept back {float(s['refused_out_of_scope_kept_back']):.1%} (should be)")  # type: ignore[arg-type]
    confusions = s["confusions"]
    assert isinstance(confusions, list)
    if confusions:
        print("  confusions (expected -> got: count):")
        for c in confusions:
            print(f"    {c['expected']} -> {c['got']}: {c['count']}")
    wrongly_answered = [m for m in s["misses"] if m["expected"] is None]  # type: ignore[union-attr]
    if wrongly_answered:
        print(f"  out-of-scope questions answered: {len(wrongly_answered)}")
    if misses:
        print("  misses:")
        for m in s["misses"]:  # type: ignore[union-attr]
            print(f"    [{m['expected']} -> {m['got']} {m['card']} {m['score']}] {m['q']}")


if __name__ == "__main__":
    sys.exit(main())
