"""A core `Reply` as a Slack message: mrkdwn text (everything escaped), and the answer card for questions."""

from __future__ import annotations

from typing import Any

from bot.core import Reply
from bot.slack.render import MAX_TEXT, answer_message, clip, escape

COMMAND = "/brief"


def render_reply(reply: Reply, prefix: str = f"{COMMAND} ") -> tuple[str, list[dict[str, Any]]]:
    """(text, blocks): blocks only for an answered question; other replies are one mrkdwn text."""
    if reply.answer is not None:
        return answer_message(reply.answer.answer, reply.answer.question_id, reply.answer.passed_on)
    lines = [escape(reply.text)] if reply.text else []
    lines += [f"\u2022 {escape(item)}" for item in reply.items]
    lines += [f"\u2022 `{escape(prefix + h.usage)}`: {escape(h.what)} ({escape(h.who)})" for h in reply.help]
    if reply.footer:
        lines.append(escape(reply.footer))
    return clip("\n".join(lines), MAX_TEXT), []


def usage_lines(reply: Reply, prefix: str = f"{COMMAND} ") -> list[tuple[str, str]]:
    """The help's commands as (how to type it, what it does), for the App Home tab."""
    return [(prefix + h.usage, f"{h.what} ({h.who})") for h in reply.help]
