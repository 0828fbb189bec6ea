"""What every transport shares: the item it takes, the result it reports, a rate limiter.

Both take ``OutgoingMessage`` items through ``submit`` (which waits when the
transport is full, so the engine never holds more than its in-flight window, or gives
a message back when its destination is saturated) and
report one ``SendResult`` per item through the callback given to ``start``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kootui.core.mail import Outcome, Stage


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    row_id: int
    sender: str  # envelope MAIL FROM
    recipient: str
    data: bytes  # CRLF line ends, not dot-stuffed


@dataclass(frozen=True, slots=True)
class SendResult:
    row_id: int
    outcome: Outcome
    stage: Stage
    reply_code: int | None
    enhanced_code: str
    reply_text: str
    remote_host: str
    tls: bool
    hard: bool
    finished_at: datetime


Report = Callable[[SendResult], None]


class Transport(Protocol):
    name: str

    async def start(self, report: Report) -> None:
        """Open whatever the transport needs; results go to ``report``."""
        ...

    async def submit(self, item: OutgoingMessage) -> float | None:
        """Queue one message; waits while the transport is full. A number instead: the
        transport leaves the message (its destination's line is full, see ``shaper``)
        and it should be offered again after that many seconds."""
        ...

    async def close(self) -> None:
        """Finish every submitted message, report it, then release connections."""
        ...


class TokenBucket:
    """At most ``rate`` acquisitions a second on average, bursts up to one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        """Change the rate in place (the engine's share of the workspace rate moves)."""
        self.rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = min(self._tokens, self._capacity)

    async def take(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)
