"""Who is asking: the API key in ``Authorization: Bearer kt_…``, then its rate.

A key checked against the store is trusted for ``http.key_cache_seconds`` (a revocation
takes effect within that time; 0 reads the store on every request). The cache is keyed
by the SHA-256 of the presented secret, never by the secret. A store read also records
the key as used, so ``last used`` is exact to the cache time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from fastapi import Request

from kootui.core.access import OWNER, Face
from kootui.core.apikeys import (
    ApiKeyView,
    KeyRateLimiter,
    authenticate,
    record_key_use,
)
from kootui.core.config import HttpSection
from kootui.core.context import Context
from kootui.serve.problems import ApiProblem

BEARER = "bearer "
_CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class Caller:
    """The key that asks, and the Context every core call of the request goes through: it
    carries the key's principal (its user's policies, its own narrowing policy), so the
    core's ``@requires`` decides and a refusal is the core's ``access.denied`` 403."""

    key: ApiKeyView
    context: Context

    def require_reveal(self) -> None:
        if not self.key.reveal_recipients:
            raise ApiProblem(
                403,
                "this API key may not read whole recipient addresses; create one with "
                "--reveal-recipients",
                code="apikey.reveal_forbidden",
                field="reveal",
            )


class KeyGate:
    def __init__(self, context: Context, http: HttpSection) -> None:
        self.context = context
        self.http = http
        self.limiter = KeyRateLimiter()
        self._checked: dict[str, tuple[float, ApiKeyView]] = {}

    async def caller(self, request: Request) -> Caller:
        header = request.headers.get("authorization", "")
        presented = header[len(BEARER) :].strip() if header.lower().startswith(BEARER) else ""
        key = await self._key(presented)
        request.state.key_prefix = key.display_prefix
        # A key with its own rate may burst one second's worth; others the server's burst.
        if key.rate_per_second:
            rate, burst = key.rate_per_second, max(1.0, key.rate_per_second)
        else:
            rate, burst = self.http.key_rate, self.http.key_burst
        self.limiter.take(key.id, rate, burst, time.monotonic())
        client = request.client.host if request.client else ""
        principal = (key.principal or OWNER).at(Face.API, client)
        return Caller(key, self.context.acting_as(principal))

    async def _key(self, presented: str) -> ApiKeyView:
        digest = hashlib.sha256(presented.encode("utf-8", "replace")).hexdigest()
        now = time.monotonic()
        found = self._checked.get(digest)
        if found is not None and now - found[0] < self.http.key_cache_seconds:
            return found[1]
        key = await asyncio.to_thread(self._check, presented)
        if self.http.key_cache_seconds > 0:
            if len(self._checked) >= _CACHE_LIMIT:
                self._checked.clear()
            self._checked[digest] = (now, key)
        return key

    def _check(self, presented: str) -> ApiKeyView:
        key = authenticate(self.context, presented or None)
        record_key_use(self.context, {key.id}, self.context.clock.now())
        return key
