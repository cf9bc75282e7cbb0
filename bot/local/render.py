"""HTML rendering for the local workspace. Everything a person typed is escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from content.body import (
    Block,
    Body,
    BulletList,
    Markup,
    NumberedList,
    Paragraph,
    Span,
    parse_body,
    parse_inline,
    render_spans,
)
from content.model import Media, Source


def inline(text: str) -> str:
    """One line of card Markdown (a myth) as HTML: bold, italics and links; everything else escaped."""
    return spans_html(parse_inline(text))


def markdown(text: str) -> str:
    """A card body as HTML: paragraphs, bullet and numbered lists, bold, italics and links."""
    return body_html(parse_body(text))


def body_html(body: Body) -> str:
    return "\n".join(block_html(block) for block in body.blocks)


def block_html(block: Block) -> str:
    match block:
        case Paragraph(spans):
            return f"<p>{spans_html(spans)}</p>"
        case BulletList(items):
            return "<ul>" + "".join(f"<li>{spans_html(item)}</li>" for item in items) + "</ul>"
        case NumberedList(items, start):
            first = "" if start == 1 else f' start="{start}"'
            return f"<ol{first}>" + "".join(f"<li>{spans_html(item)}</li>" for item in items) + "</ol>"


def spans_html(spans: Iterable[Span]) -> str:
    return render_spans(spans, HTML)


HTML = Markup(
    text=escape,
    bold=lambda inner: f"<strong>{inner}</strong>",
    italic=lambda inner: f"<em>{inner}</em>",
    link=lambda url, words: f'<a href="{attr(url)}" rel="noopener noreferrer">{spans_html(words)}</a>',
)


def attr(value: object) -> str:
    return escape(str(value), quote=True)


def source_html(source: Source) -> str:
    """A readable citation whose title is the link (the url, else the DOI's address), opened without
    handing the workspace to the other site; a source with no confirmed link is its citation alone."""
    lead, title, tail = source.citation_parts()
    named = (f'<a href="{attr(source.link)}" rel="noopener noreferrer">{escape(title)}</a>' if source.link
             else escape(title))
    return f"{escape(lead)}{named}{escape(tail)}"


def media_html(media: Media) -> str:
    """A video or podcast as one line: its kind, its title as the link, its length and, where there is one,
    a link named "transcript"; escaped, opened with rel="noopener noreferrer"."""
    transcript = (f' \u00b7 <a href="{attr(media.transcript_url)}" rel="noopener noreferrer">transcript</a>'
                  if media.transcript_url else "")
    return (f'{escape(media.lead)} <a href="{attr(media.url)}" rel="noopener noreferrer">{escape(media.title)}</a> '
            f"({escape(media.length)}){transcript}")
