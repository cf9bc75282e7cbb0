"""Checking the Bot Framework's token on each incoming activity, without blocking the server.

botbuilder 4.17.1 fetches Microsoft's signing keys with a blocking `requests.get` and no timeout, inside
the event loop, and lets some token errors escape as 500s. This module does the same checks itself:
everything that needs no key first (algorithm, issuer, audience, expiry, not-before, service URL), then
the signature, with keys fetched asynchronously with a timeout, cached, refreshed at most every few
minutes. Every failure is `Unauthenticated` (401); when Microsoft's keys cannot be fetched, a token
that cannot be verified is unauthenticated too (`KeysUnavailable`, which says why).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256", "RS384", "RS512")
CLOCK_SKEW = 300  # seconds, as the Bot Framework SDKs allow


class Unauthenticated(Exception):
    """The request's token is missing, malformed, forged, expired or for another bot."""


class KeysUnavailable(Unauthenticated):
    """Microsoft's signing keys could not be fetched, so the token cannot be verified: unauthenticated."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the Bot Framework signing keys could not be fetched from {url}: {reason}")
        self.url = url
        self.reason = reason


class SigningKeys:
    """The Bot Framework's published signing keys: fetched with a timeout, cached, refreshed sparingly."""

    def __init__(
        self,
        metadata_url: str = OPENID_METADATA_URL,
        *,
        timeout: float = 10.0,
        max_age: float = 24 * 3600,
        min_refresh: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self.timeout = timeout
        self.max_age = max_age
        self.min_refresh = min_refresh
        self.clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._tried_at: float | None = None
        self._lock = asyncio.Lock()
        self.last_error = "not fetched yet"

    async def key(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this key id, or None if Microsoft does not publish one."""
        if self._needs_refresh(kid):
            async with self._lock:  # one fetch at a time; the others wait for its result
                if self._needs_refresh(kid):
                    await self._refresh()
        if self._fetched_at is None:
            raise KeysUnavailable(self.metadata_url, self.last_error)
        return self._keys.get(kid)

    def _needs_refresh(self, kid: str) -> bool:
        recently_tried = self._tried_at is not None and self.clock() - self._tried_at < self.min_refresh
        if recently_tried:  # success or failure: a flood of unknown key ids cannot make us hammer Microsoft
            return False
        stale = self._fetched_at is None or self.clock() - self._fetched_at > self.max_age
        return stale or kid not in self._keys

    async def _refresh(self) -> None:
        self._tried_at = self.clock()
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.metadata_url) as response:
                    response.raise_for_status()
                    metadata = await response.json(content_type=None)
                async with session.get(str(metadata["jwks_uri"])) as response:
                    response.raise_for_status()
                    keys = (await response.json(content_type=None))["keys"]
        except (aiohttp.ClientError, TimeoutError, KeyError, TypeError, ValueError) as exc:
            # Not logged here: the request it refuses logs one line with this reason (or the old keys are used).
            self.last_error = (f"timed out after {self.timeout:g} s" if isinstance(exc, TimeoutError)
                               else f"{type(exc).__name__}: {exc}".rstrip(": "))
            return  # keep the keys we have, if any
        self._keys = {str(k["kid"]): k for k in keys if isinstance(k, dict) and "kid" in k}
        self._fetched_at = self.clock()


class TokenValidator:
    """The checks on a channel's token: issuer, signature, key endorsement, audience, expiry, service URL."""

    def __init__(self, app_id: str, keys: SigningKeys, *, now: Callable[[], float] = time.time) -> None:
        self.app_id = app_id
        self.keys = keys
        self.now = now

    async def validate(self, authorization: str | None, channel_id: str | None, service_url: str | None) -> dict[str, Any]:
        """The token's claims, or `Unauthenticated` saying why not."""
        if not authorization:
            raise Unauthenticated("no Authorization header")
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token or " " in token.strip():
            raise Unauthenticated("the Authorization header is not 'Bearer <token>'")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"malformed token: {exc}") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS:
            raise Unauthenticated(f"signing algorithm {algorithm!r} is not allowed")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key")
        # Everything that needs no key is checked first: a token that fails any of it never costs a key fetch,
        # and is refused the same way whether or not Microsoft's key service can be reached.
        if unverified.get("iss") != ISSUER:
            raise Unauthenticated(f"issuer {unverified.get('iss')!r} is not the Bot Framework")
        self._check_claims(token)
        if unverified.get("serviceurl") != service_url:
            raise Unauthenticated("the token was issued for a different service URL than the activity's")
        jwk = await self.keys.key(kid)
        if jwk is None:
            raise Unauthenticated(f"signing key {kid!r} is not one the Bot Framework publishes")
        endorsements = jwk.get("endorsements")
        if isinstance(endorsements, list) and endorsements and channel_id not in endorsements:
            raise Unauthenticated(f"signing key {kid!r} is not endorsed for channel {channel_id!r}")
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,  # type: ignore[arg-type]
                algorithms=[algorithm],
                audience=self.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise Unauthenticated(f"token rejected: {exc}") from None
        if claims.get("serviceurl") != service_url:
            raise Unauthenticated("the token was issued for a different service URL than the activity's")
        return claims

    def _check_claims(self, token: str) -> None:
        """Expiry, not-before, audience and issuer, before (and without) the signature."""
        try:
            jwt.decode(
                token,
                options={"verify_signature": False, "verify_exp": True, "verify_nbf": True, "verify_iat": False,
                         "verify_aud": True, "verify_iss": True, "require": ["exp", "iss", "aud"]},
                audience=self.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW,
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise Unauthenticated(f"token rejected before its signature was checked: {exc}") from None
