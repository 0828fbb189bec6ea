"""Events reach the outbox in the transaction of the change they report, only for events
an enabled endpoint subscribes to: results, bounces, engagement, submissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, select

from kootui.core.bounces import InboundReport, ReportKind, record_report
from kootui.core.context import Context
from kootui.core.dispatch import Recorded, RetryPolicy, SendResult, claim_batch, record_results
from kootui.core.events import OPENED, SOFT_BOUNCED, record_event
from kootui.core.mail import Outcome, Stage
from kootui.core.store import WebhookOutbox
from kootui.core.webhooks import create_endpoint, set_enabled, update_endpoint
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.webhooks import loopback_context, outbox_rows

URL = "http://127.0.0.1:9/hooks"  # never contacted here: only the outbox is read


@pytest.fixture
def hooks(any_context: Context) -> Context:
    return loopback_context(any_context)


def _result(
    row_id: int, outcome: Outcome, code: int, finished: object, hard: bool = False
) -> SendResult:
    return SendResult(
        row_id=row_id,
        outcome=outcome,
        stage=Stage.DOT if outcome is Outcome.DELIVERED else Stage.RCPT,
        reply_code=code,
        enhanced_code="",
        reply_text=f"{code} said the relay",
        remote_host="relay",
        tls=False,
        hard=hard,
        finished_at=finished,  # type: ignore[arg-type]
    )


def test_results_write_delivered_deferred_and_rejected_for_subscribers(hooks: Context) -> None:
    create_endpoint(hooks, URL, ["delivered", "rejected", "deferred"])
    create_endpoint(hooks, URL, ["delivered"])
    seed_task(hooks, seed_sender(hooks, with_key=False), 3)
    now = hooks.clock.now()
    claimed = claim_batch(hooks.store, "w1", now, limit=10, lease=timedelta(minutes=1))
    outcomes = [(Outcome.DELIVERED, 250), (Outcome.DEFERRED, 451), (Outcome.REJECTED, 550)]
    batch = [
        Recorded(_result(item.row_id, outcome, code, now, hard=code == 550), 1, now)
        for item, (outcome, code) in zip(claimed, outcomes, strict=True)
    ]
    record_results(hooks.store, "w1", batch, RetryPolicy.from_settings(hooks.settings), now)
    rows = outbox_rows(hooks)
    seen = sorted((row["endpoint_id"], row["event"]) for row in rows)
    assert seen == [(1, "deferred"), (1, "delivered"), (1, "rejected"), (2, "delivered")]
    delivered = next(row["body"] for row in rows if row["event"] == "delivered")
    assert delivered["type"] == "message.delivered"
    assert delivered["data"]["recipient"] == "user0@example.org"
    assert delivered["data"]["status"] == "delivered"
    assert delivered["data"]["reply_code"] == 250
    assert delivered["data"]["message_id_header"].startswith("<")
    deferred = next(row["body"] for row in rows if row["event"] == "deferred")
    assert "next_attempt_at" in deferred["data"]
    assert all(row["status"] == "pending" and row["next_attempt_at"] == now for row in rows)


def test_no_endpoint_no_disabled_endpoint_and_unsubscribed_events_write_nothing(
    hooks: Context,
) -> None:
    seed_task(hooks, seed_sender(hooks, with_key=False), 2)
    first, second = (row.id or 0 for row in messages(hooks))
    with hooks.store.session() as session:
        record_event(session.connection(), first, OPENED, hooks.clock.now())
    endpoint = create_endpoint(hooks, URL, ["clicked"]).endpoint
    with hooks.store.session() as session:
        record_event(session.connection(), first, OPENED, hooks.clock.now())
    update_endpoint(hooks, endpoint.id, events=["opened"])
    set_enabled(hooks, endpoint.id, False)
    with hooks.store.session() as session:
        record_event(session.connection(), second, OPENED, hooks.clock.now())
    assert outbox_rows(hooks) == []
    set_enabled(hooks, endpoint.id, True)
    with hooks.store.session() as session:
        record_event(session.connection(), second, OPENED, hooks.clock.now())
        record_event(session.connection(), second, OPENED, hooks.clock.now())
    opens = outbox_rows(hooks)
    # Every open is sent; none is the message's first (that one came while disabled).
    assert [row["body"]["data"]["first"] for row in opens] == [False, False]


def test_a_rolled_back_change_leaves_no_outbox_row(hooks: Context) -> None:
    create_endpoint(hooks, URL, ["all"])
    seed_task(hooks, seed_sender(hooks, with_key=False), 1)
    (row,) = messages(hooks)
    with pytest.raises(RuntimeError), hooks.store.session() as session:
        record_event(session.connection(), row.id or 0, OPENED, hooks.clock.now())
        assert len(outbox_rows_in(session.connection())) == 1  # written, not yet committed
        raise RuntimeError("the change fails after the event was written")
    assert outbox_rows(hooks) == []


def outbox_rows_in(connection: Connection) -> list[object]:
    return list(connection.execute(select(WebhookOutbox.__table__.c.id)).all())


def test_bounces_complaints_and_soft_bounces_reach_their_subscribers(hooks: Context) -> None:
    create_endpoint(hooks, URL, ["bounced", "complained", "deferred"])
    seed_task(hooks, seed_sender(hooks, with_key=False), 2)
    first, second = (row.id or 0 for row in messages(hooks))
    record_report(hooks, first, InboundReport(ReportKind.HARD_BOUNCE, "5.1.1", "user unknown"))
    record_report(hooks, second, InboundReport(ReportKind.COMPLAINT, text="abuse"))
    with hooks.store.session() as session:
        record_event(session.connection(), second, SOFT_BOUNCED, hooks.clock.now(), detail="4.2.2")
    events = [(row["event"], row["message_id"]) for row in outbox_rows(hooks)]
    assert events == [("bounced", first), ("complained", second), ("deferred", second)]
    soft = outbox_rows(hooks)[-1]["body"]["data"]
    assert (soft["source"], soft["detail"]) == ("bounce", "4.2.2")
