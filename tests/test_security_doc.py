"""docs/SECURITY.md names, for each protection, the test that proves it: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "SECURITY.md"
CELL = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`((?:, `::\w+`)*)")


def named_tests() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for match in CELL.finditer(DOC.read_text(encoding="utf-8")):
        path, first, more = match.group(1), match.group(2), match.group(3)
        found.append((path, first))
        found += [(path, name) for name in re.findall(r"::(\w+)", more)]
    return found


def test_every_test_the_security_page_names_exists() -> None:
    missing = []
    for path, name in named_tests():
        source = ROOT / path
        if not source.is_file():
            missing.append(path)
        elif name and not re.search(rf"^(async )?def {name}\(", source.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_the_page_covers_every_break_in_the_review() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert [f"B{n}" for n in range(1, 13) if f"B{n}:" not in text and f"B{n} " not in text] == []
    assert len(named_tests()) > 30
