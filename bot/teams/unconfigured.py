"""Microsoft Teams when it is not set up: no botbuilder at all (it costs some 16 MB of memory to import).

Teams is set up when MICROSOFT_APP_ID is set, or in emulator mode (SHIFTBRIEF_TEAMS_EMULATOR=1 on a
loopback HOST). Otherwise a post to a `teams:` channel fails naming the variables to set, and
`POST /api/messages` answers 401 saying why on a loopback HOST, and is not served on any other address.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.core.platform import Unconfigured

log = logging.getLogger(__name__)
PATH = "/api/messages"
EMULATOR_VARIABLE = "SHIFTBRIEF_TEAMS_EMULATOR"
NOT_CONFIGURED = (f"unauthorized: MICROSOFT_APP_ID is not set and Teams emulator mode is off ({EMULATOR_VARIABLE}=1 "
                  "turns it on for a loopback HOST)")
VARIABLES = "MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (docs/teams.md)"
SET_UP = f"set {VARIABLES}"


def set_up(settings: Settings) -> bool:
    """Whether this process talks to Teams: with the app's credentials, or as the emulator's bot."""
    return bool(settings.microsoft_app_id) or (settings.teams_emulator and settings.host_is_loopback)


class UnconfiguredTeams(Unconfigured):
    """Registered as the `teams` platform when Teams is not set up: every post says what to configure."""

    name = "teams"

    def why_not(self, channel: str) -> str:
        return f"Microsoft Teams is not set up in this process, so {channel} cannot be reached: {SET_UP}."


def add_routes(app: web.Application, settings: Settings) -> str:
    """`POST /api/messages` answering 401 with the reason (loopback HOST only); the start-up note."""
    if not settings.host_is_loopback:
        return (f"Microsoft Teams is off: MICROSOFT_APP_ID is not set and HOST={settings.host} is not a loopback "
                f"address, so {PATH} would accept anyone's requests unauthenticated. Set {VARIABLES}"
                + (f"; {EMULATOR_VARIABLE}=1 is honoured only on a loopback HOST." if settings.teams_emulator else "."))

    async def refuse(request: web.Request) -> web.Response:
        log.warning("refused a Teams request from %s with 401: %s", request.remote, NOT_CONFIGURED)
        return web.json_response({"error": NOT_CONFIGURED}, status=401)

    app.router.add_post(PATH, refuse)
    return (f"Microsoft Teams at POST {PATH} answers 401 to every request: MICROSOFT_APP_ID is not set and "
            f"emulator mode is off. To try the bot with the Bot Framework Emulator on this machine, set "
            f"{EMULATOR_VARIABLE}=1 (HOST must stay a loopback address); for Teams itself, {SET_UP}.")
