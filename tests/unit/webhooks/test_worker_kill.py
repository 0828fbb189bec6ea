"""A ``kootui worker`` killed in the middle of a delivery loses nothing: the row stays
leased to the dead engine, falls due when the lease ends, and the next engine delivers it
with the same ``webhook-id``."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.webhooks import (
    WebhookDeliverer,
    create_endpoint,
    new_client,
    write_endpoint_event,
)
from tests.support.smtp_server import free_port
from tests.support.webhook_receiver import Reply, webhook_receiver
from tests.support.webhooks import loopback_context, outbox_rows
from tests.support.worker_process import kill_group, start_worker, wait_until, worker_env


@pytest.mark.slow
def test_a_killed_worker_loses_no_event(context: Context, clock: FixedClock) -> None:
    hooks = loopback_context(context, webhooks__timeout_seconds=30)
    with webhook_receiver() as receiver:
        receiver.reset(Reply(200, delay=20))  # the first POST hangs until the kill
        endpoint = create_endpoint(hooks, receiver.url, ["all"]).endpoint
        with hooks.store.writing() as connection:
            write_endpoint_event(connection, endpoint.id, "test", {"n": 1}, clock.now())
        env = worker_env(
            hooks,
            free_port(),
            webhooks__allow_private="true",
            webhooks__poll_seconds="0.05",
            webhooks__timeout_seconds="30",
        )
        worker = start_worker(env, "--processes", "1")
        try:
            assert wait_until(lambda: len(receiver.received) == 1, timeout=30)
        finally:
            kill_group(worker)
        (row,) = outbox_rows(hooks)
        assert row["status"] == "sending" and row["lease_owner"]
        # The worker leased it on the real clock: the next engine looks after its lease.
        clock.set(max(datetime.now(clock.now().tzinfo), row["next_attempt_at"]))
        clock.advance(timedelta(seconds=1))
        assert row["next_attempt_at"] < clock.now()

        async def deliver_once() -> int:
            async with new_client(hooks.settings) as client:
                return await WebhookDeliverer(hooks, "engine-after").run_once(client)

        assert asyncio.run(deliver_once()) == 1
        first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert outbox_rows(hooks)[0]["status"] == "delivered"
