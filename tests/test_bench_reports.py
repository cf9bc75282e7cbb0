"""A short run of the reports benchmark (`make bench` runs it at force scale), so it cannot rot."""

from __future__ import annotations

import json

import pytest

from bench.reports import main


def test_the_reports_benchmark_seeds_a_small_force_and_times_every_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--officers", "40", "--days", "14", "--repeat", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["seed"]["officers"] == 40 and result["rows"]["acknowledgements"] > 0
    timings = result["timings_ms"]
    assert set(timings) == {"force_weekly", "force_by_team", "force_by_topic", "team_officers", "own_record"}
    assert timings["force_weekly"]["rows"] >= 2  # 14 days span at least two weeks' rows
    assert 8 <= timings["team_officers"]["rows"] <= 20
    assert result["file_mb"] > 0
