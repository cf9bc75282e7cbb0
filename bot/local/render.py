"""HTML rendering for the local workspace. Everything a person typed is escaped."""

from __future__ import annotations

import re
from html import escape

_BULLET = re.compile(r"^\s*[-*] ")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)")


def inline(text: str) -> str:
    html = escape(text)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", html)


def markdown(text: str) -> str:
    """The small Markdown subset cards use: paragraphs, bullet lists, bold and italics."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.rstrip() for ln in block.splitlines() if ln.strip()]
        if lines and all(_BULLET.match(ln) for ln in lines):
            items = "".join(f"<li>{inline(_BULLET.sub('', ln))}</li>" for ln in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines:
            out.append(f"<p>{inline(' '.join(ln.strip() for ln in lines))}</p>")
    return "\n".join(out)


def attr(value: object) -> str:
    return escape(str(value), quote=True)
