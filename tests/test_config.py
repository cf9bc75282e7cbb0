"""A bad configuration stops start-up with the file, the key and the reason."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, load_settings, read_dotenv
from tests.conftest import CONFIG_TOML, write_config


def test_issue_example_format_loads(tmp_path: Path) -> None:
    path = write_config(tmp_path, """
        timezone = "Europe/London"
        [roles]
        coordinators = ["slack:U0COORD", "teams:00000000-0000-0000-0000-000000000001", "local:coordinator"]
        [[team]]
        id = "response-a"
        name = "Response Team A"
        channel = "slack:C0123"
        sergeants = ["slack:U0SGT"]
        rota_start = "2026-11-23"
        rota = ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]
        nudge_minutes_before = 30
    """)
    config = load_config(path)
    team = config.teams[0]
    assert team.platform == "slack" and team.sergeants == ("slack:U0SGT",)
    assert team.rota[2] == time(19, 0) and team.rota[4] is None
    assert str(config.timezone) == "Europe/London"


def test_missing_file_gives_the_demo_force(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert len(config.teams) == 3 and all(t.channel.startswith("local:") for t in config.teams)


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (('timezone = "Europe/London"', 'timezone = "Mars/Olympus"'), "timezone", "not an IANA time zone"),
        (('"07:00", "07:00", "19:00"', '"7am", "07:00", "19:00"'), "team.response-a.rota", "day 1"),
        (('id = "response-b"', 'id = "response-a"'), "team.id", "more than one team"),
        (('channel = "local:response-b"', 'channel = "irc:#b"'), "team.response-b.channel", "must be"),
        (('sergeants = ["local:sgt-a"]', 'sergeants = ["U0SGT"]'), "team.response-a.sergeants", "platform-prefixed"),
        (('nudge_minutes_before = 30', 'nudge_minutes_before = -5'), "team.response-a.nudge_minutes_before", "0 to 720"),
        (('rota_start = "2026-11-23"\nrota = ["07', 'rota_start = "23/11/2026"\nrota = ["07'), "team.response-a.rota_start", "not a date"),
    ],
)
def test_bad_config_names_file_key_and_reason(tmp_path: Path, change: tuple[str, str], key: str, reason: str) -> None:
    text = CONFIG_TOML.replace(*change, 1)
    assert text != CONFIG_TOML
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert reason in caught.value.reason
    assert str(path) in str(caught.value)


def test_broken_toml_is_reported_not_raised(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[[team]\nid=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_settings_defaults_and_bad_port() -> None:
    settings = load_settings({})
    assert (settings.host, settings.port, str(settings.db_path)) == ("127.0.0.1", 3978, "shiftbrief.db")
    assert settings.host_is_loopback
    assert not load_settings({"HOST": "0.0.0.0"}).host_is_loopback
    with pytest.raises(ConfigError, match="PORT"):
        load_settings({"PORT": "http"})


def test_dotenv_fills_only_what_is_unset(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nPORT=4000\nexport HOST='127.0.0.2'\n", encoding="utf-8")
    env = {"PORT": "5000"}
    read_dotenv(env_file, env)
    assert env == {"PORT": "5000", "HOST": "127.0.0.2"}


def test_every_config_key_and_variable_is_documented() -> None:
    from bot.config import TEAM_KEYS, TOP_KEYS

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    example_env = (root / ".env.example").read_text(encoding="utf-8")
    undocumented = [k for k in TOP_KEYS if f"`{k}" not in readme and f"`roles.{k}" not in readme]
    undocumented += [f"team.{k}" for k in TEAM_KEYS if f"team.{k}" not in readme and f"`team.{k}`" not in readme]
    assert undocumented == []
    for variable in ("SHIFTBRIEF_CONFIG", "SHIFTBRIEF_DB", "HOST", "PORT", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
                     "SLACK_APP_TOKEN", "SLACK_API_URL", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD",
                     "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE"):
        assert f"{variable}=" in example_env, variable
        assert variable in readme, variable


def test_example_config_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    config = load_config(root / "shiftbrief.example.toml")
    assert config.teams


def test_a_named_config_file_that_does_not_exist_is_an_error_not_the_demo(tmp_path: Path) -> None:
    settings = load_settings({"SHIFTBRIEF_CONFIG": str(tmp_path / "typo.toml")})
    with pytest.raises(ConfigError, match="no such file") as caught:
        load_config(settings.config_path, required=settings.config_required)
    assert "typo.toml" in str(caught.value)
    assert not load_settings({}).config_required
