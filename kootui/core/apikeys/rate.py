"""A token bucket per API key, in this process.

Each ``kootui serve`` process keeps its own buckets: with N server processes a key may
send N times its rate. One process serves the whole API today (``kootui serve`` runs
one), which is why a shared bucket in the store, a write per request, is not paid for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kootui.core.errors import KootuiError


class RateLimited(KootuiError):
    """More requests than the key's rate: wait ``retry_after`` seconds."""

    code = "apikey.rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float


class KeyRateLimiter:
    """``take(key, rate, burst, now)``: spend one token or raise RateLimited.

    ``now`` is a monotonic reading passed in, so tests drive the clock."""

    def __init__(self) -> None:
        self._buckets: dict[int, _Bucket] = {}

    def take(self, key_id: int, rate: float, burst: float, now: float) -> None:
        if rate <= 0:
            return
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = self._buckets[key_id] = _Bucket(tokens=burst, updated=now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return
        wait = (1 - bucket.tokens) / rate
        raise RateLimited(
            f"this key may make {rate:g} requests per second; try again shortly",
            retry_after=max(1, math.ceil(wait)),
        )
