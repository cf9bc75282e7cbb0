"""The layers hold: platforms reach the store, the configuration and the pack only through the core.

Imports are checked by import-linter (`make lint`, contracts in pyproject.toml); this checks what an
import contract cannot see: attribute access past the core's façade.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = ("bot/slack", "bot/teams", "bot/local")
REACH_PAST = re.compile(r"\bcore\.(store|config|pack|db|ctx|platforms|cards)\b|\b_store\b")


def test_no_platform_reaches_past_the_core_into_its_store_config_or_pack() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in PLATFORMS
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if REACH_PAST.search(line)
    ]
    assert found == []


def test_the_check_would_see_a_reach_past() -> None:
    assert REACH_PAST.search("names = self.core.store.person_name(pid)")
    assert REACH_PAST.search("team = core.config.team_for_channel(key)")
    assert not REACH_PAST.search("team = self.core.team_for_channel(key)")
