"""SIGKILL ``kootui worker`` at random points of a 1,000-recipient task, restart it, and
check that every message ends delivered, none is lost, and duplicates stay within
the in-flight window of each kill."""

from __future__ import annotations

import random
import time

from kootui.core.clock import SystemClock
from kootui.core.context import Context
from kootui.core.dispatch import stats_from_messages
from tests.support.dispatch_seed import (
    hourly_stats,
    messages,
    seed_sender,
    seed_task,
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
            sending__rate="250",  # per host; split over the processes
            sending__lease_seconds="1.5",
            sending__batch_size="30",
            sending__in_flight=str(IN_FLIGHT),
        )
        for _ in range(KILLS):
            before = count_status(context, "delivered")
            worker = start_worker(env, "--processes", str(PROCESSES))
            # Let it get going, then kill the whole process group at a random moment.
            wait_until(lambda: count_status(context, "delivered") > before, timeout=20)  # noqa: B023
            time.sleep(chance.uniform(0.05, 0.6))
            kill_group(worker)
        worker = start_worker(env, "--processes", str(PROCESSES))
        try:
            finished = wait_until(
                lambda: count_status(context, "delivered") == RECIPIENTS, timeout=90
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
        assert hourly_stats(context) == stats_from_messages(connection)
