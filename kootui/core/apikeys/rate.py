"""A key's rate limit, held across every server process: a token bucket in the store.

A write per request would cost more than the request (SQLite commits a few hundred times a
second), so a process takes tokens from the key's bucket (``api_key_rate``) in *grants* of
a tenth of a second's worth (at most a quarter of the burst) and spends them from memory.
Only when its grant is spent does it go to the store again; when the bucket is empty it
refuses, without asking the store again, until a token is due back. So N processes admit
at most the key's rate, plus what their unspent grants hold (N grants), and a key at
1,000 requests a second costs ten small writes a second per busy process.

The bucket refills by the store's clock (``context.clock``): every process of one store
should agree on the time, as they already must for leases.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.core.store import ApiKeyRate

GRANT_SECONDS = 0.1
_bucket = ApiKeyRate.__table__


class RateLimited(KootuiError):
    """More requests than the key's rate: wait ``retry_after`` seconds."""

    code = "apikey.rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _limited(rate: float, wait: float) -> RateLimited:
    return RateLimited(
        f"this key may make {rate:g} requests per second; try again shortly",
        retry_after=max(1, math.ceil(wait)),
    )


def grant_size(rate: float, burst: float) -> int:
    """Tokens a process takes at once: a tenth of a second's worth, at most a quarter of
    the burst (so several processes share a burst), at least one."""
    return max(1, math.floor(min(rate * GRANT_SECONDS, burst / 4)))


def take_grant(
    connection: Connection, key_id: int, rate: float, burst: float, want: int, now: datetime
) -> tuple[int, float]:
    """(tokens taken from the key's bucket, up to ``want``; seconds until a whole token is
    back when none was). The caller's transaction holds the bucket's row for the update."""
    if connection.dialect.name == "sqlite":
        # Write first: SQLite's write lock, so no other process reads the bucket meanwhile.
        connection.execute(
            update(_bucket).where(_bucket.c.api_key_id == key_id).values(tokens=_bucket.c.tokens)
        )
    query = select(_bucket.c.tokens, _bucket.c.refilled_at).where(_bucket.c.api_key_id == key_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(_bucket)
            .values(api_key_id=key_id, tokens=burst, refilled_at=now)
            .on_conflict_do_nothing()
        )
        row = connection.execute(query).one()
    elapsed = max(0.0, (now - row.refilled_at).total_seconds())  # clocks may disagree
    tokens = min(burst, row.tokens + elapsed * rate)
    granted = min(want, math.floor(tokens))
    connection.execute(
        update(_bucket)
        .where(_bucket.c.api_key_id == key_id)
        .values(tokens=tokens - granted, refilled_at=now)
    )
    return granted, 0.0 if granted else (1 - tokens) / rate


@dataclass
class _Prepaid:
    tokens: int = 0
    empty_until: datetime | None = None  # the shared bucket was empty: refuse until then
    retry_after: float = 0.0


class KeyRateLimiter:
    """One server process's side of the shared buckets.

    ``spend`` runs on the server's loop and never touches the store; ``refill`` does (run
    it on a thread), taking a grant or learning that the bucket is empty."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._prepaid: dict[int, _Prepaid] = {}
        self._lock = threading.Lock()

    def spend(self, key_id: int, rate: float) -> bool:
        """Spend one token this process holds for the key: False when it holds none (then
        ``refill``). Raises ``RateLimited`` while the key's bucket is known to be empty."""
        with self._lock:
            prepaid = self._prepaid.get(key_id)
            if prepaid is None:
                return False
            if prepaid.tokens >= 1:
                prepaid.tokens -= 1
                return True
            if prepaid.empty_until is not None:
                now = self.context.clock.now()
                if now < prepaid.empty_until:
                    wait = (prepaid.empty_until - now).total_seconds()
                    raise _limited(rate, wait)
            return False

    def refill(self, key_id: int, rate: float, burst: float) -> None:
        """Take a grant from the key's bucket in the store; ``RateLimited`` when it is empty."""
        now = self.context.clock.now()
        with self.context.store.writing() as connection:
            granted, wait = take_grant(
                connection, key_id, rate, burst, grant_size(rate, burst), now
            )
        with self._lock:
            prepaid = self._prepaid.setdefault(key_id, _Prepaid())
            prepaid.tokens += granted
            prepaid.empty_until = None if granted else now + timedelta(seconds=wait)
        if not granted:
            raise _limited(rate, wait)
