"""Recording results in batches: message rows, attempts, statistics, task status.

One write transaction per batch, executemany everywhere. The statistics move in
the same transaction as the message rows they count, so they always agree:
for the hour of a message's first attempt (``sent_at``),
``sent = delivered + failed + rejected + to_send``, where ``to_send`` holds the
messages attempted but not yet final (deferred, or sending again).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.config import Settings
from kootui.core.dispatch.claim import (
    LEASED_STATUSES,
    REPORTED_STATUSES,
    attempt_table,
    expired_leases,
    message_table,
    take_write_lock,
    task_table,
)
from kootui.core.dispatch.quota import refund_claims
from kootui.core.dispatch.stats import (
    AFTER_DELIVERY,
    FINAL_STAT,
    Deltas,
    task_dimensions,
    upsert_stats,
)
from kootui.core.dispatch.transports import SendResult
from kootui.core.mail import Outcome, Stage
from kootui.core.store import (
    MessageHeader,
    MessageStatus,
    Store,
    Suppression,
    TaskStatus,
    insert_rows,
    update_rows,
)
from kootui.core.webhooks import (
    EVENT_OF_STATUS,
    MessageNews,
    subscribers,
    write_message_events,
)

suppression_table = Suppression.__table__
header_table = MessageHeader.__table__
RESULT_EVENTS = frozenset(EVENT_OF_STATUS.values())
UNFINISHED = (
    MessageStatus.PENDING.value,
    MessageStatus.SENDING.value,
    MessageStatus.DEFERRED.value,
)


@dataclass(frozen=True)
class RetryPolicy:
    """5 min, 15 min, 30 min, 1 h, then every 2 h (with jitter); give up after 5 days."""

    delays: tuple[timedelta, ...]
    repeat: timedelta
    jitter: float
    give_up_after: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        retry = settings.retry
        return cls(
            delays=tuple(timedelta(minutes=minutes) for minutes in retry.delays_minutes),
            repeat=timedelta(minutes=retry.repeat_minutes),
            jitter=retry.jitter,
            give_up_after=timedelta(hours=retry.give_up_hours),
        )

    def next_attempt(
        self, attempts: int, first_attempt: datetime, now: datetime
    ) -> datetime | None:
        """When to try again after ``attempts`` attempts, or None when it is time to give up."""
        if now - first_attempt >= self.give_up_after:
            return None
        if attempts <= len(self.delays):
            delay = self.delays[attempts - 1]
        else:
            # Jitter spreads a crowd of retries so they do not all return at once.
            spread = self.repeat.total_seconds() * self.jitter
            delay = self.repeat + timedelta(seconds=random.uniform(-spread, spread))
        return min(now + delay, first_attempt + self.give_up_after)


@dataclass(frozen=True, slots=True)
class Recorded:
    """A transport result with what the engine knew when it claimed the message, and the
    header block it composed (None when nothing was composed, e.g. a suppressed address)."""

    result: SendResult
    attempts: int
    started_at: datetime
    headers: bytes | None = None
    composed_at: datetime | None = None


def header_block(data: bytes) -> bytes:
    """The bytes before the first blank line: the headers, without the body."""
    end = data.find(b"\r\n\r\n")
    return data if end < 0 else data[:end]


ATTEMPT_COLUMNS = (
    "message_id",
    "started_at",
    "finished_at",
    "stage",
    "outcome",
    "reply_code",
    "enhanced_code",
    "reply_text",
    "remote_host",
    "tls",
    "worker",
)
# What a result changes on its message row, in the order record_results builds them.
RESULT_COLUMNS = (
    "status",
    "next_attempt_at",
    "sent_at",
    "received_at",
    "last_reply_code",
    "last_reply",
    "lease_owner",
    "lease_expires_at",
)


def _store_headers(connection: Connection, rows: list[tuple[int, str, datetime]]) -> None:
    """Insert or replace each message's header block (a retry re-signs with a new Date)."""
    insert_rows(
        connection,
        header_table,
        ("message_id", "headers", "composed_at"),
        rows,
        on_conflict="ON CONFLICT (message_id) DO UPDATE "
        "SET headers = excluded.headers, composed_at = excluded.composed_at",
    )


def _suppress(connection: Connection, bounced: Sequence[tuple[str, int]], now: datetime) -> None:
    """Hard-bounced recipients go on the suppression list with the message that bounced."""
    if not bounced:
        return
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(suppression_table).on_conflict_do_nothing(
        index_elements=[suppression_table.c.address]
    )
    connection.execute(
        statement,
        [
            {"address": a.lower(), "reason": "hard_bounce", "created_at": now, "message_id": m}
            for a, m in bounced
        ],
    )


class Owned(NamedTuple):
    """A row still leased to the recording worker, as it stands now."""

    sent_at: datetime | None
    recipient: str
    task_id: int
    send_method: str
    status: str


def _lock_owned(connection: Connection, worker: str, row_ids: list[int]) -> dict[int, Owned]:
    """Rows still leased to ``worker`` (sending, or reported while in flight). Others were
    reclaimed."""
    m = message_table
    statement = select(
        m.c.id, m.c.sent_at, m.c.recipient, m.c.task_id, m.c.send_method, m.c.status
    ).where(
        m.c.id.in_(row_ids),
        m.c.lease_owner == worker,
        m.c.status.in_(LEASED_STATUSES),
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update()
    return {
        row.id: Owned(row.sent_at, row.recipient, row.task_id, row.send_method, row.status)
        for row in connection.execute(statement)
    }


def record_results(
    store: Store, worker: str, batch: Sequence[Recorded], policy: RetryPolicy, now: datetime
) -> set[int]:
    """Write one batch of results; returns the row ids whose result was applied."""
    if not batch:
        return set()
    attempts = [
        (
            item.result.row_id,
            item.started_at,
            item.result.finished_at,
            item.result.stage.value,
            item.result.outcome.value,
            item.result.reply_code,
            item.result.enhanced_code[:16],
            item.result.reply_text[:500],
            item.result.remote_host[:255],
            item.result.tls,
            worker[:64],
        )
        for item in batch
    ]
    with store.writing() as connection:
        # The insert comes first: on SQLite it takes the write lock, so nothing can
        # change the rows between the ownership check below and the update.
        insert_rows(connection, attempt_table, ATTEMPT_COLUMNS, attempts)
        owned = _lock_owned(connection, worker, [item.result.row_id for item in batch])
        updates: list[tuple[Any, ...]] = []
        headers: list[tuple[int, str, datetime]] = []
        deltas = Deltas(task_dimensions(connection, (row[2] for row in owned.values())))
        hard: list[tuple[str, int]] = []
        task_ids: set[int] = set()
        never_sent: list[tuple[int, int]] = []
        # Two results for one row (its lease ran out and this worker claimed it again)
        # each keep their attempt; the row, its header block and the statistics take
        # the last one, once.
        for item in {item.result.row_id: item for item in batch}.values():
            result = item.result
            if result.row_id not in owned:
                continue  # our lease ran out and another worker owns the message now
            sent_at, recipient, task_id, send_method, current = owned[result.row_id]
            task_ids.add(task_id)
            first_attempt = sent_at or item.started_at
            if current in REPORTED_STATUSES:
                # A bounce or complaint came back before this result was written: the
                # relay took the message, whatever this attempt heard. The report's status
                # stays and the message counts as delivered in its hour, as a recount says.
                status, next_at, final = current, now, "delivered"
            else:
                status, next_at = _status_after(result, item.attempts, first_attempt, policy, now)
                final = FINAL_STAT.get(status, "")
                if result.outcome is Outcome.REJECTED and result.hard:
                    hard.append((recipient, result.row_id))
            deltas.count(first_attempt, task_id, send_method, sent_at is None, final)
            if result.stage is Stage.COMPOSE:
                # Failed or deferred before any transport saw it: its unit goes back.
                never_sent.append((result.row_id, item.attempts))
            if item.headers is not None:
                text = item.headers.decode("ascii", "replace").replace("\r\n", "\n")
                composed_at = item.composed_at or item.started_at
                headers.append((result.row_id, text, composed_at))
            updates.append(
                (
                    status,
                    next_at,
                    first_attempt,
                    result.finished_at if result.outcome is Outcome.DELIVERED else None,
                    result.reply_code,
                    result.reply_text[:500],
                    None,  # lease_owner
                    None,  # lease_expires_at
                    result.row_id,
                )
            )
        update_rows(connection, message_table, RESULT_COLUMNS, updates)
        _store_headers(connection, headers)
        upsert_stats(connection, deltas)
        _suppress(connection, hard, now)
        refund_claims(connection, never_sent)
        finish_tasks(connection, task_ids, now)
        _queue_webhooks(connection, updates, now)
    return {u[-1] for u in updates}


def _queue_webhooks(connection: Connection, updates: list[tuple[Any, ...]], now: datetime) -> None:
    """Each applied result's webhook (delivered, deferred, rejected), in the batch's
    transaction; a few dictionary lookups when no endpoint subscribes."""
    if not any(subscribers(connection, event) for event in RESULT_EVENTS):
        return
    news: dict[str, list[MessageNews]] = {}
    for status, next_at, _, _, reply_code, reply, *_, row_id in updates:
        event = EVENT_OF_STATUS.get(status)
        if event is None:
            continue
        data: dict[str, object] = {"reply_code": reply_code, "reply": reply, "source": "relay"}
        if status == MessageStatus.DEFERRED.value:
            data["next_attempt_at"] = next_at.isoformat()
        news.setdefault(event, []).append(MessageNews(row_id, data))
    for event, items in news.items():
        write_message_events(connection, event, items, now)


def _status_after(
    result: SendResult,
    attempts: int,
    first_attempt: datetime,
    policy: RetryPolicy,
    now: datetime,
) -> tuple[str, datetime]:
    if result.outcome is Outcome.DELIVERED:
        return MessageStatus.DELIVERED.value, now
    if result.outcome is Outcome.REJECTED:
        return MessageStatus.REJECTED.value, now
    if result.outcome is Outcome.FAILED:
        return MessageStatus.FAILED.value, now
    retry_at = policy.next_attempt(attempts, first_attempt, now)
    if retry_at is None:
        return MessageStatus.FAILED.value, now
    return MessageStatus.DEFERRED.value, retry_at


def finish_tasks(connection: Connection, task_ids: set[int], now: datetime) -> None:
    """Move sending tasks with no unfinished message to completed or partly_failed."""
    if not task_ids:
        return
    m, t = message_table, task_table
    # One indexed probe per task (LIMIT 1), not a scan of a big task's remaining rows.
    busy = {
        task_id
        for task_id in task_ids
        if connection.execute(
            select(m.c.id).where(m.c.task_id == task_id, m.c.status.in_(UNFINISHED)).limit(1)
        ).first()
        is not None
    }
    done = task_ids - busy
    if not done:
        return
    with_failures = {
        row.task_id
        for row in connection.execute(
            select(m.c.task_id)
            .where(m.c.task_id.in_(done), m.c.status != MessageStatus.DELIVERED.value)
            .distinct()
        )
    }
    for status, ids in (
        (TaskStatus.PARTLY_FAILED.value, done & with_failures),
        (TaskStatus.COMPLETED.value, done - with_failures),
    ):
        if ids:
            connection.execute(
                update(t)
                .where(t.c.id.in_(ids), t.c.status == TaskStatus.SENDING.value)
                .values(status=status, finished_at=now)
            )


def _take_write_lock(connection: Connection) -> None:
    """SQLite: start the write transaction now (an UPDATE that matches nothing still takes
    the lock), so the rows read next cannot change before this transaction writes them.
    PostgreSQL locks the rows it reads with FOR UPDATE instead."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            update(task_table).where(task_table.c.id == -1).values(name=task_table.c.name)
        )


def release(store: Store, worker: str, row_ids: Sequence[int], now: datetime) -> None:
    """Give back messages claimed but never handed to a transport (a stopping worker),
    and the units their claim charged."""
    if not row_ids:
        return
    m = message_table
    held = (m.c.id.in_(list(row_ids)), m.c.lease_owner == worker)
    with store.writing() as connection:
        _take_write_lock(connection)
        reported = select(m.c.id, m.c.sent_at, m.c.task_id, m.c.send_method).where(
            *held, m.c.status.in_(REPORTED_STATUSES)
        )
        if connection.dialect.name == "postgresql":
            reported = reported.with_for_update()
        settled = connection.execute(reported).all()
        released = connection.execute(
            update(m)
            .where(*held, m.c.status.in_(LEASED_STATUSES))
            .values(
                status=case(
                    # A reported message is never queued again: the relay took it once.
                    (m.c.status.in_(REPORTED_STATUSES), m.c.status),
                    (m.c.sent_at.is_(None), MessageStatus.PENDING.value),
                    else_=MessageStatus.DEFERRED.value,
                ),
                attempts=m.c.attempts - 1,
                lease_owner=None,
                lease_expires_at=None,
            )
            .returning(m.c.id, m.c.attempts)
        ).all()
        # Never handed to a transport: the claim that charged a unit gives it back.
        refund_claims(connection, [(row.id, row.attempts + 1) for row in released])
        if settled:
            # It waited in To send since an earlier attempt; the report says delivered.
            deltas = Deltas(task_dimensions(connection, (row.task_id for row in settled)))
            for row in settled:
                if row.sent_at is not None:
                    deltas.move(row.sent_at, row.task_id, row.send_method, "to_send", "delivered")
            upsert_stats(connection, deltas)
            finish_tasks(connection, {row.task_id for row in settled}, now)


def reclaim_expired(store: Store, now: datetime, *, limit: int = 1000) -> int:
    """Messages whose worker vanished mid-send: record an "unknown" attempt (it may have
    been delivered) and queue them again at once, keeping their Message-ID."""
    with store.writing() as connection:
        take_write_lock(connection)
        rows = expired_leases(connection, now, limit)
        if not rows:
            return 0
        connection.execute(
            insert(attempt_table),
            [
                {
                    "message_id": row.id,
                    "started_at": row.lease_expires_at,
                    "finished_at": now,
                    "stage": Stage.DOT.value,
                    "outcome": Outcome.UNKNOWN.value,
                    "reply_code": None,
                    "enhanced_code": "",
                    "reply_text": f"worker {row.lease_owner} stopped before recording a result",
                    "remote_host": "",
                    "tls": False,
                    "worker": (row.lease_owner or "")[:64],
                }
                for row in rows
            ],
        )
        deltas = Deltas(task_dimensions(connection, (row.task_id for row in rows)))
        for row in rows:
            # A message reported while its worker vanished keeps its report's status and
            # counts as delivered: the relay took it. Every other one is queued again.
            final = "delivered" if row.status in REPORTED_STATUSES else ""
            deltas.count(
                row.sent_at or now, row.task_id, row.send_method, row.sent_at is None, final
            )
        m = message_table
        connection.execute(
            update(m)
            .where(m.c.id == bindparam("row_id"))
            .values(
                status=bindparam("new_status"),
                next_attempt_at=now,
                sent_at=bindparam("sent"),
                lease_owner=None,
                lease_expires_at=None,
            ),
            [
                {
                    "row_id": row.id,
                    "sent": row.sent_at or now,
                    "new_status": row.status
                    if row.status in REPORTED_STATUSES
                    else MessageStatus.DEFERRED.value,
                }
                for row in rows
            ],
        )
        upsert_stats(connection, deltas)
        finish_tasks(
            connection, {row.task_id for row in rows if row.status in REPORTED_STATUSES}, now
        )
    return len(rows)


def settle_report(
    connection: Connection, message_id: int, status: MessageStatus, now: datetime
) -> bool:
    """Move a message to what a report made of it (``bounced`` or ``complained``), in the
    report's transaction, keeping the statistics equal to a recount; False when it stays.

    A report proves the relay took the message, so it counts as delivered in its send hour
    from now on (a deferred, failed or rejected count moves there) and is never queued
    again. A complaint outranks a bounce, never the other way. A message being sent only
    changes status: the engine settles its counts and lease when it writes its result (or
    housekeeping does, when the engine died). A message never attempted stays as it is:
    nothing of it left the machine."""
    m = message_table
    statement = select(m.c.status, m.c.sent_at, m.c.task_id, m.c.send_method).where(
        m.c.id == message_id
    )
    if connection.dialect.name == "postgresql":
        # NO KEY UPDATE: the report's event row already holds KEY SHARE on this message
        # (its foreign key), and so may an engine's attempt row; a FOR UPDATE here would
        # wait on the engine while the engine's FOR UPDATE waits on us.
        statement = statement.with_for_update(key_share=True)  # FOR NO KEY UPDATE
    row = connection.execute(statement).first()
    if row is None or row.status == status.value:
        return False
    if row.status == MessageStatus.COMPLAINED.value and status == MessageStatus.BOUNCED:
        return False
    in_flight = row.status == MessageStatus.SENDING.value
    if row.sent_at is None and not in_flight:
        return False
    changes: dict[str, Any] = {"status": status.value}
    if not in_flight:
        counted = (
            "delivered" if row.status in AFTER_DELIVERY else FINAL_STAT.get(row.status, "to_send")
        )
        deltas = Deltas(task_dimensions(connection, [row.task_id]))
        deltas.move(row.sent_at, row.task_id, row.send_method, counted, "delivered")
        upsert_stats(connection, deltas)
        changes["next_attempt_at"] = now
    connection.execute(update(m).where(m.c.id == message_id).values(**changes))
    if not in_flight:
        finish_tasks(connection, {row.task_id}, now)
    return True


def cancel_unsent(connection: Connection, task_ids: Sequence[int] | None = None) -> int:
    """Cancel the queued (pending or deferred) messages of ``task_ids`` - or of every
    cancelled task when None - and count the ones already attempted as failed, in the
    caller's transaction. Cancelling rows any other way leaves them in ``to_send``."""
    m, t = message_table, task_table
    queued = m.c.status.in_((MessageStatus.PENDING.value, MessageStatus.DEFERRED.value))
    if task_ids is None:
        cancelled = select(t.c.id).where(t.c.status == TaskStatus.CANCELLED.value)
        which = m.c.task_id.in_(cancelled.scalar_subquery())
    else:
        which = m.c.task_id.in_(list(task_ids))
    # UPDATE ... RETURNING: the rows changed and their sent_at, atomically on both stores.
    rows = connection.execute(
        update(m)
        .where(which, queued)
        .values(status=MessageStatus.CANCELLED.value)
        .returning(m.c.sent_at, m.c.task_id, m.c.send_method)
    ).all()
    attempted = [row for row in rows if row.sent_at is not None]
    deltas = Deltas(task_dimensions(connection, (row.task_id for row in attempted)))
    for row in attempted:
        deltas.count(row.sent_at, row.task_id, row.send_method, False, "failed")
    upsert_stats(connection, deltas)
    return len(rows)


def cancel_queued(store: Store) -> int:
    """Housekeeping: queued messages of cancelled tasks become cancelled."""
    with store.writing() as connection:
        return cancel_unsent(connection)
