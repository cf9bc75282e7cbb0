"""The `shiftbrief` command: a thin layer over the core and the store.

Commands that report take `--json`; errors are one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn

from bot.clock import system_clock
from bot.config import Config, ConfigError, Settings, load_config, load_settings
from bot.core import Actor, Core, CoreError
from bot.store import Database, Store
from content.model import Card, ContentError, Pack
from content.topics import topic_title

log = logging.getLogger("shiftbrief")


class UsageError(Exception):
    """A bad command line; the message says what to change."""


MAX_DAYS = 36500
MAX_FORCE = 50000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def operator() -> Actor:
    """The person at the command line, for the audit trail: `system:cli:<operating-system user>`."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name to be had (e.g. a container with no passwd entry)
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    user = re.sub(r"[^A-Za-z0-9._-]", "-", user)[:64] or "unknown"
    return Actor(f"system:cli:{user}", f"command line ({user})")


def printable(text: object) -> str:
    """Text for a terminal: control characters (escape sequences, bells, NULs) shown as ? and never run."""
    return CONTROL.sub("?", str(text))


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula: text starting =, +, -, @, tab or CR gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 1
    logging.basicConfig(
        level=logging.INFO if args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except (ConfigError, ContentError, CoreError, UsageError, FileExistsError) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"shiftbrief: {line}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        return 0
    except OSError as exc:  # e.g. the port is taken, or a file cannot be written
        print(f"shiftbrief: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 1, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"shiftbrief: {self.prog.removeprefix('shiftbrief').strip() or 'usage'}: {message}"
                     f" (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shiftbrief",
        description="Hot spots policing briefings for shift teams in Slack, Microsoft Teams and a local workspace.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, handler: Callable[[argparse.Namespace], int | None],
                group: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = group.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    command("run", "Start the bot: local workspace, Slack, Teams and the scheduler in one process.", cmd_run)

    p = command("ask", "Answer a question from the content pack, as the bot would.", cmd_ask)
    p.add_argument("question", help="the question, or - to read one question per line from standard input")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line with -)")
    p.add_argument("--log", action="store_true",
                   help="keep the question on record like an officer's (unanswered ones near the topics go on the content-gap list)")

    content = sub.add_parser("content", help="Work with the content pack.", description="Work with the content pack.")
    content_sub = content.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p = command("check", "Validate every card; name the file, field and reason of each problem.", cmd_content_check,
                content_sub)
    p.add_argument("--path", type=Path, help="folder of cards (default: the shipped pack)")
    p.add_argument("--local", type=Path,
                   help="the force's own cards to check with the pack (default: SHIFTBRIEF_LOCAL_CARDS, if set)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")

    schedule = sub.add_parser("schedule", help="The pre-shift nudges.", description="The pre-shift nudges.")
    schedule_sub = schedule.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p = command("preview", "List the shifts, nudge times and cards for the coming days.", cmd_schedule_preview,
                schedule_sub)
    p.add_argument("--team", help="one team id (default: every team)")
    p.add_argument("--from", dest="start", help="first local date, YYYY-MM-DD (default: today)")
    p.add_argument("--days", required=True, help="how many days (1-366)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command("status", "The next nudges and recent missed or failed deliveries.", cmd_schedule_status,
                schedule_sub)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("post", "Post a briefing card to a team's channel now.", cmd_post)
    p.add_argument("--team", required=True, help="team id from the configuration")
    p.add_argument("--topic", help="a topic id (default: next in the team's curriculum)")
    p.add_argument("--card", help="a card id (default: chosen by the curriculum)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("stats", "Acknowledgement and understanding by officer, team, topic or week.", cmd_stats)
    p.add_argument("--team", help="one team id (default: every team)")
    p.add_argument("--by", choices=["officer", "team", "topic", "week"], default="team", help="grouping (default team)")
    p.add_argument("--since", help="only deliveries on or after this local date, YYYY-MM-DD")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help='print {"rows": [...]}')
    fmt.add_argument("--csv", action="store_true", help="print CSV with a header row")
    p.add_argument("--names", action="store_true",
                   help="with --by officer and --csv or --json: include officers' names (ids only otherwise)")

    p = command("questions", "Questions officers asked; --unanswered for the content-gap list.", cmd_questions)
    p.add_argument("--unanswered", action="store_true", help="the content-gap list: questions near the topics the bot could not answer, and answers rated unhelpful")
    p.add_argument("--limit", type=int, default=200, help="at most this many, newest first (default 200)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("audit", "The audit trail: who viewed officer-level figures, posted, nudged or purged, newest first.",
                cmd_audit)
    p.add_argument("--since", help="only entries on or after this local date, YYYY-MM-DD")
    p.add_argument("--limit", type=int, default=100, help="at most this many entries (default 100)")
    p.add_argument("--json", action="store_true", help='print {"rows": [...]}')

    p = command("report", "Write the one-page leadership report (HTML, readable offline) and a PNG of it alongside.",
                cmd_report)
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write; the PNG gets the same name, .png")
    p.add_argument("--no-png", action="store_true", help="write the HTML only (no browser needed)")

    db = sub.add_parser("db", help="Database maintenance.", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p = command("backup", "Copy the database to PATH (SQLite online backup: safe while the bot runs).", cmd_db_backup,
                db_sub)
    p.add_argument("path", type=Path, help="the new backup file")
    p = command("purge", "Delete deliveries, acknowledgements, answers, questions and audit older than DAYS.",
                cmd_db_purge, db_sub)
    p.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="age in days (1 or more)")
    p.add_argument("--json", action="store_true", help="print JSON")

    demo = sub.add_parser("demo", help="Demonstration data.", description="Demonstration data.")
    demo_sub = demo.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p = command("seed", "Fill the database with made-up activity: some weeks for the configured teams, or a "
                "whole made-up force (--officers, --days).", cmd_demo_seed, demo_sub)
    p.add_argument("--weeks", type=int, help="weeks of history for the configured teams (1-52, default 6)")
    p.add_argument("--officers", type=int, help=f"a made-up force of this many officers (8-{MAX_FORCE}) in teams "
                   "of 8 to 15 on 8-day rotas, reported alongside the configured teams")
    p.add_argument("--days", type=int, help="days of the made-up force's history (1-730, default 90)")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    command("clear", "Remove the made-up history demo seed wrote; real records are untouched.", cmd_demo_clear,
            demo_sub)

    slack = sub.add_parser("slack", help="Slack set-up.", description="Slack set-up.")
    slack_sub = slack.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p = command("manifest", "Print a Slack app manifest (Socket Mode) for a force's Slack admin.", cmd_slack_manifest,
                slack_sub)
    p.add_argument("--name", default="shiftbrief", help="the app's display name (default shiftbrief)")

    teams = sub.add_parser("teams", help="Microsoft Teams set-up.", description="Microsoft Teams set-up.")
    teams_sub = teams.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    p = command("package", "Build the Teams app package (manifest and icons) as a zip.", cmd_teams_package, teams_sub)
    p.add_argument("--app-id", required=True, help="the Azure bot registration's Microsoft App ID")
    p.add_argument("--out", type=Path, required=True, help="the zip file to write")
    p.add_argument("--privacy-url", help="the force's privacy notice for this app, https (or [teams_app] privacy_url)")
    p.add_argument("--terms-url", help="the force's terms of use for this app, https (or [teams_app] terms_url)")
    p.add_argument("--website-url", help="the force's page about the app, https (default: the privacy notice's site)")
    p.add_argument("--developer", help="the name Teams shows as the publisher, e.g. the force (default: shiftbrief)")
    return parser


# -- shared set-up ------------------------------------------------------------------------------
def _settings_and_config() -> tuple[Settings, Config]:
    settings = load_settings()
    return settings, load_config(settings.config_path, required=settings.config_required)


def _pack(path: Path | None = None) -> Pack:
    """The shipped pack (or `path`), with the force's own cards from SHIFTBRIEF_LOCAL_CARDS when set."""
    from content import load_pack

    return load_pack(path, today=system_clock().date(), local=load_settings().local_cards)


def _store(settings: Settings) -> Store:
    return Store.open(settings.db_path, system_clock())


def _core(settings: Settings, config: Config, pack: Pack | None = None, *, platforms: bool = False) -> Core:
    """The core for one command: with the platforms only to post or forward; with no cards when the
    command does not show any (reports), so nothing is loaded or indexed that is not needed."""
    if platforms:
        from bot.app import build_core

        return build_core(settings, config, pack or _pack(), system_clock)
    return Core(config, Database(settings.db_path, system_clock()), pack or Pack(()), system_clock)


def _check_team(config: Config, team_id: str | None) -> None:
    """`--team`, when given, names a configured team."""
    if team_id is not None and config.team(team_id) is None:
        raise UsageError(f"--team: no team {team_id!r}; teams: {', '.join(t.id for t in config.teams)}")


def _local_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=None, default=str))


# -- commands -----------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import build_app, serve

    settings, config = _settings_and_config()
    pack = _pack()
    for warning in pack.warnings:
        log.warning("%s", warning)
    assembly = build_app(settings, config, pack, system_clock)
    asyncio.run(serve(assembly, settings))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from content.search import Answer

    settings, config = _settings_and_config()
    core = _core(settings, config, _pack(), platforms=True)
    try:
        questions = sys.stdin if args.question == "-" else [args.question]
        for raw in questions:
            if not raw.strip():
                if args.question != "-":
                    raise UsageError("ask a question in your own words, for example: why fifteen minutes?")
                _print_json(Answer(False, None, 0.0, "", near_topic=False).as_json())  # one output line per input line
                continue
            # One JSON line per input line: an over-long line is answered on its first 500 characters.
            text = " ".join(raw.split())[:500] if args.question == "-" else raw
            result = asyncio.run(core.ask(operator(), text, via="cli", record=args.log))
            answer = result.answer
            card = answer.card if answer.answered else None
            if args.json:
                _print_json(answer.as_json())
                sys.stdout.flush()
            elif card is not None:
                cited = "\n".join(f"{s.citation()} {s.link}".rstrip() for s in card.sources)
                print(f"{card.title}\n\n{card.body}\n\n{'Sources' if len(card.sources) > 1 else 'Source'}: {cited}")
                print(f"(card {card.id}, topic {card.topic}, score {answer.score:.2f})")
            else:
                hint = " (Add --log to keep it, as the bot would.)" if answer.near_topic and not args.log else ""
                print(result.message + hint)
    finally:
        core.close()
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    from content import load_pack

    local = args.local or load_settings().local_cards
    try:
        pack = load_pack(args.path, today=system_clock().date(), local=local)
    except ContentError as exc:
        if args.json:
            _print_json({"ok": False, "problems": [vars(p) for p in exc.problems]})
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        print(f"shiftbrief: content check failed: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    topics = sorted({c.topic for c in pack.cards})
    if args.json:
        _print_json({"ok": True, "cards": len(pack.cards), "topics": topics, "examples": len(pack.examples),
                     "warnings": [str(w) for w in pack.warnings]})
    else:
        for warning in pack.warnings:
            print(str(warning), file=sys.stderr)
        mine = f" ({sum(str(c.path).startswith(str(local)) for c in pack.cards)} of them the force's own)" if local else ""
        print(f"ok: {len(pack.cards)} cards{mine} on {len(topics)} topics, {len(pack.examples)} example questions")
    return 0


def cmd_schedule_preview(args: argparse.Namespace) -> int:
    from scheduler.rota import shifts

    settings, config = _settings_and_config()
    _check_team(config, args.team)
    first = _local_date(args.start, "--from") if args.start else system_clock().astimezone(config.timezone).date()
    try:
        days = int(args.days)
    except ValueError:
        raise UsageError(f"--days: {args.days!r} is not a whole number of days (1-366)") from None
    if not 1 <= days <= 366:
        raise UsageError(f"--days must be from 1 to 366, not {days}")
    try:
        first + timedelta(days=days)
    except OverflowError:
        raise UsageError(f"--from: {args.start} plus {days} days is past the last date there is") from None
    teams = [t for t in config.teams if args.team is None or t.id == args.team]
    core = _core(settings, config, _pack())

    async def choose() -> dict[str, Card]:  # what the curriculum would send now
        return {team.id: await core.choose_card(team) for team in teams}

    try:
        cards = asyncio.run(choose())
    finally:
        core.close()
    found = sorted(
        ((shift, team) for team in teams for shift in shifts(team, config.timezone, first, days)),
        key=lambda pair: (pair[0].start.astimezone(UTC), pair[1].id),
    )
    if args.json:
        _print_json([
            {"team": team.id, "shift_start": shift.start.isoformat(), "nudge_at": shift.nudge_at.isoformat(),
             "card": cards[team.id].id}
            for shift, team in found
        ])
        return 0
    print(f"From {first.isoformat()} for {days} day{'s' if days != 1 else ''}. The curriculum would send now:")
    for team in teams:
        card = cards[team.id]
        print(f"  {team.name} ({team.id}): \u201c{printable(card.title)}\u201d ({card.id}, {topic_title(card.topic)})")
    print()
    if not found:
        print("(no shifts in those days)")
    else:
        _print_table(
            [{"team": team.id, "shift start": _local_text(shift.start), "nudge at": _local_text(shift.nudge_at),
              "card": cards[team.id].id} for shift, team in found],
            ["team", "shift start", "nudge at", "card"],
        )
    return 0


def cmd_schedule_status(args: argparse.Namespace) -> int:
    from scheduler.rota import next_nudges

    settings, config = _settings_and_config()
    now = system_clock()
    upcoming = next_nudges(config.teams, config.timezone, now, per_team=1)
    store = _store(settings)
    try:
        problems = store.recent_problems(20)
    finally:
        store.close()

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(config.timezone).isoformat() if moment is not None else None

    if args.json:
        _print_json({
            "next": [{"team": s.team_id, "shift_start": s.start.isoformat(), "nudge_at": s.nudge_at.isoformat()}
                     for s in upcoming],
            "problems": [{"delivery": d.id, "team": d.team_id, "state": d.state, "shift_start": local(d.shift_start),
                          "recorded_at": local(d.created_at), "card": d.card_id, "reason": d.error}
                         for d in problems],
        })
        return 0
    print("Next nudges:")
    for shift in upcoming:
        print(f"  {_local_text(shift.nudge_at)}  {shift.team_id} (shift at {_local_text(shift.start)})")
    if not upcoming:
        print("  (no team has a shift on its rota)")
    print("Recent missed or failed nudges and posts:")
    for d in problems:
        what = f"shift at {_local_text(d.shift_start.astimezone(config.timezone))}" if d.shift_start else d.reason
        print(f"  {d.state.upper():6}  {d.team_id} ({what}): {d.error or 'no reason recorded'}")
    if not problems:
        print("  (none)")
    return 0


def _local_text(moment: datetime) -> str:
    """A local time for people: `Sun 2027-03-28 02:30 BST`."""
    return moment.strftime("%a %Y-%m-%d %H:%M %Z")


def cmd_post(args: argparse.Namespace) -> int:
    settings, config = _settings_and_config()
    _check_team(config, args.team)
    core = _core(settings, config, platforms=True)
    try:
        view = asyncio.run(core.post_briefing(operator(), args.team, topic=args.topic, card_id=args.card, reason="cli"))
    finally:
        core.close()
    if args.json:
        _print_json({"delivery": view.delivery.id, "team": view.team.id, "channel": view.team.channel,
                     "card": view.card.id, "topic": view.card.topic, "recipients": view.recipients})
    else:
        print(f"Posted \u201c{view.card.title}\u201d ({view.card.id}) to {view.team.name} in {view.team.channel}.")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    settings, config = _settings_and_config()
    since = None
    if args.since:
        since = datetime.combine(_local_date(args.since, "--since"), time(0), tzinfo=config.timezone)
    if args.names and not (args.by == "officer" and (args.csv or args.json)):
        raise UsageError("--names goes with --by officer and --csv or --json (the table always shows names)")
    export = args.csv or args.json
    core = _core(settings, config)
    try:
        rows = asyncio.run(core.stats(operator(), by=args.by, team_id=args.team, since=since, export=export,
                                      names=args.names or not export))
    finally:
        core.close()
    from bot.core.stats import columns

    if args.json:
        _print_json({"rows": rows})
    elif args.csv:
        fields = [c for c in columns(rows, args.by) if c != "name" or args.names or args.by != "officer"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: spreadsheet_cell(_cell(value)) for key, value in row.items()} for row in rows)
    else:
        _print_table(rows, columns(rows, args.by))
    return 0


def _cell(value: object) -> object:
    """A list (the topics an officer was never sent) as one cell: ids joined by spaces."""
    return " ".join(str(v) for v in value) if isinstance(value, list) else value


def _print_table(rows: list[dict[str, Any]], cols: list[str]) -> None:
    text = [list(cols)] + [["" if r.get(c) is None else printable(_cell(r.get(c))) for c in cols] for r in rows]
    widths = [max(len(row[i]) for row in text) for i in range(len(cols))]
    for row in text:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    if not rows:
        print("(nothing on record yet)")


def cmd_questions(args: argparse.Namespace) -> int:
    settings, _config = _settings_and_config()
    if not 1 <= args.limit <= 10000:
        raise UsageError("--limit must be from 1 to 10000")
    store = _store(settings)
    try:
        rows = store.questions(unanswered_only=args.unanswered, limit=args.limit)
    finally:
        store.close()
    if args.json:
        _print_json({"rows": rows})
    else:
        for row in rows:
            status = (f"answered by {row['card_id']}" if row["answered"] else
                      "not answered, outside hot spots policing" if row["off_topic"] else "NOT ANSWERED")
            print(f"{row['asked_at'][:16]}  {status}: {printable(row['text'])}")
        if not rows:
            print("(no questions)")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    settings, config = _settings_and_config()
    if not 1 <= args.limit <= 100000:
        raise UsageError("--limit must be from 1 to 100000")
    since = None
    if args.since:
        since = datetime.combine(_local_date(args.since, "--since"), time(0), tzinfo=config.timezone)
    store = _store(settings)
    try:
        rows = store.audit_trail(args.limit, since)
        store.audit(operator().id, "view-audit", None, f"{len(rows)} entries", system_clock())
    finally:
        store.close()
    if args.json:
        _print_json({"rows": rows})
    else:
        _print_table(rows, ["at", "actor", "action", "target", "detail"])
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bot.local.report import PngNotWritten, build_report, write_png

    out: Path = args.out
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out: {out} should end in .html (the PNG is written beside it, as .png)")
    if not out.parent.is_dir():
        raise UsageError(f"--out: {out.parent} is not a folder")
    if out.is_dir():
        raise UsageError(f"--out: {out} is a folder")
    settings, config = _settings_and_config()
    core = _core(settings, config)
    try:
        html = asyncio.run(build_report(core, operator()))
    finally:
        core.close()
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}")
    if args.no_png:
        return 0
    png = out.with_suffix(".png")
    try:
        write_png(out, png)
    except PngNotWritten as exc:
        print(f"shiftbrief: the PNG was not written: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {png}")
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings, _config = _settings_and_config()
    if not settings.db_path.exists():
        raise UsageError(f"there is no database at {settings.db_path} (SHIFTBRIEF_DB)")
    if not args.path.parent.is_dir():
        raise UsageError(f"{args.path.parent} is not a folder")
    store = _store(settings)
    try:
        store.backup(args.path)
    finally:
        store.close()
    print(f"backed up {settings.db_path} to {args.path}")
    return 0


def cmd_db_purge(args: argparse.Namespace) -> int:
    if not 1 <= args.older_than <= MAX_DAYS:
        raise UsageError(f"--older-than must be from 1 to {MAX_DAYS} days")
    settings, config = _settings_and_config()
    store = _store(settings)
    now = system_clock()
    try:
        counts = store.purge(now - timedelta(days=args.older_than), config.timezone)
        store.audit(operator().id, "purge", None, f"older than {args.older_than} days: {counts}", now)
    finally:
        store.close()
    if args.json:
        _print_json(counts)
    else:
        print("purged " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from bot.demo import seed, seed_force

    if args.officers is None and args.days is not None:
        raise UsageError("--days goes with --officers (a made-up force); for the configured teams use --weeks")
    if args.officers is not None and args.weeks is not None:
        raise UsageError("choose --weeks (the configured teams) or --officers and --days (a made-up force), not both")
    if args.officers is not None and not 8 <= args.officers <= MAX_FORCE:
        raise UsageError(f"--officers must be from 8 to {MAX_FORCE}")
    if args.days is not None and not 1 <= args.days <= 730:
        raise UsageError("--days must be from 1 to 730")
    if args.weeks is not None and not 1 <= args.weeks <= 52:
        raise UsageError("--weeks must be from 1 to 52")
    settings, config = _settings_and_config()
    store = _store(settings)
    now = system_clock()
    try:
        if args.officers is not None:
            days = args.days or 90
            summary = seed_force(store, _pack(), now, config.timezone, args.officers, days)
            store.audit(operator().id, "demo-seed", None, f"made-up force: {summary}", now)
            result = {"officers": summary.officers, "teams": summary.teams, "moved_team": summary.moved,
                      "days": days, "deliveries": summary.deliveries, "recipients": summary.recipients,
                      "acknowledgements": summary.acknowledgements, "answers": summary.answers}
            text = (f"seeded a made-up force: {summary.officers} officers in {summary.teams} teams "
                    f"({summary.moved} moved team), {days} days: {summary.deliveries} deliveries, "
                    f"{summary.acknowledgements} acknowledgements, {summary.answers} check answers (demo data; "
                    "`shiftbrief demo clear` removes it)")
        else:
            weeks = args.weeks or 6
            count = seed(store, config, _pack(), now, weeks)
            result = {"deliveries": count, "weeks": weeks}
            text = f"seeded {count} deliveries over {weeks} weeks"
    finally:
        store.close()
    if args.json:
        _print_json(result)
    else:
        print(text)
    return 0


def cmd_demo_clear(args: argparse.Namespace) -> int:
    settings, _config = _settings_and_config()
    store = _store(settings)
    try:
        count = store.clear_demo()
        store.audit(operator().id, "demo-clear", None, f"{count} demo deliveries removed", system_clock())
    finally:
        store.close()
    print(f"removed {count} demo deliveries")
    return 0


def cmd_slack_manifest(args: argparse.Namespace) -> int:
    from bot.slack.manifest import build_manifest

    if not args.name.strip() or len(args.name.strip()) > 35:
        raise UsageError("--name must be 1 to 35 characters (Slack's limit for an app name)")
    print(json.dumps(build_manifest(args.name), indent=2, ensure_ascii=False))
    return 0


def cmd_teams_package(args: argparse.Namespace) -> int:
    from bot.config import teams_app_problem
    from bot.teams.package import Publisher, build_package, is_app_id

    if not is_app_id(args.app_id):
        raise UsageError(
            f"--app-id: {args.app_id!r} is not a Microsoft App ID; copy the GUID (such as "
            "00000000-0000-0000-0000-000000000000) from the Azure bot's Configuration page"
        )
    if args.out.suffix.lower() != ".zip":
        raise UsageError(f"--out: {args.out} should end in .zip (Teams uploads a zip)")
    if not args.out.parent.is_dir():
        raise UsageError(f"--out: {args.out.parent} is not a folder")
    _settings, config = _settings_and_config()
    given = {"developer": args.developer, "website_url": args.website_url, "privacy_url": args.privacy_url,
             "terms_url": args.terms_url}
    chosen = {key: value if value is not None else config.teams_app.get(key) for key, value in given.items()}
    for key, option in (("privacy_url", "--privacy-url"), ("terms_url", "--terms-url")):
        if not chosen[key]:
            raise UsageError(f"{option} is required: the address of the force's own {key.split('_')[0]} page for "
                             f"this app (or set {key} under [teams_app] in the configuration); Teams shows it to "
                             "every officer who installs the app")
    for key, value in chosen.items():
        problem = teams_app_problem(key, value) if value is not None else None
        if problem:
            raise UsageError(f"--{key.replace('_url', '-url')}: {problem}")
    privacy = str(chosen["privacy_url"]).strip()
    publisher = Publisher(
        name=(chosen["developer"] or "shiftbrief").strip(),
        website_url=(chosen["website_url"] or "/".join(privacy.split("/", 3)[:3]) + "/").strip(),
        privacy_url=privacy,
        terms_url=str(chosen["terms_url"]).strip(),
    )
    build_package(args.app_id, publisher, args.out)
    print(f"wrote {args.out} for {publisher.name}: upload it in Teams (Apps > Manage your apps > Upload an app), "
          "see docs/teams.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
