"""`shiftbrief post` and `shiftbrief stats` against Slack, what `shiftbrief post` says when Slack is not set
up, and `shiftbrief slack manifest`."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from bot.cli import main
from bot.slack.manifest import BOT_SCOPES
from tests.conftest import SHARED
from tests.slack.conftest import BOT_TOKEN, SECRET, SLACK_CONFIG, Bot, card_message, progress
from tests.slack.fake_slack import FakeSlack

MANIFESTS = SHARED / "schemas" / "slack-manifest"


def use_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeSlack, config: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "SHIFTBRIEF_CONFIG": str(config), "SHIFTBRIEF_DB": str(tmp_path / "shiftbrief.db"),
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)


async def test_shiftbrief_post_team_posts_the_card_to_the_slack_channel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeSlack, slack_config_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_env(monkeypatch, tmp_path, fake, slack_config_path)
    status = await asyncio.to_thread(main, ["post", "--team", "response-a", "--topic", "displacement", "--json"])
    assert status == 0, capsys.readouterr().err
    printed = json.loads(capsys.readouterr().out)
    message = card_message(fake, "C0RESPA")
    assert printed["channel"] == "slack:C0RESPA" and printed["recipients"] == 2  # the officers, not the sergeant
    assert message.metadata["event_payload"]["delivery"] == printed["delivery"]
    assert progress(message) == "Acknowledged by 0 of 2"


async def test_stats_by_officer_shows_exactly_who_acknowledged_in_slack(
    bot: Bot, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack_config_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await bot.command("U0SGT", "now")
    await fake.wait_for(lambda: fake.private_to("U0SGT"))
    delivery_id = bot.store.latest_delivery("response-a").id
    await bot.click("U0PC2", "acknowledge", delivery_id)
    await fake.wait_for(lambda: fake.private_to("U0PC2"))

    use_env(monkeypatch, tmp_path, fake, slack_config_path)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["stats", "--json", "--by", "officer", "--names"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {(r["name"], r["acknowledged"]) for r in rows} == {("PC Ahmed", 0), ("PC Brown", 1)}  # officers only


def manifest_validator() -> Draft7Validator:
    """The router schema, with its URL $refs resolved to the local copies."""
    router = json.loads((MANIFESTS / "manifest.schema.json").read_text())
    resources = []
    for version in ("1.0.0", "2.0.0"):
        schema = json.loads((MANIFESTS / f"manifest.schema.{version}.json").read_text())
        url = f"https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.{version}.json"
        resources.append((url, Resource.from_contents(schema, default_specification=_draft7())))
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft7Validator(router, registry=registry)


def _draft7() -> Any:
    from referencing.jsonschema import DRAFT7

    return DRAFT7


def test_the_manifest_validates_and_has_socket_mode_brief_interactivity_and_app_home(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["slack", "manifest", "--name", "Northshire briefings"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    errors = [e.message for e in manifest_validator().iter_errors(manifest)]
    assert errors == []
    assert manifest["display_information"]["name"] == "Northshire briefings"
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/brief"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_mention", "message.im", "member_joined_channel", "member_left_channel"}


def test_a_broken_manifest_would_fail_validation() -> None:
    """The validator above can fail: a bad command name is caught."""
    from bot.slack.manifest import build_manifest

    manifest = build_manifest()
    manifest["features"]["slash_commands"][0]["command"] = "brief"  # no leading slash
    assert list(manifest_validator().iter_errors(manifest))


@pytest.mark.parametrize("method", [
    "chat.postMessage", "chat.update", "chat.postEphemeral", "conversations.members", "users.info",
    "conversations.open", "conversations.history", "app_mentions", "im.history",
])
def test_the_manifest_grants_a_scope_for_every_method_the_bot_uses(method: str) -> None:
    needed = {
        "conversations.history": {"channels:history", "groups:history"},  # no shared reference file
        "app_mentions": {"app_mentions:read"},
        "im.history": {"im:history"},
    }.get(method)
    if needed is None:
        reference = json.loads((SHARED / "schemas" / "slack-methods" / f"{method}.json").read_text())
        needed = set(reference["scope"]["bot"])
    assert needed & set(BOT_SCOPES), f"{method} needs one of {needed}"


def test_manifest_name_longer_than_slack_allows_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--name", "x" * 36]) == 1
    assert "1 to 35 characters" in capsys.readouterr().err


def test_every_brief_command_and_scope_is_in_the_admins_walk_through() -> None:
    from bot.core import COMMANDS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "slack.md").read_text(encoding="utf-8")
    missing = [f"/brief {spec.usage}" for spec in COMMANDS.values() if f"`/brief {spec.usage}`" not in guide]
    missing += [scope for scope in BOT_SCOPES if f"`{scope}`" not in guide]
    assert missing == []


def test_post_to_a_slack_team_without_slack_names_the_missing_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack_config_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(slack_config_path))
    monkeypatch.setenv("SHIFTBRIEF_DB", str(tmp_path / "shiftbrief.db"))
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["post", "--team", "response-a"]) == 1
    said = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in said and "SLACK_SIGNING_SECRET" in said and "SLACK_APP_TOKEN" in said, said

    monkeypatch.setenv("SLACK_SIGNING_SECRET", "set")
    assert main(["post", "--team", "response-a", "--json"]) == 1
    said = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in said and "SLACK_SIGNING_SECRET" not in said, said


def test_post_to_slack_without_a_token_names_the_variable_and_records_nothing(tmp_path: Path) -> None:
    (tmp_path / "shiftbrief.toml").write_text(SLACK_CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(SHIFTBRIEF_CONFIG=str(tmp_path / "shiftbrief.toml"), SHIFTBRIEF_DB=str(tmp_path / "sb.db"))
    team = next(line.split('"')[1] for line in SLACK_CONFIG.splitlines() if line.startswith("id = "))
    result = subprocess.run([sys.executable, "-m", "bot", "post", "--team", team], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "SLACK_BOT_TOKEN" in result.stderr
    with sqlite3.connect(tmp_path / "sb.db") as db:
        assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0


def test_the_member_events_that_keep_membership_fresh_have_their_scopes() -> None:
    from bot.slack.manifest import BOT_EVENTS

    # member_joined_channel and member_left_channel need channels:read (public) or groups:read (private).
    assert {"member_joined_channel", "member_left_channel"} <= set(BOT_EVENTS)
    assert {"channels:read", "groups:read"} <= set(BOT_SCOPES)
