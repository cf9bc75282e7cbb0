"""What the listeners read out of a Slack request before the core sees it, for any JSON Slack (or anyone
with the signing secret) could send: the retry key never fails, tells one person's request from another's,
and the bot's @mention is taken out of the words typed."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from bot.slack.listeners import MENTION, retry_key, without_mentions

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
ID = st.one_of(st.from_regex(r"\A[UCT][A-Z0-9]{2,10}\Z"), JSON)


def slack_shaped() -> st.SearchStrategy[dict[str, Any]]:
    """Bodies with the keys `retry_key` looks at, holding the usual values or any JSON at all."""
    event = st.fixed_dictionaries(
        {"type": st.just("event_callback")}, optional={"event_id": ID, "event": JSON, "team_id": ID},
    )
    command = st.fixed_dictionaries(
        {"command": st.one_of(st.just("/brief"), JSON)},
        optional={"user_id": ID, "trigger_id": ID, "channel_id": ID, "text": JSON},
    )
    action = st.fixed_dictionaries(
        {"type": st.just("block_actions")},
        optional={
            "user": st.one_of(st.fixed_dictionaries({}, optional={"id": ID}), JSON),
            "trigger_id": ID,
            "actions": st.one_of(
                st.lists(st.fixed_dictionaries({}, optional={"action_ts": ID, "action_id": ID}), max_size=2), JSON,
            ),
        },
    )
    anything = st.dictionaries(st.text(max_size=10), JSON, max_size=5)
    return st.one_of(event, command, action, anything)


@given(slack_shaped())
@example({"type": "block_actions", "user": "U1", "actions": "x"})
@example({"type": "block_actions", "user": {"id": "U1"}, "actions": [None], "trigger_id": "t"})
@example({"command": "/brief", "user_id": "U1", "trigger_id": "t", "text": None})
def test_a_retry_key_is_text_or_none_for_any_request_and_the_same_for_the_same_request(body: dict[str, Any]) -> None:
    key = retry_key(body)
    assert key is None or (isinstance(key, str) and key.startswith("slack:"))
    assert retry_key(dict(body)) == key  # Slack's retry is the very same body


@given(st.from_regex(r"\AU[A-Z0-9]{2,10}\Z"), st.from_regex(r"\AU[A-Z0-9]{2,10}\Z"), st.text(max_size=20),
       st.booleans())
def test_two_peoples_clicks_or_commands_never_share_a_key(first: str, second: str, trigger: str, click: bool) -> None:
    if first == second or not trigger:
        return

    def body(user: str) -> dict[str, Any]:
        if click:
            return {"type": "block_actions", "user": {"id": user}, "trigger_id": trigger,
                    "actions": [{"action_id": "acknowledge", "action_ts": "1764061200.1"}]}
        return {"command": "/brief", "user_id": user, "trigger_id": trigger, "channel_id": "C1", "text": "me"}

    assert retry_key(body(first)) != retry_key(body(second))


@given(st.text())
@example("<@U0BOT> brief now")
@example("<@U0BOT|shiftbrief>why fifteen minutes?")
@example("<@U1<@U2>>")
@example("<@U1|x <@U2> y")
def test_without_mentions_leaves_the_words_and_no_mention(text: str) -> None:
    words = without_mentions(text)
    assert MENTION.search(words) is None
    assert words == " ".join(words.split())


@given(st.lists(st.from_regex(r"\A[a-z?']{1,10}\Z"), max_size=6))
def test_text_without_a_mention_keeps_its_words(words: list[str]) -> None:
    assert without_mentions("<@U0BOT> " + "  ".join(words)) == " ".join(words)


def test_a_command_whose_text_holds_a_lone_surrogate_still_has_a_retry_key() -> None:
    body = json.loads('{"command": "/brief", "user_id": "U1", "trigger_id": "t1", "text": "\\ud800"}')
    assert retry_key(body) is not None
