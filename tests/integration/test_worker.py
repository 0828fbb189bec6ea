"""``kootui worker`` as real processes: shared store, no double sends, graceful stop."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from kootui.core.clock import SystemClock
from kootui.core.context import Context
from kootui.core.store import Message, Task
from tests.support.dispatch_seed import messages, seed_sender, seed_task, task_status
from tests.support.smtp_server import RecordingServer
from tests.support.worker_process import (
    count_status,
    read_stderr_until,
    start_worker,
    stop_worker,
    wait_until,
    worker_env,
)


def _make_due(context: Context, task_id: int) -> None:
    now = context.clock.now()
    with context.store.engine.begin() as connection:
        connection.execute(
            update(Message.__table__)  # type: ignore[arg-type]
            .where(Message.__table__.c.task_id == task_id)  # type: ignore[attr-defined]
            .values(next_attempt_at=now)
        )
        connection.execute(
            update(Task.__table__).where(Task.__table__.c.id == task_id).values(scheduled_at=now)  # type: ignore[arg-type, attr-defined]
        )


def _real_time(context: Context) -> Context:
    # Worker processes use the system clock, so the seeded rows must be due by it.
    return Context(store=context.store, settings=context.settings, clock=SystemClock())


def test_two_workers_on_one_store_never_send_a_message_twice(any_context: Context) -> None:
    context = _real_time(any_context)
    address = seed_sender(context, with_key=False)
    # Not due until both workers are up and sending (each says so on stderr), so both
    # share the queue however slowly either starts; then at a bounded rate.
    later = context.clock.now() + timedelta(days=1)
    task = seed_task(context, address, 400, scheduled_at=later)
    with RecordingServer() as server:
        env = worker_env(
            context,
            server.port,
            sending__batch_size="20",
            sending__in_flight="40",
            sending__rate="100",
        )
        workers = [start_worker(env, "--processes", "1") for _ in range(2)]
        try:
            for worker in workers:
                started = read_stderr_until(worker, "sending with the", timeout=60)
                assert "sending with the" in started, started
            _make_due(context, task)
            done = wait_until(lambda: count_status(context, "delivered") == 400, timeout=90)
        finally:
            results = [stop_worker(worker) for worker in workers]
        counts = server.counts_by_message_id()
    assert done, f"only {count_status(context, 'delivered')} of 400 delivered"
    assert [code for code, _ in results] == [0, 0], results
    rows = messages(context, task)
    assert set(counts) == {row.message_id_header for row in rows}
    assert set(counts.values()) == {1}
    # Both workers took part (each claims small batches).
    with context.store.engine.connect() as connection:
        from sqlalchemy import text

        workers_seen = connection.execute(
            text("SELECT COUNT(DISTINCT worker) FROM delivery_attempt")
        ).scalar_one()
    assert workers_seen == 2
    assert task_status(context, task) == "completed"


def test_sigterm_finishes_messages_in_flight_and_exits_zero(context: Context) -> None:
    context = _real_time(context)
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 2000)
    with RecordingServer() as server:
        # A low rate keeps the worker busy long enough to be stopped mid-task.
        env = worker_env(
            context,
            server.port,
            sending__rate="200",
            relay__password="hunter2-secret",
            relay__username="",
        )
        worker = start_worker(env, "--processes", "1")
        started = wait_until(lambda: count_status(context, "delivered") >= 50, timeout=30)
        code, stderr = stop_worker(worker)
        counts = server.counts_by_message_id()
    assert started
    assert code == 0, stderr
    assert count_status(context, "sending") == 0
    delivered = [row for row in messages(context) if row.status == "delivered"]
    assert 50 <= len(delivered) < 2000
    # Everything the server accepted is recorded as delivered, once; nothing half-done.
    assert set(counts) == {row.message_id_header for row in delivered}
    assert set(counts.values()) == {1}
    assert count_status(context, "pending") == 2000 - len(delivered)
    assert "hunter2-secret" not in stderr
    assert "stopped after recording" in stderr


def test_worker_refuses_a_plaintext_relay_to_a_remote_host_before_starting(
    context: Context,
) -> None:
    import subprocess
    import sys

    env = worker_env(context, 25, relay__host="smtp.example.net")
    done = subprocess.run(
        [sys.executable, "-m", "kootui", "worker", "--until-idle"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "relay.tls" in done.stderr and "loopback" in done.stderr
    assert "starting" not in done.stderr
