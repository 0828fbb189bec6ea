"""A bounce or complaint that lands while the engine still holds the message's result.

The relay's 250 and the DSN race: a relay may bounce within milliseconds, before the
engine's batch of results is written. Whatever the order, the message stays bounced or
complained, the engine's bookkeeping (attempt, lease, first attempt) is still written, and
the statistics equal a recount from the message rows and their events. Each interleaving
is played step by step on one store (SQLite and PostgreSQL), so none depends on timing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kootui.core.bounces import InboundReport, ReportKind, record_report
from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import (
    ClaimedMessage,
    Recorded,
    RetryPolicy,
    SendResult,
    claim_batch,
    reclaim_expired,
    record_results,
    release,
    stats_from_messages,
)
from kootui.core.mail import Outcome, Stage
from kootui.core.store import Message
from tests.support.dispatch_seed import messages, seed_sender, seed_task, stat_rows

LEASE = timedelta(seconds=60)
REPORTS = {
    "bounced": InboundReport(ReportKind.HARD_BOUNCE, status="5.1.1", text="user unknown"),
    "complained": InboundReport(ReportKind.COMPLAINT, text="abuse report"),
}


def _result(context: Context, claimed: ClaimedMessage, outcome: Outcome) -> Recorded:
    code = {Outcome.DELIVERED: 250, Outcome.REJECTED: 550}.get(outcome)
    sent = SendResult(
        row_id=claimed.row_id,
        outcome=outcome,
        stage=Stage.DOT,
        reply_code=code,
        enhanced_code="",
        reply_text=f"{code or ''} from the relay",
        remote_host="relay.test",
        tls=False,
        hard=outcome is Outcome.REJECTED,
        finished_at=context.clock.now(),
    )
    return Recorded(sent, claimed.attempts, claimed.claimed_at)


def _one_claimed(context: Context) -> ClaimedMessage:
    seed_task(context, seed_sender(context, with_key=False), ["ann@example.org"])
    (claimed,) = claim_batch(context.store, "w", context.clock.now(), limit=5, lease=LEASE)
    return claimed


def _record(context: Context, *results: Recorded) -> set[int]:
    policy = RetryPolicy.from_settings(context.settings)
    return record_results(context.store, "w", results, policy, context.clock.now())


def _only_message(context: Context) -> Message:
    (row,) = messages(context)
    return row


def _assert_statistics_match_a_recount(context: Context) -> None:
    with context.store.engine.connect() as connection:
        assert stat_rows(context) == stats_from_messages(connection)


@pytest.mark.parametrize("status", ["bounced", "complained"])
@pytest.mark.parametrize("outcome", [Outcome.DELIVERED, Outcome.UNKNOWN, Outcome.REJECTED])
def test_a_report_before_the_engine_records_its_result_keeps_the_report(
    any_context: Context, clock: FixedClock, status: str, outcome: Outcome
) -> None:
    context = any_context
    claimed = _one_claimed(context)
    assert record_report(context, claimed.row_id, REPORTS[status]).first_time
    assert _record(context, _result(context, claimed, outcome)) == {claimed.row_id}
    row = _only_message(context)
    assert (row.status, row.lease_owner, row.lease_expires_at) == (status, None, None)
    assert row.sent_at == claimed.claimed_at  # the first attempt is still counted
    # The relay's reply is the message's last reply, as for every delivered message.
    assert row.last_reply.endswith("from the relay")
    _assert_statistics_match_a_recount(context)
    with context.store.engine.connect() as connection:
        (figures,) = stats_from_messages(connection).values()
    assert (figures["sent"], figures["delivered"], figures["to_send"], figures[status]) == (
        1,
        1,
        0,
        1,
    )
    # A report proves the relay took the message: it is never queued again.
    clock.advance(timedelta(days=1))
    assert claim_batch(context.store, "w", clock.now(), limit=5, lease=LEASE) == []


def test_a_report_during_a_retry_keeps_the_report_and_the_counts(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    first = _one_claimed(context)
    _record(context, _result(context, first, Outcome.UNKNOWN))  # the reply to "." was lost
    clock.advance(timedelta(hours=2))
    (again,) = claim_batch(context.store, "w", clock.now(), limit=5, lease=LEASE)
    record_report(context, again.row_id, REPORTS["bounced"])
    _record(context, _result(context, again, Outcome.DELIVERED))
    row = _only_message(context)
    assert (row.status, row.sent_at, row.attempts) == ("bounced", first.claimed_at, 2)
    _assert_statistics_match_a_recount(context)


@pytest.mark.parametrize("between", [Outcome.UNKNOWN, Outcome.REJECTED, Outcome.FAILED])
def test_a_report_between_attempts_settles_the_message_and_its_counts(
    any_context: Context, clock: FixedClock, between: Outcome
) -> None:
    context = any_context
    claimed = _one_claimed(context)
    _record(context, _result(context, claimed, between))
    record_report(context, claimed.row_id, REPORTS["bounced"])
    assert _only_message(context).status == "bounced"
    _assert_statistics_match_a_recount(context)
    clock.advance(timedelta(days=1))
    assert claim_batch(context.store, "w", clock.now(), limit=5, lease=LEASE) == []


def test_a_report_for_a_message_never_attempted_leaves_its_status(any_context: Context) -> None:
    context = any_context
    seed_task(context, seed_sender(context, with_key=False), ["ann@example.org"])
    row = _only_message(context)
    outcome = record_report(context, row.id, REPORTS["bounced"])
    assert (outcome.first_time, outcome.suppressed) == (True, "ann@example.org")
    assert _only_message(context).status == "pending"
    _assert_statistics_match_a_recount(context)


def test_a_worker_that_dies_after_the_report_is_settled_by_housekeeping(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    claimed = _one_claimed(context)
    record_report(context, claimed.row_id, REPORTS["complained"])
    clock.advance(LEASE + timedelta(seconds=1))
    assert reclaim_expired(context.store, clock.now()) == 1
    row = _only_message(context)
    # Housekeeping dates a vanished first attempt when it finds it, as for every message.
    assert (row.status, row.lease_owner, row.sent_at) == ("complained", None, clock.now())
    _assert_statistics_match_a_recount(context)
    assert claim_batch(context.store, "w", clock.now(), limit=5, lease=LEASE) == []
    # The dead worker's late result changes nothing more.
    assert _record(context, _result(context, claimed, Outcome.DELIVERED)) == set()
    _assert_statistics_match_a_recount(context)


def test_a_stopping_worker_gives_back_a_reported_message_without_queueing_it(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    claimed = _one_claimed(context)
    _record(context, _result(context, claimed, Outcome.UNKNOWN))
    clock.advance(timedelta(hours=2))
    (again,) = claim_batch(context.store, "w", clock.now(), limit=5, lease=LEASE)
    record_report(context, again.row_id, REPORTS["bounced"])
    release(context.store, "w", [again.row_id], clock.now())
    row = _only_message(context)
    assert (row.status, row.lease_owner, row.attempts) == ("bounced", None, 1)
    _assert_statistics_match_a_recount(context)
