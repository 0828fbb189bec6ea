"""The intake: submissions that arrive together are stored in one transaction.

A durable accept means the caller hears "accepted" only after its rows are committed
(SQLite WAL with ``synchronous=FULL`` syncs the log on every commit; PostgreSQL likewise).
One commit per request caps SQLite at a few hundred a second, so the ``Intake`` queues
submissions and one committer stores them together: it takes what is waiting (at most
``max_batch``), waits up to ``max_wait`` seconds for more when there was only a little,
commits on a worker thread, and only then resolves each caller's future. While one batch
commits the next one gathers, so under load batches grow by themselves and an idle server
adds at most ``max_wait`` to an answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, text, update

from kootui.core.access import Act, requires
from kootui.core.apikeys import LimitDemand, take_daily_room
from kootui.core.context import Context
from kootui.core.dispatch import wake_engines
from kootui.core.errors import KootuiError, StoreError
from kootui.core.mail import new_token
from kootui.core.store import Message, MessageStatus, SubmittedMime, Suppression, Task
from kootui.core.submissions.channels import open_channel, recheck
from kootui.core.submissions.idempotency import (
    IdempotencyClaim,
    StoredAnswer,
    lock_claims,
    replay,
    store_answers,
    stored_answers,
)
from kootui.core.submissions.request import PreparedSubmission
from kootui.core.tasks import insert_messages
from kootui.core.webhooks import MessageNews, write_message_events

log = logging.getLogger("kootui.submissions")

ACCEPTED = 202
MAX_BATCH = 500
MAX_WAIT_SECONDS = 0.002
_message = Message.__table__
_suppression = Suppression.__table__
_task = Task.__table__
_submitted_mime = SubmittedMime.__table__


@dataclass(frozen=True)
class AcceptedRecipient:
    recipient: str
    message_id: int | None  # None: not sent, it is on the suppression list
    suppressed: str = ""  # the suppression reason


@dataclass(frozen=True)
class SubmissionReceipt:
    """What was stored: a message per recipient not suppressed, all committed."""

    task_id: int | None
    recipients: tuple[AcceptedRecipient, ...]
    duplicates: int

    @property
    def message_ids(self) -> list[int]:
        return [item.message_id for item in self.recipients if item.message_id is not None]

    def to_json(self) -> str:
        return json.dumps(
            {
                "task_id": self.task_id,
                "duplicates": self.duplicates,
                "recipients": [
                    [item.recipient, item.message_id, item.suppressed] for item in self.recipients
                ],
            }
        )

    @classmethod
    def from_json(cls, body: str) -> SubmissionReceipt:
        data = json.loads(body)
        return cls(
            task_id=data["task_id"],
            duplicates=data["duplicates"],
            recipients=tuple(AcceptedRecipient(*item) for item in data["recipients"]),
        )


@dataclass
class Pending:
    prepared: PreparedSubmission
    claim: IdempotencyClaim | None = None


Outcome = SubmissionReceipt | KootuiError


def _take_write_lock(connection: Connection) -> None:
    # SQLite: write first, so the snapshot this transaction reads is the newest and no
    # other writer can slip in before the ids below are chosen.
    if connection.dialect.name == "sqlite":
        connection.execute(update(_task).where(_task.c.id == -1).values(name=_task.c.name))


def _new_ids(connection: Connection, count: int) -> list[int]:
    """Ids for ``count`` new message rows, known before the insert so each caller hears
    its own: on SQLite (write lock held) after the highest ever given, deleted rows'
    too (``sqlite_sequence``: ids are never reused); on PostgreSQL from the table's
    sequence."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('message', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).all()
        return [int(row[0]) for row in rows]
    highest = max(
        connection.execute(select(func.max(_message.c.id))).scalar() or 0,
        connection.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'message'")).scalar()
        or 0,
    )
    return list(range(int(highest) + 1, int(highest) + 1 + count))


def _suppressed(connection: Connection, items: Sequence[Pending]) -> dict[str, str]:
    wanted = {address.lower() for item in items for address, _ in item.prepared.rows}
    if not wanted:
        return {}
    rows = connection.execute(
        select(_suppression.c.address, _suppression.c.reason).where(
            _suppression.c.address.in_(sorted(wanted))
        )
    ).all()
    return {row.address: row.reason for row in rows}


@requires(Act.MESSAGE_SEND)
def commit_batch(
    context: Context, items: Sequence[Pending], channels: dict[str, int] | None = None
) -> list[Outcome]:
    """Store every submission of ``items`` that still passes, in one transaction; each
    gets its receipt or its refusal. ``channels`` (content key -> task id) is the caller's
    memory of channel tasks, updated here."""
    known = channels if channels is not None else {}
    outcomes: list[Outcome | None] = [None] * len(items)
    followers: dict[int, int] = {}  # index -> index of the same key's first request
    now = context.clock.now()
    with context.store.writing() as connection:
        _take_write_lock(connection)
        claims = [item.claim for item in items if item.claim is not None]
        lock_claims(connection, claims)
        answered = stored_answers(connection, claims, now)
        leaders: dict[tuple[int, str], int] = {}
        for index, item in enumerate(items):
            claim = item.claim
            if claim is None:
                continue
            if claim.ident in answered:
                outcomes[index] = _replayed(claim, answered[claim.ident])
            elif claim.ident in leaders:
                followers[index] = leaders[claim.ident]
            else:
                leaders[claim.ident] = index
        live = [i for i in range(len(items)) if outcomes[i] is None and i not in followers]
        refused = recheck(connection, (items[i].prepared.channel for i in live))
        for index in live:
            problem = refused.get(items[index].prepared.channel.key)
            if problem is not None:
                outcomes[index] = problem
        live = [i for i in live if outcomes[i] is None]
        suppressed = _suppressed(connection, [items[i] for i in live])
        sendables = {
            index: sum(
                1 for address, _ in items[index].prepared.rows if address.lower() not in suppressed
            )
            for index in live
        }
        live = _within_daily_limits(connection, items, live, sendables, outcomes, now)
        wanted: dict[str, int] = {}
        for index in live:
            prepared = items[index].prepared
            sendable = sendables[index]
            if sendable:
                wanted[prepared.channel.key] = wanted.get(prepared.channel.key, 0) + sendable
        task_ids: dict[str, int] = {}
        for index in live:
            spec = items[index].prepared.channel
            if spec.key in wanted and spec.key not in task_ids:
                task_ids[spec.key] = open_channel(
                    connection, spec, wanted[spec.key], now, known.get(spec.key)
                )
        ids = iter(_new_ids(connection, sum(wanted.values())))
        rows: list[dict[str, Any]] = []
        raw_rows: list[dict[str, Any]] = []
        answers: list[tuple[IdempotencyClaim, int, str]] = []
        for index in live:
            item = items[index]
            first_row = len(rows)
            receipt = _rows_for(item.prepared, task_ids, suppressed, ids, rows, now)
            if item.prepared.raw is not None:
                raw_rows.extend(
                    {"message_id": row["id"], "content": item.prepared.raw}
                    for row in rows[first_row:]
                )
            outcomes[index] = receipt
            if item.claim is not None:
                answers.append((item.claim, ACCEPTED, receipt.to_json()))
        insert_messages(connection, rows)
        write_message_events(connection, "accepted", [MessageNews(row["id"]) for row in rows], now)
        if raw_rows:  # after the message rows their foreign key names
            connection.execute(_submitted_mime.insert(), raw_rows)
        store_answers(connection, answers, now)
    known.update(task_ids)
    for index, leader in followers.items():
        first = outcomes[leader]
        claim = items[index].claim
        leader_claim = items[leader].claim
        if isinstance(first, SubmissionReceipt) and claim is not None and leader_claim is not None:
            stored = StoredAnswer(ACCEPTED, first.to_json(), leader_claim.request_hash)
            outcomes[index] = _replayed(claim, stored)
        else:  # the first was refused, so nothing is stored under the key: refuse alike
            outcomes[index] = first
    return [outcome if outcome is not None else StoreError("not stored") for outcome in outcomes]


def _within_daily_limits(
    connection: Connection,
    items: Sequence[Pending],
    live: list[int],
    sendables: dict[int, int],
    outcomes: list[Outcome | None],
    now: datetime,
) -> list[int]:
    """The live submissions that fit their users' and credentials' daily limits, counted
    here with the rows; the others get their refusal (``limit.*_daily``, HTTP 429)."""
    counted = [i for i in live if sendables[i] and items[i].prepared.limits]
    if not counted:
        return live
    demands = [LimitDemand(items[i].prepared.limits, sendables[i]) for i in counted]
    refused: set[int] = set()
    for index, refusal in zip(counted, take_daily_room(connection, demands, now), strict=True):
        if refusal is not None:
            outcomes[index] = refusal
            refused.add(index)
    return [i for i in live if i not in refused]


def _replayed(claim: IdempotencyClaim, answer: StoredAnswer) -> Outcome:
    try:
        return SubmissionReceipt.from_json(replay(claim, answer).body)
    except KootuiError as exc:
        return exc


def _rows_for(
    prepared: PreparedSubmission,
    task_ids: dict[str, int],
    suppressed: dict[str, str],
    ids: Any,
    rows: list[dict[str, Any]],
    now: datetime,
) -> SubmissionReceipt:
    task_id = task_ids.get(prepared.channel.key)
    with_token = prepared.channel.support_unsubscribe
    accepted: list[AcceptedRecipient] = []
    for address, params in prepared.rows:
        reason = suppressed.get(address.lower())
        if reason is not None or task_id is None:
            accepted.append(AcceptedRecipient(address, None, reason or "suppressed"))
            continue
        row_id = next(ids)
        accepted.append(AcceptedRecipient(address, row_id))
        rows.append(
            {
                "id": row_id,
                "task_id": task_id,
                "recipient": address,
                "params": params,
                "status": MessageStatus.PENDING.value,
                "send_method": prepared.send_method,
                "message_id_header": prepared.message_id_header,
                "unsubscribe_token": new_token() if with_token else "",
                "attempts": 0,
                "next_attempt_at": prepared.next_attempt_at,
                "created_at": now,
                "last_reply": "",
            }
        )
    return SubmissionReceipt(task_id, tuple(accepted), prepared.duplicates)


class Intake:
    """Group commit for one process's submissions (see the module's docstring)."""

    def __init__(
        self,
        context: Context,
        *,
        max_batch: int = MAX_BATCH,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.context = context
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: asyncio.Queue[tuple[Pending, asyncio.Future[SubmissionReceipt]] | None]
        self._queue = asyncio.Queue()
        self._channels: dict[str, int] = {}
        self._committer: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0  # commits made, for tests and the bench
        self.largest_batch = 0

    def start(self) -> None:
        if self._committer is None:
            self._committer = asyncio.get_running_loop().create_task(self._run())

    async def submit(
        self, prepared: PreparedSubmission, claim: IdempotencyClaim | None = None
    ) -> SubmissionReceipt:
        """The receipt once the submission is committed; its refusal raised otherwise."""
        if self._closing:
            raise StoreError("the server is stopping; send again", code="intake.closing")
        self.start()
        future: asyncio.Future[SubmissionReceipt] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((Pending(prepared, claim), future))
        return await future

    async def close(self) -> None:
        """Take no more; commit everything already queued, then stop the committer."""
        self._closing = True
        if self._committer is not None:
            self._queue.put_nowait(None)
            await self._committer
            self._committer = None

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            stopping = self._drain(batch)
            if not stopping and len(batch) < self.max_batch and self.max_wait > 0:
                await asyncio.sleep(self.max_wait)
                stopping = self._drain(batch)
            await self._commit(batch)
        # A submit that raced close() found the queue after the marker: refuse it.
        while not self._queue.empty():
            leftover = self._queue.get_nowait()
            if leftover is not None and not leftover[1].done():
                leftover[1].set_exception(StoreError("the server is stopping; send again"))

    def _drain(self, batch: list[tuple[Pending, asyncio.Future[SubmissionReceipt]]]) -> bool:
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    async def _commit(self, batch: list[tuple[Pending, asyncio.Future[SubmissionReceipt]]]) -> None:
        pending = [item for item, _ in batch]
        try:
            outcomes = await asyncio.to_thread(commit_batch, self.context, pending, self._channels)
        except Exception as exc:  # the whole transaction failed: every caller hears it
            log.warning("a batch of %d submissions was not stored: %s", len(batch), exc)
            self._channels.clear()
            problem = (
                exc
                if isinstance(exc, KootuiError)
                else StoreError(
                    "the messages could not be stored; nothing was accepted, send again",
                    code="intake.not_stored",
                )
            )
            for _, future in batch:
                if not future.done():
                    future.set_exception(problem)
            return
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(batch))
        if any(
            isinstance(outcome, SubmissionReceipt) and outcome.message_ids for outcome in outcomes
        ):
            # Idle engines claim now instead of at their next poll (up to 0.5 s later).
            wake_engines(self.context.store, self.context.settings)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the caller went away; its rows are stored all the same
                continue
            if isinstance(outcome, KootuiError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
