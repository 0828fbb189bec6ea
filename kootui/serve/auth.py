"""Who is asking: the API key in ``Authorization: Bearer kt_…``, then its rate.

A key checked against the store is trusted for ``http.key_cache_seconds`` (0 reads the
store on every request): a key revoked by another process is refused within that time,
one revoked in this process at once (the cache is dropped when this process's count of
revocations moves). The cache is keyed by the SHA-256 of the presented secret, never by
the secret. A store read also records the key as used, so ``last used`` is exact to the
cache time. A busy key is checked again in the second half of its time, in the
background, and requests that find no trusted entry share one check: a key's requests
wait for the store only when it was idle.

The rate is the key's shared bucket in the store (``apikeys.rate``): tokens are spent
from this process's grant on the loop, and only an exhausted grant costs a store write,
on a thread, one per key at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from kootui.core.access import OWNER, Face
from kootui.core.apikeys import (
    ApiKeyView,
    KeyRateLimiter,
    RateLimited,
    authenticate,
    record_key_use,
    revocations_in_this_process,
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
    def __init__(
        self,
        context: Context,
        http: HttpSection,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.context = context
        self.http = http
        self.monotonic = monotonic  # the key cache's time (tests move it)
        self.limiter = KeyRateLimiter(context)
        self._checked: dict[str, tuple[float, ApiKeyView]] = {}
        self._revocations = revocations_in_this_process()
        self._refilling: dict[int, asyncio.Lock] = {}
        self._checking: dict[str, asyncio.Future[ApiKeyView]] = {}  # digest -> its check

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
        if rate > 0:
            await self._take(key.id, rate, burst)
        client = request.client.host if request.client else ""
        principal = (key.principal or OWNER).at(Face.API, client)
        return Caller(key, self.context.acting_as(principal))

    async def _take(self, key_id: int, rate: float, burst: float) -> None:
        if self.limiter.spend(key_id, rate):
            return
        refilling = self._refilling.setdefault(key_id, asyncio.Lock())
        async with refilling:  # one grant at a time per key; the others wait and spend it
            if self.limiter.spend(key_id, rate):
                return
            await asyncio.to_thread(self.limiter.refill, key_id, rate, burst)
            if not self.limiter.spend(key_id, rate):
                raise RateLimited(
                    f"this key may make {rate:g} requests per second; try again shortly",
                    retry_after=1,
                )

    async def _key(self, presented: str) -> ApiKeyView:
        digest = hashlib.sha256(presented.encode("utf-8", "replace")).hexdigest()
        revocations = revocations_in_this_process()
        if revocations != self._revocations:  # a key was revoked here: trust no cached one
            self._revocations = revocations
            self._checked.clear()
        now = self.monotonic()
        found = self._checked.get(digest)
        trusted_for = self.http.key_cache_seconds
        if found is not None and now - found[0] < trusted_for:
            if now - found[0] >= trusted_for / 2 and digest not in self._checking:
                # Checked again ahead of its end, while it is still trusted: requests never
                # wait for the store's writer turn that the check's use record queues for.
                self._start_check(digest, presented, now)
            return found[1]
        checking = self._checking.get(digest)
        if checking is None or trusted_for == 0:  # 0: each request reads the store itself
            checking = self._start_check(digest, presented, now)
        # One check per key however many requests wait for it (shielded: a client that
        # goes away does not cancel the others' check).
        return await asyncio.shield(checking)

    def _start_check(self, digest: str, presented: str, now: float) -> asyncio.Future[ApiKeyView]:
        checking = asyncio.ensure_future(asyncio.to_thread(self._check, presented))
        self._checking[digest] = checking
        revocations = self._revocations

        def checked(done: asyncio.Future[ApiKeyView]) -> None:
            if self._checking.get(digest) is checking:
                del self._checking[digest]
            if done.cancelled() or done.exception() is not None:
                self._checked.pop(digest, None)  # refused now (revoked, ...): not trusted
            elif revocations_in_this_process() != revocations:
                pass  # a key was revoked here while this one was read: it may be that one
            elif self.http.key_cache_seconds > 0:
                if len(self._checked) >= _CACHE_LIMIT:
                    self._checked.clear()
                self._checked[digest] = (now, done.result())

        checking.add_done_callback(checked)
        return checking

    def _check(self, presented: str) -> ApiKeyView:
        key = authenticate(self.context, presented or None)
        record_key_use(self.context, {key.id}, self.context.clock.now())
        return key
