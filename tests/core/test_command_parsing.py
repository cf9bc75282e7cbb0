"""What someone typed, as a command (`bot.core.commands.parse`), for anything a person can type: it never
fails, a chat message that is not a command is a question in the words typed, and `brief …` is always a
command (or help for a word the bot does not know)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core import COMMANDS, Command, parse
from bot.core.commands import PREFIX_WORDS

NAMES = sorted(COMMANDS)
# Words that are commands, in the cases and with the punctuation people type them, among anything at all.
WORD = st.one_of(
    st.sampled_from([*NAMES, *PREFIX_WORDS, "Brief", "STATUS", "help!", "now.", "me?", "`now`"]),
    st.text(min_size=1).filter(lambda w: not w.isspace()),
)
SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u3000"])
TYPED = st.one_of(st.text(), st.lists(st.tuples(WORD, SPACE), max_size=6).map(lambda ws: "".join(a + b for a, b in ws)))


def is_command_message(words: list[str]) -> bool:
    """The rule people are told: `brief …`, or one of the short commands alone (with at most its arguments)."""
    if not words:
        return False
    if words[0].lower() in PREFIX_WORDS:
        return True
    spec = COMMANDS.get(words[0].lower().strip("!.?"))
    return spec is not None and spec.bare and len(words) - 1 <= spec.max_args


@given(TYPED, st.booleans())
@example("`", True)
@example("brief now `displacement`", False)
def test_parse_never_fails_and_always_names_a_command_or_unknown(text: str, explicit: bool) -> None:
    command = parse(text, explicit=explicit)
    assert command.name in COMMANDS or command.name == "unknown"
    if command.name != "unknown":  # (an unknown word is kept as typed, to be named in the reply)
        assert not any(arg.startswith("`") or arg.endswith("`") for arg in command.args)  # `x` typed as code is x


@given(TYPED)
@example("why fifteen minutes?")
@example("help me understand displacement")
@example("status of the night shift, please")
@example("   ")
def test_a_chat_message_that_is_not_a_command_is_a_question_in_the_words_typed(text: str) -> None:
    words = text.split()
    command = parse(text, explicit=False)
    if is_command_message(words):
        assert command.name != "ask" or words[0].lower() in PREFIX_WORDS
    else:
        assert command == Command("ask", text=" ".join(words))


@given(st.sampled_from(PREFIX_WORDS), TYPED, st.booleans())
@example("brief", "brew tea", False)
@example("/brief", "ask why?", True)
def test_brief_followed_by_anything_is_a_command_or_help_for_an_unknown_word(
    prefix: str, rest: str, explicit: bool
) -> None:
    command = parse(f"{prefix} {rest}", explicit=explicit)
    words = rest.split()
    if not words:
        assert command == Command("help")
    elif words[0].lower().strip("!.?") in COMMANDS:
        assert command.name == words[0].lower().strip("!.?")
        assert command.text == " ".join(words[1:])
    else:
        assert command == Command("unknown", (words[0],))


@pytest.mark.parametrize(
    ("typed", "explicit", "expected"),
    [
        ("", True, Command("help")),
        ("now displacement", True, Command("now", ("displacement",), "displacement")),
        ("now `displacement`", True, Command("now", ("displacement",), "`displacement`")),
        ("Status", False, Command("status")),
        ("status please", False, Command("ask", text="status please")),  # too many words for `status` alone
        ("stats response-a", False, Command("stats", ("response-a",), "response-a")),
        ("now", False, Command("ask", text="now")),  # `now` posts to a channel: only ever on purpose
        ("brief now", False, Command("now")),
        ("ask", True, Command("ask")),
    ],
)
def test_examples_of_what_is_typed_and_what_it_means(typed: str, explicit: bool, expected: Command) -> None:
    assert parse(typed, explicit=explicit) == expected
