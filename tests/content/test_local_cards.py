"""The force's own cards (SHIFTBRIEF_LOCAL_CARDS): checked like the pack, delivered like any card, never
allowed to take a shipped card's id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import cli
from content import ContentError, load_pack
from tests.conftest import write_config

SHIPPED = Path(__file__).resolve().parents[2] / "content" / "cards" / "evidence-force-reported-results.md"


def local_card(folder: Path, card_id: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = SHIPPED.read_text(encoding="utf-8").replace("id: evidence-force-reported-results", f"id: {card_id}", 1)
    text = text.replace('title: "', 'title: "Our force: ', 1)
    path = folder / f"{card_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_local_cards_join_the_pack(tmp_path: Path) -> None:
    local_card(tmp_path / "local", "our-results-q3")
    pack = load_pack(local=tmp_path / "local")
    assert pack.card("our-results-q3") is not None and pack.card("our-results-q3").title.startswith("Our force")
    assert len(pack.cards) == len(load_pack().cards) + 1


def test_a_local_card_may_not_take_a_shipped_cards_id(tmp_path: Path) -> None:
    local_card(tmp_path / "local", "evidence-force-reported-results")
    with pytest.raises(ContentError, match="is also the id of"):
        load_pack(local=tmp_path / "local")


def test_a_local_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="SHIFTBRIEF_LOCAL_CARDS"):
        load_pack(local=tmp_path / "missing")


def test_content_check_checks_the_local_folder_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    local_card(tmp_path / "local", "our-results-q3")
    monkeypatch.setenv("SHIFTBRIEF_LOCAL_CARDS", str(tmp_path / "local"))
    assert cli.main(["content", "check"]) == 0
    assert "1 of them the force's own" in capsys.readouterr().out
    broken = local_card(tmp_path / "local", "our-broken-card")
    broken.write_text(broken.read_text(encoding="utf-8").replace("topic: evidence", "topic: nonsense", 1),
                      encoding="utf-8")
    assert cli.main(["content", "check"]) == 1
    assert "our-broken-card.md" in capsys.readouterr().err


def test_a_local_card_is_delivered_like_any_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    local_card(tmp_path / "local", "our-results-q3")
    monkeypatch.setenv("SHIFTBRIEF_LOCAL_CARDS", str(tmp_path / "local"))
    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(write_config(tmp_path)))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(tmp_path / "sb.db"))
    assert cli.main(["post", "--team", "response-a", "--card", "our-results-q3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["card"] == "our-results-q3"
