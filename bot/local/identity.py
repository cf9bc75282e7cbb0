"""Who is acting in the local workspace: the names a person may type, the local id made from one, and the
two forms to choose someone from the configuration or join as an officer by name.

A typed name may use letters of any language (Siân, Zoë, Łukasz), combining accents, spaces, dots,
apostrophes and hyphens (O'Neill, Smith-Jones): up to MAX_NAME characters, starting with a letter. Control and
formatting characters, digits and anything that could be markup (`<`, `&`, quotes) are refused with a line
saying what a name may hold. Its id is `local:` and the name folded to lower-case ASCII, so it always matches
bot.config.PERSON_ID and LOCAL_ID.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from html import escape

from bot.local.render import attr

MAX_NAME = 40
LOCAL_ID = re.compile(r"^local:[a-z0-9][a-z0-9-]{0,40}\Z")
"""A local officer's id, as a typed name makes it (and as the Act as list may send it back)."""
PUNCTUATION = frozenset(" .'\u2019-")
"""What a name may hold besides letters and accents: spaces, dots, apostrophes (' and \u2019) and hyphens."""
LATIN = str.maketrans({"\u0141": "L", "\u0142": "l", "\u00d8": "O", "\u00f8": "o", "\u0110": "D", "\u0111": "d",
                       "\u00df": "ss", "\u00c6": "AE", "\u00e6": "ae", "\u0152": "OE", "\u0153": "oe",
                       "\u00de": "Th", "\u00fe": "th", "\u0131": "i", "'": None, "\u2019": None, "\u02bc": None})
"""Letters that lose nothing but their accent in ASCII yet have no decomposition (\u0141ukasz is Lukasz), and
apostrophes, which go (O'Neill is oneill)."""
NAME_RULE = (f"A name can use letters (accented too), spaces, dots, apostrophes and hyphens, up to {MAX_NAME} "
             "characters, starting with a letter.")


class BadName(ValueError):
    """A typed name the workspace will not keep; the message says what a name may hold."""


def typed_name(text: str) -> str:
    """The name as it will be kept (accents composed, runs of spaces made one), or BadName saying why not."""
    if any(unicodedata.category(ch)[0] == "C" for ch in text):  # control, format, surrogate, unassigned
        raise BadName(NAME_RULE)
    name = " ".join(unicodedata.normalize("NFC", text).split(" ")).strip()
    name = re.sub(" {2,}", " ", name)
    if not name:
        raise BadName("Type a name to join as an officer.")
    if len(name) > MAX_NAME or unicodedata.category(name[0])[0] != "L" or not all(
        unicodedata.category(ch)[0] in "LM" or ch in PUNCTUATION for ch in name
    ):
        raise BadName(NAME_RULE)
    return name


def local_id(name: str) -> str:
    """A safe id for a typed name: `local:` and the name folded to lower-case ASCII (Siân O'Neill is
    `local:sian-oneill`); a name with no Latin letter or digit left after folding gets `local:officer-` and
    eight hex digits of its hash, so it is never empty and always the same for the same name."""
    folded = unicodedata.normalize("NFKD", name.translate(LATIN)).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:MAX_NAME].strip("-")
    if not slug:
        slug = "officer-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return "local:" + slug


def chooser_html(people: Sequence[tuple[str, str, str]], current: str | None) -> str:
    """The two forms, each with its own button so neither can act for the other: choose a configured person
    (`people`: id, name, role), or type a name to join as an officer. The list starts at "Choose someone"
    unless the current person is in it, and a person who joined by name is in it as themselves, so pressing
    Switch never quietly makes anyone someone else."""
    listed = [pid for pid, _name, _role in people]
    options = [f'<option value=""{"" if current in listed else " selected"}>Choose someone\u2026</option>']
    options += [
        f'<option value="{attr(pid)}"{" selected" if pid == current else ""}>{escape(name)} ({escape(role)})</option>'
        for pid, name, role in people
    ]
    return f"""<div class="chooser">
  <form method="post" action="/identity" class="identity">
    <label for="person">Act as</label>
    <select id="person" name="person" required>{''.join(options)}</select>
    <button type="submit">Switch</button>
  </form>
  <form method="post" action="/identity" class="identity">
    <label for="name">Or join as an officer named</label>
    <input id="name" name="name" type="text" maxlength="{MAX_NAME}" autocomplete="off" required>
    <button type="submit">Join</button>
  </form>
</div>"""
