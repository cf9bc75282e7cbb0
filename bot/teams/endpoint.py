"""`POST /api/messages` on the shared aiohttp server, and the Teams pieces built from the settings.

With MICROSOFT_APP_ID set, every activity's token is checked (bot.teams.auth) and any failure is a
401 with nothing sent. Without it, the endpoint runs unauthenticated (emulator mode) only on a loopback
HOST; elsewhere it is not served at all.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import jwt
from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, CallerIdConstants
from botframework.connector.auth import AuthenticateRequestResult, AuthenticationConstants, ClaimsIdentity

from bot.config import ConfigError, Settings
from bot.core import Core
from bot.teams.auth import KeysUnavailable, SigningKeys, TokenValidator, Unauthenticated
from bot.teams.bot import TeamsBot
from bot.teams.credentials import CachedCredentialsFactory
from bot.teams.platform import References, TeamsPlatform
from bot.teams.throttle import Throttle

log = logging.getLogger(__name__)
PATH = "/api/messages"


class TeamsEndpoint:
    """Parses the request, checks the token, runs the turn; maps every failure to a status, never a trace."""

    def __init__(self, adapter: CloudAdapter, bot: TeamsBot, validator: TokenValidator | None) -> None:
        self.adapter = adapter
        self.bot = bot
        self.validator = validator

    async def messages(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return _error(415, "expected an application/json Bot Framework activity")
        try:
            body = await request.json()
            activity = Activity().deserialize(body) if isinstance(body, dict) else None
        except Exception:  # malformed JSON or an activity msrest cannot read
            activity = None
        if activity is None or not activity.type:
            return _error(400, "the body is not a Bot Framework activity")
        try:
            authenticated = await self._authenticate(request.headers.get("Authorization"), activity)
        except KeysUnavailable as exc:  # a token that cannot be verified is unauthenticated
            log.warning("refused a Teams request from %s: its token cannot be verified because the Bot Framework "
                        "signing keys could not be fetched from %s (%s)", request.remote, exc.url, exc.reason)
            return _error(401, "unauthorized")
        except (Unauthenticated, PermissionError, jwt.PyJWTError, KeyError, web.HTTPUnauthorized) as exc:
            log.warning("refused a Teams request from %s: %s", request.remote, exc)
            return _error(401, "unauthorized")
        except Exception as exc:  # any other failure to authenticate is still a refusal, not a 500
            log.warning("refused a Teams request from %s: %s: %s", request.remote, type(exc).__name__, exc)
            return _error(401, "unauthorized")
        try:
            invoke = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        except Exception:
            log.exception("could not process Teams activity %s (%s)", activity.id, activity.type)
            return _error(500, "the activity could not be processed; the error has been logged")
        if invoke is not None:
            return _invoke_response(activity, int(invoke.status), invoke.body)
        return web.Response(status=200)

    async def _authenticate(self, authorization: str | None, activity: Activity) -> AuthenticateRequestResult:
        if self.validator is None:  # emulator mode: loopback only, no token at all is checked
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
            caller_id = None
        else:
            claims = await self.validator.validate(authorization, activity.channel_id, activity.service_url)
            identity = ClaimsIdentity(claims, True)
            caller_id = CallerIdConstants.public_azure_channel
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.caller_id = caller_id
        result.connector_factory = self.adapter.bot_framework_authentication.create_connector_factory(identity)
        return result


TEAMS_ENDPOINT = web.AppKey("shiftbrief_teams_endpoint", TeamsEndpoint)


def build_adapter(settings: Settings) -> CloudAdapter:
    """The CloudAdapter with the bot's credentials (none in emulator mode)."""
    app_id = settings.microsoft_app_id
    needs_tenant = settings.microsoft_app_type in ("SingleTenant", "UserAssignedMSI")
    if app_id and needs_tenant and not settings.microsoft_app_tenant_id:
        raise ConfigError("environment", "MICROSOFT_APP_TENANT_ID",
                          f"is required with MICROSOFT_APP_TYPE={settings.microsoft_app_type}: the Directory (tenant) ID of the bot's app registration")
    if app_id and settings.microsoft_app_type != "UserAssignedMSI" and not settings.microsoft_app_password:
        raise ConfigError("environment", "MICROSOFT_APP_PASSWORD",
                          "is required when MICROSOFT_APP_ID is set: the client secret of the bot's app registration")
    configuration = SimpleNamespace(
        APP_ID=app_id or "",
        APP_PASSWORD=settings.microsoft_app_password or "",
        APP_TENANTID=settings.microsoft_app_tenant_id or "",
        APP_TYPE=settings.microsoft_app_type if app_id else "MultiTenant",
    )
    credentials = CachedCredentialsFactory(ConfigurationServiceClientCredentialFactory(configuration))
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(configuration, credentials_factory=credentials))


def build_platform(settings: Settings, references: References, throttle: Throttle | None = None) -> TeamsPlatform:
    return TeamsPlatform(build_adapter(settings), settings.microsoft_app_id, references, throttle)


def add_routes(app: web.Application, core: Core, settings: Settings, platform: TeamsPlatform) -> str:
    """Serve POST /api/messages when it is safe to; return the start-up note saying what was done and why."""

    async def close(_app: web.Application) -> None:
        await platform.close()

    app.on_cleanup.append(close)
    if settings.microsoft_app_id:
        validator: TokenValidator | None = TokenValidator(settings.microsoft_app_id, SigningKeys())
        note = f"Microsoft Teams at POST {PATH}: every activity's token is checked for app {settings.microsoft_app_id}"
    elif settings.host_is_loopback:
        validator = None
        note = (f"Microsoft Teams at POST {PATH} in emulator mode: MICROSOFT_APP_ID is not set, so requests are not "
                "authenticated (allowed only because HOST is a loopback address)")
    else:
        return (f"Microsoft Teams is off: MICROSOFT_APP_ID is not set and HOST={settings.host} is not a loopback "
                f"address, so {PATH} would accept anyone's requests unauthenticated. Set MICROSOFT_APP_ID, "
                "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (docs/teams.md).")
    endpoint = TeamsEndpoint(platform.adapter, TeamsBot(core, platform), validator)
    app[TEAMS_ENDPOINT] = endpoint
    app.router.add_post(PATH, endpoint.messages)
    return note


def _invoke_response(activity: Activity, status: int, body: object) -> web.Response:
    """An invoke's answer. An AdaptiveCardInvokeResponse is written out here: msrest cannot serialize its
    message form (a string `value`), and 4.17.1 itself answers 500 when the body is a dict."""
    if body is None:
        return web.Response(status=status)
    if isinstance(body, AdaptiveCardInvokeResponse):
        return web.json_response({"statusCode": body.status_code, "type": body.type, "value": body.value}, status=status)
    try:
        return web.json_response(serializer_helper(body), status=status)
    except Exception as exc:
        log.warning("could not write the answer to Teams invoke %r: %s: %s", activity.name, type(exc).__name__, exc)
        return _error(500, "the invoke could not be answered; the error has been logged")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
