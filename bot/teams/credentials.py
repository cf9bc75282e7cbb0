"""The bot's own credentials for calling Teams, created once and refreshed off the event loop.

botbuilder 4.17.1 builds a new MSAL client for every connector it creates (each incoming turn, each
proactive post), so every call fetches a fresh token with a blocking HTTPS request inside the event
loop. Here one credentials object per audience is kept, and its token is fetched in a worker thread
with a time limit; MSAL then answers from its cache inside the loop until the token nears expiry.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botframework.connector.auth import ServiceClientCredentialsFactory

log = logging.getLogger(__name__)
TOKEN_TIMEOUT = 20.0


class CachedCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    def __init__(self, inner: ServiceClientCredentialsFactory, timeout: float = TOKEN_TIMEOUT) -> None:
        self._inner = inner
        self._timeout = timeout
        self._cache: dict[tuple[Any, ...], Any] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(await self._inner.is_valid_app_id(app_id))

    async def is_authentication_disabled(self) -> bool:
        return bool(await self._inner.is_authentication_disabled())

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._cache.get(key)
        if credentials is None:
            credentials = await self._inner.create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)
            self._cache[key] = credentials
        if getattr(credentials, "microsoft_app_id", None) and hasattr(credentials, "get_access_token"):
            # A cache hit costs nothing; a refresh happens here, in a thread, not in the loop. If it fails,
            # the call that needs the token fails (and is reported) rather than this turn.
            try:
                await asyncio.wait_for(asyncio.to_thread(credentials.get_access_token), self._timeout)
            except Exception as exc:
                log.warning("could not get a token for Microsoft Teams (app %s): %s", app_id, exc)
        return credentials
