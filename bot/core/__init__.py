"""The platform-neutral core: the use cases (post a briefing, acknowledge, answer the check, ask,
who has not acknowledged, nudge, stats) and the rules (roles, exactly-once, scoping).

Imports `content/`, `scheduler/` and `bot.store`; never a platform SDK.
"""

from bot.core.errors import CoreError, InvalidInput, NotFound, PostFailed, PostStateUnknown, Refused
from bot.core.platform import CardView, Platform
from bot.core.roles import Actor, Role
from bot.core.service import AckResult, AskResult, CheckResult, Core, NudgeResult, PendingResult

__all__ = [
    "AckResult", "Actor", "AskResult", "CardView", "CheckResult", "Core", "CoreError", "InvalidInput",
    "NotFound", "NudgeResult", "PendingResult", "Platform", "PostFailed", "PostStateUnknown", "Refused", "Role",
]
