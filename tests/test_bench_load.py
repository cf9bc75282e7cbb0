"""Short runs of the load benchmarks (`make bench` runs them at size and writes docs/PERFORMANCE.md), so they
cannot rot: each starts the real processes on loopback, and the generator renders what they measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import clicks, fanout, questions
from bench.performance import render
from bench.reports import main as reports


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    return {}


def test_clicks_over_http_are_answered_and_each_acknowledgement_is_stored_exactly_once(
    capsys: pytest.CaptureFixture[str], measured: dict[str, Any]
) -> None:
    assert clicks.main(["--teams", "4", "--officers", "25", "--rate", "20", "--seconds", "1", "--clients", "4",
                        "--json"]) == 0
    result = _json(capsys)
    assert set(result["statuses"]) == {"200"}  # every click answered at once, doubles and retries too
    assert result["ledger"]["exactly_once"], result["ledger"]
    assert result["ledger"]["double_clicks"] >= 1 and result["ledger"]["retries"] >= 1
    assert result["closed_loop"]["requests"] > 0, "the closed loop ran out of (card, officer) pairs"
    assert result["floor"]["per_second"] > 0 and result["closed_loop"]["done_per_second"] > 0
    assert 0 < result["memory_idle_mb"] <= result["memory_peak_mb"]
    measured["clicks"] = result


def test_the_click_profile_sums_the_event_loops_time_by_area(tmp_path: Path, measured: dict[str, Any]) -> None:
    summary = tmp_path / "profile.json"
    assert clicks.main(["--teams", "2", "--officers", "5", "--seconds", "1", "--clients", "2",
                        "--profile", str(summary)]) == 0
    result = json.loads(summary.read_text())
    assert result["busy_seconds"] > 0 and result["areas"]
    assert any(row["function"].startswith("bot/slack/") for row in result["shiftbrief_cumulative"])
    assert summary.with_suffix(".prof").exists()
    measured["profile"] = result


def test_channels_due_together_are_each_posted_once_on_slack_and_teams(
    capsys: pytest.CaptureFixture[str], measured: dict[str, Any]
) -> None:
    # Every other call of each method answered 429: a post may fail even after the SDK's retries, and the
    # scheduler's own retry (30 s later) must still post it once, well within the two minutes given.
    assert fanout.main(["--channels", "3", "--officers", "2", "--throttle-every", "2", "--overdue", "--within", "120",
                        "--json"]) == 0
    result = _json(capsys)
    assert [run["platform"] for run in result["runs"]] == ["slack", "teams"]
    for run in result["runs"]:
        assert run["exactly_once"] and run["channels_posted"] == 3, json.dumps(run)
        assert sum(run["throttled"].values()) >= 1  # the stand-ins did answer 429, and it was honoured
    measured["fanout"] = result


def test_questions_are_answered_in_process_and_timed(capsys: pytest.CaptureFixture[str],
                                                      measured: dict[str, Any]) -> None:
    assert questions.main(["--json"]) == 0
    result = _json(capsys)
    assert result["questions"] > 500 and 0 < result["answered"] < result["questions"]
    assert result["per_second"] > 0 and result["p95_ms"] >= result["p50_ms"] > 0
    measured["questions"] = result


def test_the_performance_document_is_written_from_the_figures(capsys: pytest.CaptureFixture[str],
                                                              measured: dict[str, Any]) -> None:
    if len(measured) < 4:
        pytest.skip("needs the runs above (run the whole file)")
    assert reports(["--officers", "40", "--days", "14", "--repeat", "1", "--json"]) == 0
    figures = {**measured, "reports": _json(capsys),
               "acknowledgements": {"clicks": 11, "acknowledgements": 10, "seconds": 0.1, "clicks_per_second": 110.0,
                                    "target_per_second": 2000.0}}
    document = render(figures, "2026-12-03 00:00 UTC", "a test machine", "abc1234")
    for heading in ("## Acknowledgement clicks over HTTP", "### Where the time goes", "## Fan-out",
                    "## Questions", "## Reports at force scale", "**How.**", "**Honest gaps.**", "## Rerun"):
        assert heading in document
    assert f"floor / shiftbrief | **{measured['clicks']['floor_ratio']}**" in document
    assert "commit abc1234" in document and "a test machine" in document
