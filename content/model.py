"""The card and the pack, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Source:
    authors: str
    year: int | None  # None: undated ("n.d.")
    title: str
    published_in: str
    url: str

    @property
    def when(self) -> str:
        return "n.d." if self.year is None else str(self.year)

    def citation(self) -> str:
        return f"{self.authors} ({self.when}). {self.title}. {self.published_in}."


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

    def source_line(self) -> str:
        """The first source, short, for a card footer."""
        first = self.sources[0]
        return f"{first.authors} ({first.when}), {first.published_in}"


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    reason: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}: {kind}field `{self.field}`: {self.reason}"


class ContentError(ValueError):
    """A pack that failed validation; `problems` names each file, field and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Pack:
    cards: tuple[Card, ...]
    warnings: tuple[Problem, ...] = field(default=())

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)

    def by_topic(self, topic: str) -> list[Card]:
        return sorted((c for c in self.cards if c.topic == topic), key=lambda c: c.id)
