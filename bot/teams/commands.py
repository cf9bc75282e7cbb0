"""What a Teams message asks for: one of the bot's commands, or a question. No botbuilder here."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_AT = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS, or "ask" for a question
    argument: str = ""


@dataclass(frozen=True)
class Usage:
    name: str
    words: str
    who: str
    what: str


# One table, so `help` lists exactly what the bot accepts.
COMMANDS: tuple[Usage, ...] = (
    Usage("brief", "brief now [topic]", "sergeants, coordinators", "post a briefing card to the team now"),
    Usage("status", "status", "sergeants, coordinators", "who has not acknowledged the latest card"),
    Usage("nudge", "nudge", "sergeants, coordinators", "remind them privately, once each"),
    Usage("stats", "stats [team id]", "sergeants, coordinators",
          "acknowledgement and understanding: by topic in a channel; in a personal chat by team, or a team by officer"),
    Usage("me", "me", "everyone", "your own record (in a personal chat)"),
    Usage("help", "help", "everyone", "this list"),
)
_SINGLE = {"status", "nudge", "stats", "me", "help"}


def clean_text(text: str | None, mention_texts: list[str] | None = None) -> str:
    """The words a person typed: without the bot's @mention, markup and extra spaces."""
    raw = text or ""
    for mention in mention_texts or []:
        raw = raw.replace(mention, " ")
    raw = _AT.sub(" ", raw)
    raw = _TAG.sub(" ", raw)
    return " ".join(html.unescape(raw).replace("\u00a0", " ").split())


def parse(text: str) -> Command:
    """`brief now [topic]`, a one-word command, or else a question."""
    words = text.split()
    lowered = [w.lower() for w in words]
    if lowered[:2] == ["brief", "now"]:
        return Command("brief", "-".join(lowered[2:]))  # "fifteen minutes" is the topic fifteen-minutes
    if len(lowered) == 2 and lowered[0] == "stats":
        return Command("stats", words[1].strip("`"))  # a team id, as in shiftbrief.toml
    if len(lowered) == 1 and lowered[0].strip("!.?/") in _SINGLE:
        return Command(lowered[0].strip("!.?/"))
    return Command("ask", text)


def help_text(in_channel: bool) -> str:
    lines = ["Here is what I can do" + (" (mention me first in a channel):" if in_channel else ":")]
    lines.extend(f"- **{u.words}**: {u.what} ({u.who})" for u in COMMANDS)
    lines.append("- Anything else is a question: I answer from the training cards and say where it comes from.")
    return "\n".join(lines)
