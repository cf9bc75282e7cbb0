"""`shiftbrief content check`, run as a coordinator runs it: a real process, its exit code and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.content.conftest import card_fields, write_card

ROOT = Path(__file__).resolve().parents[2]


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", *args], capture_output=True, text=True, env=env, cwd=cwd,
        timeout=60,
    )


def test_the_shipped_pack_passes(tmp_path: Path) -> None:
    result = check(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ") and "on 11 topics" in result.stdout


def test_the_shipped_pack_passes_as_json(tmp_path: Path) -> None:
    result = check("--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["cards"] >= 30 and len(report["topics"]) == 11


def test_a_broken_card_fails_naming_the_file_field_and_reason(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    write_card(cards, card_fields("good-card"))
    broken = write_card(cards, card_fields("bad-topic", topic="fifteen-minute"))
    result = check("--path", str(cards), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{broken}: field `topic`: 'fifteen-minute' is not a topic" in result.stderr
    assert "content check failed: 1 problem(s)" in result.stderr
    assert "good-card" not in result.stderr


def test_broken_front_matter_fails_naming_the_file(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    broken = cards / "no-close.md"
    broken.write_text("---\nid: no-close\ntopic: evidence\nBody with no closing line.\n", encoding="utf-8")
    result = check("--path", str(cards), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{broken}: field `(front matter)`" in result.stderr


def test_a_broken_pack_as_json_lists_each_problem(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    fields = card_fields("answer-out-of-range")
    fields["check"]["answer"] = 7
    write_card(cards, fields)
    write_card(cards, card_fields("too-long"), body="y" * 1201)
    result = check("--path", str(cards), "--json", cwd=tmp_path)
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert sorted((Path(p["path"]).name, p["field"]) for p in problems) == [
        ("answer-out-of-range.md", "check.answer"), ("too-long.md", "(body)"),
    ]


def test_a_missing_folder_fails(tmp_path: Path) -> None:
    result = check("--path", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1 and "is not a folder of cards" in result.stderr
