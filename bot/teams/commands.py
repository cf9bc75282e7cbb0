"""The words a person typed in Teams, without the @mention and markup; and a core `Reply` as Teams
markdown. The commands themselves are the core's (bot.core.commands). No botbuilder here."""

from __future__ import annotations

import html
import re

from bot.core import Reply

_AT = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
PREFIX = "brief "
"""Typed before a command in Teams (`brief status`); the short ones also work alone (`status`)."""


def clean_text(text: str | None, mention_texts: list[str] | None = None) -> str:
    """The words a person typed: without the bot's @mention, markup and extra spaces."""
    raw = text or ""
    for mention in mention_texts or []:
        raw = raw.replace(mention, " ")
    raw = _AT.sub(" ", raw)
    raw = _TAG.sub(" ", raw)
    return " ".join(html.unescape(raw).replace("\u00a0", " ").split())


# Teams reads a message's text as Markdown with HTML in it (textFormat "markdown"). HTML's own escapes are the
# one form every reading shows as the character itself: `&lt;` and friends for HTML, and numeric references for
# Markdown's punctuation, which CommonMark takes as literal text, never as emphasis, code, a heading or
# strikethrough (https://spec.commonmark.org/0.31.2/#entity-and-numeric-character-references). A `]` is made
# a reference only where it would close a link or image (before `(`, `[` or `:`), so "[topic]" reads as typed.
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "*_`~#|\\"})
_LINK_CLOSE = re.compile(r"\](?=[(\[:])")


def escape(text: str) -> str:
    """Plain text for a Teams markdown message, shown exactly as typed: no HTML tag, entity or @mention
    (`<`, `>`, `&`), and no Markdown emphasis, link, image, code, heading or strikethrough."""
    return _LINK_CLOSE.sub("&#93;", html.escape(text, quote=False).translate(_MARKDOWN))


def render_text(reply: Reply, *, in_channel: bool) -> str:
    """A reply as Teams markdown: the text, then a list (commands in bold, as they are typed)."""
    lines = [escape(reply.text)] if reply.text else []
    if reply.help and in_channel:
        lines[-1:] = [lines[-1].rstrip(":") + " (mention me first in a channel):"] if lines else lines
    lines += [f"- {escape(item)}" for item in reply.items]
    lines += [f"- **{escape(('' if h.alone else PREFIX) + h.usage)}**: {escape(h.what)} ({escape(h.who)})"
              for h in reply.help]
    if reply.footer:
        lines.append(escape(reply.footer))
    if reply.answer is not None and not lines:
        lines.append(escape(reply.answer.message))
    return "\n".join(lines)
