"""The configuration: `shiftbrief.toml` for teams, rotas and roles, the environment for secrets.

Everything is validated into frozen dataclasses at start-up; a bad file stops start-up with the
file, the key and the reason.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PLATFORMS = ("slack", "teams", "local")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
PERSON_ID = re.compile(r"^(slack|teams|local):[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\Z")
CHANNEL_ID = re.compile(r"^(slack|teams|local):\S{1,256}\Z")
ROTA_YEARS = (2000, 2100)
"""rota_start must fall in these years: a rota anchored in year 1 or 9999 is a typo (and overflows dates)."""
SHIFT_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d\Z")
DASHBOARD_URL = re.compile(r"^https?://[^\s<>|\x00-\x1f\x7f]{1,300}\Z")
TEAMS_APP_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s<>\"|\x00-\x1f\x7f]*)?\Z")
FLAGS = {"": False, "0": False, "false": False, "1": True, "true": True}  # an on/off environment variable
TOP_KEYS = ("timezone", "roles", "team", "people", "questions_channel", "teams_app")
TEAMS_APP_KEYS = ("developer", "website_url", "privacy_url", "terms_url")
COLLEGE_HOSTS = ("college.police.uk",)
"""The College of Policing's pages: never the force's own privacy notice or terms in its Teams app."""
TEAM_KEYS = (
    "id", "name", "channel", "sergeants", "rota_start", "rota", "nudge_minutes_before", "remind_after_minutes", "members",
    "audience",
)
AUDIENCES = ("officers", "sergeants", "leaders")
"""Whose track of cards a team is posted; the same three as content.audiences (a test keeps them equal: this
module is below content and imports none of it)."""


class ConfigError(ValueError):
    """A configuration problem, naming the file, the key and the reason."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: key `{key}`: {reason}")
        self.source, self.key, self.reason = source, key, reason


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    channel: str
    sergeants: tuple[str, ...]
    rota_start: date
    rota: tuple[time | None, ...]
    nudge_minutes_before: int = 30
    remind_after_minutes: int | None = None
    members: tuple[str, ...] = ()
    audience: str = "officers"  # the track of cards it is posted: officers, sergeants or leaders

    @property
    def platform(self) -> str:
        return self.channel.split(":", 1)[0]


@dataclass(frozen=True)
class Config:
    timezone: ZoneInfo
    coordinators: tuple[str, ...]
    teams: tuple[Team, ...]
    people: Mapping[str, str] = field(default_factory=dict)
    questions_channel: str | None = None
    source: str = "(built-in demo)"
    teams_app: Mapping[str, str] = field(default_factory=dict)
    """The force's details for its Teams app package ([teams_app]: developer, website_url, privacy_url, terms_url)."""

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def team_for_channel(self, channel: str) -> Team | None:
        return next((t for t in self.teams if t.channel == channel), None)

    def display_name(self, person_id: str) -> str:
        return self.people.get(person_id) or person_id.split(":", 1)[-1]

    def known_people(self) -> list[str]:
        """Everyone the configuration names, coordinators first, for the local workspace's picker."""
        seen: dict[str, None] = {}
        for pid in self.coordinators:
            seen[pid] = None
        for team in self.teams:
            for pid in (*team.sergeants, *team.members):
                seen[pid] = None
        for pid in self.people:
            seen[pid] = None
        return list(seen)


@dataclass(frozen=True)
class Settings:
    """The environment: where things are and the platforms' secrets."""

    config_path: Path
    db_path: Path
    host: str
    port: int
    config_required: bool = False  # SHIFTBRIEF_CONFIG was set: a missing file is an error, not the demo
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str = "SingleTenant"
    teams_emulator: bool = False  # SHIFTBRIEF_TEAMS_EMULATOR: unauthenticated /api/messages, loopback HOST only
    local_cards: Path | None = None  # SHIFTBRIEF_LOCAL_CARDS: the force's own cards, beside the shipped pack
    dashboard_url: str | None = None  # SHIFTBRIEF_DASHBOARD_URL: linked under stats in chat

    @property
    def host_is_loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_dotenv(path: Path, environ: dict[str, str]) -> None:
    """Fill `environ` from a `.env` file without overriding what is already set."""
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(str(path), f"line {number}", "expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        environ.setdefault(key.strip(), value)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    if environ is None:
        read_dotenv(Path(".env"), env)
    port_text = env.get("PORT", "3978")
    try:
        port = int(port_text)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise ConfigError("environment", "PORT", f"{port_text!r} is not a port number (0-65535)") from None
    app_type = env.get("MICROSOFT_APP_TYPE") or "SingleTenant"
    if app_type not in ("SingleTenant", "MultiTenant", "UserAssignedMSI"):
        raise ConfigError(
            "environment", "MICROSOFT_APP_TYPE", f"{app_type!r}: expected SingleTenant, MultiTenant or UserAssignedMSI"
        )
    emulator_text = env.get("SHIFTBRIEF_TEAMS_EMULATOR") or ""
    if emulator_text.strip().lower() not in FLAGS:
        raise ConfigError(
            "environment", "SHIFTBRIEF_TEAMS_EMULATOR", f"{emulator_text!r}: expected 1 or true (on), 0, false or empty (off)"
        )
    dashboard_url = (env.get("SHIFTBRIEF_DASHBOARD_URL") or "").strip() or None
    if dashboard_url is not None and not DASHBOARD_URL.match(dashboard_url):
        raise ConfigError("environment", "SHIFTBRIEF_DASHBOARD_URL",
                          f"{dashboard_url[:80]!r}: expected an http or https address with no spaces")
    return Settings(
        config_path=Path(env.get("SHIFTBRIEF_CONFIG") or "shiftbrief.toml"),
        config_required=bool(env.get("SHIFTBRIEF_CONFIG")),
        db_path=Path(env.get("SHIFTBRIEF_DB") or "shiftbrief.db"),
        host=env.get("HOST") or "127.0.0.1",
        port=port,
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        slack_app_token=env.get("SLACK_APP_TOKEN") or None,
        slack_api_url=env.get("SLACK_API_URL") or None,
        microsoft_app_id=env.get("MICROSOFT_APP_ID") or None,
        microsoft_app_password=env.get("MICROSOFT_APP_PASSWORD") or None,
        microsoft_app_tenant_id=env.get("MICROSOFT_APP_TENANT_ID") or None,
        microsoft_app_type=app_type,
        teams_emulator=FLAGS[emulator_text.strip().lower()],
        local_cards=Path(env["SHIFTBRIEF_LOCAL_CARDS"]) if env.get("SHIFTBRIEF_LOCAL_CARDS") else None,
        dashboard_url=dashboard_url,
    )


def load_config(path: Path, required: bool = False) -> Config:
    """Read the TOML file at `path`; with no file there, the built-in demo force, unless `required`
    (SHIFTBRIEF_CONFIG named it: a typo must not quietly start the demo teams)."""
    if not path.exists():
        if required:
            raise ConfigError(str(path), "SHIFTBRIEF_CONFIG", "no such file")
        return demo_config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "(file)", f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "(file)", f"cannot be read: {exc}") from None
    return parse_config(data, str(path))


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(source, key, f"unknown key; expected one of {', '.join(TOP_KEYS)}")
    zone_name = data.get("timezone", "Europe/London")
    if not isinstance(zone_name, str):
        raise ConfigError(source, "timezone", "must be a string such as \"Europe/London\"")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source, "timezone", f"{zone_name!r} is not an IANA time zone") from None

    roles = data.get("roles", {})
    if not isinstance(roles, dict):
        raise ConfigError(source, "roles", "must be a table")
    for key in roles:
        if key != "coordinators":
            raise ConfigError(source, f"roles.{key}", "unknown key; expected `coordinators`")
    coordinators = _people(roles.get("coordinators", []), source, "roles.coordinators")

    people_table = data.get("people", {})
    if not isinstance(people_table, dict):
        raise ConfigError(source, "people", "must be a table of \"platform:id\" = \"Display name\"")
    people: dict[str, str] = {}
    for pid, name in people_table.items():
        if not PERSON_ID.match(pid):
            raise ConfigError(source, f"people.{pid}", "not a platform-prefixed id such as \"slack:U0123\"")
        if not isinstance(name, str) or not name.strip() or len(name) > 80:
            raise ConfigError(source, f"people.{pid}", "display name must be 1-80 characters")
        people[pid] = name.strip()

    questions_channel = data.get("questions_channel")
    if questions_channel is not None and (
        not isinstance(questions_channel, str) or not CHANNEL_ID.match(questions_channel)
    ):
        raise ConfigError(source, "questions_channel", "must be a platform-prefixed channel id such as \"slack:C0123\"")

    raw_teams = data.get("team", [])
    if not isinstance(raw_teams, list) or not raw_teams:
        raise ConfigError(source, "team", "at least one [[team]] table is needed")
    teams: list[Team] = []
    for index, raw in enumerate(raw_teams):
        teams.append(_team(raw, source, f"team[{index}]"))
    ids = [t.id for t in teams]
    for team in teams:
        if ids.count(team.id) > 1:
            raise ConfigError(source, "team.id", f"{team.id!r} is used by more than one team")
    channels = [t.channel for t in teams]
    for team in teams:
        if channels.count(team.channel) > 1:
            raise ConfigError(source, f"team[{ids.index(team.id)}].channel", f"{team.channel!r} is used by more than one team")
    return Config(zone, coordinators, tuple(teams), people, questions_channel, source,
                  _teams_app(data.get("teams_app", {}), source))


def _teams_app(value: Any, source: str) -> dict[str, str]:
    """The [teams_app] table: the force's name and its own https pages, checked as `teams package` checks them."""
    if not isinstance(value, dict):
        raise ConfigError(source, "teams_app", "must be a table ([teams_app])")
    result: dict[str, str] = {}
    for key, text in value.items():
        if key not in TEAMS_APP_KEYS:
            raise ConfigError(source, f"teams_app.{key}", f"unknown key; expected one of {', '.join(TEAMS_APP_KEYS)}")
        if not isinstance(text, str):
            raise ConfigError(source, f"teams_app.{key}", "must be a string")
        problem = teams_app_problem(key, text)
        if problem:
            raise ConfigError(source, f"teams_app.{key}", problem)
        result[key] = text.strip()
    return result


def teams_app_problem(key: str, value: str) -> str | None:
    """Why a value cannot go in the force's Teams app package, or None: the developer name is 1-32
    characters (Teams' limit); the pages are the force's own https addresses, never the College's."""
    text = value.strip()
    if key == "developer":
        return None if 1 <= len(text) <= 32 and text.isprintable() else "must be 1 to 32 printable characters"
    if not TEAMS_APP_URL.match(text):
        return f"{text[:80]!r} is not an https address (Teams accepts https pages only)"
    host = text.split("/", 3)[2].split(":")[0].lower().rstrip(".")
    if any(host == college or host.endswith("." + college) for college in COLLEGE_HOSTS):
        return (f"{host} is the College of Policing's site: give the force's own page (its privacy notice and "
                "terms for this app), not the College's")
    return None


def _people(value: Any, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(source, key, "must be a list of platform-prefixed ids")
    for item in value:
        if not isinstance(item, str) or not PERSON_ID.match(item):
            raise ConfigError(
                source, key, f"{item!r} is not a platform-prefixed id such as \"slack:U0123\", \"teams:<id>\" or \"local:name\""
            )
    return tuple(value)


def _team(raw: Any, source: str, where: str) -> Team:
    if not isinstance(raw, dict):
        raise ConfigError(source, where, "must be a table")
    for key in raw:
        if key not in TEAM_KEYS:
            raise ConfigError(source, f"{where}.{key}", f"unknown key; expected one of {', '.join(TEAM_KEYS)}")
    for key in ("id", "name", "channel", "rota_start", "rota"):
        if key not in raw:
            raise ConfigError(source, f"{where}.{key}", "is required")
    team_id = raw["id"]
    if not isinstance(team_id, str) or not SLUG.match(team_id):
        raise ConfigError(source, f"{where}.id", f"{team_id!r} must be a slug: lower-case letters, digits and hyphens")
    where = f"team.{team_id}"
    name = raw["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise ConfigError(source, f"{where}.name", "must be 1-80 characters")
    channel = raw["channel"]
    if not isinstance(channel, str) or not CHANNEL_ID.match(channel):
        raise ConfigError(
            source, f"{where}.channel", f"{channel!r} must be \"slack:C…\", \"teams:<conversation id>\" or \"local:<name>\""
        )
    sergeants = _people(raw.get("sergeants", []), source, f"{where}.sergeants")
    members = _people(raw.get("members", []), source, f"{where}.members")
    start = raw["rota_start"]
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            raise ConfigError(source, f"{where}.rota_start", f"{start!r} is not a date (YYYY-MM-DD)") from None
    if not isinstance(start, date) or hasattr(start, "hour"):
        raise ConfigError(source, f"{where}.rota_start", "must be a date (YYYY-MM-DD)")
    if not ROTA_YEARS[0] <= start.year <= ROTA_YEARS[1]:
        raise ConfigError(source, f"{where}.rota_start",
                          f"{start.isoformat()} is outside {ROTA_YEARS[0]}-{ROTA_YEARS[1]}; give the date the cycle starts")
    rota_raw = raw["rota"]
    if not isinstance(rota_raw, list) or not 1 <= len(rota_raw) <= 56:
        raise ConfigError(source, f"{where}.rota", "must list 1 to 56 cycle days, each \"HH:MM\" or \"off\"")
    rota: list[time | None] = []
    for day, entry in enumerate(rota_raw, start=1):
        if entry == "off":
            rota.append(None)
        elif isinstance(entry, str) and SHIFT_TIME.match(entry):
            rota.append(time.fromisoformat(entry))
        else:
            raise ConfigError(source, f"{where}.rota", f"day {day}: {entry!r} is not \"HH:MM\" (24-hour) or \"off\"")
    nudge = raw.get("nudge_minutes_before", 30)
    if not isinstance(nudge, int) or isinstance(nudge, bool) or not 0 <= nudge <= 720:
        raise ConfigError(source, f"{where}.nudge_minutes_before", "must be a whole number of minutes from 0 to 720")
    remind = raw.get("remind_after_minutes")
    if remind is not None and (not isinstance(remind, int) or isinstance(remind, bool) or not 1 <= remind <= 720):
        raise ConfigError(source, f"{where}.remind_after_minutes", "must be a whole number of minutes from 1 to 720")
    audience = raw.get("audience", "officers")
    if not isinstance(audience, str) or audience not in AUDIENCES:
        raise ConfigError(source, f"{where}.audience",
                          f"{audience!r} is not an audience; expected {', '.join(repr(a) for a in AUDIENCES)} "
                          "(or leave it out for officers)")
    return Team(team_id, name.strip(), channel, sergeants, start, tuple(rota), nudge, remind, members, audience)


def demo_config() -> Config:
    """Three local teams, so `make run` shows the whole idea with no file and no chat account."""
    from datetime import date as _date

    def team(tid: str, name: str, sgt: str, officers: list[str], start: str, rota: list[str]) -> dict[str, Any]:
        return {
            "id": tid, "name": name, "channel": f"local:{tid}", "sergeants": [sgt],
            "members": officers, "rota_start": _date.fromisoformat(start), "rota": rota,
            "nudge_minutes_before": 30, "remind_after_minutes": 60,
        }

    data = {
        "timezone": "Europe/London",
        "roles": {"coordinators": ["local:coordinator"]},
        "people": {
            "local:coordinator": "Insp. Okafor",
            "local:sgt-patel": "Sgt Patel", "local:sgt-walsh": "Sgt Walsh", "local:sgt-evans": "Sgt Evans",
            "local:pc-ahmed": "PC Ahmed", "local:pc-brown": "PC Brown", "local:pc-clarke": "PC Clarke",
            "local:pc-davies": "PC Davies", "local:pc-edwards": "PC Edwards", "local:pcso-fraser": "PCSO Fraser",
            "local:pc-green": "PC Green", "local:pc-hughes": "PC Hughes", "local:pcso-iqbal": "PCSO Iqbal",
        },
        "team": [
            team("response-a", "Response Team A", "local:sgt-patel",
                 ["local:pc-ahmed", "local:pc-brown", "local:pc-clarke"], "2026-11-23",
                 ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]),
            team("response-b", "Response Team B", "local:sgt-walsh",
                 ["local:pc-davies", "local:pc-edwards", "local:pcso-fraser"], "2026-11-27",
                 ["07:00", "07:00", "19:00", "19:00", "off", "off", "off", "off"]),
            team("neighbourhood-east", "Neighbourhood East", "local:sgt-evans",
                 ["local:pc-green", "local:pc-hughes", "local:pcso-iqbal"], "2026-11-23",
                 ["08:00", "08:00", "08:00", "14:00", "14:00", "off", "off"]),
        ],
    }
    return parse_config(data, "(built-in demo)")
