"""The card and the pack, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from content.audiences import DEFAULT_AUDIENCE
from content.body import Body, parse_body
from content.topics import TOPICS

MAX_QUESTION = 500
"""The longest question, in characters, that is answered (and kept): a question, not a document."""

DOI_RESOLVER = "https://doi.org/"


def doi_link(doi: str) -> str:
    """The resolver address of a bare DOI; characters that would end or break an address (`#`, `?`, `%`,
    `<`, `>`, `|`, quotes) are percent-encoded so the link reaches the DOI and renders safely everywhere."""
    return DOI_RESOLVER + quote(doi, safe="/:;()[]._-")


def _stop(text: str) -> str:
    """The full stop after a part of a citation, unless it ends in one already ("policing?." reads oddly)."""
    return "" if text.endswith((".", "?", "!", "\u2026")) else "."


@dataclass(frozen=True)
class Source:
    authors: str
    year: int | None  # None: undated ("n.d.")
    title: str
    published_in: str
    url: str  # "" when no link was confirmed
    doi: str = ""  # a bare DOI (10.<registrant>/<suffix>), "" when the work has none

    @property
    def link(self) -> str:
        """Where the citation links: its `url`, else the DOI's resolver address, else "" (citation alone)."""
        if self.url:
            return self.url
        return doi_link(self.doi) if self.doi else ""

    @property
    def when(self) -> str:
        return "n.d." if self.year is None else str(self.year)

    def citation(self) -> str:
        """The full citation as one line of text: authors (year). Title. Published in."""
        return "".join(self.citation_parts())

    def citation_parts(self) -> tuple[str, str, str]:
        """The citation in three parts, (authors and year, title, where published), so a surface can make
        the title the link: "Koper, C.S. (1995). ", "Just enough police presence…", ". Justice Quarterly …"."""
        return f"{self.authors} ({self.when}). ", self.title, f"{_stop(self.title)} {self.published_in}{_stop(self.published_in)}"


MEDIA_KINDS: dict[str, tuple[str, str]] = {"video": ("\u25b6", "Video"), "podcast": ("\U0001f3a7", "Podcast")}
"""Each kind of media a card may point to, with the mark and the word every surface shows before its title."""


@dataclass(frozen=True)
class Media:
    """A video or podcast that goes with a card: shown as its title, linked, with its length."""

    kind: str  # video or podcast
    title: str
    url: str  # https
    minutes: int  # 1-600
    transcript_url: str = ""  # https, "" when there is none

    @property
    def lead(self) -> str:
        """What goes before the title: "\u25b6 Video:" or "\U0001f3a7 Podcast:"."""
        mark, word = MEDIA_KINDS.get(self.kind, ("", self.kind.capitalize()))
        return f"{mark} {word}:".strip()

    @property
    def length(self) -> str:
        return f"{self.minutes} min"


@dataclass(frozen=True)
class CheckQuestion:
    question: str
    options: tuple[str, ...]
    answer: int  # 1-based, as coordinators write it
    explanation: str

    def is_right(self, choice: int) -> bool:
        return choice == self.answer


@dataclass(frozen=True)
class Card:
    id: str
    topic: str
    title: str
    myth: str | None
    version: int
    owner: str
    review_by: date
    sources: tuple[Source, ...]
    check: CheckQuestion
    also_asked: tuple[str, ...]
    say_to_public: str
    body: str
    path: str = ""
    audience: str = DEFAULT_AUDIENCE  # officers, sergeants or leaders: whose track the card is in
    media: tuple[Media, ...] = ()  # videos and podcasts that go with it

    @property
    def parsed_body(self) -> Body:
        """The body as paragraphs, lists and inline spans for every renderer (parsed once per text, cached)."""
        return parse_body(self.body)

    def source_line(self) -> str:
        """The first source, short, for a card footer."""
        first = self.sources[0]
        return f"{first.authors} ({first.when}), {first.published_in}"


@dataclass(frozen=True)
class Example:
    """A curated example question (content/examples.jsonl): route questions like `q` to `topic`, or, when
    `topic` is None, say "I don't know" to questions like it. Never shown to officers as an answer."""

    q: str
    topic: str | None
    line: int = 0  # its line in the examples file, 1-based; 0 when made in code


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    reason: str
    warning: bool = False
    line: int | None = None  # set for problems in a line-based file (content/examples.jsonl)

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        where = f"{self.path}: line {self.line}" if self.line is not None else self.path
        return f"{where}: {kind}field `{self.field}`: {self.reason}"


class ContentError(ValueError):
    """A pack that failed validation; `problems` names each file, field and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Pack:
    cards: tuple[Card, ...]
    warnings: tuple[Problem, ...] = field(default=())
    examples: tuple[Example, ...] = field(default=())  # curated example questions, labelled by coordinators

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)

    def by_topic(self, topic: str, audience: str | None = None) -> list[Card]:
        """The cards on a topic, by id; with `audience`, only that audience's."""
        return sorted((c for c in self.cards if c.topic == topic and audience in (None, c.audience)),
                      key=lambda c: c.id)

    def for_audience(self, audience: str) -> tuple[Card, ...]:
        """The cards of one audience's track, in pack order."""
        return tuple(c for c in self.cards if c.audience == audience)

    def topics_for(self, audience: str) -> list[str]:
        """The topics that have a card for `audience`, in teaching order."""
        have = {c.topic for c in self.for_audience(audience)}
        return [topic for topic in TOPICS if topic in have]
