"""Cancelling a task from a face (tasks service) keeps the hourly figures equal to the rows."""

from __future__ import annotations

from datetime import timedelta

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import run_until_idle, stats_from_messages
from kootui.core.tasks import cancel_task, pause_task
from tests.support.dispatch_seed import (
    hourly_stats,
    messages,
    relay_settings,
    seed_sender,
    seed_task,
    stat_rows,
)
from tests.support.smtp_server import RecordingHandler, RecordingServer


def test_cancel_task_moves_deferred_messages_out_of_to_send(
    context: Context, clock: FixedClock
) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["busy@example.org", "ok@example.org"])
    handler = RecordingHandler(rcpt_script={"busy@example.org": ["450 4.2.1 busy"]})
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port)
        run_until_idle(relay)
        assert {r.recipient: r.status for r in messages(context)}["busy@example.org"] == "deferred"
        [before] = hourly_stats(context).values()
        assert before["to_send"] == 1
        pause_task(context, task)
        cancel_task(context, task)
        clock.advance(timedelta(minutes=30))
        run_until_idle(relay)
        assert len(server.received) == 1  # the cancelled message was never retried
    statuses = {row.recipient: row.status for row in messages(context)}
    assert statuses == {"busy@example.org": "cancelled", "ok@example.org": "delivered"}
    with context.store.engine.connect() as connection:
        assert stat_rows(context) == stats_from_messages(connection)
    [hour] = hourly_stats(context).values()
    assert (hour["sent"], hour["delivered"], hour["failed"], hour["to_send"]) == (2, 1, 1, 0)
