"""Following the sending limits of the store in a running engine.

Every ``share_every`` seconds the engine counts the engines sending (``rate``), reads
the workspace rate, the destination rules and the slowed destinations
(``shaping.read_limits``) and hands them to its relay, which takes this engine's share
of each. So a limit changed from a console or the CLI is followed within seconds, by
every engine on every host. The same turn writes what the relay saw throttle (a
decrease for all engines) and takes the recovery steps that are due.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from kootui.core.context import Context
from kootui.core.dispatch.rate import rate_share
from kootui.core.dispatch.transports import OutgoingMessage
from kootui.core.shaping import LiveLimits, Throttle, read_limits, recover, slow_down

log = logging.getLogger("kootui.dispatch")
StoreCall = Callable[..., Awaitable[Any]]


@runtime_checkable
class ShapedTransport(Protocol):
    def apply_limits(self, limits: LiveLimits, share: int) -> None: ...

    def throttles(self) -> list[Throttle]: ...

    def withdraw(self) -> list[OutgoingMessage]: ...

    def set_window(self, in_flight: int) -> None: ...


class LimitFollower:
    def __init__(self, context: Context, worker_id: str, transport: ShapedTransport) -> None:
        self.context = context
        self.worker_id = worker_id
        self.transport = transport
        self.limits = LiveLimits(0.0)
        self.share = 1
        self._unwritten: list[Throttle] = []

    async def step(self, read: StoreCall, write: StoreCall) -> None:
        """One turn: write throttles and due recoveries, read the limits, apply them.
        ``read`` and ``write`` run a blocking store call the engine's way."""
        context = self.context
        now = context.clock.now()
        fresh = self.transport.throttles()
        for throttle in fresh:
            log.warning("slowing %s down: %s", throttle.label, throttle.reason)
        # Kept until written: a busy store must not lose a destination's "slow down".
        self._unwritten += fresh
        if self._unwritten:
            await write(slow_down, context.store, self._unwritten, now)
            self._unwritten = []
        if self.limits.slowings:
            ended = await write(recover, context.store, self.limits.recovery_targets(), now)
            if ended:
                log.info("%d destinations are back at their full rate", ended)
        limits: LiveLimits = await read(read_limits, context)
        share: int = await read(rate_share, context.store, self.worker_id, now)
        if limits.workspace_rate > 0 and (
            share != self.share or limits.workspace_rate != self.limits.workspace_rate
        ):
            log.info(
                "worker %s sending at up to %.1f msgs/s: 1/%d of the workspace rate",
                self.worker_id,
                limits.workspace_rate / share,
                share,
            )
        self.limits, self.share = limits, share
        self.transport.apply_limits(limits, share)
