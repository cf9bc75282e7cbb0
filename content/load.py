"""Load and validate a pack of cards; every problem names the file, the field and the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import yaml

from content.audiences import AUDIENCES, DEFAULT_AUDIENCE
from content.model import (
    MEDIA_KINDS,
    Card,
    CheckQuestion,
    ContentError,
    Example,
    Media,
    Pack,
    Problem,
    Source,
)
from content.topics import TOPICS

DEFAULT_PATH = Path(__file__).parent / "cards"
# Curated example questions live beside the cards folder: content/examples.jsonl for content/cards.
EXAMPLES_NAME = "examples.jsonl"
MAX_EXAMPLE = 300
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?\Z")
MAX_BODY = 1200
MAX_TITLE = 80
MAX_OPTION = 75
MAX_PUBLIC_LINE = 200
FIELDS = (
    "id", "topic", "title", "myth", "version", "owner", "review_by",
    "sources", "check", "also_asked", "say_to_public", "audience", "media",
)
OPTIONAL = ("myth", "audience", "media")


def _load_folder(folder: Path, today: date | None, problems: list[Problem], warnings: list[Problem]) -> list[Card]:
    """The cards of one folder; each problem (file, field, reason) is added to `problems`."""
    cards: list[Card] = []
    for file in sorted(folder.glob("*.md")):
        try:
            card = parse_card(file.read_text(encoding="utf-8"), str(file))
        except _Invalid as exc:
            problems.extend(Problem(str(file), field, reason) for field, reason in exc.problems)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(file), "(file)", f"cannot be read: {exc}"))
            continue
        if card.id != file.stem:
            problems.append(Problem(str(file), "id", f"{card.id!r} must match the file name {file.stem!r}"))
        cards.append(card)
        warnings.extend(doi_warnings(card))
        if today is not None and card.review_by < today:
            warnings.append(
                Problem(str(file), "review_by", f"review was due on {card.review_by.isoformat()}", warning=True)
            )
    return cards


class _Invalid(Exception):
    """One or more problems with a card: (field, reason) each; `field` and `reason` are the first."""

    def __init__(self, field: str, reason: str, more: list[tuple[str, str]] | None = None) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason
        self.problems = [(field, reason), *(more or [])]


T = TypeVar("T")


class _Problems:
    """Every field checked, each problem kept: a card is refused with all of its problems at once."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def check(self, parse: Callable[[], T], fallback: T) -> T:
        try:
            return parse()
        except _Invalid as exc:
            self.found.extend(exc.problems)
            return fallback

    def add(self, field: str, reason: str) -> None:
        self.found.append((field, reason))

    def raise_any(self) -> None:
        if self.found:
            (field, reason), *more = self.found
            raise _Invalid(field, reason, more)


def load_pack(
    path: Path | None = None, today: date | None = None, examples: Path | None = None, local: Path | None = None
) -> Pack:
    """Load every `*.md` under `path` and the example questions beside it (`examples`, by default
    `examples.jsonl` in the folder above the cards, when there is one), and the force's own cards in
    `local` (SHIFTBRIEF_LOCAL_CARDS: validated the same way, kept apart so an upgrade never overwrites
    them); raise ContentError listing every problem found in any of them."""
    folder = path or DEFAULT_PATH
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not folder.is_dir():
        raise ContentError([Problem(str(folder), "(folder)", "is not a folder of cards")])
    if not list(folder.glob("*.md")):
        raise ContentError([Problem(str(folder), "(folder)", "holds no cards (*.md)")])
    cards = _load_folder(folder, today, problems, warnings)
    if local is not None:
        if not local.is_dir():
            raise ContentError([Problem(str(local), "(folder)", "is not a folder of cards (SHIFTBRIEF_LOCAL_CARDS)")])
        cards += _load_folder(local, today, problems, warnings)
    seen: dict[str, str] = {}
    for card in cards:
        if card.id in seen:
            problems.append(Problem(card.path, "id", f"{card.id!r} is also the id of {seen[card.id]}"))
        seen.setdefault(card.id, card.path)
    examples_file = examples or folder.parent / EXAMPLES_NAME
    loaded: tuple[Example, ...] = ()
    if examples is not None or examples_file.is_file():
        loaded, bad = load_examples(examples_file)
        problems.extend(bad)
    if problems:
        raise ContentError(problems)
    return Pack(tuple(cards), tuple(warnings), loaded)


def load_examples(path: Path) -> tuple[tuple[Example, ...], list[Problem]]:
    """The example questions of a JSON Lines file, one {"q": ..., "topic": id or null} a line, and a
    problem (file, line, field, reason) for each line that is not one. Blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return (), [Problem(str(path), "(file)", f"cannot be read: {exc}")]
    examples: list[Example] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            examples.append(parse_example(line, number))
        except _Invalid as exc:
            problems.append(Problem(str(path), exc.field, exc.reason, line=number))
    return tuple(examples), problems


def parse_example(line: str, number: int = 0) -> Example:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _Invalid("(line)", f"is not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(row, dict):
        raise _Invalid("(line)", 'must be a JSON object: {"q": "...", "topic": "<topic id>" or null}')
    for key in row:
        if key not in ("q", "topic"):
            raise _Invalid(str(key), "unknown field; expected q and topic")
    if "q" not in row:
        raise _Invalid("q", "is required")
    if "topic" not in row:
        raise _Invalid("topic", "is required: a topic id, or null for a question the bot must not answer")
    question = row["q"]
    if not isinstance(question, str) or not question.strip():
        raise _Invalid("q", "must be non-empty text")
    if len(question) > MAX_EXAMPLE:
        raise _Invalid("q", f"is {len(question)} characters; at most {MAX_EXAMPLE}")
    topic = row["topic"]
    if topic is not None and (not isinstance(topic, str) or topic not in TOPICS):
        raise _Invalid("topic", f"{topic!r} is not a topic; expected one of {', '.join(TOPICS)}, or null")
    return Example(question.strip(), topic, number)


def parse_card(text: str, path: str) -> Card:
    """A card from its file's text, or _Invalid listing every problem found (one per field)."""
    front, body = _split(text)
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise _Invalid("(front matter)", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(meta, dict):
        raise _Invalid("(front matter)", "must be a mapping of fields")
    problems = _Problems()
    for key in meta:
        if key not in FIELDS:
            problems.add(str(key), f"unknown field; expected one of {', '.join(FIELDS)}")
    for key in FIELDS:
        if key not in OPTIONAL and key not in meta:
            problems.add(key, "is required")
    present = {key: value for key, value in meta.items() if key in FIELDS}
    card_id = problems.check(lambda: _card_id(present), "")
    topic = problems.check(lambda: _topic(present), "")
    audience = problems.check(lambda: _audience(present), DEFAULT_AUDIENCE)
    myth = problems.check(lambda: _text(present, "myth", 300) if present.get("myth") is not None else None, None)
    title = problems.check(lambda: _text(present, "title", MAX_TITLE) if "title" in present else "", "")
    version = problems.check(lambda: _version(present), 1)
    owner = problems.check(lambda: _text(present, "owner", 120) if "owner" in present else "", "")
    review_by = problems.check(lambda: _review_by(present), date.min)
    no_sources: tuple[Source, ...] = ()
    sources = problems.check(lambda: _sources(present["sources"]) if "sources" in present else (), no_sources)
    check = problems.check(lambda: _check(present["check"]) if "check" in present else None, None)
    no_phrasings: tuple[str, ...] = ()
    also = problems.check(lambda: _also_asked(present), no_phrasings)
    say = problems.check(
        lambda: _text(present, "say_to_public", MAX_PUBLIC_LINE) if "say_to_public" in present else "", "")
    no_media: tuple[Media, ...] = ()
    media = problems.check(lambda: _media(present.get("media", [])), no_media)
    body = body.strip()
    if not body:
        problems.add("(body)", "is empty: write the card's text under the front matter")
    elif len(body) > MAX_BODY:
        problems.add("(body)", f"is {len(body)} characters; at most {MAX_BODY} so it reads on a phone")
    problems.raise_any()
    assert check is not None  # a missing or bad check is a problem raised above
    return Card(
        id=card_id, topic=topic, title=title, myth=myth, version=version, owner=owner, review_by=review_by,
        sources=sources, check=check, also_asked=also, say_to_public=say, body=body, path=path, audience=audience,
        media=media,
    )


def _card_id(meta: dict[str, Any]) -> str:
    card_id = _text(meta, "id", 80) if "id" in meta else ""
    if "id" in meta and not SLUG.match(card_id):
        raise _Invalid("id", f"{card_id!r} must be a slug: lower-case letters, digits and hyphens")
    return card_id


def _topic(meta: dict[str, Any]) -> str:
    if "topic" not in meta:
        return ""
    topic = _text(meta, "topic", 40)
    if topic not in TOPICS:
        raise _Invalid("topic", f"{topic!r} is not a topic; expected one of {', '.join(TOPICS)}")
    return topic


def _audience(meta: dict[str, Any]) -> str:
    audience = meta.get("audience", DEFAULT_AUDIENCE)
    if not isinstance(audience, str) or audience not in AUDIENCES:
        raise _Invalid("audience", f"{audience!r} is not an audience; expected one of {', '.join(AUDIENCES)} "
                       f"(or leave it out for {DEFAULT_AUDIENCE})")
    return audience


def _version(meta: dict[str, Any]) -> int:
    version = meta.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Invalid("version", "must be a whole number, 1 or more")
    return version


def _review_by(meta: dict[str, Any]) -> date:
    review_by = meta.get("review_by", date.min)
    if isinstance(review_by, str):
        try:
            review_by = date.fromisoformat(review_by)
        except ValueError:
            raise _Invalid("review_by", f"{review_by!r} is not a date (YYYY-MM-DD)") from None
    if not isinstance(review_by, date):
        raise _Invalid("review_by", "must be a date (YYYY-MM-DD)")
    return review_by


def _also_asked(meta: dict[str, Any]) -> tuple[str, ...]:
    if "also_asked" not in meta:
        return ()
    also = meta["also_asked"]
    if not isinstance(also, list) or len(also) < 3:
        raise _Invalid("also_asked", "must list at least 3 other ways officers ask this")
    for item in also:
        if not isinstance(item, str) or not item.strip() or len(item) > 200:
            raise _Invalid("also_asked", f"{item!r}: each entry must be text of 1-200 characters")
    return tuple(s.strip() for s in also)


def _split(text: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise _Invalid("(front matter)", "the file must start with a `---` line")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise _Invalid("(front matter)", "no closing `---` line")


def _text(meta: dict[str, Any], key: str, limit: int) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(key, "must be non-empty text")
    if len(value) > limit:
        raise _Invalid(key, f"is {len(value)} characters; at most {limit}")
    return value.strip()


MIRROR_HOSTS = (
    "studylib.", "slideplayer.", "vdocuments.", "scribd.com", "paperexplained.", "blogspot.",
    "corpora.tika.apache.org",
)
"""Document-sharing and mirror sites: copies of a work, not where a reviewer can check it (docs/card-format.md)."""
STAGING_HOSTS = ("production.copweb.aws.college.police.uk",)
"""The College of Policing's non-public staging host: cite www.college.police.uk."""


def link_problem(url: object) -> str | None:
    """Why a source's address cannot be printed on a card, or None if it can."""
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/:?#]+(:\d+)?([/?#]\S*)?\Z", url):
        return f"{url!r} is not an http(s) link"
    host_port = url.split("/", 3)[2].lower()
    host, _sep, port = host_port.partition(":")
    if host.endswith("."):
        return f"{url!r} is malformed: the host ends in a dot"
    scheme = url.split(":", 1)[0].lower()
    if port and (scheme, port) in (("https", "80"), ("http", "443")):
        return f"{url!r} is malformed: port {port} does not match the scheme"
    if any(mirror in host for mirror in MIRROR_HOSTS):
        return f"{url!r} is a document-sharing or mirror site; cite the canonical source (DOI or publisher page)"
    if host in STAGING_HOSTS:
        return f"{url!r} is the College of Policing's non-public staging host; use www.college.police.uk"
    return None


DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/[^\s\x00-\x1f\x7f-\x9f]+\Z")
"""A bare DOI: `10.`, the registrant code (digits, maybe dotted), a slash, a suffix with no whitespace."""
DOI_AS_LINK = re.compile(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
MAX_DOI = 300
SOURCE_FIELDS = ("authors", "year", "title", "published_in", "url", "doi")


DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(\S+)\Z", re.IGNORECASE)


def doi_in_url(url: str) -> str:
    """The DOI a doi.org address resolves, or "" when the address is not a DOI link."""
    found = DOI_URL.match(url)
    return unquote(found.group(1)) if found else ""


def doi_problem(doi: object) -> str | None:
    """Why a source's `doi` is not a bare DOI, or None if it is."""
    if not isinstance(doi, str) or not doi.strip():
        return "must be a DOI as text, e.g. 10.1080/07418829500096231"
    if DOI_AS_LINK.match(doi.strip()):
        bare = DOI_AS_LINK.sub("", doi.strip())
        return (f"{doi!r}: give the bare DOI ({bare!r}), without https://doi.org/ or doi:; "
                "the link is made from it")
    if len(doi) > MAX_DOI:
        return f"is {len(doi)} characters; at most {MAX_DOI}"
    if not DOI.match(doi):
        return (f"{doi!r} is not a DOI: expected 10.<registrant code>/<suffix> with no spaces, "
                "e.g. 10.1080/07418829500096231")
    return None


JOURNAL_NUMBERS = re.compile(r"\b\d+\s*\(\s*[A-Za-z]?\d[\w./-]{0,8}\s*\)|\b\d+\s*:\s*[A-Za-z]?\d+")
"""Volume(issue) or volume: pages, as in `12(4): 649-672`, `5: 119-133` or `119(14): e2118780119`."""
JOURNAL_NAMES = re.compile(r"\b(journal|quarterly|review|reviews|proceedings|pnas|criminology)\b", re.IGNORECASE)


NOT_ARTICLES = re.compile(r"\b(news|newspaper|blog|web ?page|website|press release|slides|thesis)\b", re.IGNORECASE)
"""Words that say a source is not a journal article although its venue's name has "Journal" in it
("Press and Journal (news report)")."""


def looks_like_journal_article(published_in: str) -> bool:
    """Whether a source's `published_in` reads like a journal article: it gives a volume, issue and pages,
    or names a journal without saying it is news, a blog, a page, slides or a thesis. A guess for a
    warning, never a reason to refuse a card."""
    if JOURNAL_NUMBERS.search(published_in):
        return True
    return bool(JOURNAL_NAMES.search(published_in)) and not NOT_ARTICLES.search(published_in)


def doi_warnings(card: Card) -> list[Problem]:
    """A warning for each source that looks like a journal article but gives no DOI (neither `doi` nor a
    doi.org `url`): a reviewer should be able to reach the article itself."""
    return [
        Problem(card.path, f"sources[{index}].doi",
                f"{source.title!r} looks like a journal article ({source.published_in}) but has no DOI; "
                "add its bare DOI as `doi:` (see shared/sources.md)", warning=True)
        for index, source in enumerate(card.sources, start=1)
        if not source.doi and not doi_in_url(source.url)
        and looks_like_journal_article(source.published_in)
    ]


def _doi(item: dict[str, Any], where: str, url: str) -> str:
    if "doi" not in item:
        return ""
    doi = item["doi"]
    problem = doi_problem(doi)
    if problem:
        raise _Invalid(f"{where}.doi", problem)
    assert isinstance(doi, str)
    linked = doi_in_url(url)
    if linked and linked.lower() != doi.lower():
        raise _Invalid(f"{where}.doi", f"{doi!r} is not the DOI its url links ({linked!r}); make them agree "
                       "or leave the url out")
    return doi


def _entry(item: Any, where: str, fields: tuple[str, ...], required: tuple[str, ...], shape: str) -> None:
    """One entry of a list of mappings (a source, a medium): a mapping, of known fields, with the required ones."""
    if not isinstance(item, dict):
        raise _Invalid(where, shape)
    for key in item:
        if key not in fields:
            raise _Invalid(f"{where}.{key}", f"unknown field; expected one of {', '.join(fields)}")
    for key in required:
        if key not in item:
            raise _Invalid(f"{where}.{key}", "is required")


def _sources(value: Any) -> tuple[Source, ...]:
    if not isinstance(value, list) or not value:
        raise _Invalid("sources", "must list at least one citation")
    result: list[Source] = []
    for index, item in enumerate(value, start=1):
        where = f"sources[{index}]"
        _entry(item, where, SOURCE_FIELDS, ("authors", "year", "title", "published_in"),
               "must have authors, year, title and published_in (and url where one is confirmed)")
        year = item["year"]
        if year == "n.d.":
            year = None  # undated web guidance, e.g. the College of Policing's pages
        elif not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
            raise _Invalid(f"{where}.year", f"{year!r} is not a year (or \"n.d.\" for an undated page)")
        url = item.get("url", "")
        if url != "":  # no url: the full citation stands alone (no link was confirmed)
            problem = link_problem(url)
            if problem:
                raise _Invalid(f"{where}.url", problem)
        doi = _doi(item, where, url)
        try:
            authors = _text(item, "authors", 300)
            title = _text(item, "title", 400)
            published_in = _text(item, "published_in", 300)
        except _Invalid as exc:
            raise _Invalid(f"{where}.{exc.field}", exc.reason) from None
        result.append(Source(authors, year, title, published_in, url, doi))
    return tuple(result)


MEDIA_FIELDS = ("kind", "title", "url", "minutes", "transcript_url")
MAX_MEDIA = 5
MAX_MEDIA_MINUTES = 600
MAX_MEDIA_TITLE = 200
MAX_MEDIA_URL = 800


def _media(value: Any) -> tuple[Media, ...]:
    """A card's videos and podcasts: each a kind, a title, an https link, its length in whole minutes and,
    where there is one, an https link to its transcript."""
    if not isinstance(value, list) or len(value) > MAX_MEDIA:
        raise _Invalid("media", f"must be a list of at most {MAX_MEDIA} videos or podcasts")
    result: list[Media] = []
    for index, item in enumerate(value, start=1):
        where = f"media[{index}]"
        _entry(item, where, MEDIA_FIELDS, ("kind", "title", "url", "minutes"),
               "must have kind, title, url and minutes (and transcript_url where there is one)")
        kind = item["kind"]
        if not isinstance(kind, str) or kind not in MEDIA_KINDS:
            raise _Invalid(f"{where}.kind", f"{kind!r} is not a kind of media; expected one of {', '.join(MEDIA_KINDS)}")
        try:
            title = _text(item, "title", MAX_MEDIA_TITLE)
        except _Invalid as exc:
            raise _Invalid(f"{where}.title", exc.reason) from None
        minutes = item["minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MEDIA_MINUTES:
            raise _Invalid(f"{where}.minutes", f"{minutes!r} must be its length in whole minutes, 1 to {MAX_MEDIA_MINUTES}")
        url = _media_link(item["url"], f"{where}.url")
        transcript = _media_link(item["transcript_url"], f"{where}.transcript_url") if "transcript_url" in item else ""
        result.append(Media(kind, title, url, minutes, transcript))
    return tuple(result)


def _media_link(url: object, field: str) -> str:
    """An https address a media link may use: the checks of a source's url, and https only."""
    problem = link_problem(url)
    if problem:
        raise _Invalid(field, problem)
    assert isinstance(url, str)
    if not url.lower().startswith("https://"):
        raise _Invalid(field, f"{url!r} must be an https link")
    if len(url) > MAX_MEDIA_URL:
        raise _Invalid(field, f"is {len(url)} characters; at most {MAX_MEDIA_URL}")
    return url


def _check(value: Any) -> CheckQuestion:
    if not isinstance(value, dict):
        raise _Invalid("check", "must have question, options, answer and explanation")
    for key in ("question", "options", "answer", "explanation"):
        if key not in value:
            raise _Invalid(f"check.{key}", "is required")
    options = value["options"]
    if not isinstance(options, list) or not 2 <= len(options) <= 4:
        raise _Invalid("check.options", "must list 2 to 4 options")
    for option in options:
        if not isinstance(option, str) or not option.strip() or len(option) > MAX_OPTION:
            raise _Invalid("check.options", f"{option!r}: each option must be text of 1-{MAX_OPTION} characters")
    if len({o.strip().lower() for o in options}) != len(options):
        raise _Invalid("check.options", "two options are the same")
    answer = value["answer"]
    if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= len(options):
        raise _Invalid("check.answer", f"{answer!r} must be the number of the right option, 1 to {len(options)}")
    try:
        question = _text(value, "question", 200)
        explanation = _text(value, "explanation", 400)
    except _Invalid as exc:
        raise _Invalid(f"check.{exc.field}", exc.reason) from None
    return CheckQuestion(question, tuple(o.strip() for o in options), answer, explanation)
