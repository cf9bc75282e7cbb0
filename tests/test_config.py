"""A bad configuration stops start-up with the file, the key and the reason."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config import TEAM_KEYS, ConfigError, load_config, load_settings, read_dotenv
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


def test_a_team_is_for_officers_unless_it_names_another_audience(tmp_path: Path) -> None:
    path = write_config(tmp_path, CONFIG_TOML.replace('rota = ["19:00", "off"]', 'rota = ["19:00", "off"]\naudience = "leaders"'))
    config = load_config(path)
    assert [t.audience for t in config.teams] == ["officers", "leaders"]
    assert all(t.audience == "officers" for t in load_config(tmp_path / "absent.toml").teams)


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
        (('nudge_minutes_before = 30', 'nudge_minutes_before = 30\naudience = "inspectors"'), "team.response-a.audience",
         "'inspectors' is not an audience; expected 'officers', 'sergeants', 'leaders'"),
        (('nudge_minutes_before = 30', 'nudge_minutes_before = 30\naudience = ["sergeants"]'), "team.response-a.audience",
         "is not an audience"),
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
                     "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE", "SHIFTBRIEF_TEAMS_EMULATOR",
                     "SHIFTBRIEF_LOCAL_CARDS", "SHIFTBRIEF_DASHBOARD_URL"):
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


# -- any value in a team's table -----------------------------------------------------------------
# A coordinator edits shiftbrief.toml by hand: whatever TOML value ends up in a team's field, start-up
# either takes it or stops with a ConfigError naming the file, the key and the reason; never another error.

TOML_SCALAR = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(), st.text(max_size=12),
    st.dates(), st.times(), st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])),
)
TOML_VALUE = st.recursive(
    TOML_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
    max_leaves=8,
)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(st.sampled_from(["response-a", "a", "Response-A", "-a", "a" * 70]), st.from_regex(r"\A[a-z0-9-]{1,8}\Z")),
    "name": st.one_of(st.text(max_size=90), st.just("Response Team A")),
    "channel": st.sampled_from(["local:response-a", "slack:C0123", "teams:19:x@thread.tacv2", "irc:#a", "slack:", ""]),
    "sergeants": st.lists(st.sampled_from(["local:sgt-a", "slack:U0SGT", "U0SGT", "teams:", ""]), max_size=3),
    "members": st.lists(st.sampled_from(["local:pc-1", "teams:aad-1", "pc-1"]), max_size=3),
    "rota_start": st.one_of(st.dates(), st.sampled_from(["2026-11-23", "23/11/2026", "20261123", "2026-W48-1", ""])),
    "rota": st.lists(st.sampled_from(["07:00", "off", "19:30", "24:00", "7:00", "OFF", "07:00:00", ""]), max_size=60),
    "nudge_minutes_before": st.integers(min_value=-10, max_value=1000),
    "remind_after_minutes": st.integers(min_value=-10, max_value=1000),
    "audience": st.sampled_from(["officers", "sergeants", "leaders", "Sergeants", "inspectors", ""]),
}


def toml(value: Any) -> str:
    """A Python value as an inline TOML value (tomllib reads TOML but cannot write it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return '"' + "".join(
            "\\\\" if c == "\\" else '\\"' if c == '"' else f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c
            for c in value
        ) + '"'
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml(str(k))} = {toml(v)}" for k, v in value.items()) + "}"


@st.composite
def team_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A valid team with some of its fields replaced by plausible mistakes or by any TOML value at all."""
    team: dict[str, Any] = {"id": "response-a", "name": "Response Team A", "channel": "local:response-a",
                            "sergeants": ["local:sgt-a"], "rota_start": date(2026, 11, 23), "rota": ["07:00", "off"]}
    for key in draw(st.lists(st.sampled_from([*TEAM_KEYS, "colour"]), min_size=1, max_size=3, unique=True)):
        team[key] = draw(st.one_of(PLAUSIBLE.get(key, TOML_VALUE), TOML_VALUE))
    for key in draw(st.lists(st.sampled_from(["id", "name", "channel", "rota_start", "rota"]), max_size=1)):
        del team[key]
    return team


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=150)
@given(team_tables())
@example({"id": "response-a", "name": "A", "channel": "local:a", "rota_start": "2026-11-23", "rota": ["24:00"]})
@example({"id": "response-a", "name": "A", "channel": "local:a", "rota_start": "2026-11-23", "rota": ["07:00\n"]})
@example({"id": "response-a", "name": "A", "channel": "local:a", "rota_start": time(7, 0), "rota": ["07:00"]})
@example({"id": "response-a", "name": "A", "channel": "local:a", "rota_start": "2026-11-23", "rota": ["off"],
          "nudge_minutes_before": True})
def test_any_value_in_a_teams_fields_is_taken_or_refused_with_a_config_error(tmp_path: Path, team: dict[str, Any]) -> None:
    path = write_config(tmp_path, 'timezone = "Europe/London"\n[[team]]\n'
                        + "".join(f"{toml(k)} = {toml(v)}\n" for k, v in team.items()))
    try:
        config = load_config(path)
    except ConfigError as refused:
        assert str(path) in str(refused) and refused.reason
    else:
        assert [t.id for t in config.teams] == [team["id"]]


def test_a_rota_time_followed_by_a_newline_is_refused_with_a_config_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, CONFIG_TOML.replace('rota = ["19:00", "off"]', 'rota = ["19:00\\n", "off"]'))
    with pytest.raises(ConfigError, match="day 1"):
        load_config(path)


@pytest.mark.parametrize("line", ['id = "response-b"', 'channel = "local:response-b"', 'sergeants = ["local:sgt-b"]'])
def test_an_id_followed_by_a_newline_is_refused(tmp_path: Path, line: str) -> None:
    assert line in CONFIG_TOML
    path = write_config(tmp_path, CONFIG_TOML.replace(line, line.replace('b"', 'b\\n"'), 1))
    with pytest.raises(ConfigError):
        load_config(path)


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_rota_start_outside_2000_to_2100_is_refused_naming_the_key(tmp_path: Path, start: str) -> None:
    path = write_config(tmp_path, CONFIG_TOML.replace('rota_start = "2026-11-23"', f'rota_start = "{start}"', 1))
    with pytest.raises(ConfigError, match=r"rota_start.*outside 2000-2100"):
        load_config(path)


def test_the_dashboard_address_is_an_http_address_or_refused_naming_the_variable() -> None:
    assert load_settings({}).dashboard_url is None
    url = "https://shiftbrief.force.example/dashboard"
    assert load_settings({"SHIFTBRIEF_DASHBOARD_URL": f" {url} "}).dashboard_url == url
    for bad in ("javascript:alert(1)", "https://x.example/a b", "ftp://x.example/", "https://x.example/<x>"):
        with pytest.raises(ConfigError, match="SHIFTBRIEF_DASHBOARD_URL"):
            load_settings({"SHIFTBRIEF_DASHBOARD_URL": bad})
