"""Delivering outbox rows: claim with a lease, POST signed JSON, record the attempt.

The outbox is claimed like the message table: one ``UPDATE ... WHERE id IN (SELECT ...
LIMIT n) RETURNING`` marks due rows ``sending`` with this engine as ``lease_owner`` and
pushes ``next_attempt_at`` to the lease's end (SQLite: one short write transaction;
PostgreSQL: ``FOR UPDATE SKIP LOCKED``). A row whose engine died is ``sending`` with a
``next_attempt_at`` in the past, so the same claim takes it again: nothing is lost, and a
receiver may see an event twice (it has the same ``webhook-id``), never zero times.
Only the lease owner records a result.

Retries follow Standard Webhooks' schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every
10 h) until ``webhooks.give_up_hours`` after the event (72 by default); an endpoint whose
deliveries have all failed for ``webhooks.disable_after_hours`` is disabled, saying why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from kootui.core.access import Act, requires
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.printable import printable
from kootui.core.store import (
    OutboxStatus,
    Store,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookOutbox,
    insert_rows,
)
from kootui.core.webhooks.addresses import Target, WebhookRefused, check_target
from kootui.core.webhooks.outbox import forget_subscriptions
from kootui.core.webhooks.signing import secret_bytes, signed_headers

if TYPE_CHECKING:  # httpx is imported by the first delivery: an engine with no endpoint never
    import httpx

log = logging.getLogger("kootui.webhooks")
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
RETRY_REPEAT = timedelta(hours=10)
SNIPPET_BYTES = 200
USER_AGENT = "kootui-webhooks/1"
_outbox = WebhookOutbox.__table__
_endpoints = WebhookEndpoint.__table__
_deliveries = WebhookDelivery.__table__
DELIVERY_COLUMNS = (
    "endpoint_id",
    "outbox_id",
    "event",
    "attempt",
    "started_at",
    "duration_ms",
    "ok",
    "status_code",
    "detail",
)


def lease_for(settings: Settings) -> timedelta:
    """Long enough for a delivery that runs to its timeout, and the record after it."""
    return timedelta(seconds=2 * settings.webhooks.timeout_seconds + 30)


def next_attempt(
    attempts: int, created_at: datetime, now: datetime, give_up_after: timedelta
) -> datetime | None:
    """When to try again after ``attempts`` failed attempts, None once it is time to stop."""
    if now - created_at >= give_up_after:
        return None
    delay = RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else RETRY_REPEAT
    return min(now + delay, created_at + give_up_after)


@dataclass(frozen=True)
class Due:
    """A claimed outbox row with its endpoint's address and secret salt."""

    outbox_id: int
    endpoint_id: int
    event: str
    payload: str
    attempts: int
    created_at: datetime
    url: str
    secret_salt: str

    @property
    def webhook_id(self) -> str:
        # The row id alone could repeat after a store is rebuilt; its time makes it unique.
        return f"msg_{self.outbox_id}_{int(self.created_at.timestamp())}"


def any_due(store: Store, now: datetime) -> bool:
    """A cheap read first, so an idle engine never takes the write lock to find nothing."""
    statement = (
        select(_outbox.c.id)
        .join(_endpoints, _endpoints.c.id == _outbox.c.endpoint_id)
        .where(
            _outbox.c.status.in_((OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)),
            _outbox.c.next_attempt_at <= now,
            _endpoints.c.enabled.is_(True),
        )
        .limit(1)
    )
    with store.engine.connect() as connection:
        return connection.execute(statement).first() is not None


def claim_due(
    store: Store,
    worker: str,
    now: datetime,
    *,
    limit: int,
    lease: timedelta,
    outbox_id: int | None = None,
) -> list[Due]:
    """Lease up to ``limit`` due rows (or the one row ``outbox_id``, due or not) of enabled
    endpoints to ``worker``."""
    due = (
        select(_outbox.c.id)
        .join(_endpoints, _endpoints.c.id == _outbox.c.endpoint_id)
        .where(
            _outbox.c.status.in_((OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)),
            _endpoints.c.enabled.is_(True),
        )
    )
    if outbox_id is None:
        due = due.where(_outbox.c.next_attempt_at <= now)
    else:
        due = due.where(_outbox.c.id == outbox_id)
    due = due.order_by(_outbox.c.status, _outbox.c.next_attempt_at).limit(limit)
    if store.dialect == "postgresql":
        due = due.with_for_update(skip_locked=True, of=_outbox)
    statement = (
        update(_outbox)
        .where(_outbox.c.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING.value,
            lease_owner=worker[:64],
            next_attempt_at=now + lease,
            attempts=_outbox.c.attempts + 1,
        )
        .returning(
            _outbox.c.id,
            _outbox.c.endpoint_id,
            _outbox.c.event,
            _outbox.c.payload,
            _outbox.c.attempts,
            _outbox.c.created_at,
        )
    )
    with store.writing() as connection:
        rows = connection.execute(statement).all()
        if not rows:
            return []
        endpoints = {
            row.id: (row.url, row.secret_salt)
            for row in connection.execute(
                select(_endpoints.c.id, _endpoints.c.url, _endpoints.c.secret_salt).where(
                    _endpoints.c.id.in_({row.endpoint_id for row in rows})
                )
            )
        }
    return sorted(
        (
            Due(
                row.id,
                row.endpoint_id,
                row.event,
                row.payload,
                row.attempts,
                row.created_at,
                *endpoints[row.endpoint_id],
            )
            for row in rows
        ),
        key=lambda item: item.outbox_id,
    )


@dataclass(frozen=True)
class Attempt:
    due: Due
    started_at: datetime
    duration_ms: int
    ok: bool
    status_code: int | None
    detail: str


class HttpClients:
    """One httpx client per host name. A client pools connections by the address it
    connects to, while a TLS connection belongs to the name it was opened for (SNI and the
    certificate check): two names on one address must not share one. No redirects are
    followed (a 3xx is a failure), no proxy is taken from the environment (it would
    connect where the address check did not look); the delivery timeout applies."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._by_host: dict[str, httpx.AsyncClient] = {}

    def for_host(self, host: str) -> httpx.AsyncClient:
        import httpx

        client = self._by_host.get(host)
        if client is None:
            client = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                timeout=httpx.Timeout(self._settings.webhooks.timeout_seconds),
                headers={"user-agent": USER_AGENT},
            )
            self._by_host[host] = client
        return client

    async def aclose(self) -> None:
        clients, self._by_host = list(self._by_host.values()), {}
        for client in clients:
            await client.aclose()

    async def __aenter__(self) -> HttpClients:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


def new_client(settings: Settings) -> HttpClients:
    """The HTTP clients of one delivery loop (or one test event)."""
    return HttpClients(settings)


async def _post(
    client: httpx.AsyncClient, target: Target, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
    request = client.build_request(
        "POST",
        target.connect_url,
        content=body,
        headers={**headers, "host": target.url.netloc},
        extensions=extensions,
    )
    response = await client.send(request, stream=True)
    try:
        snippet = b""
        async for chunk in response.aiter_raw():
            snippet += chunk
            if len(snippet) >= SNIPPET_BYTES:
                break
        return response.status_code, snippet[:SNIPPET_BYTES]
    finally:
        await response.aclose()


@requires(Act.ENGINE_RUN)
async def deliver(context: Context, clients: HttpClients, due: Due) -> Attempt:
    """One POST of ``due``: the address checked again now and connected to as checked."""
    import httpx

    settings = context.settings
    started_at = context.clock.now()
    began = time.monotonic()
    status_code: int | None = None
    ok = False
    try:
        target = await asyncio.to_thread(check_target, due.url, settings)
        body = due.payload.encode("utf-8")
        secret = secret_bytes(settings, due.secret_salt)
        headers = signed_headers(secret, due.webhook_id, int(started_at.timestamp()), body)
        code, snippet = await asyncio.wait_for(
            _post(clients.for_host(target.url.host), target, headers, body),
            settings.webhooks.timeout_seconds,
        )
        status_code, ok = code, 200 <= code < 300
        detail = printable(snippet.decode("utf-8", "replace").strip())
        if 300 <= code < 400:
            detail = "redirects are not followed; give the final URL. " + detail
    except WebhookRefused as exc:
        detail = f"refused: {exc.message}"
    except (TimeoutError, httpx.TimeoutException):
        detail = f"no answer within {settings.webhooks.timeout_seconds:g} s"
    except httpx.HTTPError as exc:
        detail = f"{type(exc).__name__}: {exc}"
    except OSError as exc:
        detail = f"{type(exc).__name__}: {exc.strerror or exc}"
    duration_ms = int((time.monotonic() - began) * 1000)
    return Attempt(due, started_at, duration_ms, ok, status_code, printable(detail)[:300])


def record_attempts(
    store: Store, worker: str, attempts: Sequence[Attempt], now: datetime, settings: Settings
) -> list[int]:
    """Log every attempt, settle or reschedule the rows still leased to ``worker``, and
    keep each endpoint's run of failures; the ids of endpoints disabled by this batch."""
    if not attempts:
        return []
    give_up = timedelta(hours=settings.webhooks.give_up_hours)
    with store.writing() as connection:
        # An endpoint removed while its delivery was in flight took its rows with it.
        alive = set(
            connection.execute(
                select(_outbox.c.id).where(_outbox.c.id.in_([a.due.outbox_id for a in attempts]))
            ).scalars()
        )
        attempts = [attempt for attempt in attempts if attempt.due.outbox_id in alive]
        if not attempts:
            return []
        insert_rows(
            connection,
            _deliveries,
            DELIVERY_COLUMNS,
            [
                (
                    a.due.endpoint_id,
                    a.due.outbox_id,
                    a.due.event,
                    a.due.attempts,
                    a.started_at,
                    a.duration_ms,
                    a.ok,
                    a.status_code,
                    a.detail,
                )
                for a in attempts
            ],
        )
        for attempt in attempts:
            due = attempt.due
            if attempt.ok:
                values: dict[str, object] = {
                    "status": OutboxStatus.DELIVERED.value,
                    "finished_at": now,
                    "lease_owner": None,
                }
            else:
                retry_at = next_attempt(due.attempts, due.created_at, now, give_up)
                values = (
                    {"status": OutboxStatus.FAILED.value, "finished_at": now, "lease_owner": None}
                    if retry_at is None
                    else {
                        "status": OutboxStatus.PENDING.value,
                        "next_attempt_at": retry_at,
                        "lease_owner": None,
                    }
                )
            connection.execute(
                update(_outbox)
                .where(
                    _outbox.c.id == due.outbox_id,
                    _outbox.c.lease_owner == worker[:64],
                    _outbox.c.status == OutboxStatus.SENDING.value,
                )
                .values(values)
            )
        disabled = _keep_health(connection, attempts, now, settings)
    if disabled:
        forget_subscriptions(store.engine)  # this process stops queueing for them at once
    return disabled


def _keep_health(
    connection: Connection, attempts: Sequence[Attempt], now: datetime, settings: Settings
) -> list[int]:
    succeeded = {a.due.endpoint_id for a in attempts if a.ok}
    failed: dict[int, Attempt] = {}
    for attempt in attempts:
        if not attempt.ok and attempt.due.endpoint_id not in succeeded:
            failed.setdefault(attempt.due.endpoint_id, attempt)
    if succeeded:
        connection.execute(
            update(_endpoints)
            .where(_endpoints.c.id.in_(succeeded), _endpoints.c.failing_since.is_not(None))
            .values(failing_since=None)
        )
    if not failed:
        return []
    for endpoint_id, attempt in failed.items():
        connection.execute(
            update(_endpoints)
            .where(_endpoints.c.id == endpoint_id, _endpoints.c.failing_since.is_(None))
            .values(failing_since=attempt.started_at)
        )
    limit = now - timedelta(hours=settings.webhooks.disable_after_hours)
    stale = connection.execute(
        select(_endpoints.c.id, _endpoints.c.failing_since).where(
            _endpoints.c.id.in_(failed),
            _endpoints.c.enabled.is_(True),
            _endpoints.c.failing_since <= limit,
        )
    ).all()
    for endpoint_id, since in stale:
        last = failed[endpoint_id]
        why = f"every delivery failed since {since:%Y-%m-%d %H:%M} UTC; last: " + (
            f"HTTP {last.status_code}" if last.status_code is not None else last.detail
        )
        connection.execute(
            update(_endpoints)
            .where(_endpoints.c.id == endpoint_id)
            .values(enabled=False, disabled_at=now, disabled_reason=why[:300])
        )
        log.warning("webhook endpoint %d disabled: %s", endpoint_id, why)
    return [endpoint_id for endpoint_id, _ in stale]
