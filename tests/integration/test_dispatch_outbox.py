"""The default transport (no relay): a Maildir of real messages; scheduling, pause, cancel."""

from __future__ import annotations

import asyncio
import mailbox
import threading
from datetime import timedelta

import dkim
from sqlalchemy import update

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import Dispatcher, EngineOptions, run_until_idle, stats_from_messages
from kootui.core.store import Message, Task, Template
from tests.support.dispatch_seed import (
    dns_for,
    hourly_stats,
    messages,
    seed_sender,
    seed_task,
    stat_rows,
    task_status,
)


def _set_task_status(context: Context, task_id: int, status: str) -> None:
    with context.store.engine.begin() as connection:
        connection.execute(
            update(Task.__table__).where(Task.__table__.c.id == task_id).values(status=status)
        )  # type: ignore[attr-defined]


def test_without_a_relay_messages_land_in_a_maildir_that_mailbox_opens(context: Context) -> None:
    address = seed_sender(context)
    task = seed_task(
        context,
        address,
        ["ann@example.org", "bob@example.org"],
        support_unsubscribe=True,
        attachments=[("notes.txt", "text/plain", b"line one\nline two\n")],
    )
    tracked = Context(
        store=context.store,
        settings=context.settings.with_values(sending__tracking_host="t.example.com"),
        clock=context.clock,
    )
    run_until_idle(tracked)
    box = mailbox.Maildir(context.settings.paths.outbox_dir, factory=None, create=False)
    stored = list(box)
    assert len(stored) == 2
    by_recipient = {str(m["To"]): m for m in stored}
    ann = by_recipient["ann@example.org"]
    assert ann["Subject"] == "Hello Reader 0"
    assert ann["List-Unsubscribe"].startswith("<https://t.example.com/u/")
    assert ann["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    rows = {row.recipient: row for row in messages(context, task)}
    assert (
        ann["List-Unsubscribe"]
        == f"<https://t.example.com/u/{rows['ann@example.org'].unsubscribe_token}>"
    )
    assert ann["Message-ID"] == rows["ann@example.org"].message_id_header
    assert {row.status for row in rows.values()} == {"delivered"}
    for key in box.keys():
        assert dkim.verify(box.get_bytes(key), dnsfunc=dns_for(context))
    mode = (context.settings.paths.outbox_dir / "new").stat().st_mode & 0o777
    assert mode == 0o700
    assert task_status(context, task) == "completed"


def test_a_scheduled_task_waits_for_its_time(context: Context, clock: FixedClock) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 3, scheduled_at=clock.now() + timedelta(hours=2))
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"pending"}
    assert task_status(context, task) == "scheduled"
    clock.advance(timedelta(hours=2))
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"delivered"}
    assert task_status(context, task) == "completed"


def test_a_paused_task_sends_nothing_until_resumed(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 4)
    _set_task_status(context, task, "paused")
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"pending"}
    assert task_status(context, task) == "paused"
    _set_task_status(context, task, "sending")
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"delivered"}
    assert task_status(context, task) == "completed"


def test_a_cancelled_task_sends_nothing_and_its_queue_is_cancelled(
    context: Context, clock: FixedClock
) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 3)
    other = seed_task(context, address, 2)
    _set_task_status(context, task, "cancelled")
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"cancelled"}
    assert {row.status for row in messages(context, other)} == {"delivered"}
    assert task_status(context, task) == "cancelled"
    assert sum(hour["sent"] for hour in hourly_stats(context).values()) == 2


def test_a_missing_parameter_fails_that_message_only(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"], params={"name": "Ann"})
    run_until_idle(context)
    [row] = messages(context, task)
    assert row.status == "failed"
    assert "code" in row.last_reply
    assert task_status(context, task) == "partly_failed"


def test_the_engine_thread_sends_in_the_background_and_stops_cleanly(context: Context) -> None:
    import time

    from kootui.core.dispatch import EngineThread

    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 5)
    engine = EngineThread(context)
    engine.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and task_status(context, task) != "completed":
            time.sleep(0.05)
    finally:
        assert engine.stop(timeout=20)
    assert not engine.running
    assert engine.error is None
    assert {row.status for row in messages(context, task)} == {"delivered"}
    assert len(list(mailbox.Maildir(context.settings.paths.outbox_dir, create=False))) == 5


def test_a_recipient_suppressed_after_queueing_is_not_sent_to(context: Context) -> None:
    from kootui.core.store import Suppression

    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["Gone@Example.org", "stay@example.org"])
    with context.store.session() as session:
        session.add(
            Suppression(
                address="gone@example.org", reason="unsubscribed", created_at=context.clock.now()
            )
        )
    run_until_idle(context)
    rows = {row.recipient: row for row in messages(context, task)}
    assert rows["Gone@Example.org"].status == "failed"
    assert "unsubscribed" in rows["Gone@Example.org"].last_reply
    assert rows["stay@example.org"].status == "delivered"
    stored = list(mailbox.Maildir(context.settings.paths.outbox_dir, create=False))
    assert [str(m["To"]) for m in stored] == ["stay@example.org"]


def test_an_unsubscribe_template_without_a_tracking_host_is_deferred_not_sent_bare(
    context: Context,
) -> None:
    """The link the template promises cannot be made: nothing goes out without it, and the
    operator sees which setting to fill."""
    context.settings = context.settings.with_values(sending__tracking_host="")
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"], support_unsubscribe=True)
    run_until_idle(context)
    [row] = messages(context, task)
    assert row.status == "deferred"
    assert "sending.tracking_host" in row.last_reply
    assert not list(mailbox.Maildir(context.settings.paths.outbox_dir, create=True))


def test_an_engine_on_its_loop_waits_out_another_writers_turn_and_sends_everything(
    context: Context,
) -> None:
    # Another engine process holds the writers' turn for a while: this engine (store
    # calls on its loop, as in a multi-process worker) waits for it off the loop and
    # then sends every message, nothing lost or sent twice.
    task = seed_task(context, seed_sender(context), 30)
    writers = context.store.writers
    turn = writers.take(wait=False)
    assert turn is not None
    threading.Timer(0.4, writers.release, args=(turn,)).start()
    options = EngineOptions(batch_size=10, in_flight=20, poll_interval=0.05, store_in_loop=True)
    run_until_idle(context, options=options)
    rows = messages(context, task)
    assert {row.status for row in rows} == {"delivered"}
    box = mailbox.Maildir(context.settings.paths.outbox_dir, factory=None, create=False)
    assert sorted(str(m["To"]) for m in box) == sorted(row.recipient for row in rows)
    with context.store.engine.connect() as connection:
        assert stat_rows(context) == stats_from_messages(connection)


def test_a_message_without_the_token_its_cached_template_promises_is_deferred_not_sent_bare(
    context: Context, clock: FixedClock
) -> None:
    # The engine caches a task's template for a while; if the claim (which reads the
    # template afresh) and the cache disagree, the message waits for the cache.
    tracked = Context(
        store=context.store,
        settings=context.settings.with_values(sending__tracking_host="t.example.com"),
        clock=clock,
    )
    task = seed_task(context, seed_sender(context), ["a@example.org", "b@example.org"],
                     support_unsubscribe=True)  # fmt: skip
    table = Message.__table__  # type: ignore[attr-defined]
    later = clock.now() + timedelta(hours=1)
    with context.store.engine.begin() as connection:
        connection.execute(
            update(table).where(table.c.recipient == "b@example.org").values(next_attempt_at=later)
        )
    dispatcher = Dispatcher(tracked, options=EngineOptions(poll_interval=0.01))
    asyncio.run(dispatcher.run(until_idle=True))  # sends a, caches the task's kit
    with context.store.engine.begin() as connection:
        connection.execute(update(Template.__table__).values(support_unsubscribe=False))  # type: ignore[attr-defined]
        connection.execute(
            update(table)
            .where(table.c.recipient == "b@example.org")
            .values(next_attempt_at=clock.now(), unsubscribe_token="")
        )
    again = Dispatcher(tracked, options=EngineOptions(poll_interval=0.01))
    again._kits = dispatcher._kits  # the same engine's cache, still fresh
    asyncio.run(again.run(until_idle=True))
    rows = {row.recipient: row for row in messages(context, task)}
    assert rows["a@example.org"].status == "delivered"
    assert rows["b@example.org"].status == "deferred"
    assert "identity" in rows["b@example.org"].last_reply
    box = mailbox.Maildir(context.settings.paths.outbox_dir, factory=None, create=False)
    assert [str(m["To"]) for m in box] == ["a@example.org"]
