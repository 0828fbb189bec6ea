"""sending.rate is one limit for the workspace: engines sharing a store split it."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import update

from kootui.core.context import Context
from kootui.core.dispatch import Dispatcher, EngineOptions, rate_share, sending_engines
from kootui.core.store import Message
from tests.support.dispatch_seed import (
    messages,
    relay_settings,
    seed_sender,
    seed_task,
)
from tests.support.smtp_server import RecordingServer


def _lease(context: Context, row_ids: list[int], owner: str, expires_in: timedelta) -> None:
    expires = context.clock.now() + expires_in
    with context.store.session() as session:
        session.execute(
            update(Message)
            .where(Message.id.in_(row_ids))  # type: ignore[union-attr]
            .values(status="sending", lease_owner=owner, lease_expires_at=expires)
        )


def test_the_share_counts_engines_with_live_leases_and_this_one(any_context: Context) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 6)
    rows = [row.id for row in messages(context, task)]
    _lease(context, rows[0:2], "host-a:1", timedelta(minutes=2))
    _lease(context, rows[2:4], "host-b:2", timedelta(minutes=2))
    _lease(context, rows[4:5], "host-c:3", timedelta(minutes=-1))  # a dead worker's lease
    now = context.clock.now()
    assert sending_engines(context.store, now) == {"host-a:1", "host-b:2"}
    assert rate_share(context.store, "host-a:1", now) == 2
    assert rate_share(context.store, "idle-here", now) == 3


def test_a_lone_engine_has_the_whole_rate(context: Context) -> None:
    assert rate_share(context.store, "only-me", context.clock.now()) == 1


def test_two_engines_on_one_store_each_take_half_the_rate(
    context: Context, caplog: pytest.LogCaptureFixture
) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 160)
    options = EngineOptions(batch_size=10, in_flight=20, poll_interval=0.05, share_every=0.1)
    caplog.set_level(logging.INFO, logger="kootui")
    with RecordingServer() as server:
        relay = relay_settings(context, server.port, sending__rate=80)
        engines = [Dispatcher(relay, options=options, worker_id=f"engine-{i}") for i in range(2)]

        async def both() -> None:
            await asyncio.gather(*(engine.run(until_idle=True) for engine in engines))

        asyncio.run(both())
    assert [row.status for row in messages(context, task)] == ["delivered"] * 160
    # Each engine saw the other sending and halved its part of the 80 msgs/s.
    for engine in engines:  # (a share may flicker back to 1/1 between two batches)
        assert f"worker {engine.worker_id} sending at up to 40.0 msgs/s: 1/2" in caplog.text
    assert all(engine.recorded > 0 for engine in engines)
