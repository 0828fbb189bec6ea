"""Writing events to the outbox, in the transaction of the change they report.

Every writer (``events.record_event``, ``dispatch.record_results``, the submissions'
intake) calls ``write_message_events`` on its own connection, so the outbox rows commit or
roll back with the change. Only events some enabled endpoint subscribes to are written:
the subscriptions are read from a per-process cache (refreshed every
``SUBSCRIPTIONS_TTL`` seconds, and at once in the process that changes an endpoint), so
with no endpoint a batch of results pays a dictionary lookup and nothing more. An endpoint
made in another process starts receiving within that delay.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, select

from kootui.core.store import (
    Message,
    OutboxStatus,
    Store,
    WebhookEndpoint,
    WebhookOutbox,
    insert_rows,
)
from kootui.core.webhooks.kinds import event_type

SUBSCRIPTIONS_TTL = 2.0
_endpoints = WebhookEndpoint.__table__
_outbox = WebhookOutbox.__table__
_message = Message.__table__
OUTBOX_COLUMNS = (
    "endpoint_id",
    "event",
    "message_id",
    "payload",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
)


@dataclass(frozen=True)
class _Subscriptions:
    by_event: dict[str, tuple[int, ...]]
    read_at: float


_cache: WeakKeyDictionary[Engine, _Subscriptions] = WeakKeyDictionary()
_cache_lock = threading.Lock()


def _fresh(engine: Engine) -> _Subscriptions | None:
    with _cache_lock:
        cached = _cache.get(engine)
    if cached is None or time.monotonic() - cached.read_at >= SUBSCRIPTIONS_TTL:
        return None
    return cached


def _read(connection: Connection) -> _Subscriptions:
    by_event: dict[str, list[int]] = {}
    rows = connection.execute(
        select(_endpoints.c.id, _endpoints.c.events).where(_endpoints.c.enabled.is_(True))
    ).all()
    for endpoint_id, events in rows:
        for name in events or ():
            by_event.setdefault(str(name), []).append(int(endpoint_id))
    read = _Subscriptions({name: tuple(ids) for name, ids in by_event.items()}, time.monotonic())
    with _cache_lock:
        _cache[connection.engine] = read
    return read


def subscribers(connection: Connection, event: str) -> tuple[int, ...]:
    """The enabled endpoints subscribed to ``event`` (cached per store engine)."""
    cached = _fresh(connection.engine) or _read(connection)
    return cached.by_event.get(event, ())


def has_enabled_endpoints(store: Store) -> bool:
    """Whether any enabled endpoint subscribes to anything (from the cache when fresh)."""
    cached = _fresh(store.engine)
    if cached is None:
        with store.engine.connect() as connection:
            cached = _read(connection)
    return bool(cached.by_event)


def forget_subscriptions(engine: Engine) -> None:
    """Read the subscriptions again at the next write (an endpoint changed)."""
    with _cache_lock:
        _cache.pop(engine, None)


@dataclass(frozen=True)
class MessageNews:
    """One event about one message: its row id and what the event adds to the payload."""

    message_id: int
    data: dict[str, Any] = field(default_factory=dict)


def payload_text(event: str, when: datetime, data: dict[str, Any]) -> str:
    body = {"type": event_type(event), "timestamp": when.isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def _message_facts(connection: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    facts: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(
                _message.c.id,
                _message.c.task_id,
                _message.c.recipient,
                _message.c.message_id_header,
                _message.c.send_method,
                _message.c.status,
            ).where(_message.c.id.in_(ids[start : start + 500]))
        ).all()
        for row in rows:
            facts[row.id] = {
                "message_id": row.id,
                "task_id": row.task_id,
                "recipient": row.recipient,
                "message_id_header": row.message_id_header,
                "send_method": row.send_method,
                "status": row.status,
            }
    return facts


def write_message_events(
    connection: Connection, event: str, news: Sequence[MessageNews], when: datetime
) -> int:
    """Queue ``event`` about each message of ``news`` for every enabled endpoint that
    subscribes to it, on the caller's connection; the number of outbox rows written.
    The payload is the message's state read in this transaction plus each news' data."""
    if not news:
        return 0
    endpoint_ids = subscribers(connection, event)
    if not endpoint_ids:
        return 0
    facts = _message_facts(connection, sorted({item.message_id for item in news}))
    rows: list[tuple[Any, ...]] = []
    for item in news:
        data = {**facts.get(item.message_id, {"message_id": item.message_id}), **item.data}
        text = payload_text(event, when, data)
        rows.extend(
            (endpoint_id, event, item.message_id, text, OutboxStatus.PENDING.value, 0, when, when)
            for endpoint_id in endpoint_ids
        )
    insert_rows(connection, _outbox, OUTBOX_COLUMNS, rows)
    return len(rows)


def write_endpoint_event(
    connection: Connection, endpoint_id: int, event: str, data: dict[str, Any], when: datetime
) -> int:
    """Queue one event for one endpoint (the test event); its outbox row id."""
    row = connection.execute(
        _outbox.insert()
        .values(
            endpoint_id=endpoint_id,
            event=event,
            message_id=None,
            payload=payload_text(event, when, data),
            status=OutboxStatus.PENDING.value,
            attempts=0,
            created_at=when,
            next_attempt_at=when,
        )
        .returning(_outbox.c.id)
    ).one()
    return int(row[0])
