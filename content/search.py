"""Answer officers' questions from the pack only: fold the wording, score every topic three ways (BM25,
phrasing similarity, naive Bayes), blend, and answer when a fitted confidence reaches `THRESHOLD`.

The word lists and folds are data in content/lexicon/, read once at import; so are the few numbers fitted
to labelled questions (content/lexicon/fitted.json, written by `python -m bench.tune --write`). bench/README.md
explains the method and how those numbers are fitted and judged; docs/content.md explains it for coordinators.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sqlite3
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from content.model import MAX_QUESTION, Card, ContentError, Pack, Problem
from content.topics import TOPICS, topic_title

# Field weights for bm25(), in column order: title, myth, also_asked, body, topic words.
FIELDS = ("title", "myth", "also_asked", "body", "topic")
WEIGHTS = (6.0, 4.0, 8.0, 1.0, 3.0)
THRESHOLD = 0.5              # answer at or above this confidence
OOS_LEAD = 0.1               # never answer when an out-of-scope example is this much nearer than the topic's
CARD_K = 12                  # cards ranked by FTS5
TOPIC_DECAY = 0.5            # a topic's second card (or phrasing) counts this much
CHAR_NGRAMS = (3, 4)         # character n-gram lengths, within words
WORD_FEATURE = 2.0           # a word stem counts this many character n-grams in the similarity vectors
PAIR_FEATURE = 1.0           # and a pair of consecutive words this many
PHRASING_REPEAT = 3          # how much more a phrasing counts than body text when training naive Bayes
NB_ALPHA = 0.1               # naive Bayes additive smoothing
NB_COMMON = 0.1              # naive Bayes ignores features found in more than this share of phrasings
NB_COMPLEMENT = True         # complement naive Bayes (fairer to topics with fewer cards)
GENERIC_WEIGHT = 0.3         # an everyday word's weight in what a topic explains
CORRECTED_CREDIT = 0.8       # a typo-corrected word explains a little less than a typed one

# The three topic scores, in the order of `BLEND`'s weights.
VIEWS = ("bm25", "phrasing", "naive_bayes")
# The confidence's features (see `decide`); `CONFIDENCE` is an intercept, then one coefficient for each.
FEATURES = ("blend", "margin", "phrasing", "posterior", "agreement", "coverage", "explained", "known", "unknown",
            "off_topic", "oos_posterior", "oos_similarity", "oos_lead", "oos_words")
# The class the curated out-of-scope examples (content/examples.jsonl, topic null) train: not a topic, and
# never answered; a question closer to it than to the chosen topic is refused.
OUT_OF_SCOPE = "(out of scope)"
EXAMPLE_REPEAT = PHRASING_REPEAT  # an example question counts as much as a card's phrasing in naive Bayes

# -- data: content/lexicon/ ---------------------------------------------------------------------------
LEXICON = Path(__file__).parent / "lexicon"
FITTED = LEXICON / "fitted.json"  # BLEND, NB_TEMPERATURE, CONFIDENCE: written by `python -m bench.tune --write`
_WORD = re.compile(r"[a-z0-9]+")  # what a folded question splits into, so all a listed word can be
_FITTED_KEYS = ("comment", "blend", "nb_temperature", "confidence")


class LexiconError(ContentError):
    """A malformed file in content/lexicon/; the message names the file, the line and the reason."""

    def __init__(self, path: Path, line: int | None, key: str, reason: str) -> None:
        super().__init__([Problem(str(path), key, reason, line=line)])


def read_words(path: Path) -> tuple[str, ...]:
    """A word list: one word a line, `#` to the end of a line a comment; each word lower-case letters and
    digits, listed once."""
    seen: dict[str, int] = {}
    for number, line in enumerate(_read(path).splitlines(), start=1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if not _WORD.fullmatch(word):
            raise LexiconError(path, number, "word", f"{word!r} is not one word of lower-case letters and digits,"
                               " so no folded question could contain it")
        if word in seen:
            raise LexiconError(path, number, "word", f"{word!r} is already listed on line {seen[word]}")
        seen[word] = number
    if not seen:
        raise LexiconError(path, None, "(file)", "lists no words")
    return tuple(seen)


def read_folds(path: Path) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Folds, in file order: one a line, a regular expression, a tab and its replacement, which is used
    with a space either side; a line starting with `#` is a comment."""
    folds: list[tuple[re.Pattern[str], str]] = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise LexiconError(path, number, "(line)", f"has {len(parts) - 1} tabs; expected a pattern, one tab"
                               " and a replacement")
        pattern, replacement = parts
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise LexiconError(path, number, "pattern", f"is not a regular expression: {exc}") from None
        if compiled.search(""):
            raise LexiconError(path, number, "pattern", "matches nothing at all (an empty text), so it would"
                               " insert its replacement everywhere")
        if not replacement.strip() or replacement != replacement.strip():
            raise LexiconError(path, number, "replacement", f"{replacement!r} must be words with no space at"
                               " either end (one space is added either side when it is read)")
        padded = f" {replacement} "
        try:
            compiled.sub(padded, "")  # checks \1, \g<name> against the pattern's groups
        except re.error as exc:
            raise LexiconError(path, number, "replacement", f"{replacement!r}: {exc}") from None
        folds.append((compiled, padded))
    if not folds:
        raise LexiconError(path, None, "(file)", "lists no folds")
    return tuple(folds)


def read_fitted(path: Path) -> tuple[tuple[float, float, float], float, tuple[float, ...]]:
    """(BLEND, NB_TEMPERATURE, CONFIDENCE) from the file `python -m bench.tune --write` writes (`fitted_json`)."""
    text = _read(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LexiconError(path, exc.lineno, "(json)", f"is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise LexiconError(path, 1, "(json)", "must be one JSON object")
    for name in data:
        if name not in _FITTED_KEYS:
            raise LexiconError(path, _line_of(text, name), str(name),
                               f"is not one of {', '.join(_FITTED_KEYS)}")
    for name in _FITTED_KEYS:
        if name not in data:
            raise LexiconError(path, None, name, "is missing; refit with `python -m bench.tune --write`")
    if not isinstance(data["comment"], str) or not data["comment"].strip():
        raise LexiconError(path, _line_of(text, "comment"), "comment",
                           "must say which command wrote these numbers, and when")
    blend = _numbers(path, text, data, "blend", VIEWS)
    if any(w < 0 for w in blend):
        raise LexiconError(path, _line_of(text, "blend"), "blend", "a weight is negative")
    temperature = data["nb_temperature"]
    if not _is_number(temperature) or not temperature > 0:
        raise LexiconError(path, _line_of(text, "nb_temperature"), "nb_temperature",
                           f"{temperature!r} is not a number above 0")
    confidence = _numbers(path, text, data, "confidence", ("intercept", *FEATURES))
    return (blend[0], blend[1], blend[2]), float(temperature), confidence


def _numbers(path: Path, text: str, data: dict[str, object], key: str, names: tuple[str, ...]) -> tuple[float, ...]:
    """`data[key]`: an object with a number for each of `names`, returned in that order."""
    value = data[key]
    line = _line_of(text, key)
    if not isinstance(value, dict):
        raise LexiconError(path, line, key, f"must be an object with a number for each of {', '.join(names)}")
    missing = [n for n in names if n not in value]
    extra = [n for n in value if n not in names]
    if missing or extra:
        wrong = [f"has no number for {', '.join(missing)}"] if missing else []
        wrong += [f"has an unexpected {', '.join(extra)}"] if extra else []
        raise LexiconError(path, line, key, f"{' and '.join(wrong)}; it needs exactly {', '.join(names)}"
                           " (refit with `python -m bench.tune --write`)")
    for name in names:
        if not _is_number(value[name]):
            raise LexiconError(path, line, f"{key}.{name}", f"{value[name]!r} is not a number")
    return tuple(float(value[n]) for n in names)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _line_of(text: str, key: str) -> int | None:
    """The line where `"key":` first appears in a JSON text, to point at it."""
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(path, None, "(file)", f"cannot be read: {exc}") from None


# Read once, at import: a malformed file stops the bot here, naming the file, the line and the reason.
STOPWORDS = frozenset(read_words(LEXICON / "stopwords.txt"))
FOLDS = read_folds(LEXICON / "folds.tsv")
# BLEND weighs the three VIEWS; naive Bayes log-likelihoods, averaged per feature, are divided by
# NB_TEMPERATURE; CONFIDENCE is the intercept, then one coefficient per FEATURES.
BLEND, NB_TEMPERATURE, CONFIDENCE = read_fitted(FITTED)

# -- wording ------------------------------------------------------------------------------------------
_CONTRACTION = re.compile(r"'(?:s|t|re|ve|ll|d|m)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def fold(text: str) -> str:
    """Lower-case `text` with officers' variants rewritten to the pack's spelling."""
    folded = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    folded = _CONTRACTION.sub("", folded)
    for pattern, replacement in FOLDS:
        folded = pattern.sub(replacement, folded)
    return folded


def stem(word: str) -> str:
    """A small suffix stripper: enough that patrol/patrols/patrolling and displace/displaced meet."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ments", "ment", "ingly", "ing", "edly", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    """Every word of `text`, folded, not stemmed."""
    return _WORD.findall(fold(text))


def _content(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())


def _words(text: str) -> list[str]:
    """The content words of `text`, folded, stopwords removed, not stemmed."""
    return [w for w in _tokens(text) if _content(w)]


def normalise(text: str) -> list[str]:
    """The content terms of `text`: folded, stopwords removed, stemmed."""
    return [stem(word) for word in _words(text)]


# Words naming a domain the training does not cover (leave, pay, IT, kit, courts...): they count against an answer.
OFF_TOPIC = frozenset(stem(word) for word in read_words(LEXICON / "off_topic.txt"))
# Everyday words: in what a topic explains of a question they weigh `GENERIC_WEIGHT`.
GENERIC = frozenset(stem(word) for word in read_words(LEXICON / "generic.txt"))


def features(tokens: Sequence[str]) -> Counter[str]:
    """Of every word: pairs of consecutive stems (stopwords included: "what to do", "how long"); of the
    content words: their stems and character n-grams (with word edges), which survive typos and word forms."""
    counts: Counter[str] = Counter()
    stems = [stem(w) for w in tokens]
    for word, term in zip(tokens, stems, strict=True):
        if not _content(word):
            continue
        counts["w:" + term] += 1
        padded = f" {word} "
        for n in CHAR_NGRAMS:
            for i in range(len(padded) - n + 1):
                counts[padded[i : i + n]] += 1
    for first, second in itertools.pairwise(stems):
        counts[f"p:{first}_{second}"] += 1
    return counts


def _feature_weight(feature: str) -> float:
    if feature.startswith("w:"):
        return WORD_FEATURE
    if feature.startswith("p:"):
        return PAIR_FEATURE
    return 1.0


# -- answers ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    answered: bool
    card: Card | None  # the best card, even when refused (the near miss is kept out of as_json)
    score: float       # the confidence in [0, 1]; answered when it reaches the index's threshold
    query: str
    # About hot spots policing, even if not answered (see `near_topic`): an unanswered question that is not
    # (leave, custody, a phone's hotspot, the football) is no content gap, so it is not passed on.
    near_topic: bool = True

    def as_json(self) -> dict[str, object]:
        card = self.card if self.answered else None
        return {
            "answered": self.answered,
            "near_topic": self.near_topic,
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


@dataclass(frozen=True)
class Signals:
    """The parameter-free evidence for one question: per topic, its three scores and what its cards explain."""

    terms: tuple[str, ...]                     # content words after folding, stemming and typo fixes
    bm25: dict[str, float]                     # topic -> BM25 aggregate, best topic 1.0
    phrasing: dict[str, float]                 # topic -> phrasing similarity aggregate, 0..1
    likelihood: dict[str, float]               # topic -> naive Bayes log-likelihood per feature (untempered)
    coverage: dict[str, float]                 # topic -> share of the question's word weight its cards contain
    explained: dict[str, float]                # topic -> that weight (a rare word 1.5, a word in every card 0.5)
    known: float                               # share of the question's word weight the pack contains at all
    unknown: float                             # word weight the pack does not contain
    off_topic: int                             # words naming a domain the training does not cover
    best_card: dict[str, str]                  # topic -> its best card
    solid: frozenset[str]                      # topics whose cards contain a word of it that is not everyday
    nearest: dict[str, float] = field(default_factory=dict)  # topic or OUT_OF_SCOPE -> its closest phrasing or example
    oos_words: int = 0                         # words only the out-of-scope examples use (no card, no topic example)

    @property
    def empty(self) -> bool:
        return not self.best_card


@dataclass(frozen=True)
class Params:
    blend: tuple[float, float, float] = BLEND
    confidence: tuple[float, ...] = CONFIDENCE
    temperature: float = NB_TEMPERATURE


def fitted_json(params: Params, comment: str) -> str:
    """The text of a fitted-numbers file (content/lexicon/fitted.json) for `params`, as `read_fitted` reads it;
    `comment` says which command wrote it, and when."""
    data = {
        "comment": comment,
        "blend": dict(zip(VIEWS, params.blend, strict=True)),
        "nb_temperature": params.temperature,
        "confidence": dict(zip(("intercept", *FEATURES), params.confidence, strict=True)),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Evidence:
    """Why a question got the card and confidence it did: for the benchmark and for debugging a miss."""

    terms: tuple[str, ...]
    card: str | None         # the best card of the chosen topic
    topic: str | None
    features: dict[str, float]
    confidence: float
    near: bool = False       # `near_topic`: about the pack's subject, answered or not


def decide(signals: Signals, params: Params) -> tuple[str | None, dict[str, float], float]:
    """The chosen topic, the confidence's features for it, and the confidence."""
    if signals.empty:
        return None, {}, 0.0
    posterior = _softmax(signals.likelihood, params.temperature)
    oos_similarity = signals.nearest.get(OUT_OF_SCOPE, 0.0)
    w_bm25, w_phrasing, w_nb = params.blend
    total = (w_bm25 + w_phrasing + w_nb) or 1.0
    blend = {
        t: (w_bm25 * signals.bm25.get(t, 0.0) + w_phrasing * signals.phrasing.get(t, 0.0)
            + w_nb * posterior.get(t, 0.0)) / total
        for t in signals.best_card
    }
    ranked = sorted(blend.items(), key=lambda item: (-item[1], item[0]))
    topic, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    feats = {
        "blend": best,
        "margin": best - runner_up,
        "phrasing": signals.phrasing.get(topic, 0.0),
        "posterior": posterior.get(topic, 0.0),
        # How many of the three views put this topic first.
        "agreement": sum(_top(view) == topic for view in (signals.bm25, signals.phrasing, posterior)) / 3,
        "coverage": signals.coverage.get(topic, 0.0),
        "explained": math.log1p(signals.explained.get(topic, 0.0)),
        "known": signals.known,
        "unknown": math.log1p(signals.unknown),
        "off_topic": float(min(signals.off_topic, 2)),
        # How much the question looks like the curated out-of-scope examples, and more than like the topic.
        "oos_posterior": posterior.get(OUT_OF_SCOPE, 0.0),
        "oos_similarity": oos_similarity,
        "oos_lead": oos_similarity - signals.nearest.get(topic, 0.0),
        "oos_words": float(min(signals.oos_words, 2)),
    }
    if topic not in signals.solid:
        return topic, feats, 0.0  # only everyday words ("what time is it"): nothing to answer from
    if feats["oos_lead"] >= OOS_LEAD:
        # Worded like a question the coordinators marked "not ours" more than like any of the topic's own
        # phrasings ("can I drive on blue lights to a call"): the shared pack words do not make it ours.
        return topic, feats, 0.0
    intercept, *weights = params.confidence
    z = intercept + sum(w * feats[name] for w, name in zip(weights, FEATURES, strict=True))
    return topic, feats, 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def near_topic(signals: Signals, topic: str | None, feats: dict[str, float]) -> bool:
    """Whether a question is about the pack's subject, answered or not: the chosen topic's cards or example
    questions contain a word of it that is not everyday, and the naive Bayes classifier believes that topic
    more than the out-of-scope class (the curated `null` examples). An unanswered question near a topic is a
    content gap for the coordinators; one the out-of-scope class wins (leave, custody, a phone's hotspot,
    chit-chat), or with nothing but everyday or unknown words, is not. No fitted number: the classifier's own
    verdict (bench/README.md measures it)."""
    if topic is None or topic not in signals.solid or not feats:
        return False
    return feats["oos_posterior"] < feats["posterior"]


class Index:
    """An in-memory index of one pack; build once at start-up, then `answer()` many times."""

    def __init__(self, pack: Pack, threshold: float = THRESHOLD, params: Params | None = None) -> None:
        self.pack = pack
        self.threshold = threshold
        self.params = params or Params()
        self._cards = {c.id: c for c in pack.cards}
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE cards USING fts5(card_id UNINDEXED, title, myth, also_asked, body, topic,"
            " tokenize = 'unicode61')"
        )
        frequency: dict[str, int] = defaultdict(int)
        self._topic_terms: dict[str, set[str]] = defaultdict(set)
        # Phrasings (title, myth, every also_asked, check question) for the similarity; all text for Bayes.
        # A phrasing row is owned by a card; an example question's row by its label (topic or OUT_OF_SCOPE).
        phrasings: list[tuple[str, Counter[str]]] = []
        training: dict[str, Counter[str]] = defaultdict(Counter)
        for card in pack.cards:
            fields = [
                card.title,
                card.myth or "",
                " . ".join(card.also_asked),
                f"{card.body} {card.check.question} {card.say_to_public}",
                f"{card.topic.replace('-', ' ')} {topic_title(card.topic)}",
            ]
            normalised = [" ".join(normalise(f)) for f in fields]
            terms = set(" ".join(normalised).split())
            self._topic_terms[card.topic] |= terms
            for term in terms:
                frequency[term] += 1
            self._db.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)", (card.id, *normalised))
            for phrase in (card.title, card.myth or "", card.check.question, *card.also_asked):
                feats = features(_tokens(phrase))
                if feats:
                    phrasings.append((card.id, feats))
                    for name in feats:
                        training[card.topic][name] += PHRASING_REPEAT
            sentences = _SENTENCE.split(card.body)
            for text in (*sentences, card.say_to_public, card.check.explanation, *card.check.options,
                         topic_title(card.topic)):
                training[card.topic].update(features(_tokens(text)).keys())
        count = max(len(pack.cards), 1)
        # A word's weight: 0.5 when every card has it, up to 1.5 in one card; a word no card has, 1.0.
        self._weight = {t: 0.5 + math.log(count / n) / math.log(count + 1) for t, n in frequency.items()}
        card_df: Counter[str] = Counter()
        for _, feats in phrasings:
            card_df.update(feats.keys())
        card_rows = len(phrasings)
        # Curated example questions (content/examples.jsonl): a topic's train its topic, like its cards'
        # phrasings; the out-of-scope ones train a class of their own and nothing else. Both join the
        # phrasing similarity, but only as evidence for their label: a card is chosen from cards alone.
        self._oos_terms: set[str] = set()
        example_terms: dict[str, set[str]] = defaultdict(set)
        for example in pack.examples:
            tokens = _tokens(example.q)
            feats = features(tokens)
            if not feats:
                continue
            label = example.topic or OUT_OF_SCOPE
            phrasings.append((label, feats))
            for name in feats:
                training[label][name] += EXAMPLE_REPEAT
            terms = {stem(w) for w in tokens if _content(w)}
            if example.topic is None:
                self._oos_terms |= terms
            else:
                example_terms[example.topic] |= terms
        for topic, terms in example_terms.items():
            self._topic_terms[topic] |= terms
            for term in terms:
                self._weight.setdefault(term, 1.0)  # known now, as rare as a word no card has
        self._card_rows = card_rows
        self._phrasings = self._vectorise(phrasings)
        # Features in more than a tenth of the cards' phrasings (hot spot, policing) name the pack, not a topic.
        common = {f for f, n in card_df.items() if n > NB_COMMON * card_rows}
        self._bayes({t: Counter({f: n for f, n in c.items() if f not in common}) for t, c in training.items()})
        # Typos: every pack word and each of its one-letter deletions point back to the word.
        self._near: dict[str, str] = {}
        for term in sorted(self._weight, key=lambda t: (-frequency.get(t, 0), t)):
            if len(term) >= 4 and not term.isdigit():
                for variant in (term, *_deletions(term)):
                    self._near.setdefault(variant, term)

    # -- build ------------------------------------------------------------------------------------------
    def _vectorise(self, phrasings: list[tuple[str, Counter[str]]]) -> list[str]:
        """TF-IDF unit vectors of the phrasings, kept as an inverted index feature -> [(row, weight)]."""
        documents = len(phrasings) or 1
        df: Counter[str] = Counter()
        for _, feats in phrasings:
            df.update(feats.keys())
        self._idf = {f: math.log((documents + 1) / (n + 1)) + 1.0 for f, n in df.items()}
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        owners = []
        for row, (card_id, feats) in enumerate(phrasings):
            vector = self._tfidf(feats)
            for name, value in vector.items():
                rows, weights = postings[name]
                rows.append(row)
                weights.append(value)
            owners.append(card_id)
        # Kept as typed arrays (4 + 8 bytes a posting, against some 60 for a tuple of two Python numbers): the
        # index is most of the process's memory, and the weights are the same doubles either way.
        self._postings = {name: (array("i", rows), array("d", weights)) for name, (rows, weights) in postings.items()}
        return owners

    def _tfidf(self, feats: Counter[str]) -> dict[str, float]:
        vector = {f: (1.0 + math.log(n)) * self._idf[f] * _feature_weight(f) for f, n in feats.items() if f in self._idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {f: v / norm for f, v in vector.items()}

    def _bayes(self, training: dict[str, Counter[str]]) -> None:
        vocabulary = set().union(*training.values()) if training else set()
        size = len(vocabulary) or 1
        # A feature's log-probability for a class is its own entry in `_nb_log`, else `_nb_base` (shared by
        # every class: kept once, not once per class, so the build stays fast), else `_nb_unseen`; plus
        # the class's `_nb_shift`.
        self._nb_log: dict[str, dict[str, float]] = {}
        self._nb_base: dict[str, float] = {}
        self._nb_shift: dict[str, float] = {}
        self._nb_unseen: dict[str, float] = {}
        everything: Counter[str] = Counter()
        for counts in training.values():
            everything.update(counts)
        grand = sum(everything.values())
        if NB_COMPLEMENT:
            self._nb_base = {f: -math.log(n + NB_ALPHA) for f, n in everything.items()}
        for topic, counts in training.items():
            if NB_COMPLEMENT:
                # Complement naive Bayes: how unlike every other topic's text the question is (fairer to
                # topics with fewer cards than the plain form): -log((all - this class's + alpha) / rest).
                rest = grand - sum(counts.values()) + NB_ALPHA * size
                self._nb_log[topic] = {f: -math.log(everything[f] - n + NB_ALPHA) for f, n in counts.items()}
                self._nb_shift[topic] = math.log(rest)
                self._nb_unseen[topic] = 0.0
                continue
            total = sum(counts.values()) + NB_ALPHA * size
            self._nb_log[topic] = {f: math.log((n + NB_ALPHA) / total) for f, n in counts.items()}
            self._nb_shift[topic] = 0.0
            self._nb_unseen[topic] = math.log(NB_ALPHA / total)
        self._nb_vocabulary = vocabulary

    # -- answer -----------------------------------------------------------------------------------------
    def answer(self, question: str) -> Answer:
        """The best card for `question`, answered only when the confidence reaches the threshold."""
        evidence = self.explain(question)
        card = self._cards.get(evidence.card) if evidence.card else None
        answered = card is not None and evidence.confidence >= self.threshold
        return Answer(answered, card, evidence.confidence, question, answered or evidence.near)

    def explain(self, question: str) -> Evidence:
        """Score `question` against the pack: the chosen card, its topic and the confidence's parts."""
        signals = self.signals(question)
        topic, feats, confidence = decide(signals, self.params)
        card = signals.best_card.get(topic) if topic else None
        return Evidence(signals.terms, card, topic, feats, confidence, near_topic(signals, topic, feats))

    def signals(self, question: str) -> Signals:
        """Everything the decision needs about `question` that does not depend on fitted parameters."""
        tokens = _tokens(question[:MAX_QUESTION])
        raw = [w for w in tokens if _content(w)]
        corrected = [self._correct(stem(w)) for w in raw]
        terms: dict[str, bool] = {}
        for term, fixed in corrected:
            terms.setdefault(term, fixed)
        off_topic = sum(1 for t in terms if t in OFF_TOPIC)
        nothing = Signals(tuple(terms), {}, {}, {}, {}, {}, 0.0, 0.0, off_topic, {}, frozenset())
        known_terms = [t for t in terms if t in self._weight]
        if not known_terms:
            return nothing
        # 1. BM25 over cards, aggregated per topic.
        said = Counter(t for t, _ in corrected if t in self._weight)
        query = " OR ".join(f'"{t}"' for t, n in said.items() for _ in range(min(n, 3)))
        card_score: dict[str, float] = {}
        for card_id, score in self._db.execute(
            "SELECT card_id, -bm25(cards, 0, ?, ?, ?, ?, ?) AS score FROM cards WHERE cards MATCH ?"
            " ORDER BY score DESC LIMIT ?",
            (*WEIGHTS, query, CARD_K),
        ):
            card_score[str(card_id)] = float(score)
        if not card_score:
            return nothing
        bm25 = _aggregate(card_score, self._cards)
        top = max(bm25.values()) or 1.0
        bm25 = {t: v / top for t, v in bm25.items()}
        best_bm25 = max(card_score.values()) or 1.0
        # 2. Phrasing similarity (character n-grams, stems, pairs), aggregated per topic.
        fixes = {w: t for w, (t, fixed) in zip(raw, corrected, strict=True) if fixed}
        words = [fixes.get(w, w) for w in tokens]
        vector = self._tfidf(features(words))
        rows: dict[int, float] = defaultdict(float)
        for name, value in vector.items():
            found = self._postings.get(name)
            if found is not None:
                for row, weight in zip(*found, strict=True):
                    rows[row] += value * weight
        phrase_card: dict[str, float] = {}
        per_topic: dict[str, list[float]] = defaultdict(list)
        nearest: dict[str, float] = {}
        for row, similarity in rows.items():
            owner = self._phrasings[row]
            if row < self._card_rows:
                phrase_card[owner] = max(phrase_card.get(owner, 0.0), similarity)
                label = self._cards[owner].topic
            else:
                label = owner  # an example question: evidence for its label, never a card to answer with
            nearest[label] = max(nearest.get(label, 0.0), similarity)
            if label != OUT_OF_SCOPE:
                per_topic[label].append(similarity)
        phrasing = {}
        for topic, sims in per_topic.items():
            sims.sort(reverse=True)
            phrasing[topic] = sims[0] + TOPIC_DECAY * sum(sims[1:3]) / 2
        # 3. Naive Bayes over the same features, tempered.
        feats = features(words)
        seen = [(f, n) for f, n in feats.items() if f in self._nb_vocabulary]
        likelihood: dict[str, float] = {}
        if seen:
            size = sum(n for _, n in seen)
            base = self._nb_base
            likelihood = {
                topic: sum(n * table.get(f, base.get(f, self._nb_unseen[topic])) for f, n in seen) / size
                + self._nb_shift[topic]
                for topic, table in self._nb_log.items()
            }
        # What each topic's cards explain of the question's words.
        total = explained_any = 0.0
        explained: dict[str, float] = defaultdict(float)
        solid: set[str] = set()
        for term, fixed in terms.items():
            weight = GENERIC_WEIGHT if term in GENERIC else self._weight.get(term, 1.0)
            total += weight
            if term in OFF_TOPIC or term not in self._weight:
                continue
            credit = weight * (CORRECTED_CREDIT if fixed else 1.0)
            explained_any += credit
            for topic, vocabulary in self._topic_terms.items():
                if term in vocabulary:
                    explained[topic] += credit
                    if term not in GENERIC:
                        solid.add(topic)
        total = total or 1.0
        coverage = {t: explained[t] / total for t in TOPICS if t in self._topic_terms}
        # Each topic's best card: its BM25 (relative) plus its best phrasing.
        best_card: dict[str, str] = {}
        best_value: dict[str, float] = {}
        for card_id in set(card_score) | set(phrase_card):
            topic = self._cards[card_id].topic
            value = card_score.get(card_id, 0.0) / best_bm25 + phrase_card.get(card_id, 0.0)
            if value > best_value.get(topic, -1.0) or (value == best_value[topic] and card_id < best_card[topic]):
                best_card[topic], best_value[topic] = card_id, value
        unknown = sum(self._weight.get(t, 1.0) for t in terms if t not in self._weight or t in OFF_TOPIC)
        oos_words = sum(1 for t in terms if t in self._oos_terms and t not in self._weight)
        return Signals(tuple(terms), bm25, phrasing, likelihood, coverage, dict(explained), explained_any / total,
                       unknown, off_topic, best_card, frozenset(solid), nearest, oos_words)

    def _correct(self, term: str) -> tuple[str, bool]:
        """The pack's spelling of a word one edit away from it (same first letter); (term, corrected?)."""
        if term in self._weight or term in OFF_TOPIC or term in self._oos_terms or len(term) < 5 or term.isdigit():
            return term, False
        for variant in (term, *_deletions(term)):
            known = self._near.get(variant)
            if known is not None and known[0] == term[0]:
                return known, True
        return term, False


def _softmax(logs: dict[str, float], temperature: float) -> dict[str, float]:
    """Posterior probabilities from log-likelihoods, sharpened (temperature < 1) or flattened."""
    if not logs:
        return {}
    peak = max(logs.values())
    exps = {t: math.exp((v - peak) / temperature) for t, v in logs.items()}
    norm = sum(exps.values())
    return {t: v / norm for t, v in exps.items()}


def _top(scores: dict[str, float]) -> str | None:
    return max(scores.items(), key=lambda item: (item[1], item[0]))[0] if scores else None


def _aggregate(card_score: dict[str, float], cards: dict[str, Card]) -> dict[str, float]:
    """Per topic: its best card's score plus `TOPIC_DECAY` times its second."""
    by_topic: dict[str, list[float]] = defaultdict(list)
    for card_id, score in card_score.items():
        by_topic[cards[card_id].topic].append(score)
    return {t: _decayed(scores) for t, scores in by_topic.items()}


def _decayed(scores: Iterable[float]) -> float:
    ordered = sorted(scores, reverse=True)
    return sum(s * TOPIC_DECAY**i for i, s in enumerate(ordered[:2]))


def _deletions(word: str) -> list[str]:
    """Each one-letter deletion of `word`, in position order (an order that does not vary between runs)."""
    return list(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))
