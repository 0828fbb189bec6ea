"""SIGKILL ``kootui worker`` at random points of a 1,000-recipient task, restart it, and
check that every message ends delivered, none is lost, and duplicates stay within
the in-flight window of each kill.

The points are counts of messages, not moments: the relay holds its replies once it has
the round's count, so a killed worker always dies with messages in flight and its
successors always have most of the task left, however fast or slow the machine runs."""

from __future__ import annotations

import random

import pytest

from kootui.core.clock import SystemClock
from kootui.core.context import Context
from kootui.core.dispatch import stats_from_messages
from tests.support.dispatch_seed import (
    messages,
    seed_sender,
    seed_task,
    stat_rows,
    task_status,
)
from tests.support.smtp_server import RecordingServer
from tests.support.worker_process import (
    count_status,
    kill_group,
    start_worker,
    stop_worker,
    wait_until,
    worker_env,
)

RECIPIENTS = 1000
IN_FLIGHT = 60
PROCESSES = 2
KILLS = 3


@pytest.mark.slow  # three kill -9 rounds of real worker processes, about 10 s
def test_killed_workers_lose_nothing_and_duplicate_at_most_their_in_flight_window(
    context: Context,
) -> None:
    context = Context(store=context.store, settings=context.settings, clock=SystemClock())
    address = seed_sender(context)
    task = seed_task(context, address, RECIPIENTS)
    chance = random.Random()
    with RecordingServer() as server:
        env = worker_env(
            context,
            server.port,
            sending__lease_seconds="1.5",
            sending__batch_size="30",
            sending__in_flight=str(IN_FLIGHT),
        )
        for _ in range(KILLS):
            # Kill the whole process group once the relay has a random number more
            # messages, the replies to the last of them held: they are in flight.
            server.hold_replies_from(len(server.received) + chance.randint(1, 150))
            worker = start_worker(env, "--processes", str(PROCESSES))
            try:
                reached = server.wait_holding(timeout=120)
            finally:
                kill_group(worker)
            server.release_replies()
            assert reached, "the worker sent nothing within 120 s"
        worker = start_worker(env, "--processes", str(PROCESSES))
        try:
            finished = wait_until(
                lambda: count_status(context, "delivered") == RECIPIENTS, timeout=180
            )
        finally:
            code, stderr = stop_worker(worker)
        counts = server.counts_by_message_id()
    assert finished, (
        f"{count_status(context, 'delivered')} of {RECIPIENTS} delivered: {stderr[-3000:]}"
    )
    assert code == 0, stderr
    rows = messages(context, task)
    ids = {row.message_id_header for row in rows}
    assert len(ids) == RECIPIENTS
    # None lost: every message reached the server under its own Message-ID ...
    assert ids <= set(counts)
    # ... and nothing reached it that the store does not know about.
    assert set(counts) <= ids
    duplicates = sum(counts.values()) - RECIPIENTS
    assert duplicates <= KILLS * PROCESSES * IN_FLIGHT
    assert task_status(context, task) == "completed"
    with context.store.engine.connect() as connection:
        assert stat_rows(context) == stats_from_messages(connection)
