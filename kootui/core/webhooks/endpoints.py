"""Webhook endpoints: add, list, change, enable, disable, remove, rotate the secret, send
a test event, read the delivery log. Every change forgets this process's subscription
cache, so the next event written here already follows it."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, delete, func, select, update

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import NotFound, ValidationError
from kootui.core.store import (
    OutboxStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookOutbox,
)
from kootui.core.webhooks.addresses import check_target
from kootui.core.webhooks.delivery import (
    Attempt,
    claim_due,
    deliver,
    lease_for,
    new_client,
    record_attempts,
)
from kootui.core.webhooks.kinds import TEST_EVENT, parse_events
from kootui.core.webhooks.outbox import forget_subscriptions, write_endpoint_event
from kootui.core.webhooks.signing import secret_bytes, secret_text

MAX_DESCRIPTION = 200
MAX_ENDPOINTS = 50
_endpoints = WebhookEndpoint.__table__
_outbox = WebhookOutbox.__table__
_deliveries = WebhookDelivery.__table__


@dataclass(frozen=True)
class EndpointView:
    id: int
    url: str
    description: str
    events: tuple[str, ...]
    enabled: bool
    created_at: datetime
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str
    waiting: int  # events not yet delivered (pending or in flight)
    failed: int  # events given up
    last_attempt_at: datetime | None
    last_ok: bool | None
    last_status_code: int | None

    @property
    def state(self) -> str:
        if self.enabled:
            return "failing" if self.failing_since is not None else "enabled"
        return "disabled (failing)" if self.disabled_reason else "disabled"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "description": self.description,
            "events": list(self.events),
            "enabled": self.enabled,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "failing_since": _iso(self.failing_since),
            "disabled_at": _iso(self.disabled_at),
            "disabled_reason": self.disabled_reason,
            "waiting": self.waiting,
            "failed": self.failed,
            "last_attempt_at": _iso(self.last_attempt_at),
            "last_ok": self.last_ok,
            "last_status_code": self.last_status_code,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: EndpointView
    secret: str  # whsec_...: shown once


@dataclass(frozen=True)
class DeliveryView:
    id: int
    outbox_id: int
    event: str
    attempt: int
    started_at: datetime
    duration_ms: int
    ok: bool
    status_code: int | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outbox_id": self.outbox_id,
            "event": self.event,
            "attempt": self.attempt,
            "started_at": self.started_at.isoformat(),
            "duration_ms": self.duration_ms,
            "ok": self.ok,
            "status_code": self.status_code,
            "detail": self.detail,
        }


def _description(text: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_DESCRIPTION:
        raise ValidationError(
            f"is longer than {MAX_DESCRIPTION} characters",
            field="description",
            code="webhook.description_too_long",
        )
    return cleaned


def _forget(context: Context) -> None:
    forget_subscriptions(context.store.engine)


@requires(Act.WEBHOOK_CREATE)
def create_endpoint(
    context: Context, url: str, events: list[str] | tuple[str, ...], description: str = ""
) -> CreatedEndpoint:
    """Check the URL (resolved now: an address into the server's network is refused) and
    the events, store the endpoint and give its secret, which is never shown again."""
    chosen = parse_events(events)
    text = _description(description)
    target = check_target(url, context.settings)
    salt = secrets.token_hex(16)
    with context.store.writing() as connection:
        count = connection.execute(select(func.count()).select_from(_endpoints)).scalar_one()
        if count >= MAX_ENDPOINTS:
            raise ValidationError(
                f"a workspace has at most {MAX_ENDPOINTS} webhook endpoints; remove one first",
                field="url",
                code="webhook.limit_reached",
            )
        row = connection.execute(
            _endpoints.insert()
            .values(
                url=target.url.url,
                description=text,
                events=list(chosen),
                secret_salt=salt,
                enabled=True,
                created_at=context.clock.now(),
                disabled_reason="",
            )
            .returning(_endpoints.c.id)
        ).one()
    _forget(context)
    endpoint_id = int(row[0])
    secret = secret_text(secret_bytes(context.settings, salt))
    return CreatedEndpoint(get_endpoint(context, endpoint_id), secret)


def _views(connection: Connection, endpoint_id: int | None = None) -> list[EndpointView]:
    query = select(_endpoints).order_by(_endpoints.c.id)
    if endpoint_id is not None:
        query = query.where(_endpoints.c.id == endpoint_id)
    endpoints = connection.execute(query).all()
    if not endpoints:
        return []
    ids = [row.id for row in endpoints]
    waiting_states = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)
    counts = {
        row.endpoint_id: (int(row.waiting or 0), int(row.failed or 0))
        for row in connection.execute(
            select(
                _outbox.c.endpoint_id,
                func.sum(case((_outbox.c.status.in_(waiting_states), 1), else_=0)).label("waiting"),
                func.sum(case((_outbox.c.status == OutboxStatus.FAILED.value, 1), else_=0)).label(
                    "failed"
                ),
            )
            .where(
                _outbox.c.endpoint_id.in_(ids),
                _outbox.c.status.in_((*waiting_states, OutboxStatus.FAILED.value)),
            )
            .group_by(_outbox.c.endpoint_id)
        )
    }
    last: dict[int, tuple[datetime, bool, int | None]] = {}
    for endpoint in ids:
        found = connection.execute(
            select(_deliveries.c.started_at, _deliveries.c.ok, _deliveries.c.status_code)
            .where(_deliveries.c.endpoint_id == endpoint)
            .order_by(_deliveries.c.started_at.desc(), _deliveries.c.id.desc())
            .limit(1)
        ).first()
        if found is not None:
            last[endpoint] = (found.started_at, bool(found.ok), found.status_code)
    return [
        EndpointView(
            id=row.id,
            url=row.url,
            description=row.description,
            events=tuple(row.events or ()),
            enabled=bool(row.enabled),
            created_at=row.created_at,
            failing_since=row.failing_since,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            waiting=counts.get(row.id, (0, 0))[0],
            failed=counts.get(row.id, (0, 0))[1],
            last_attempt_at=last[row.id][0] if row.id in last else None,
            last_ok=last[row.id][1] if row.id in last else None,
            last_status_code=last[row.id][2] if row.id in last else None,
        )
        for row in endpoints
    ]


@requires(Act.WEBHOOK_READ)
def list_endpoints(context: Context) -> list[EndpointView]:
    with context.store.engine.connect() as connection:
        return _views(connection)


@requires(Act.WEBHOOK_READ)
def get_endpoint(context: Context, endpoint_id: int) -> EndpointView:
    with context.store.engine.connect() as connection:
        found = _views(connection, endpoint_id)
    if not found:
        raise NotFound(
            f"no webhook endpoint has the ID {endpoint_id}",
            field="endpoint",
            code="webhook.not_found",
        )
    return found[0]


def _change(context: Context, endpoint_id: int, **values: Any) -> EndpointView:
    with context.store.writing() as connection:
        changed = connection.execute(
            update(_endpoints).where(_endpoints.c.id == endpoint_id).values(**values)
        ).rowcount
    if not changed:
        get_endpoint(context, endpoint_id)  # raises NotFound
    _forget(context)
    return get_endpoint(context, endpoint_id)


@requires(Act.WEBHOOK_UPDATE)
def update_endpoint(
    context: Context,
    endpoint_id: int,
    *,
    url: str | None = None,
    events: list[str] | tuple[str, ...] | None = None,
    description: str | None = None,
) -> EndpointView:
    """Change what is given; a new URL is checked as at creation. The secret stays."""
    values: dict[str, Any] = {}
    if events is not None:
        values["events"] = list(parse_events(events))
    if description is not None:
        values["description"] = _description(description)
    if url is not None:
        values["url"] = check_target(url, context.settings).url.url
    if not values:
        return get_endpoint(context, endpoint_id)
    return _change(context, endpoint_id, **values)


@requires(Act.WEBHOOK_UPDATE)
def set_enabled(context: Context, endpoint_id: int, enabled: bool) -> EndpointView:
    """Enable (forgetting the failures that disabled it: its waiting events go out again)
    or disable by hand (events for it are no longer written; those waiting stay)."""
    now = context.clock.now()
    if enabled:
        return _change(
            context,
            endpoint_id,
            enabled=True,
            failing_since=None,
            disabled_at=None,
            disabled_reason="",
        )
    return _change(context, endpoint_id, enabled=False, disabled_at=now, disabled_reason="")


@requires(Act.WEBHOOK_DELETE)
def remove_endpoint(context: Context, endpoint_id: int) -> None:
    """Delete the endpoint with its waiting events and its log."""
    with context.store.writing() as connection:
        removed = connection.execute(
            delete(_endpoints).where(_endpoints.c.id == endpoint_id)
        ).rowcount
    if not removed:
        get_endpoint(context, endpoint_id)  # raises NotFound
    _forget(context)


@requires(Act.WEBHOOK_UPDATE)
def rotate_secret(context: Context, endpoint_id: int) -> str:
    """A new secret (shown once); the old one stops signing at once."""
    salt = secrets.token_hex(16)
    _change(context, endpoint_id, secret_salt=salt)
    return secret_text(secret_bytes(context.settings, salt))


@requires(Act.WEBHOOK_READ)
def delivery_log(context: Context, endpoint_id: int, *, limit: int = 50) -> list[DeliveryView]:
    """The endpoint's latest attempts, newest first."""
    get_endpoint(context, endpoint_id)
    with context.store.engine.connect() as connection:
        rows = connection.execute(
            select(_deliveries)
            .where(_deliveries.c.endpoint_id == endpoint_id)
            .order_by(_deliveries.c.started_at.desc(), _deliveries.c.id.desc())
            .limit(max(1, min(limit, 1000)))
        ).all()
    return [
        DeliveryView(
            row.id,
            row.outbox_id,
            row.event,
            row.attempt,
            row.started_at,
            row.duration_ms,
            bool(row.ok),
            row.status_code,
            row.detail,
        )
        for row in rows
    ]


@requires(Act.WEBHOOK_READ)
def disabled_for_failing(context: Context) -> list[EndpointView]:
    """Endpoints the engines disabled after days of failures: the notice the faces show."""
    return [view for view in list_endpoints(context) if view.state == "disabled (failing)"]


@requires(Act.WEBHOOK_UPDATE)
def send_test_event(context: Context, endpoint_id: int) -> DeliveryView:
    """Queue a ``webhook.test`` event for the endpoint and deliver it now, from this
    process (no engine needed); the attempt is logged like any other, and a failed test is
    retried by the engines like any other event."""
    endpoint = get_endpoint(context, endpoint_id)
    if not endpoint.enabled:
        raise ValidationError(
            "the endpoint is disabled; enable it first",
            field="endpoint",
            code="webhook.disabled",
        )
    now = context.clock.now()
    with context.store.writing() as connection:
        outbox_id = write_endpoint_event(
            connection,
            endpoint_id,
            TEST_EVENT,
            {"endpoint_id": endpoint_id, "message": "a test event from kootui"},
            now,
        )
    worker = f"test:{secrets.token_hex(4)}"
    claimed = claim_due(
        context.store, worker, now, limit=1, lease=lease_for(context.settings), outbox_id=outbox_id
    )
    attempts: list[Attempt] = asyncio.run(_deliver_all(context, claimed))
    record_attempts(context.store, worker, attempts, context.clock.now(), context.settings)
    return delivery_log(context, endpoint_id, limit=1)[0]


async def _deliver_all(context: Context, claimed: list[Any]) -> list[Attempt]:
    async with new_client(context.settings) as client:
        return list(await asyncio.gather(*(deliver(context, client, due) for due in claimed)))
