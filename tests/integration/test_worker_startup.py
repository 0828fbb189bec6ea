"""A stop that reaches ``kootui worker`` while it starts is a graceful stop: exit 0,
nothing sent, every message still pending (a supervisor may stop a worker at any time)."""

from __future__ import annotations

import os
import signal

from kootui.core.clock import SystemClock
from kootui.core.context import Context
from tests.support.dispatch_seed import seed_sender, seed_task
from tests.support.smtp_server import RecordingServer
from tests.support.worker_process import (
    count_status,
    read_stderr_until,
    start_worker,
    stop_worker,
    worker_env,
)

RECIPIENTS = 20


def _queued(context: Context) -> Context:
    real_time = Context(store=context.store, settings=context.settings, clock=SystemClock())
    seed_task(real_time, seed_sender(real_time, with_key=False), RECIPIENTS)
    return real_time


def test_a_stop_sent_as_the_worker_is_spawned_exits_zero_having_sent_nothing(
    context: Context,
) -> None:
    context = _queued(context)
    with RecordingServer() as server:
        env = worker_env(context, server.port)
        # The signal is sent before the interpreter has run a line; it is held (blocked)
        # until the worker listens, so this is the earliest stop it can ever see.
        for signum, processes in [
            (signal.SIGTERM, "2"),
            (signal.SIGTERM, "1"),
            (signal.SIGINT, "2"),
        ]:
            worker = start_worker(env, "--processes", processes, hold_stop_signals=True)
            os.kill(worker.pid, signum)
            code, stderr = stop_worker(worker)
            assert code == 0, stderr
            assert "stopped before starting" in stderr
        assert server.received == []
    assert count_status(context, "pending") == RECIPIENTS


def test_a_stop_while_the_engine_processes_start_reaches_them_and_exits_zero(
    context: Context,
) -> None:
    context = _queued(context)
    with RecordingServer() as server:
        env = worker_env(context, server.port)
        for _ in range(3):
            worker = start_worker(env, "--processes", "2")
            # The parent logs this just before it spawns its engines: they are starting
            # (importing, opening the store) when the stop is passed on to them.
            started = read_stderr_until(worker, "starting 2 engine process(es)", timeout=60)
            assert "starting 2 engine process(es)" in started, started
            code, rest = stop_worker(worker)
            assert code == 0, started + rest
            assert "ended with an error" not in rest
        # However far they got, whatever was sent was recorded: nothing is left in flight.
        assert count_status(context, "sending") == 0
        delivered = count_status(context, "delivered")
        assert len(server.received) == delivered
    assert count_status(context, "pending") == RECIPIENTS - delivered
