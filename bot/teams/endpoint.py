"""`POST /api/messages` on the shared aiohttp server, and the Teams pieces built from the settings.

With MICROSOFT_APP_ID set, every activity's token is checked (bot.teams.auth) and any failure is a
401 with nothing sent. Without it, activities are accepted unauthenticated (emulator mode) only when
SHIFTBRIEF_TEAMS_EMULATOR=1 and HOST is a loopback address; bot/app.py then lets only requests from
this machine reach the route. Otherwise, on a loopback HOST every request is a 401 saying why; on any
other address the route is not served at all.

Every activity is checked for the shape the bot relies on before anything is done with it: a malformed
one is a 400 with a short reason and one log line, and nothing is sent anywhere (no `serviceUrl`, no
fall-back to a default Bot Framework host).
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from urllib.parse import urlsplit

import jwt
from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse, CallerIdConstants
from botframework.connector.auth import AuthenticateRequestResult, AuthenticationConstants, ClaimsIdentity

from bot.config import ConfigError, Settings
from bot.core import Core
from bot.teams.auth import KeysUnavailable, SigningKeys, TokenValidator, Unauthenticated
from bot.teams.bot import TeamsBot
from bot.teams.credentials import CachedCredentialsFactory
from bot.teams.platform import References, TeamsPlatform
from bot.teams.throttle import Throttle
from bot.teams.unconfigured import EMULATOR_VARIABLE, NOT_CONFIGURED, PATH, set_up

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/json"
# Activity fields the bot reads that must be strings when present (timestamps are parsed by msrest).
TEXT_FIELDS = ("id", "channelId", "name", "text", "textFormat", "replyToId", "locale", "deliveryMode", "timestamp",
               "localTimestamp", "topicName")
ACCOUNT_TEXT = ("id", "name", "aadObjectId", "role", "conversationType", "tenantId")
MAX_SERVICE_URL = 2048


class MalformedActivity(ValueError):
    """The body is not an activity the bot can act on; the message says why in a few words."""


class TeamsEndpoint:
    """Parses the request, checks the token, runs the turn; maps every failure to a status, never a trace."""

    def __init__(self, adapter: CloudAdapter, bot: TeamsBot, validator: TokenValidator | None,
                 emulator: bool = False) -> None:
        self.adapter = adapter
        self.bot = bot
        self.validator = validator
        self.emulator = emulator and validator is None  # unauthenticated; bot/app.py keeps the route to this machine

    async def messages(self, request: web.Request) -> web.StreamResponse:
        if self.validator is None and not self.emulator:  # not built so (bot.teams.unconfigured serves that)
            return _refuse(request, 401, NOT_CONFIGURED)
        if request.content_type != MEDIA_TYPE:  # parsed: `text/plain; x=application/json` is text/plain
            return _refuse(request, 415, f"expected Content-Type: {MEDIA_TYPE} (a Bot Framework activity)")
        try:
            activity = read_activity(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return _refuse(request, 413, "the activity is too large")
        except MalformedActivity as exc:
            return _refuse(request, 400, str(exc))
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
            log.exception("could not process Teams %s", _describe(activity))
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


def read_activity(raw: bytes) -> Activity:
    """The activity in a request body, or MalformedActivity saying what is wrong with it.

    JSON between systems is UTF-8 (RFC 8259), whatever charset the Content-Type names. Lone surrogates
    (`"\\ud800"`) are refused here: no database or connector could store or send them.
    """
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise MalformedActivity("the body is not UTF-8") from None
    except (ValueError, RecursionError):  # not JSON, or numbers or nesting no parser should accept
        raise MalformedActivity("the body is not JSON") from None
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedActivity("the activity contains text that is not valid Unicode (a lone surrogate)") from None
    except (ValueError, RecursionError):
        raise MalformedActivity("the body is not JSON") from None
    problem = activity_problem(body)
    if problem is not None:
        raise MalformedActivity(problem)
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest could not read a field (a timestamp that is not a date, say)
        raise MalformedActivity("the body is not a Bot Framework activity") from None
    if not isinstance(activity, Activity) or not activity.type:
        raise MalformedActivity("the body is not a Bot Framework activity")
    return activity


def activity_problem(body: object) -> str | None:
    """Why `body` is not an activity the bot can act on, or None. Checks only what the bot relies on."""
    if not isinstance(body, dict):
        return "the body is not a Bot Framework activity (a JSON object)"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the body is not a Bot Framework activity: it has no `type`"
    for key in TEXT_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"the activity's `{key}` must be a string"
    if not _is_service_url(body.get("serviceUrl")):
        return "the activity has no `serviceUrl` (an http or https URL) to answer to"
    if not body.get("channelId"):
        return "the activity has no `channelId`"
    if body["type"] == ActivityTypes.invoke and not body.get("name"):
        return "an invoke activity must have a `name`"
    for key, required in (("conversation", True), ("from", True), ("recipient", False)):
        problem = _account_problem(body.get(key), key, required)
        if problem is not None:
            return problem
    for key in ("membersAdded", "membersRemoved"):
        members = body.get(key)
        if members is None:
            continue
        if not isinstance(members, list):
            return f"the activity's `{key}` must be a list"
        for member in members:
            problem = _account_problem(member, key, True)
            if problem is not None:
                return problem
    for key in ("entities", "attachments"):
        items = body.get(key)
        if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
            return f"the activity's `{key}` must be a list of objects"
    if body.get("channelData") is not None and not isinstance(body["channelData"], dict):
        return "the activity's `channelData` must be an object"
    return None


def _account_problem(account: object, key: str, required: bool) -> str | None:
    if account is None and not required:
        return None
    if not isinstance(account, dict) or not isinstance(account.get("id"), str) or not account["id"]:
        return f"the activity's `{key}` must be an object with an `id`"
    for field in ACCOUNT_TEXT:
        if account.get(field) is not None and not isinstance(account[field], str):
            return f"the activity's `{key}.{field}` must be a string"
    if account.get("isGroup") is not None and not isinstance(account["isGroup"], bool):
        return f"the activity's `{key}.isGroup` must be true or false"
    return None


def _is_service_url(value: object) -> bool:
    if not isinstance(value, str) or not value or len(value) > MAX_SERVICE_URL:
        return False
    try:
        parts = urlsplit(value)
        _port = parts.port  # raises for a port out of range
        return parts.scheme in ("http", "https") and bool(parts.hostname) and value.isprintable()
    except ValueError:  # a malformed port or IPv6 literal
        return False


def _refuse(request: web.Request, status: int, reason: str) -> web.Response:
    """One log line and a short reason; nothing from the body is echoed."""
    log.warning("refused a Teams request from %s with %d: %s", request.remote, status, reason)
    return _error(status, reason)


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
    emulator = False
    if settings.microsoft_app_id:
        validator: TokenValidator | None = TokenValidator(settings.microsoft_app_id, SigningKeys())
        note = f"Microsoft Teams at POST {PATH}: every activity's token is checked for app {settings.microsoft_app_id}"
        if settings.teams_emulator:
            note += f" ({EMULATOR_VARIABLE} is ignored while MICROSOFT_APP_ID is set)"
    else:  # emulator mode on a loopback HOST (bot.teams.unconfigured.set_up): otherwise this is never called
        assert set_up(settings)
        validator, emulator = None, True
        note = (f"Microsoft Teams at POST {PATH} in emulator mode ({EMULATOR_VARIABLE}=1): requests are not "
                "authenticated, so only requests from this machine are accepted (a loopback peer, Host "
                "127.0.0.1, localhost or [::1] on this port, no proxy headers)")
    endpoint = TeamsEndpoint(platform.adapter, TeamsBot(core, platform), validator, emulator)
    app[TEAMS_ENDPOINT] = endpoint
    app.router.add_post(PATH, endpoint.messages)
    return note


def _invoke_response(activity: Activity, status: int, body: object) -> web.Response:
    """The HTTP answer botbuilder returned for an invoke or an `expectReplies` activity.

    An AdaptiveCardInvokeResponse is written out here: msrest cannot serialize its message form (a string
    `value`), and 4.17.1 itself answers 500 when the body is a dict. `expectReplies` comes back already
    serialized (`ExpectedReplies(...).serialize()`, a dict): it is written as it is, not serialized again.
    """
    if body is None:
        return web.Response(status=status)
    if isinstance(body, AdaptiveCardInvokeResponse):
        return web.json_response({"statusCode": body.status_code, "type": body.type, "value": body.value}, status=status)
    try:
        return web.json_response(body if isinstance(body, (dict, list)) else serializer_helper(body), status=status)
    except Exception as exc:
        log.warning("could not write the answer to Teams %s: %s: %s", _describe(activity), type(exc).__name__, exc)
        return _error(500, "the activity could not be answered; the error has been logged")


def _describe(activity: Activity) -> str:
    """How a log line names an activity: `invoke 'adaptiveCard/action'`, `message 1700… (expectReplies)`."""
    if activity.type == ActivityTypes.invoke:
        return f"invoke {activity.name!r}"
    mode = f" ({activity.delivery_mode})" if activity.delivery_mode and activity.delivery_mode != "normal" else ""
    return f"{activity.type} {activity.id or '(no id)'}{mode}"


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
