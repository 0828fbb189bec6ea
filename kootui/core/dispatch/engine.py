"""The dispatch engine: claim due messages, build them, hand them to a transport, record.

One ``Dispatcher`` runs on one asyncio loop in one process; ``kootui worker`` starts
one per core and any number of them (and TUIs) may share a store, because every
message is claimed with a lease (``dispatch.claim``). The pipeline keeps at most
``sending.in_flight`` messages between claim and record, and writes results in
batches (``dispatch.record``). Stopping stops claiming, lets every message already
handed to the transport finish and be recorded, and gives back the rest.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.dispatch.claim import (
    ClaimedMessage,
    claim_batch,
    release,
    renew_leases,
)
from kootui.core.dispatch.prepare import (
    TaskKit,
    build_message,
    build_submitted,
    load_task_kit,
    submitted_contents,
    suppressed_among,
)
from kootui.core.dispatch.rate import SHARE_EVERY, rate_share
from kootui.core.dispatch.record import (
    Recorded,
    RetryPolicy,
    cancel_queued,
    header_block,
    reclaim_expired,
    record_results,
)
from kootui.core.dispatch.transports import OutgoingMessage, SendResult, Transport, make_transport
from kootui.core.errors import InvalidState, KootuiError, StoreError
from kootui.core.mail import Outcome, Stage, bounded_text
from kootui.core.store import WritersLock

log = logging.getLogger("kootui.dispatch")
T = TypeVar("T")
_BUILD_SLICE = 16  # messages built between two yields to the event loop
# A task's kit (template, sender, DKIM key) is read again after this long, so a key
# rotation or a repaired key file takes effect in a running engine.
_KIT_TTL = 60.0
_PROGRESS_EVERY = 60.0  # seconds between two progress lines in the log


@dataclass(frozen=True)
class EngineOptions:
    batch_size: int = 200
    in_flight: int = 400
    lease: timedelta = timedelta(seconds=120)
    poll_interval: float = 0.5
    flush_interval: float = 0.05
    share_every: float = SHARE_EVERY  # seconds between recounts of the engines sending
    sign: bool = True
    # Store calls on the loop's own thread instead of a worker thread. Right when every
    # core runs an engine process: a store thread then only fights its own loop for the
    # GIL, and held SQLite's write lock (which the other engines queue for) while waiting.
    store_in_loop: bool = False

    @classmethod
    def from_context(cls, context: Context, *, store_in_loop: bool = False) -> EngineOptions:
        sending = context.settings.sending
        return cls(
            batch_size=sending.batch_size,
            in_flight=sending.in_flight,
            lease=timedelta(seconds=sending.lease_seconds),
            store_in_loop=store_in_loop,
        )


def new_worker_id() -> str:
    host = socket.gethostname()[:40]
    return f"{host}:{os.getpid()}:{secrets.token_hex(3)}"


class Dispatcher:
    def __init__(
        self,
        context: Context,
        *,
        transport: Transport | None = None,
        options: EngineOptions | None = None,
        worker_id: str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.context = context
        self.options = options or EngineOptions.from_context(context)
        self.worker_id = worker_id or new_worker_id()
        self.transport = transport or make_transport(
            context.settings, context.clock, tls_context=tls_context
        )
        self.policy = RetryPolicy.from_settings(context.settings)
        self._kits: dict[int, tuple[float, TaskKit | KootuiError]] = {}
        self._held: dict[int, ClaimedMessage] = {}
        self._unsubmitted: set[int] = set()
        self._results: list[Recorded] = []
        # Header block and compose time of each message in flight, stored with its result.
        self._composed: dict[int, tuple[bytes, datetime]] = {}
        self._flush_wanted = asyncio.Event()
        self._room = asyncio.Event()
        self._closing = False
        self._housekeeping_every = max(1.0, self.options.lease.total_seconds() / 4)
        self._last_housekeeping = 0.0
        self._last_progress = time.monotonic()
        self._outcomes: Counter[str] = Counter()
        self.recorded = 0
        self.rate_share = 1  # how many sending engines split sending.rate, this one included

    async def _store(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking store read, on a worker thread unless ``store_in_loop``."""
        if self.options.store_in_loop:
            return call(*args, **kwargs)
        return await asyncio.to_thread(call, *args, **kwargs)

    async def _write(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking store write. With ``store_in_loop`` the writers' turn is waited
        for off the loop (sending and building go on meanwhile), then the write runs on
        the loop holding it."""
        if not self.options.store_in_loop:
            return await asyncio.to_thread(call, *args, **kwargs)
        writers = self.context.store.writers
        turn = writers.take(wait=False)
        if turn is None:
            waiting = asyncio.ensure_future(asyncio.to_thread(writers.take))
            try:
                turn = await asyncio.shield(waiting)
            except asyncio.CancelledError:
                # The thread still gets the turn: give it back as soon as it does.
                waiting.add_done_callback(_release_taken(writers))
                raise
        assert turn is not None
        try:
            with writers.holding():
                return call(*args, **kwargs)
        finally:
            writers.release(turn)

    # -- results ------------------------------------------------------------------

    def _on_result(self, result: SendResult) -> None:
        claimed = self._held.get(result.row_id)
        if claimed is None:
            return
        headers, composed_at = self._composed.pop(result.row_id, (None, None))
        self._results.append(
            Recorded(result, claimed.attempts, claimed.claimed_at, headers, composed_at)
        )
        if len(self._results) >= self.options.batch_size:
            self._flush_wanted.set()

    async def _flush(self) -> None:
        if not self._results:
            return
        batch, self._results = self._results, []
        try:
            await self._write(
                record_results,
                self.context.store,
                self.worker_id,
                batch,
                self.policy,
                self.context.clock.now(),
            )
        except OperationalError as exc:
            # The store is busy or away: keep the results and try again shortly.
            log.warning("could not record %d results yet: %s", len(batch), exc.orig)
            self._results[:0] = batch
            await asyncio.sleep(0.5)
            return
        for item in batch:
            self._held.pop(item.result.row_id, None)
            self._outcomes[item.result.outcome.value] += 1
        self.recorded += len(batch)
        self._room.set()

    async def _flush_loop(self) -> None:
        # Never cancelled mid-write: _shutdown sets _closing and waits for the loop to end.
        while not (self._closing and not self._results):
            try:
                await asyncio.wait_for(self._flush_wanted.wait(), self.options.flush_interval)
            except TimeoutError:
                pass
            self._flush_wanted.clear()
            await self._flush()

    async def _renew_loop(self) -> None:
        every = max(0.2, self.options.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(every)
            held = list(self._held)
            if held:
                expires = self.context.clock.now() + self.options.lease
                try:
                    await self._write(
                        renew_leases, self.context.store, self.worker_id, held, expires
                    )
                except OperationalError as exc:
                    log.warning("could not renew leases: %s", exc.orig)

    async def _share_loop(self) -> None:
        """Keep this engine's part of the workspace rate in step with the others'."""
        set_share = getattr(self.transport, "set_rate_share", None)
        if set_share is None or self.context.settings.sending.rate <= 0:
            return  # the outbox has no rate; 0 means no limit
        while True:
            try:
                share = await self._store(
                    rate_share, self.context.store, self.worker_id, self.context.clock.now()
                )
            except OperationalError as exc:
                log.warning("could not count the engines sending: %s", exc.orig)
            else:
                if share != self.rate_share:
                    rate = self.context.settings.sending.rate / share
                    log.info(
                        "worker %s sending at up to %.1f msgs/s: 1/%d of the workspace rate",
                        self.worker_id,
                        rate,
                        share,
                    )
                    self.rate_share = share
                set_share(share)
            await asyncio.sleep(self.options.share_every)

    # -- building -----------------------------------------------------------------

    async def _kit(self, task_id: int) -> TaskKit | KootuiError:
        cached = self._kits.get(task_id)
        if cached is not None and time.monotonic() - cached[0] < _KIT_TTL:
            return cached[1]
        kit: TaskKit | KootuiError
        try:
            kit = await self._store(load_task_kit, self.context, task_id, sign=self.options.sign)
        except StoreError:
            raise  # the store's fault, not the task's: its messages must not fail for it
        except KootuiError as exc:
            log.error("task %s cannot be sent: %s", task_id, exc)
            kit = exc
        self._kits[task_id] = (time.monotonic(), kit)
        return kit

    def _local_result(self, claimed: ClaimedMessage, error: KootuiError) -> SendResult:
        # A missing key file can be fixed by an operator: defer. A template that does
        # not fit the recipient's parameters will not fit next time either: fail.
        outcome = Outcome.DEFERRED if isinstance(error, InvalidState) else Outcome.FAILED
        return SendResult(
            row_id=claimed.row_id,
            outcome=outcome,
            stage=Stage.COMPOSE,
            reply_code=None,
            enhanced_code="",
            reply_text=bounded_text(f"{error.code}: {error}"),
            remote_host="",
            tls=False,
            hard=False,
            finished_at=self.context.clock.now(),
        )

    async def _prepare_and_submit(self, claimed: list[ClaimedMessage], stop: asyncio.Event) -> None:
        kits = {task_id: await self._kit(task_id) for task_id in {c.task_id for c in claimed}}
        suppressed = await self._store(
            suppressed_among, self.context, [item.recipient for item in claimed]
        )
        submitted_rows = [
            item.row_id
            for item in claimed
            if isinstance(found := kits[item.task_id], TaskKit) and found.submitted
        ]
        contents = (
            await self._store(submitted_contents, self.context, submitted_rows)
            if submitted_rows
            else {}
        )
        for index, item in enumerate(claimed):
            if stop.is_set():
                return  # the rest is released by run()
            if index % _BUILD_SLICE == _BUILD_SLICE - 1:
                await asyncio.sleep(0)
            kit = kits[item.task_id]
            reason = suppressed.get(item.recipient.lower())
            if reason is not None:
                self._unsubmitted.discard(item.row_id)
                self._on_result(
                    self._local_result(
                        item,
                        KootuiError(
                            f"the recipient is suppressed ({reason})", code="recipient.suppressed"
                        ),
                    )
                )
                continue
            if isinstance(kit, KootuiError):
                self._unsubmitted.discard(item.row_id)
                self._on_result(self._local_result(item, kit))
                continue
            message_id, token = item.message_id_header, item.unsubscribe_token
            if not message_id or (kit.needs_token and not token):
                # The claim saw the task otherwise than its cached kit does (changed in
                # between). Never send without a stored Message-ID, nor without the token
                # the unsubscribe link or the tracking needs; the kit is read again and a
                # later claim fixes it.
                self._unsubmitted.discard(item.row_id)
                self._kits.pop(item.task_id, None)
                missing = InvalidState("the message has no identity yet", code="task.changed")
                self._on_result(self._local_result(item, missing))
                continue
            composed_at = self.context.clock.now()
            try:
                if kit.submitted:
                    content = contents.get(item.row_id)
                    if content is None:
                        raise KootuiError(
                            "the submitted message's bytes are missing",
                            code="submission.content_missing",
                        )
                    data = build_submitted(kit, content, message_id, composed_at)
                else:
                    data = build_message(self.context, kit, item, message_id, token, composed_at)
            except KootuiError as exc:
                self._unsubmitted.discard(item.row_id)
                self._on_result(self._local_result(item, exc))
                continue
            self._composed[item.row_id] = (header_block(data), composed_at)
            await self.transport.submit(
                OutgoingMessage(
                    item.row_id,
                    kit.return_path(self.context.settings, item.row_id),
                    item.recipient,
                    data,
                )
            )
            self._unsubmitted.discard(item.row_id)

    # -- the loop -----------------------------------------------------------------

    async def _housekeeping(self) -> None:
        if time.monotonic() - self._last_progress >= _PROGRESS_EVERY and self._outcomes:
            shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self._outcomes.items()))
            log.info("last %.0f s: %s", time.monotonic() - self._last_progress, shown)
            self._outcomes.clear()
            self._last_progress = time.monotonic()
        now = self.context.clock.now()
        reclaimed = await self._write(reclaim_expired, self.context.store, now)
        if reclaimed:
            log.warning("re-queued %d messages whose worker stopped mid-send", reclaimed)
        await self._write(cancel_queued, self.context.store)

    async def run(self, stop: asyncio.Event | None = None, *, until_idle: bool = False) -> None:
        """Send until ``stop`` is set (or, with ``until_idle``, until nothing is due)."""
        stop = stop or asyncio.Event()
        options = self.options
        await self.transport.start(self._on_result)
        flusher = asyncio.create_task(self._flush_loop(), name="dispatch-flush")
        renewer = asyncio.create_task(self._renew_loop(), name="dispatch-renew")
        sharer = asyncio.create_task(self._share_loop(), name="dispatch-rate-share")
        log.info("worker %s sending with the %s transport", self.worker_id, self.transport.name)
        try:
            while not stop.is_set():
                _raise_fault_of(flusher, renewer, sharer)
                try:
                    await self._step(stop, until_idle)
                except _Idle:
                    break
                except OperationalError as exc:
                    # The store is locked or unreachable for a moment: wait, then go on.
                    log.warning("store busy or unavailable: %s", exc.orig)
                    await _wait_any(self._room, stop, max(1.0, options.poll_interval))
        finally:
            sharer.cancel()
            await asyncio.gather(sharer, return_exceptions=True)
            await self._shutdown(flusher, renewer)

    async def _step(self, stop: asyncio.Event, until_idle: bool) -> None:
        """One turn of the loop: housekeeping when due, then claim and hand over a batch."""
        options = self.options
        if time.monotonic() - self._last_housekeeping >= self._housekeeping_every:
            await self._housekeeping()
            self._last_housekeeping = time.monotonic()
        room = options.in_flight - len(self._held)
        if room < min(options.batch_size, max(1, options.in_flight // 2)):
            self._room.clear()
            await _wait_any(self._room, stop, options.poll_interval)
            return
        claimed = await self._write(
            claim_batch,
            self.context.store,
            self.worker_id,
            self.context.clock.now(),
            limit=min(options.batch_size, room),
            lease=options.lease,
        )
        if not claimed:
            if until_idle and not self._held:
                raise _Idle
            await _wait_any(self._room, stop, options.poll_interval)
            self._room.clear()
            return
        for item in claimed:
            self._held[item.row_id] = item
            self._unsubmitted.add(item.row_id)
        try:
            await self._prepare_and_submit(claimed, stop)
        except OperationalError:
            await self._give_back()
            raise

    async def _give_back(self) -> None:
        """Release what was claimed but not handed over; if even that fails, the leases
        run out and another turn of housekeeping re-queues the messages."""
        unsent = sorted(self._unsubmitted)
        self._unsubmitted.clear()
        for row_id in unsent:
            self._held.pop(row_id, None)
            self._composed.pop(row_id, None)
        if unsent:
            try:
                await self._write(release, self.context.store, self.worker_id, unsent)
            except OperationalError as exc:
                log.warning("could not release %d messages: %s", len(unsent), exc.orig)

    async def _shutdown(self, flusher: asyncio.Task[None], renewer: asyncio.Task[None]) -> None:
        await self._give_back()
        await self.transport.close()  # every submitted message finishes and reports
        self._closing = True
        self._flush_wanted.set()
        await flusher
        renewer.cancel()
        await asyncio.gather(renewer, return_exceptions=True)
        log.info("worker %s stopped after recording %d results", self.worker_id, self.recorded)


def _raise_fault_of(*loops: asyncio.Task[None]) -> None:
    """A helper loop that ended with an error (a StoreError: the faults that pass are
    OperationalErrors the loops wait out) stops the engine with it, instead of leaving
    results unrecorded and ``until_idle`` waiting for them for ever."""
    for loop in loops:
        if loop.done() and not loop.cancelled() and (error := loop.exception()) is not None:
            raise error


class _Idle(Exception):
    """Nothing is due and nothing is in flight (``run(until_idle=True)`` ends)."""


async def _wait_any(event: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _release_taken(writers: WritersLock) -> Callable[[asyncio.Future[int | None]], None]:
    def release(waiting: asyncio.Future[int | None]) -> None:
        if not waiting.cancelled() and waiting.exception() is None:
            turn = waiting.result()
            if turn is not None:
                writers.release(turn)

    return release


@requires(Act.ENGINE_RUN)
def run_until_idle(
    context: Context,
    *,
    transport: Transport | None = None,
    options: EngineOptions | None = None,
    worker_id: str | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Dispatcher:
    """Send every message that is due now and return when none is left (tests, scripts)."""
    dispatcher = Dispatcher(
        context,
        transport=transport,
        options=options,
        worker_id=worker_id,
        tls_context=tls_context,
    )
    asyncio.run(dispatcher.run(until_idle=True))
    return dispatcher
