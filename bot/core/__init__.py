"""The platform-neutral core: the use cases (post a briefing, acknowledge, answer the check, ask,
who has not acknowledged, nudge, stats), the command table, and the rules (roles, exactly-once, scoping).

Imports `content/`, `scheduler/` and `bot.store`; never a platform SDK. The store is private to it:
platforms get what they need from `Core`, and the records they render (`Delivery`, `CardState`, …) from here.
"""

from bot.core.acknowledgements import AckResult, CheckResult
from bot.core.commands import COMMANDS, Command, CommandSpec, Invocation, parse
from bot.core.errors import (
    AlreadyHandled,
    CoreError,
    InvalidInput,
    NotFound,
    NotRecorded,
    PostFailed,
    PostStateUnknown,
    Refused,
)
from bot.core.facade import Core
from bot.core.platform import CardView, Platform
from bot.core.questions import AskResult
from bot.core.replies import HelpLine, Reply
from bot.core.reports import Totals
from bot.core.roles import CLI, SYSTEM, Actor, Role
from bot.core.sergeants import NudgeNotice, NudgeResult, PendingResult
from bot.store import CardState, Delivery, Engagement
from content.model import MAX_QUESTION

__all__ = [
    "CLI", "COMMANDS", "MAX_QUESTION", "SYSTEM", "AckResult", "Actor", "AlreadyHandled", "AskResult", "CardState",
    "CardView", "CheckResult", "Command", "CommandSpec", "Core", "CoreError", "Delivery", "Engagement", "HelpLine",
    "InvalidInput", "Invocation", "NotFound", "NotRecorded", "NudgeNotice", "NudgeResult", "PendingResult", "Platform",
    "PostFailed", "PostStateUnknown", "Refused", "Reply", "Role", "Totals", "parse",
]
