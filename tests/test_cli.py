"""The `shiftbrief` command, run as a user runs it: a real process, real files, exit codes and stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from tests.conftest import write_config


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHIFTBRIEF_CONFIG": str(tmp_path / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(tmp_path / "sb.db")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=60,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_config(tmp_path)
    return tmp_path


def test_post_then_stats_by_officer_json(home: Path) -> None:
    posted = run(home, "post", "--team", "response-a", "--json")
    assert posted.returncode == 0, posted.stderr
    delivery = json.loads(posted.stdout)
    assert delivery["team"] == "response-a" and delivery["recipients"] == 2  # the officers, not the sergeant
    stats = run(home, "stats", "--json", "--by", "officer", "--names")
    rows = json.loads(stats.stdout)["rows"]
    assert {r["officer"] for r in rows} == {"local:pc-1", "local:pc-2"}
    assert all(r["delivered"] == 1 and r["acknowledged"] == 0 for r in rows)
    assert {r["name"] for r in rows} == {"PC One", "PC Two"}
    assert all(r["topics_reached"] == 1 and len(r["topics_never_reached"]) == 10 for r in rows)


def test_an_officer_export_gives_ids_unless_names_are_asked_for_and_each_export_is_audited(home: Path) -> None:
    run(home, "post", "--team", "response-a")
    plain = run(home, "stats", "--csv", "--by", "officer")
    assert plain.returncode == 0, plain.stderr
    assert "PC One" not in plain.stdout and "local:pc-1" in plain.stdout
    assert "name" not in next(csv.reader(io.StringIO(plain.stdout)))
    assert "PC One" not in run(home, "stats", "--json", "--by", "officer").stdout
    named = run(home, "stats", "--csv", "--by", "officer", "--names")
    assert "PC One" in named.stdout
    assert "PC One" in run(home, "stats", "--by", "officer").stdout  # the table on screen is a view, with names
    actions = [r["action"] for r in json.loads(run(home, "audit", "--json").stdout)["rows"]]
    assert actions[:4] == ["view-officer-stats", "export-officer-stats-with-names", "export-officer-stats",
                           "export-officer-stats"]
    refused = run(home, "stats", "--by", "team", "--names")
    assert refused.returncode != 0 and "--names goes with --by officer" in refused.stderr


def test_a_made_up_force_is_reported_beside_the_configured_teams_and_seeding_twice_never_doubles_it(
    home: Path,
) -> None:
    first = json.loads(run(home, "demo", "seed", "--officers", "40", "--days", "20", "--json").stdout)
    assert first["officers"] == 40 and 3 <= first["teams"] <= 5 and first["acknowledgements"] > 0
    teams = json.loads(run(home, "stats", "--json", "--by", "team").stdout)["rows"]
    assert sum(r["delivered"] for r in teams) == first["recipients"]
    assert sum(r["acknowledged"] for r in teams) == first["acknowledgements"]
    assert all(r["on_time"] + r["late"] == r["acknowledged"] for r in teams)  # every card was for a shift
    again = json.loads(run(home, "demo", "seed", "--officers", "40", "--days", "20", "--json").stdout)
    teams_again = json.loads(run(home, "stats", "--json", "--by", "team").stdout)["rows"]
    assert sum(r["acknowledged"] for r in teams_again) == again["acknowledgements"]
    one = teams[0]["team"]
    officers = json.loads(run(home, "stats", "--json", "--by", "officer", "--team", one).stdout)["rows"]
    assert 8 <= len(officers) <= 15 + 5  # the team, and anyone who moved into it
    run(home, "demo", "clear")
    assert json.loads(run(home, "stats", "--json", "--by", "team").stdout)["rows"] == []


def test_stats_csv_has_a_header_and_one_row_per_team(home: Path) -> None:
    run(home, "post", "--team", "response-a")
    out = run(home, "stats", "--csv", "--by", "team")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["team"] for r in rows] == ["response-a"] and rows[0]["delivered"] == "2"  # to its two officers


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("post", "--team", "nope"), "no team 'nope'"),
        (("post", "--team", "response-a", "--topic", "nonsense"), "not a topic"),
        (("stats", "--since", "last week"), "not a date"),
        (("db", "purge", "--older-than", "0"), "from 1 to 36500 days"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_1(home: Path, args: tuple[str, ...], message: str) -> None:
    result = run(home, *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_config_stops_with_file_key_and_reason(home: Path) -> None:
    (home / "shiftbrief.toml").write_text('timezone = "Nowhere/Else"\n[[team]]\n', encoding="utf-8")
    result = run(home, "stats")
    assert result.returncode == 1
    assert "shiftbrief.toml" in result.stderr and "timezone" in result.stderr and "Traceback" not in result.stderr


def test_ask_json_reads_one_question_per_line(home: Path) -> None:
    result = run(home, "ask", "--json", "-", stdin="why fifteen minutes at a hot spot?\nwhen is payday\n\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3  # the blank line gets its own refusal, so answers pair with questions by position
    assert lines[2] == {**lines[2], "answered": False}
    assert set(lines[0]) == {"answered", "near_topic", "topic", "card", "title", "text", "sources", "score"}
    assert lines[0]["answered"] and lines[0]["topic"] == "fifteen-minutes" and lines[0]["sources"]
    assert lines[0]["near_topic"] is True
    assert lines[1] == {**lines[1], "answered": False, "near_topic": False, "topic": None, "card": None}
    assert lines[2] == {**lines[2], "near_topic": False}
    gaps = run(home, "questions", "--json")
    assert json.loads(gaps.stdout)["rows"] == []  # trying the answerer is not an officer's question
    logged = run(home, "ask", "--log", "when is payday")
    assert "outside hot spots policing, so I have not passed it on" in logged.stdout
    assert "I can answer questions on: what hot spots policing is;" in logged.stdout
    kept = json.loads(run(home, "questions", "--json").stdout)["rows"]
    assert [(q["text"], q["answered"], q["off_topic"]) for q in kept] == [("when is payday", 0, 1)]
    gaps = run(home, "questions", "--unanswered", "--json")
    assert json.loads(gaps.stdout)["rows"] == []  # kept for counting, but no gap in the training
    assert "add --log" not in run(home, "ask", "when is payday").stdout  # it would not be passed on anyway


def test_backup_is_a_usable_copy_and_refuses_to_overwrite(home: Path) -> None:
    run(home, "post", "--team", "response-a")
    target = home / "backup.db"
    assert run(home, "db", "backup", str(target)).returncode == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 1
    again = run(home, "db", "backup", str(target))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_purge_removes_only_old_records(home: Path) -> None:
    run(home, "post", "--team", "response-a")
    result = run(home, "db", "purge", "--older-than", "30", "--json")
    assert json.loads(result.stdout)["deliveries"] == 0
    with sqlite3.connect(home / "sb.db") as db:
        db.execute("UPDATE deliveries SET created_at = '2020-01-01T00:00:00.000000Z'")
    result = run(home, "db", "purge", "--older-than", "30", "--json")
    assert json.loads(result.stdout)["deliveries"] == 1


def test_content_check_passes_on_the_shipped_pack(home: Path) -> None:
    result = run(home, "content", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_every_command_and_option_has_help_text_and_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    missing = []

    def walk(p, path):  # type: ignore[no-untyped-def]
        for action in p._actions:
            if action.dest != "help" and action.option_strings and not action.help:
                missing.append(f"{path} {action.option_strings[0]}")
            for name, child in getattr(action, "choices", None).items() if hasattr(action, "_name_parser_map") else []:
                command = f"{path} {name}".strip()
                if not child.description:
                    missing.append(command)
                if not getattr(child, "_subparsers", None) and f"shiftbrief {command}" not in readme:
                    missing.append(f"README lacks `shiftbrief {command}`")
                walk(child, command)

    walk(parser, "")
    assert missing == []


def test_run_on_a_port_already_in_use_says_so_in_one_line(home: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "SHIFTBRIEF_CONFIG": str(home / "shiftbrief.toml"), "SHIFTBRIEF_DB": str(home / "sb.db"),
               "PORT": str(port), "HOST": "127.0.0.1"}
        result = subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, text=True, env=env,
                                cwd=home, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args", [("stats", "--by", "rank"), ("stats", "--json", "--csv"), ("db", "purge"), ("nonsense",)]
)
def test_usage_errors_are_one_line_with_exit_1(home: Path, args: tuple[str, ...]) -> None:
    result = run(home, *args)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("shiftbrief")


def test_ask_json_keeps_one_output_line_per_input_line_and_refuses_an_empty_question(home: Path) -> None:
    result = run(home, "ask", "--json", "-", stdin="why 15 mins\n\nwhen is payday\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False, False]
    empty = run(home, "ask", "")
    assert empty.returncode == 1 and "ask a question" in empty.stderr


def test_a_named_config_that_does_not_exist_stops_with_its_path(tmp_path: Path) -> None:
    env = {**os.environ, "SHIFTBRIEF_CONFIG": str(tmp_path / "typo.toml"), "SHIFTBRIEF_DB": str(tmp_path / "x.db")}
    result = subprocess.run([sys.executable, "-m", "bot", "post", "--team", "response-a"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "typo.toml" in result.stderr and "no such file" in result.stderr


def test_report_writes_the_leadership_page_and_a_png_of_it_alongside(home: Path) -> None:
    run(home, "demo", "seed", "--weeks", "3")
    result = run(home, "report", "--out", str(home / "progress.html"))
    assert result.returncode == 0, result.stderr
    page = (home / "progress.html").read_text(encoding="utf-8")
    assert "<h1>" in page and "Acknowledged" in page
    assert "PC One" not in page and "local:pc-1" not in page  # leadership sees aggregates only
    assert (home / "progress.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run(home, "report", "--out", str(home / "progress.pdf"))
    assert bad.returncode != 0 and "should end in .html" in bad.stderr
