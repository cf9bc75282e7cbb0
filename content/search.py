"""Answer officers' questions from the pack only: SQLite FTS5 with BM25 field weights.

Questions are normalised the way officers write them (hotspot / hot-spot / hot spot, 15 / fifteen,
mins, cheap typo fixes against the pack's own vocabulary). Below a confidence threshold the answer
is "I don't know", never a near miss.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from dataclasses import dataclass

from content.model import Card, Pack

# Field weights for bm25(): title, myth, also_asked, body, topic words.
WEIGHTS = (6.0, 4.0, 8.0, 1.0, 3.0)
THRESHOLD = 4.0
MIN_MATCHED_TERMS = 1

STOPWORDS = frozenset(
    """a about above after again all am an and any are as at be because been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers him his how
    i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your yours yeah ok okay please
    tell know anyone someone really actually thing things get got go going bit lot sarge guv mate like even still
    us im ive dont cant wont isnt arent whats thats theres youre id ill ya u r""".split()
)

# Ways officers write the same thing, rewritten to one spelling before indexing and searching.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bhot[\s-]*spots?\b", " hotspot "),
    (r"\bhsp\b", " hotspot policing "),
    (r"\b15\b|\bfifteen\b", " fifteen "),
    (r"\b10\b|\bten\b", " ten "),
    (r"\bmins?\b|\bminutes?\b", " minute "),
    (r"\bhrs?\b|\bhours?\b", " hour "),
    (r"\b999s?\b|\b911\b", " emergency calls "),
    (r"\bpcsos?\b", " pcso "),
    (r"\bsgts?\b|\bsarge\b|\bsergeants?\b", " sergeant "),
    (r"\bround the corner\b|\baround the corner\b|\bnext street\b|\bstreets? over\b|\bdown the road\b",
     " displacement move elsewhere "),
    (r"\bscrotes?\b|\bbaddies\b|\bcriminals?\b|\boffenders?\b|\bcrooks?\b", " offenders "),
    (r"\bnick(ed|ing)?\b", " arrest "),
    (r"\bpatch\b|\bbeat\b", " area "),
)
STEM = re.compile(r"(ing|ed|es|s)$")


def normalise(text: str) -> list[str]:
    """Lower-case terms with officers' variants folded together and stopwords removed."""
    lowered = text.lower().replace("’", "'")
    lowered = re.sub(r"'(s|t|re|ve|ll|d|m)\b", "", lowered)
    for pattern, replacement in PHRASES:
        lowered = re.sub(pattern, replacement, lowered)
    terms = []
    for word in re.findall(r"[a-z0-9]+", lowered):
        if word in STOPWORDS or len(word) < 2:
            continue
        terms.append(_stem(word))
    return terms


def _stem(word: str) -> str:
    if len(word) > 4:
        return STEM.sub("", word) or word
    return word


@dataclass(frozen=True)
class Answer:
    answered: bool
    card: Card | None
    score: float
    query: str

    def as_json(self) -> dict[str, object]:
        card = self.card if self.answered else None
        return {
            "answered": self.answered,
            "topic": card.topic if card else None,
            "card": card.id if card else None,
            "title": card.title if card else None,
            "text": card.body if card else None,
            "sources": [
                {"authors": s.authors, "year": s.year, "title": s.title, "published_in": s.published_in, "url": s.url}
                for s in card.sources
            ]
            if card
            else [],
            "score": round(self.score, 3),
        }


class Index:
    """An in-memory FTS5 index of one pack; build once at start-up, then `answer()` many times."""

    def __init__(self, pack: Pack, threshold: float = THRESHOLD) -> None:
        self.pack = pack
        self.threshold = threshold
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE cards USING fts5(card_id UNINDEXED, title, myth, also_asked, body, topic,"
            " tokenize = 'unicode61')"
        )
        vocabulary: set[str] = set()
        for card in pack.cards:
            fields = [
                card.title,
                card.myth or "",
                " . ".join(card.also_asked),
                f"{card.body} {card.check.question} {card.say_to_public}",
                card.topic.replace("-", " "),
            ]
            normalised = [" ".join(normalise(f)) for f in fields]
            for f in normalised:
                vocabulary.update(f.split())
            self._db.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)", (card.id, *normalised))
        self._vocabulary = sorted(vocabulary)
        self._known = vocabulary
        self._cards = {c.id: c for c in pack.cards}

    def _correct(self, term: str) -> str:
        if term in self._known or len(term) < 5 or term.isdigit():
            return term
        close = difflib.get_close_matches(term, self._vocabulary, n=1, cutoff=0.82)
        return close[0] if close else term

    def answer(self, question: str) -> Answer:
        terms = [self._correct(t) for t in normalise(question[:500])]
        matched = sorted({t for t in terms if t in self._known})
        if len(matched) < MIN_MATCHED_TERMS:
            return Answer(False, None, 0.0, question)
        match = " OR ".join(f'"{t}"' for t in matched)
        row = self._db.execute(
            "SELECT card_id, bm25(cards, 0, ?, ?, ?, ?, ?) AS rank FROM cards WHERE cards MATCH ? ORDER BY rank LIMIT 1",
            (*WEIGHTS, match),
        ).fetchone()
        if row is None:
            return Answer(False, None, 0.0, question)
        score = -float(row[1])
        card = self._cards[row[0]]
        return Answer(score >= self.threshold, card, score, question)
