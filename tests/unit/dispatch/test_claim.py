"""Claiming, leases and recording on SQLite and PostgreSQL (any_context)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import (
    Recorded,
    RetryPolicy,
    SendResult,
    attempt_table,
    claim_batch,
    reclaim_expired,
    record_results,
    release,
    renew_leases,
    stats_from_messages,
)
from kootui.core.mail import Outcome, Stage
from kootui.core.store import Task
from tests.support.dispatch_seed import (
    messages,
    seed_sender,
    seed_task,
    stat_rows,
    task_status,
)

LEASE = timedelta(seconds=60)


def _policy(context: Context) -> RetryPolicy:
    return RetryPolicy.from_settings(context.settings)


def _delivered(context: Context, row_id: int) -> SendResult:
    return SendResult(
        row_id=row_id,
        outcome=Outcome.DELIVERED,
        stage=Stage.DOT,
        reply_code=250,
        enhanced_code="2.0.0",
        reply_text="2.0.0 ok",
        remote_host="test",
        tls=False,
        hard=False,
        finished_at=context.clock.now(),
    )


def test_concurrent_claims_never_hand_out_a_message_twice(any_context: Context) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 300)
    now = context.clock.now()

    def claim_all(worker: str) -> list[int]:
        got: list[int] = []
        while batch := claim_batch(context.store, worker, now, limit=7, lease=LEASE):
            got.extend(item.row_id for item in batch)
        return got

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(claim_all, ["w1", "w2", "w3", "w4"]))
    every = [row_id for result in results for row_id in result]
    assert len(every) == len(set(every)) == 300
    rows = messages(context)
    assert {row.status for row in rows} == {"sending"}
    assert {row.attempts for row in rows} == {1}
    assert all(row.lease_expires_at == now + LEASE for row in rows)


def test_only_due_messages_of_running_tasks_are_claimed(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    later = seed_task(context, address, 2, scheduled_at=clock.now() + timedelta(minutes=1))
    paused = seed_task(context, address, 2)
    running = seed_task(context, address, 2)
    with context.store.engine.begin() as connection:
        task = Task.__table__
        connection.execute(update(task).where(task.c.id == paused).values(status="paused"))  # type: ignore[attr-defined]
    claimed = claim_batch(context.store, "w", clock.now(), limit=100, lease=LEASE)
    assert {item.task_id for item in claimed} == {running}
    assert task_status(context, running) == "sending"
    assert task_status(context, later) == "scheduled"
    clock.advance(timedelta(minutes=1))
    claimed = claim_batch(context.store, "w", clock.now(), limit=100, lease=LEASE)
    assert {item.task_id for item in claimed} == {later}


def test_an_expired_lease_is_reclaimed_as_unknown_and_claimed_again(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 3)
    first = claim_batch(context.store, "dead", clock.now(), limit=10, lease=LEASE)
    renew_leases(context.store, "dead", [first[0].row_id], clock.now() + 2 * LEASE)
    clock.advance(LEASE + timedelta(seconds=1))
    assert claim_batch(context.store, "live", clock.now(), limit=10, lease=LEASE) == []
    assert reclaim_expired(context.store, clock.now()) == 2  # the renewed one is still held
    again = claim_batch(context.store, "live", clock.now(), limit=10, lease=LEASE)
    assert sorted(item.row_id for item in again) == sorted(i.row_id for i in first[1:])
    assert {item.attempts for item in again} == {2}
    # The dead worker's late result for a reclaimed row is not applied.
    applied = record_results(
        context.store,
        "dead",
        [Recorded(_delivered(context, first[1].row_id), 1, first[1].claimed_at)],
        _policy(context),
        clock.now(),
    )
    assert applied == set()
    applied = record_results(
        context.store,
        "live",
        [
            Recorded(_delivered(context, item.row_id), item.attempts, item.claimed_at)
            for item in again
        ],
        _policy(context),
        clock.now(),
    )
    assert applied == {item.row_id for item in again}
    statuses = {row.id: row.status for row in messages(context, task)}
    assert statuses == {first[0].row_id: "sending", **{i.row_id: "delivered" for i in again}}
    with context.store.engine.connect() as connection:
        assert stat_rows(context) == stats_from_messages(connection)


def test_released_messages_go_back_to_the_queue_untouched(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 2)
    claimed = claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)
    release(context.store, "w", [item.row_id for item in claimed], clock.now())
    rows = messages(context)
    assert {(row.status, row.attempts, row.lease_owner) for row in rows} == {("pending", 0, None)}


def test_retry_delays_follow_the_settings_then_repeat_with_jitter(context: Context) -> None:
    policy = _policy(context)
    first = context.clock.now()
    waits = [policy.next_attempt(n, first, first) for n in range(1, 5)]
    assert [w - first for w in waits if w] == [timedelta(minutes=m) for m in (5, 15, 30, 60)]
    later = {policy.next_attempt(7, first, first) for _ in range(20)}
    assert all(timedelta(minutes=108) <= w - first <= timedelta(minutes=132) for w in later if w)
    assert len(later) > 1
    assert policy.next_attempt(30, first, first + timedelta(days=5)) is None


def test_bad_retry_and_engine_settings_are_refused_naming_the_key(context: Context) -> None:
    import pytest

    from kootui.core.errors import SettingsError

    # The settings refuse them before a policy or an engine could be built from them.
    with pytest.raises(SettingsError) as caught:
        context.settings.with_values(retry__give_up_hours=0)
    assert caught.value.field == "retry.give_up_hours"
    with pytest.raises(SettingsError) as caught:
        context.settings.with_values(sending__lease_seconds=-5)
    assert caught.value.field == "sending.lease_seconds"


def test_a_claim_stores_each_message_identity_in_its_own_transaction(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, domain="news.example.com", with_key=False)
    plain = seed_task(context, address, 2)
    offering = seed_task(context, address, 2, support_unsubscribe=True)
    claimed = claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)
    stored = {row.id: row for row in messages(context)}
    for item in claimed:
        row = stored[item.row_id]
        assert item.message_id_header.endswith("@news.example.com>")
        assert (row.message_id_header, row.unsubscribe_token or "") == (
            item.message_id_header,
            item.unsubscribe_token,
        )
        assert bool(item.unsubscribe_token) == (item.task_id == offering)
    assert {item.task_id for item in claimed} == {plain, offering}
    assert len({item.message_id_header for item in claimed}) == 4
    # A retry carries the identity it was first sent with.
    release(context.store, "w", [item.row_id for item in claimed], clock.now())
    again = claim_batch(context.store, "w2", clock.now(), limit=10, lease=LEASE)
    assert {(i.row_id, i.message_id_header, i.unsubscribe_token) for i in again} == {
        (i.row_id, i.message_id_header, i.unsubscribe_token) for i in claimed
    }


def test_two_results_for_one_row_in_a_batch_keep_both_attempts_and_count_once(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    task = seed_task(context, seed_sender(context, with_key=False), 1)
    [item] = claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)
    deferred = SendResult(
        row_id=item.row_id,
        outcome=Outcome.DEFERRED,
        stage=Stage.RCPT,
        reply_code=451,
        enhanced_code="4.3.0",
        reply_text="4.3.0 try later",
        remote_host="test",
        tls=False,
        hard=False,
        finished_at=clock.now(),
    )
    batch = [
        Recorded(deferred, item.attempts, item.claimed_at),
        Recorded(_delivered(context, item.row_id), item.attempts, item.claimed_at),
    ]
    assert record_results(context.store, "w", batch, _policy(context), clock.now()) == {item.row_id}
    [row] = messages(context, task)
    assert row.status == "delivered"
    with context.store.engine.connect() as connection:
        attempts = connection.execute(
            select(func.count()).where(attempt_table.c.message_id == item.row_id)
        ).scalar_one()
        assert attempts == 2
        assert stat_rows(context) == stats_from_messages(connection)
