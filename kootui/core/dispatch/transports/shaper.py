"""Per-destination limits inside the relay: a waiting line per destination, a token
bucket and a cap on sessions for each, and the throttling signals they see.

Every relay connection asks ``next`` for a message: the shaper hands out the first
one, in turn over the destinations that have some waiting, whose destination has a
token and a free session. A message that must wait for its destination waits in that
destination's line only, so messages to other destinations pass it (no head-of-line
blocking); it stays in the engine's window, whose leases the engine keeps renewing.

A limited destination's line holds at most ``HORIZON`` seconds of its rate; a message
beyond that is not taken (``put`` says after how long to offer it again) and the engine
gives it back to the queue until then, so a slow destination never fills the engine's
window either. Unlimited destinations share the relay's own bound (``capacity``).

Limits are workspace-wide and split over the engines sending, like ``sending.rate``:
``apply`` gets the limits read from the store and this engine's share. A ``421``, a
``4.7.x`` or a burst of deferrals halves the destination's rate here at once and is
handed to the engine (``throttles``), which writes it to the store for all engines.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import replace

from kootui.core.dispatch.transports.base import OutgoingMessage, SendResult
from kootui.core.mail import Outcome, Stage
from kootui.core.shaping import (
    BURST_DEFERRALS,
    BURST_SECONDS,
    DECREASE_COOLDOWN,
    MIN_RATE,
    Destination,
    LiveLimits,
    RuleBook,
    Throttle,
    burst_reason,
    throttling_reply,
)

HORIZON = 5.0  # seconds of a limited destination's rate its line may hold
_COOLDOWN = DECREASE_COOLDOWN.total_seconds()
_NOT_SESSION = (Stage.MAIL, Stage.RCPT, Stage.DATA, Stage.DOT)


class Gate:
    """One destination's line, bucket and sessions in use, in this engine."""

    __slots__ = (
        "active",
        "deferrals",
        "destination",
        "listed",
        "max_active",
        "quiet_until",
        "rate",
        "sent",
        "tokens",
        "updated",
        "waiting",
        "window_start",
    )

    def __init__(self, destination: Destination, rate: float, max_active: int) -> None:
        self.destination = destination
        self.waiting: deque[OutgoingMessage] = deque()
        self.listed = False
        self.active = 0
        self.rate = rate  # this engine's part, messages a second; 0: none
        self.max_active = max_active  # 0: none
        self.tokens = 1.0
        self.updated = time.monotonic()
        self.deferrals: deque[float] = deque()
        self.quiet_until = 0.0
        self.sent = 0  # handed out since window_start, for the rate it was taking
        self.window_start = self.updated

    @property
    def limited(self) -> bool:
        return self.rate > 0 or self.max_active > 0

    def set_limits(self, rate: float, max_active: int) -> None:
        now = time.monotonic()
        self._refill(now)
        self.rate, self.max_active = rate, max_active
        self.tokens = min(self.tokens, max(1.0, rate))

    def _refill(self, now: float) -> None:
        if self.rate > 0:
            self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """0 when a message may go now, else how long until one may (inf: a session)."""
        if self.max_active and self.active >= self.max_active:
            return math.inf
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> OutgoingMessage:
        if self.rate > 0:
            self.tokens -= 1
        self.active += 1
        self.sent += 1
        return self.waiting.popleft()

    def backlog_limit(self, most: int) -> int:
        """How many may wait here: ``HORIZON`` seconds of its rate, at most ``most``."""
        if self.rate > 0:
            return max(2, min(most, math.ceil(self.rate * HORIZON)))
        return max(2, min(most, self.max_active * 4))

    def taking(self, now: float) -> float:
        """The rate this engine was sending to it lately (messages a second)."""
        elapsed = max(1.0, now - self.window_start)
        return self.sent / elapsed


def _idle(gate: Gate, now: float) -> bool:
    """Nothing waits or is sent, and nothing it saw still counts (a burst, a cooldown)."""
    recent = bool(gate.deferrals) and gate.deferrals[-1] >= now - BURST_SECONDS
    return not (gate.waiting or gate.active or gate.listed or recent) and now >= gate.quiet_until


class Shaper:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity  # unlimited messages waiting before ``put`` waits
        # A limited line holds at most a quarter of the engine's window, so one slow
        # destination leaves the window room to claim messages for the others.
        self.most_waiting = 100
        self.limits = LiveLimits(0.0)
        self.share = 1
        self._gates: dict[str, Gate] = {}
        self._runnable: deque[Gate] = deque()
        self._open_waiting = 0  # waiting in unlimited lines
        self._waiting = 0
        self._changed = asyncio.Event()  # something waits, a session ended, limits moved
        self._space = asyncio.Event()
        self._space.set()
        self._throttles: list[Throttle] = []
        self.closing = False

    # -- limits -----------------------------------------------------------------------

    def set_window(self, in_flight: int) -> None:
        """The engine's window (``sending.in_flight``): a limited line holds a quarter."""
        self.most_waiting = max(2, in_flight // 4)

    def apply(self, limits: LiveLimits, share: int) -> None:
        """Follow the limits read from the store, split ``share`` ways."""
        rebook = limits.book.rules != self.limits.book.rules
        if not rebook:
            # The same rules: keep the book, whose destinations the gates were made for.
            limits = replace(limits, book=self.limits.book)
        self.limits, self.share = limits, max(1, share)
        if rebook:
            self._rebook()
        now = time.monotonic()
        for key, gate in list(self._gates.items()):
            if _idle(gate, now):
                del self._gates[key]  # one gate per domain ever seen would only grow
                continue
            was_limited = gate.limited
            rate, active = self._local_limits(gate.destination)
            gate.set_limits(rate, active)
            if was_limited != gate.limited:
                self._open_waiting += len(gate.waiting) if was_limited else -len(gate.waiting)
        if self._open_waiting < self.capacity:
            self._space.set()
        self._signal()

    def _local_limits(self, destination: Destination) -> tuple[float, int]:
        rate = self.limits.rate_of(destination)
        local_rate = rate / self.share if rate > 0 else 0.0
        cap = destination.max_connections
        local_cap = max(1, cap // self.share) if cap > 0 else 0
        return local_rate, local_cap

    def _rebook(self) -> None:
        """The rules changed: every waiting message goes to its destination's new line."""
        waiting = [item for gate in self._gates.values() for item in gate.waiting]
        old = self._gates
        self._gates = {key: gate for key, gate in old.items() if gate.active}
        for gate in self._gates.values():
            gate.waiting.clear()
            gate.listed = False
        self._runnable.clear()
        self._open_waiting = self._waiting = 0
        for item in waiting:
            self._queue(self._gate(item.recipient), item)

    def _gate(self, recipient: str) -> Gate:
        destination = self.limits.book.destination_of(recipient)
        gate = self._gates.get(destination.key)
        if gate is None or gate.destination != destination:
            # New, or its rule changed: a session still open under the old gate ends
            # there, so the cap may be passed by that one for a moment.
            rate, active = self._local_limits(destination)
            self._gates[destination.key] = gate = Gate(destination, rate, active)
        return gate

    def _signal(self) -> None:
        self._changed.set()

    # -- in ---------------------------------------------------------------------------

    def _queue(self, gate: Gate, item: OutgoingMessage) -> None:
        gate.waiting.append(item)
        self._waiting += 1
        if not gate.limited:
            self._open_waiting += 1
            if self._open_waiting >= self.capacity:
                self._space.clear()
        if not gate.listed:
            gate.listed = True
            self._runnable.append(gate)
        self._signal()

    async def put(self, item: OutgoingMessage) -> float | None:
        """Take a message, waiting while the unlimited lines are full; or, when its
        destination's line is full, leave it and say after how many seconds to offer it
        again."""
        gate = self._gate(item.recipient)
        if gate.limited:
            if len(gate.waiting) >= gate.backlog_limit(self.most_waiting):
                ahead = len(gate.waiting) + 1
                return ahead / gate.rate if gate.rate > 0 else HORIZON
        else:
            while self._open_waiting >= self.capacity:
                self._space.clear()
                await self._space.wait()
            gate = self._gate(item.recipient)  # the limits may have moved meanwhile
        self._queue(gate, item)
        return None

    # -- out --------------------------------------------------------------------------

    def _hand_out(self, gate: Gate) -> OutgoingMessage:
        item = gate.take()
        self._waiting -= 1
        if not gate.limited:
            self._open_waiting -= 1
            if self._open_waiting < self.capacity:
                self._space.set()
        return item

    def take_now(self) -> tuple[OutgoingMessage, Gate] | None:
        """A message that may go at once, or None (the relay's pipelined follow-up)."""
        now = time.monotonic()
        for _ in range(len(self._runnable)):
            gate = self._runnable[0]
            if gate.waiting and gate.wait_time(now) == 0:
                item = self._hand_out(gate)
                self._runnable.rotate(-1)
                if not gate.waiting:
                    self._unlist(gate)
                return item, gate
            self._runnable.rotate(-1)
        return None

    def _unlist(self, gate: Gate) -> None:
        gate.listed = False
        try:
            self._runnable.remove(gate)
        except ValueError:
            pass

    async def next(self) -> tuple[OutgoingMessage, Gate] | None:
        """The next message that may go, waiting for one; None once closing and empty."""
        while True:
            now = time.monotonic()
            soonest = math.inf
            for _ in range(len(self._runnable)):
                gate = self._runnable.popleft()
                if not gate.waiting:
                    gate.listed = False
                    continue
                wait = gate.wait_time(now)
                if wait == 0:
                    item = self._hand_out(gate)
                    if gate.waiting:
                        self._runnable.append(gate)
                    else:
                        gate.listed = False
                    return item, gate
                self._runnable.append(gate)
                soonest = min(soonest, wait)
            if self.closing and not self._waiting:
                return None
            self._changed.clear()
            try:
                await asyncio.wait_for(
                    self._changed.wait(), None if soonest == math.inf else soonest
                )
            except TimeoutError:
                pass

    def withdraw(self) -> list[OutgoingMessage]:
        """Take back every message waiting for a limited destination (a stopping engine
        gives them back to the queue rather than wait for their turn)."""
        taken: list[OutgoingMessage] = []
        for gate in self._gates.values():
            if gate.limited and gate.waiting:
                taken.extend(gate.waiting)
                self._waiting -= len(gate.waiting)
                gate.waiting.clear()
        return taken

    def close(self) -> None:
        self.closing = True
        self._signal()

    # -- results ----------------------------------------------------------------------

    def done(self, gate: Gate, result: SendResult) -> None:
        """A message handed out has its result: its session is free; learn from it."""
        gate.active -= 1
        if result.outcome is Outcome.DEFERRED and result.stage in _NOT_SESSION:
            self._observe_deferral(gate, result)
        if gate.waiting or gate.max_active:
            self._signal()

    def _observe_deferral(self, gate: Gate, result: SendResult) -> None:
        now = time.monotonic()
        reason = throttling_reply(
            result.stage, result.reply_code, result.enhanced_code, result.reply_text
        )
        if reason is None and result.reply_code is not None:
            gate.deferrals.append(now)
            while gate.deferrals and gate.deferrals[0] < now - BURST_SECONDS:
                gate.deferrals.popleft()
            if len(gate.deferrals) >= BURST_DEFERRALS:
                reason = burst_reason(len(gate.deferrals))
                gate.deferrals.clear()
        if reason is not None and now >= gate.quiet_until:
            self._throttle(gate, reason, now)

    def _throttle(self, gate: Gate, reason: str, now: float) -> None:
        gate.quiet_until = now + _COOLDOWN
        local = gate.rate if gate.rate > 0 else max(MIN_RATE, gate.taking(now))
        destination = gate.destination
        workspace_rate = local * self.share
        ceiling = destination.rate if destination.rate > 0 else workspace_rate
        self._throttles.append(
            Throttle(destination.key, destination.label, reason, workspace_rate, ceiling)
        )
        was_limited = gate.limited
        gate.set_limits(max(MIN_RATE / self.share, local / 2), gate.max_active)
        if not was_limited:
            self._open_waiting -= len(gate.waiting)
            if self._open_waiting < self.capacity:
                self._space.set()
        gate.window_start, gate.sent = now, 0

    def throttles(self) -> list[Throttle]:
        """The throttling seen since the last call, for the store."""
        seen, self._throttles = self._throttles, []
        return seen

    @property
    def book(self) -> RuleBook:
        return self.limits.book
