"""`shiftbrief schedule preview` and `schedule status`, run as the real command: right across the 2027 clock changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from content.model import Pack
from scheduler.curriculum import next_card
from tests.conftest import write_config
from tests.scheduler.conftest import ROTAS_TOML

FIRST_NUDGE = datetime(2027, 3, 24, 6, 30, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_config(tmp_path, ROTAS_TOML)
    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(tmp_path / "shiftbrief.toml"))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(tmp_path / "sb.db"))
    return tmp_path


def preview(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["schedule", "preview", "--json", *args]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def times(rows: list[dict[str, Any]], team: str) -> list[tuple[str, str]]:
    return [(r["shift_start"], r["nudge_at"]) for r in rows if r["team"] == team]


def test_preview_across_the_spring_change(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = preview(capsys, "--from", "2027-03-27", "--days", "3")
    assert times(rows, "daily") == [
        ("2027-03-27T07:00:00+00:00", "2027-03-27T06:30:00+00:00"),
        ("2027-03-28T07:00:00+01:00", "2027-03-28T06:30:00+01:00"),
        ("2027-03-29T07:00:00+01:00", "2027-03-29T06:30:00+01:00"),
    ]
    assert times(rows, "midnight") == [
        ("2027-03-27T00:15:00+00:00", "2027-03-26T23:45:00+00:00"),
        ("2027-03-28T00:15:00+00:00", "2027-03-27T23:45:00+00:00"),
        ("2027-03-29T00:15:00+01:00", "2027-03-28T23:45:00+01:00"),
    ]
    assert times(rows, "gap")[1] == ("2027-03-28T02:30:00+01:00", "2027-03-28T00:30:00+00:00")
    assert times(rows, "eight") == [
        ("2027-03-27T19:00:00+00:00", "2027-03-27T18:30:00+00:00"),  # day 4 of the cycle; days 5-8 are off
    ]


def test_preview_across_the_autumn_change(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = preview(capsys, "--from", "2027-10-30", "--days", "3")
    assert times(rows, "gap") == [
        ("2027-10-30T01:30:00+01:00", "2027-10-30T00:30:00+01:00"),
        ("2027-10-31T01:30:00+01:00", "2027-10-31T00:30:00+01:00"),  # the first 01:30 of the two, once
        ("2027-11-01T01:30:00+00:00", "2027-11-01T00:30:00+00:00"),
    ]
    assert times(rows, "midnight")[1:] == [
        ("2027-10-31T00:15:00+01:00", "2027-10-30T23:45:00+01:00"),
        ("2027-11-01T00:15:00+00:00", "2027-10-31T23:45:00+00:00"),
    ]
    assert times(rows, "daily")[1] == ("2027-10-31T07:00:00+00:00", "2027-10-31T06:30:00+00:00")
    assert times(rows, "eight") == []  # days 5-7 of its cycle: off


def test_preview_lists_shifts_in_time_order_with_the_card_the_curriculum_would_send(
    home: Path, capsys: pytest.CaptureFixture[str], pack: Pack
) -> None:
    rows = preview(capsys, "--from", "2027-03-24", "--days", "8", "--team", "eight")
    assert [r["shift_start"][:16] for r in rows] == [
        "2027-03-24T07:00", "2027-03-25T07:00", "2027-03-26T19:00", "2027-03-27T19:00",
    ]
    assert {r["team"] for r in rows} == {"eight"}
    assert {r["card"] for r in rows} == {next_card(pack, [], {}, FIRST_NUDGE).id}  # a new team: the first card
    everyone = preview(capsys, "--from", "2027-03-24", "--days", "2")
    starts = [r["shift_start"] for r in everyone]
    assert [r["team"] for r in everyone][:4] == ["midnight", "gap", "daily", "eight"]
    assert len(starts) == 8  # four teams, two days, every one on shift


def test_preview_before_the_rota_starts_has_no_shifts_and_says_so(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert preview(capsys, "--from", "2027-03-01", "--days", "3", "--team", "eight") == []
    assert main(["schedule", "preview", "--from", "2027-03-01", "--days", "3", "--team", "eight"]) == 0
    assert "no shifts" in capsys.readouterr().out


def test_preview_as_a_table_shows_local_times_with_the_zone(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "preview", "--from", "2027-03-28", "--days", "1", "--team", "gap"]) == 0
    out = capsys.readouterr().out
    assert "Sun 2027-03-28 02:30 BST" in out and "Sun 2027-03-28 00:30 GMT" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--team", "nope", "--from", "2027-03-27", "--days", "3"), "no team 'nope'"),
        (("--from", "2027-02-30", "--days", "3"), "not a date"),
        (("--from", "27/03/2027", "--days", "3"), "not a date"),
        (("--from", "2027-03-27", "--days", "0"), "from 1 to 366"),
        (("--from", "2027-03-27", "--days", "367"), "from 1 to 366"),
        (("--from", "2027-03-27", "--days", "three"), "whole number"),
        (("--from", "9999-12-30", "--days", "5"), "past the last date"),
    ],
)
def test_bad_preview_input_is_one_line_on_stderr_and_exit_1(
    home: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert main(["schedule", "preview", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and message in captured.err


def test_schedule_status_lists_each_teams_next_nudge(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert sorted(n["team"] for n in status["next"]) == ["daily", "eight", "gap", "midnight"]
    assert status["problems"] == []
    assert main(["schedule", "status"]) == 0
    out = capsys.readouterr().out
    assert "Next nudges:" in out and "(none)" in out


def test_the_installed_command_prints_the_preview(home: Path) -> None:
    env = {**os.environ, "SHIFTBRIEF_CONFIG": str(home / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(home / "sb.db")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "schedule", "preview", "--team", "midnight", "--from", "2027-03-28",
         "--days", "2", "--json"],
        cwd=home, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [(r["shift_start"], r["nudge_at"]) for r in json.loads(done.stdout)] == [
        ("2027-03-28T00:15:00+00:00", "2027-03-27T23:45:00+00:00"),
        ("2027-03-29T00:15:00+01:00", "2027-03-28T23:45:00+01:00"),
    ]


def test_preview_starts_today_by_default_and_names_the_card_the_curriculum_would_send_now(
    home: Path, capsys: pytest.CaptureFixture[str], pack: Pack
) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    config = home / "shiftbrief.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('rota_start = "2027-01-04"', 'rota_start = "2020-01-06"'),
                      encoding="utf-8")
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date()
    rows = preview(capsys, "--days", "2", "--team", "daily")
    assert [r["shift_start"][:10] for r in rows] == [today.isoformat(), (today + timedelta(days=1)).isoformat()]
    assert main(["schedule", "preview", "--days", "1", "--team", "daily"]) == 0
    out = capsys.readouterr().out
    first = next_card(pack, [], {}, datetime.now(UTC))
    assert out.startswith(f"From {today.isoformat()} for 1 day. The curriculum would send now:")
    assert f"Daily Earlies (daily): \u201c{first.title}\u201d ({first.id}" in out
