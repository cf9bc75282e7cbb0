"""A card body parsed once: the Markdown subset cards are written in, as a small neutral model.

Each surface (the workspace's HTML, Slack mrkdwn, Teams Adaptive Cards) renders this model and escapes its
text for itself; nothing here knows any surface. Blocks: paragraphs, bullet lists (`- `, `* `) and numbered
lists (`1. `, `2) `, the first number kept). Inline spans: text, **bold**, *italic* or _italic_, and
[links](https://…) to http or https addresses. Anything else, HTML or chat markup included, is text.

Standard library only: the content package is a leaf.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias


# -- the model -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Text shown as written: characters that look like markup in some surface are still just text."""

    text: str

    def plain_text(self) -> str:
        return self.text


@dataclass(frozen=True)
class Bold:
    children: Inline

    def plain_text(self) -> str:
        return inline_text(self.children)


@dataclass(frozen=True)
class Italic:
    children: Inline

    def plain_text(self) -> str:
        return inline_text(self.children)


@dataclass(frozen=True)
class Link:
    """A link to an http or https address; `children` are the words it reads as (never another link)."""

    children: Inline
    url: str

    def plain_text(self) -> str:
        return f"{inline_text(self.children)} ({self.url})"


Span: TypeAlias = Text | Bold | Italic | Link
Inline: TypeAlias = tuple[Span, ...]  # the content of a paragraph or of one list item


def inline_text(spans: Iterable[Span]) -> str:
    """Spans as plain text: no markup, a link as "words (address)"."""
    return "".join(span.plain_text() for span in spans)


@dataclass(frozen=True)
class Markup:
    """How one surface writes inline spans: its escaping of text, its bold and italic around what they hold
    (already written), and its link from the address and the link's own spans."""

    text: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    link: Callable[[str, Inline], str]


def render_spans(spans: Iterable[Span], markup: Markup) -> str:
    """Spans written in one surface's markup: the one walk of the inline model every renderer shares."""
    written: list[str] = []
    for span in spans:
        match span:
            case Text(text):
                written.append(markup.text(text))
            case Bold(children):
                written.append(markup.bold(render_spans(children, markup)))
            case Italic(children):
                written.append(markup.italic(render_spans(children, markup)))
            case Link(children, url):
                written.append(markup.link(url, children))
    return "".join(written)


@dataclass(frozen=True)
class Paragraph:
    spans: Inline

    def plain_text(self) -> str:
        return inline_text(self.spans)


@dataclass(frozen=True)
class BulletList:
    items: tuple[Inline, ...]

    def plain_text(self) -> str:
        return "\n".join(f"\u2022 {inline_text(item)}" for item in self.items)


@dataclass(frozen=True)
class NumberedList:
    items: tuple[Inline, ...]
    start: int = 1  # the number the author gave the first item

    def numbered(self) -> Iterator[tuple[int, Inline]]:
        """Each item with the number it shows: `start`, `start + 1`, …"""
        return enumerate(self.items, start=self.start)

    def plain_text(self) -> str:
        return "\n".join(f"{number}. {inline_text(item)}" for number, item in self.numbered())


Block: TypeAlias = Paragraph | BulletList | NumberedList


@dataclass(frozen=True)
class Body:
    blocks: tuple[Block, ...] = ()

    def plain_text(self) -> str:
        """The whole body as plain text (for fallbacks): blocks apart by a blank line, one item a line."""
        return "\n\n".join(block.plain_text() for block in self.blocks)


# -- blocks ----------------------------------------------------------------------------------------
_BULLET = re.compile(r"[ \t]*[-*][ \t]+(\S.*)")
_NUMBER = re.compile(r"[ \t]*(\d{1,9})[.)][ \t]+(\S.*)")


@lru_cache(maxsize=256)
def parse_body(markdown: str) -> Body:
    """Parse a card body. Never raises: text that is not the subset's markup stays text.

    A list may follow its lead-in line directly, with no blank line between. As in CommonMark, a numbered
    line interrupts a paragraph only when it starts at 1, so a wrapped line that happens to begin "2019. "
    stays in its paragraph; a line that is not a list item continues the item above it.
    """
    blocks = _BlockBuilder()
    for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        blocks.add(line)
    return Body(blocks.finish())


class _BlockBuilder:
    """Collects lines into the block being built and closes it when a line cannot belong to it."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.kind: str | None = None  # "paragraph", "bullets", "numbers" or None between blocks
        self.lines: list[str] = []  # the open paragraph's lines
        self.items: list[list[str]] = []  # the open list's items, each as its lines
        self.start = 1
        self.after_blank = False

    def add(self, line: str) -> None:
        if not line.strip():
            if self.kind == "paragraph":
                self.close()
            self.after_blank = True
            return
        bullet, number = _BULLET.fullmatch(line), _NUMBER.fullmatch(line)
        if bullet:
            self.item("bullets", bullet.group(1))
        elif number and (self.kind != "paragraph" or int(number.group(1)) == 1):
            self.item("numbers", number.group(2), int(number.group(1)))
        elif self.kind in ("bullets", "numbers") and not self.after_blank:
            self.items[-1].append(line.strip())  # a lazy continuation of the item above
        elif self.kind == "paragraph":
            self.lines.append(line.strip())
        else:
            self.close()
            self.kind, self.lines = "paragraph", [line.strip()]
        self.after_blank = False

    def item(self, kind: str, text: str, start: int = 1) -> None:
        if self.kind != kind:
            self.close()
            self.kind, self.items, self.start = kind, [], start
        self.items.append([text.strip()])

    def close(self) -> None:
        if self.kind == "paragraph":
            self.blocks.append(Paragraph(parse_inline(" ".join(self.lines))))
        elif self.kind is not None:
            items = tuple(parse_inline(" ".join(lines)) for lines in self.items)
            block = BulletList(items) if self.kind == "bullets" else NumberedList(items, self.start)
            self.blocks.append(block)
        self.kind, self.lines, self.items = None, [], []

    def finish(self) -> tuple[Block, ...]:
        self.close()
        return tuple(self.blocks)


# -- inline spans ----------------------------------------------------------------------------------
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(((?i:https?)://[^\s()<>\"|\\^`{}]+)\)")
_PUNCTUATION = frozenset(string.punctuation)
_MAX_DEPTH = 8  # emphasis nested deeper than this is left as text: nobody writes it, and it bounds recursion


def parse_inline(text: str) -> Inline:
    """Parse one line of card Markdown (a paragraph, an item, a myth) into spans. Never raises.

    `**bold**`, `*italic*`, `_italic_` (not inside a word, so snake_case and 5*3*2 stay text), and
    `[words](https://…)`; a backslash before punctuation keeps that character as text.
    """
    return _Inline(text).parse(links=True, depth=0)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Inline:
    """A scanner over one string; each kind of span is tried at each position, first match wins."""

    def __init__(self, text: str) -> None:
        self.s = text

    def parse(self, links: bool, depth: int) -> Inline:
        s = self.s
        if depth > _MAX_DEPTH:
            return (Text(s),) if s else ()
        spans: list[Span] = []
        buffer: list[str] = []
        i = 0

        def flush() -> None:
            if buffer:
                spans.append(Text("".join(buffer)))
                buffer.clear()

        def inner(start: int, end: int, allow_links: bool = links) -> Inline:
            return _Inline(s[start:end]).parse(allow_links, depth + 1)

        while i < len(s):
            char = s[i]
            if char == "\\" and i + 1 < len(s) and s[i + 1] in _PUNCTUATION:
                buffer.append(s[i + 1])
                i += 2
                continue
            if char == "[" and links and (link := _LINK.match(s, i)):
                flush()
                spans.append(Link(inner(link.start(1), link.end(1), allow_links=False), link.group(2)))
                i = link.end()
                continue
            bold = s.startswith("**", i) and self.opens_bold(i)
            if bold and (end := self.find(i + 3, self.closes_bold, links)):
                while s.startswith("**", end + 1):  # "***x***": the bold takes the last two stars of the run
                    end += 1
                flush()
                spans.append(Bold(inner(i + 2, end)))
                i = end + 2
                continue
            italic = char in "*_" and self.opens_italic(i)
            if italic and (end := self.find(i + 2, self.closes_italic(char), links)):
                flush()
                spans.append(Italic(inner(i + 1, end)))
                i = end + 1
                continue
            buffer.append(char)
            i += 1
        flush()
        return tuple(spans)

    def find(self, start: int, closes: Callable[[int], bool], links: bool) -> int | None:
        """The first closing delimiter from `start`, stepping over escaped characters and whole links."""
        s, i = self.s, start
        while i < len(s):
            if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in _PUNCTUATION:
                i += 2
            elif s[i] == "[" and links and (link := _LINK.match(s, i)):
                i = link.end()
            elif closes(i):
                return i
            else:
                i += 1
        return None

    def opens_bold(self, i: int) -> bool:
        return i + 2 < len(self.s) and not self.s[i + 2].isspace()

    def closes_bold(self, j: int) -> bool:
        return self.s.startswith("**", j) and not self.s[j - 1].isspace()

    def opens_italic(self, i: int) -> bool:
        s, mark = self.s, self.s[i]
        if i + 1 >= len(s) or s[i + 1].isspace() or s[i + 1] == mark:
            return False
        return i == 0 or not (_is_word(s[i - 1]) or s[i - 1] == mark)

    def closes_italic(self, mark: str) -> Callable[[int], bool]:
        s = self.s

        def closes(j: int) -> bool:
            if s[j] != mark or s[j - 1].isspace() or s[j - 1] == mark:
                return False
            return j + 1 == len(s) or not (_is_word(s[j + 1]) or s[j + 1] == mark)

        return closes
