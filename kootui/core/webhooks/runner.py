"""The delivery loop each engine runs beside its dispatcher (``kootui worker``, the
engines of ``kootui serve`` and the console's engine thread).

When no endpoint is enabled it reads nothing but the subscriptions cache; otherwise it
first asks whether anything is due (a read) before it claims (a write), so idle engines
do not queue for the store's write lock. Store calls go through the callables the
dispatcher gives it, so they follow the engine's own rules (a worker thread, or the loop
holding the writers' turn).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

from kootui.core.context import Context
from kootui.core.errors import StoreError
from kootui.core.webhooks.delivery import (
    Attempt,
    Due,
    HttpClients,
    any_due,
    claim_due,
    deliver,
    lease_for,
    new_client,
    record_attempts,
)
from kootui.core.webhooks.outbox import has_enabled_endpoints

log = logging.getLogger("kootui.webhooks")
T = TypeVar("T")
StoreCall = Callable[..., Awaitable[Any]]


async def _on_thread(call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return await asyncio.to_thread(call, *args, **kwargs)


class WebhookDeliverer:
    def __init__(
        self,
        context: Context,
        worker_id: str,
        *,
        read: StoreCall = _on_thread,
        write: StoreCall = _on_thread,
    ) -> None:
        self.context = context
        self.worker_id = worker_id
        self._read = read
        self._write = write
        self.delivered = 0
        self.failed = 0

    async def run_once(self, client: HttpClients) -> int:
        """Claim what is due, deliver it, record it; how many rows were attempted."""
        settings = self.context.settings
        store = self.context.store
        if not await self._read(has_enabled_endpoints, store):
            return 0
        if not await self._read(any_due, store, self.context.clock.now()):
            return 0
        claimed: list[Due] = await self._write(
            claim_due,
            store,
            self.worker_id,
            self.context.clock.now(),
            limit=settings.webhooks.concurrency,
            lease=lease_for(settings),
        )
        if not claimed:
            return 0
        attempts: list[Attempt] = list(
            await asyncio.gather(*(deliver(self.context, client, due) for due in claimed))
        )
        await self._write(
            record_attempts,
            store,
            self.worker_id,
            attempts,
            self.context.clock.now(),
            settings,
        )
        for attempt in attempts:
            if attempt.ok:
                self.delivered += 1
            else:
                self.failed += 1
                log.info(
                    "webhook %s to endpoint %d failed (attempt %d): %s",
                    attempt.due.event,
                    attempt.due.endpoint_id,
                    attempt.due.attempts,
                    attempt.detail or attempt.status_code,
                )
        return len(attempts)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; a delivery in flight then finishes and is
        recorded (each takes at most ``webhooks.timeout_seconds``). The HTTP client (and
        httpx itself) is made when there is first something to deliver."""
        poll = self.context.settings.webhooks.poll_seconds
        client: HttpClients | None = None
        try:
            while not stop.is_set():
                done = 0
                try:
                    if await self._read(has_enabled_endpoints, self.context.store):
                        client = client or new_client(self.context.settings)
                        done = await self.run_once(client)
                except OperationalError as exc:
                    log.warning("webhooks: store busy or unavailable: %s", exc.orig)
                except StoreError:
                    raise  # a store that will not pass by itself stops the engine
                except Exception:
                    # Webhooks must never stop sending: log, wait, try again.
                    log.exception("webhooks: a delivery round failed")
                if done:
                    continue
                try:
                    await asyncio.wait_for(stop.wait(), poll)
                except TimeoutError:
                    pass
        finally:
            if client is not None:
                await client.aclose()
