"""The whole path: a submission is accepted, the engine sends it, and the same engine's
delivery loop POSTs ``accepted`` and ``delivered`` to a real receiver, signed."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

from kootui.core.context import Context
from kootui.core.dispatch import Dispatcher, EngineOptions
from kootui.core.submissions import (
    Pending,
    RecipientInput,
    SubmissionChecker,
    SubmissionReceipt,
    SubmissionRequest,
    commit_batch,
)
from kootui.core.webhooks import create_endpoint
from tests.support.task_seed import seed_sources
from tests.support.webhook_receiver import webhook_receiver
from tests.support.webhooks import loopback_context, outbox_rows, verify


def test_the_engine_delivers_accepted_and_delivered_events(context: Context) -> None:
    hooks = loopback_context(context, webhooks__poll_seconds=0.02)
    ids = seed_sources(hooks)
    with webhook_receiver() as receiver:
        secret = create_endpoint(hooks, receiver.url, ["accepted", "delivered"]).secret
        request = SubmissionRequest(
            "news@mail.example.com", [RecipientInput("ann@example.org")], ids["plain"]
        )
        [receipt] = commit_batch(hooks, [Pending(SubmissionChecker(hooks).prepare(request))])
        assert isinstance(receipt, SubmissionReceipt)
        assert [row["event"] for row in outbox_rows(hooks)] == ["accepted"]

        async def send_until_both_arrive() -> None:
            stop = asyncio.Event()
            options = EngineOptions(poll_interval=0.02, lease=timedelta(seconds=30))
            engine = asyncio.create_task(Dispatcher(hooks, options=options).run(stop))
            deadline = time.monotonic() + 20
            while len(receiver.received) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            stop.set()
            await engine

        asyncio.run(send_until_both_arrive())
    bodies = [json.loads(request.body) for request in receiver.received]
    assert sorted(body["type"] for body in bodies) == ["message.accepted", "message.delivered"]
    assert {body["data"]["recipient"] for body in bodies} == {"ann@example.org"}
    assert {body["data"]["message_id"] for body in bodies} == set(receipt.message_ids)
    assert all(verify(secret, r.headers, r.body) for r in receiver.received)
    assert {row["status"] for row in outbox_rows(hooks)} == {"delivered"}
