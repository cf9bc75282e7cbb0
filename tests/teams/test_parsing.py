"""What a Teams message asks for (for any text Teams sends, the words without the @mention and markup), and
the pacing under Teams' per-conversation limits."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core import Command, parse
from bot.teams.commands import clean_text
from bot.teams.throttle import Throttle
from tests.teams.conftest import MENTION


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("<at>shiftbrief</at> brief now displacement", Command("now", ("displacement",), "displacement")),
        ("<at>shiftbrief</at>&nbsp;Brief Now", Command("now")),
        ("brief now fifteen minutes", Command("now", ("fifteen", "minutes"), "fifteen minutes")),
        ("<p><at>shiftbrief</at> status</p>", Command("status")),
        ("nudge", Command("nudge")),
        ("help me understand displacement", Command("ask", text="help me understand displacement")),
        ("why fifteen minutes?", Command("ask", text="why fifteen minutes?")),
    ],
)
def test_commands_are_read_after_the_mention_is_stripped(typed: str, expected: Command) -> None:
    assert parse(clean_text(typed), explicit=False) == expected


async def test_a_conversation_is_paced_under_seven_a_second() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    throttle = Throttle(sleep=sleep, clock=lambda: now[0])

    async def call() -> str:
        return "ok"

    for _ in range(8):
        assert await throttle.run("19:a", call) == "ok"
    await throttle.run("19:b", call)  # another conversation is not held up

    assert len(waits) == 1 and waits[0] == pytest.approx(1.0)


async def test_the_bots_credentials_are_made_once_and_their_token_fetched_off_the_event_loop() -> None:
    import threading

    from bot.teams.credentials import CachedCredentialsFactory

    class Credentials:
        microsoft_app_id = "app"

        def __init__(self) -> None:
            self.threads: list[int] = []

        def get_access_token(self) -> str:
            self.threads.append(threading.get_ident())
            return "token"

    class Inner:
        made = 0

        async def create_credentials(self, *args: object) -> Credentials:
            Inner.made += 1
            return Credentials()

    factory = CachedCredentialsFactory(Inner())  # type: ignore[arg-type]
    first = await factory.create_credentials("app", "https://api.botframework.com", "https://login", True)
    second = await factory.create_credentials("app", "https://api.botframework.com", "https://login", True)

    assert first is second and Inner.made == 1
    assert len(first.threads) == 2 and threading.get_ident() not in first.threads


# A mention that is not at the start still works (the channel message helper puts it first).
def test_the_mention_constant_is_what_the_helpers_send() -> None:
    assert MENTION == "<at>shiftbrief</at>"


@given(st.one_of(st.none(), st.text()), st.lists(st.text(max_size=30), max_size=3))
@example("<at>shiftbrief</at>&nbsp;brief&nbsp;now", ["<at>shiftbrief</at>"])
@example("<p><at id='0'>shiftbrief</at>\u00a0status</p>", [])
@example("&lt;at&gt;", [])
@example("<at>never closed", [])
def test_clean_text_never_fails_and_leaves_single_spaced_words(text: str | None, mentions: list[str]) -> None:
    words = clean_text(text, mentions)
    assert words == " ".join(words.split()) and "\u00a0" not in words


@given(st.lists(st.from_regex(r"\A[A-Za-z0-9?!.,']{1,12}\Z"), max_size=8))
def test_plain_words_after_the_mention_come_through_as_typed(words: list[str]) -> None:
    typed = "<at>shiftbrief</at> " + "\u00a0 ".join(words)
    assert clean_text(typed, ["<at>shiftbrief</at>"]) == " ".join(words)
