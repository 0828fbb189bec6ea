"""Claiming due messages with a lease, renewing it, releasing it, reclaiming dead ones.

One statement claims a batch atomically: ``UPDATE message ... WHERE id IN (SELECT ...
LIMIT n) RETURNING ...``. On SQLite that statement runs in one short write
transaction, so two workers can never both see a row as due; on PostgreSQL the
inner SELECT takes ``FOR UPDATE SKIP LOCKED`` so workers pass each other's rows by.
A claimed row is committed as "sending" before any byte of it leaves the machine,
and with its Message-ID (and unsubscribe token) already stored by the same
transaction, so every later attempt of the message carries the same identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, select, update
from sqlalchemy.sql.dml import ReturningUpdate

from kootui.core.dispatch.quota import ClaimGate, read_gate, settle_claim
from kootui.core.mail import new_message_id, new_token, tracks_opens_clicks
from kootui.core.store import (
    DeliveryAttempt,
    Message,
    MessageStatus,
    SenderAddress,
    SenderDomain,
    Store,
    Task,
    TaskStatus,
    Template,
    update_rows,
)

message_table = Message.__table__
task_table = Task.__table__
attempt_table = DeliveryAttempt.__table__
_address_table = SenderAddress.__table__
_domain_table = SenderDomain.__table__
_template_table = Template.__table__

CLAIMABLE_TASK_STATUSES = (TaskStatus.SCHEDULED.value, TaskStatus.SENDING.value)
DUE_STATUSES = (MessageStatus.PENDING.value, MessageStatus.DEFERRED.value)
# What a bounce or complaint made of a message (core/bounces). A report may land while an
# engine still holds the message's lease (the relay bounced before the engine's batch of
# results was written), so a lease is held in these statuses too; the engine then settles
# its bookkeeping and leaves the status alone.
REPORTED_STATUSES = (MessageStatus.BOUNCED.value, MessageStatus.COMPLAINED.value)
LEASED_STATUSES = (MessageStatus.SENDING.value, *REPORTED_STATUSES)


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    row_id: int
    task_id: int
    recipient: str
    params: dict[str, str]
    message_id_header: str
    unsubscribe_token: str
    attempts: int
    claimed_at: datetime


def claim_batch(
    store: Store, worker: str, now: datetime, *, limit: int, lease: timedelta
) -> list[ClaimedMessage]:
    """Reserve up to ``limit`` due messages for ``worker`` and mark them "sending"."""
    m = message_table
    with store.writing() as connection:
        take_write_lock(connection)
        gate = read_gate(connection, now)
        rows = connection.execute(_claim_statement(store, worker, now, limit, lease, gate)).all()
        rows = settle_claim(connection, gate, rows, m, now)
        task_ids = {row.task_id for row in rows}
        if task_ids:
            _mark_tasks_sending(connection, task_ids, now)
        identities = _assign_identities(connection, rows)
    claimed = [
        ClaimedMessage(
            row_id=row.id,
            task_id=row.task_id,
            recipient=row.recipient,
            params=dict(row.params or {}),
            message_id_header=identities.get(row.id, (row.message_id_header,))[0] or "",
            unsubscribe_token=identities.get(row.id, (None, row.unsubscribe_token))[1] or "",
            attempts=row.attempts,
            claimed_at=now,
        )
        for row in rows
    ]
    claimed.sort(key=lambda item: item.row_id)
    return claimed


def _claim_statement(
    store: Store, worker: str, now: datetime, limit: int, lease: timedelta, gate: ClaimGate
) -> ReturningUpdate[Any]:
    m = message_table
    due = (
        select(m.c.id)
        .join(task_table, task_table.c.id == m.c.task_id)
        .where(
            m.c.status.in_(DUE_STATUSES),
            m.c.next_attempt_at <= now,
            task_table.c.status.in_(CLAIMABLE_TASK_STATUSES),
        )
        # The claim index's own order (status, next_attempt_at; SQLite's index ends in the
        # row id): no sort of the whole queue per claim. Retries ("deferred") come before
        # first attempts ("pending"), then the longest waiting: a submission's
        # next_attempt_at is its accept time, and of one commit the first accepted.
        .order_by(m.c.status, m.c.next_attempt_at, m.c.id)
        .limit(limit)
    )
    held_back = gate.held_back(m, task_table)
    if held_back is not None:
        due = due.where(held_back)
    if store.dialect == "postgresql":
        due = due.with_for_update(skip_locked=True, of=m)
    return (
        update(m)
        .where(m.c.id.in_(due.scalar_subquery()))
        .values(
            status=MessageStatus.SENDING.value,
            lease_owner=worker,
            lease_expires_at=now + lease,
            attempts=m.c.attempts + 1,
        )
        .returning(
            m.c.id,
            m.c.task_id,
            m.c.recipient,
            m.c.params,
            m.c.message_id_header,
            m.c.unsubscribe_token,
            m.c.attempts,
        )
    )


def take_write_lock(connection: Connection) -> None:
    """SQLite: start the write transaction now (an UPDATE that matches nothing still takes
    the lock), so the rows read next cannot change before this transaction writes them,
    and the write after a read is never refused for a stale snapshot. PostgreSQL locks
    the rows it reads with FOR UPDATE instead."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            update(task_table).where(task_table.c.id == -1).values(name=task_table.c.name)
        )


def _mark_tasks_sending(connection: Connection, task_ids: set[int], now: datetime) -> None:
    t = task_table
    connection.execute(
        update(t)
        .where(t.c.id.in_(task_ids), t.c.status == TaskStatus.SCHEDULED.value)
        .values(status=TaskStatus.SENDING.value, started_at=now)
    )


def _assign_identities(
    connection: Connection, rows: Sequence[Row[*tuple[Any, ...]]]
) -> dict[int, tuple[str, str]]:
    """Row id -> (Message-ID, token) for the claimed rows that lack one, stored in the
    claim's transaction. The Message-ID names the sender's domain; the token exists
    when the task's template offers unsubscribing or its messages are tracked. A task
    whose sender or template is gone gets nothing here: the engine reports it when it
    loads the task."""
    wanted = {row.task_id for row in rows if not row.message_id_header or not row.unsubscribe_token}
    if not wanted:
        return {}
    t, a, d, tpl = task_table, _address_table, _domain_table, _template_table
    # The token serves the unsubscribe link and keys the tracking token (mail.tracking).
    senders = {
        found.id: (
            found.name,
            found.support_unsubscribe
            or tracks_opens_clicks(found.task_tracking, found.template_tracking),
        )
        for found in connection.execute(
            select(
                t.c.id,
                d.c.name,
                tpl.c.support_unsubscribe,
                t.c.track_opens_clicks.label("task_tracking"),
                tpl.c.track_opens_clicks.label("template_tracking"),
            )
            .join(a, a.c.id == t.c.address_id)
            .join(d, d.c.id == a.c.domain_id)
            .join(tpl, tpl.c.id == t.c.template_id)
            .where(t.c.id.in_(wanted))
        )
    }
    identities: dict[int, tuple[str, str]] = {}
    for row in rows:
        if row.task_id not in senders:
            continue
        domain, needs_token = senders[row.task_id]
        message_id = row.message_id_header or new_message_id(domain)
        token = row.unsubscribe_token or (new_token() if needs_token else "")
        if message_id != row.message_id_header or token != (row.unsubscribe_token or ""):
            identities[row.id] = (message_id, token)
    update_rows(
        connection,
        message_table,
        ("message_id_header", "unsubscribe_token"),
        [(message_id, token, row_id) for row_id, (message_id, token) in identities.items()],
    )
    return identities


def renew_leases(store: Store, worker: str, row_ids: Sequence[int], expires: datetime) -> None:
    """Push the lease of messages this worker still holds (a slow "." reply may take 10 min)."""
    if not row_ids:
        return
    m = message_table
    with store.writing() as connection:
        connection.execute(
            update(m)
            .where(
                m.c.id.in_(list(row_ids)),
                m.c.lease_owner == worker,
                m.c.status.in_(LEASED_STATUSES),
            )
            .values(lease_expires_at=expires)
        )


def expired_leases(
    connection: Connection, now: datetime, limit: int
) -> list[Row[*tuple[Any, ...]]]:
    """Rows whose worker died (or hung) past its lease; callers lock and record them."""
    m = message_table
    statement = (
        select(
            m.c.id,
            m.c.sent_at,
            m.c.lease_owner,
            m.c.lease_expires_at,
            m.c.attempts,
            m.c.task_id,
            m.c.send_method,
            m.c.status,
        )
        .where(
            and_(
                m.c.status.in_(LEASED_STATUSES),
                m.c.lease_owner.is_not(None),
                m.c.lease_expires_at < now,
            )
        )
        .order_by(m.c.lease_expires_at)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(connection.execute(statement).all())
