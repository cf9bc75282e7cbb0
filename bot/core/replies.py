"""A reply as data: what the core says back to a command, for each platform to render in its own way.

Everything here is plain text: a name or a question that looks like markup is shown as typed, because
every renderer escapes it for its surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.platform import CardView
    from bot.core.questions import AskResult


@dataclass(frozen=True)
class HelpLine:
    """One command in the help: how to type it (without the platform's prefix), what it does, for whom."""

    usage: str
    what: str
    who: str
    alone: bool = False  # may be typed in a chat without `brief` first (`status`, `help`)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    """One or more lines of plain text, first."""
    items: tuple[str, ...] = ()
    """A list after the text (names, teams, topics)."""
    help: tuple[HelpLine, ...] = ()
    """The commands, for the platform to show with its own prefix (`/brief `, an @mention, a form)."""
    footer: str = ""
    """A last line after the list."""
    answer: AskResult | None = None
    """An answered (or unanswered) question: rendered with the card, its source and rating buttons."""
    posted: CardView | None = None
    """The card a command posted, so a surface can point at it."""

    def plain(self, prefix: str = "") -> str:
        """The whole reply as plain text lines, commands shown as `prefix + usage`."""
        lines = [self.text] if self.text else []
        lines += [f"- {item}" for item in self.items]
        lines += [f"- {prefix}{h.usage}: {h.what} ({h.who})" for h in self.help]
        if self.footer:
            lines.append(self.footer)
        if self.answer is not None and not lines:
            lines.append(self.answer.message)
        return "\n".join(lines)
