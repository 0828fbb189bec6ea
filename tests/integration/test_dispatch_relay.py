"""The engine against a real aiosmtpd server on loopback: content, DKIM, replies, retries."""

from __future__ import annotations

from datetime import timedelta

import dkim
import pytest
from sqlmodel import select

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import EngineOptions, run_until_idle, stats_from_messages
from kootui.core.store import DeliveryAttempt, Suppression
from tests.support.dispatch_seed import (
    dns_for,
    hourly_stats,
    messages,
    relay_settings,
    seed_sender,
    seed_task,
    stat_rows,
    task_status,
)
from tests.support.smtp_server import RecordingHandler, RecordingServer


def _attempts(context: Context, row_id: int) -> list[DeliveryAttempt]:
    with context.store.session() as session:
        statement = (
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == row_id)
            .order_by(DeliveryAttempt.id)
        )
        return list(session.exec(statement).all())


def _assert_stats_match_rows(context: Context) -> None:
    with context.store.engine.connect() as connection:
        assert stat_rows(context) == stats_from_messages(connection)


@pytest.mark.parametrize(
    ("pipelining", "store_in_loop"), [(False, False), (True, False), (True, True)]
)
def test_delivered_messages_carry_the_rendered_content_and_a_valid_dkim_signature(
    context: Context, pipelining: bool, store_in_loop: bool
) -> None:
    address = seed_sender(context)
    task = seed_task(
        context,
        address,
        ["ann@example.org", "bob@example.org"],
        subject="Grüße, {{name}}",
        attachments=[("Prüfbericht März.pdf", "application/pdf", b"%PDF-1.4 " * 500)],
    )
    with RecordingServer(RecordingHandler(pipelining=pipelining)) as server:
        relay = relay_settings(context, server.port)
        run_until_idle(
            relay, options=EngineOptions.from_context(relay, store_in_loop=store_in_loop)
        )
        received = sorted(server.received, key=lambda r: r.recipients[0])
    assert [r.recipients for r in received] == [["ann@example.org"], ["bob@example.org"]]
    assert all(r.sender == "news@example.com" for r in received)
    first = received[0].parsed()
    assert first["Subject"] == "Grüße, Reader 0"
    assert first["From"].addresses[0].display_name == "Zoë's News"
    assert first["From"].addresses[0].addr_spec == "news@example.com"
    assert first["To"] == "ann@example.org"
    html = first.get_body(("html",))
    assert html is not None and "<b>C00000</b>" in html.get_content()
    text = first.get_body(("plain",))
    assert text is not None and "C00000" in text.get_content()
    [attachment] = list(first.iter_attachments())
    assert attachment.get_filename() == "Prüfbericht März.pdf"
    assert attachment.get_content() == b"%PDF-1.4 " * 500
    for item in received:
        assert dkim.verify(item.data, dnsfunc=dns_for(context))
    rows = messages(context, task)
    assert {row.status for row in rows} == {"delivered"}
    assert {row.message_id_header for row in rows} == {r.message_id for r in received}
    assert all(row.received_at == context.clock.now() for row in rows)
    assert all(row.last_reply_code == 250 for row in rows)
    assert task_status(context, task) == "completed"
    [attempt] = _attempts(context, rows[0].id or 0)
    assert (attempt.outcome, attempt.stage, attempt.reply_code) == ("delivered", "dot", 250)
    assert attempt.enhanced_code == "2.0.0"
    assert attempt.remote_host == f"127.0.0.1:{server.port}"
    assert hourly_stats(context) == {
        context.clock.now().replace(minute=0): {
            "sent": 2,
            "delivered": 2,
            "failed": 0,
            "to_send": 0,
            "rejected": 0,
        }
    }


@pytest.mark.parametrize("pipelining", [False, True])
def test_temporary_replies_defer_then_the_retry_delivers_with_the_same_message_id(
    context: Context, clock: FixedClock, pipelining: bool
) -> None:
    address = seed_sender(context)
    task = seed_task(context, address, ["busy@example.org", "slow@example.org", "ok@example.org"])
    handler = RecordingHandler(
        rcpt_script={"busy@example.org": ["450 4.2.1 mailbox busy"]},
        data_script={"slow@example.org": ["451 4.3.0 try again later", "421 4.4.2 closing"]},
        pipelining=pipelining,
    )
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port)
        run_until_idle(relay)
        first_ids = {row.recipient: row.message_id_header for row in messages(context, task)}
        statuses = {row.recipient: row.status for row in messages(context, task)}
        assert statuses == {
            "busy@example.org": "deferred",
            "slow@example.org": "deferred",
            "ok@example.org": "delivered",
        }
        assert task_status(context, task) == "sending"
        _assert_stats_match_rows(context)
        # Nothing is due before the first retry delay (5 minutes).
        clock.advance(timedelta(minutes=4))
        run_until_idle(relay)
        assert len(server.received) == 1
        clock.advance(timedelta(minutes=1))
        run_until_idle(relay)
        # slow@ got a 421 on its second try: due again 15 minutes later.
        clock.advance(timedelta(minutes=15))
        run_until_idle(relay)
        received = server.counts_by_message_id()
    rows = {row.recipient: row for row in messages(context, task)}
    assert {r: row.status for r, row in rows.items()} == dict.fromkeys(rows, "delivered")
    assert {r: row.message_id_header for r, row in rows.items()} == first_ids
    assert received == {mid: 1 for mid in first_ids.values()}
    slow = _attempts(context, rows["slow@example.org"].id or 0)
    assert [(a.outcome, a.reply_code, a.enhanced_code) for a in slow] == [
        ("deferred", 451, "4.3.0"),
        ("deferred", 421, "4.4.2"),
        ("delivered", 250, "2.0.0"),
    ]
    assert rows["slow@example.org"].attempts == 3
    assert task_status(context, task) == "completed"
    _assert_stats_match_rows(context)


@pytest.mark.parametrize("pipelining", [False, True])
def test_unknown_mailbox_is_rejected_hard_and_suppressed_but_full_mailbox_is_soft(
    context: Context, pipelining: bool
) -> None:
    address = seed_sender(context)
    task = seed_task(context, address, ["ghost@example.org", "full@example.org", "ok@example.org"])
    handler = RecordingHandler(
        rcpt_script={"ghost@example.org": ["550 5.1.1 no such user"]},
        data_script={"full@example.org": ["552 5.2.2 mailbox full"]},
        pipelining=pipelining,
    )
    with RecordingServer(handler) as server:
        run_until_idle(relay_settings(context, server.port))
    rows = {row.recipient: row for row in messages(context, task)}
    assert rows["ghost@example.org"].status == "rejected"
    assert rows["ghost@example.org"].last_reply_code == 550
    assert "no such user" in rows["ghost@example.org"].last_reply
    assert rows["full@example.org"].status == "rejected"
    assert rows["ok@example.org"].status == "delivered"
    with context.store.session() as session:
        suppressed = {
            (s.address, s.reason, s.message_id) for s in session.exec(select(Suppression))
        }
    assert suppressed == {("ghost@example.org", "hard_bounce", rows["ghost@example.org"].id)}
    [attempt] = _attempts(context, rows["ghost@example.org"].id or 0)
    assert (attempt.stage, attempt.enhanced_code) == ("rcpt", "5.1.1")
    assert task_status(context, task) == "partly_failed"
    _assert_stats_match_rows(context)


def test_a_drop_after_the_final_dot_is_unknown_and_resent_with_the_same_message_id(
    context: Context, clock: FixedClock
) -> None:
    address = seed_sender(context)
    task = seed_task(context, address, ["flaky@example.org"])
    handler = RecordingHandler(drop_after_dot={"flaky@example.org": 1})
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port)
        run_until_idle(relay)
        [row] = messages(context, task)
        assert row.status == "deferred"
        [attempt] = _attempts(context, row.id or 0)
        assert (attempt.outcome, attempt.stage) == ("unknown", "dot")
        clock.advance(timedelta(minutes=5))
        run_until_idle(relay)
        counts = server.counts_by_message_id()
    [row] = messages(context, task)
    assert row.status == "delivered"
    # The server did get the first copy: a receiver can drop the duplicate by Message-ID.
    assert counts == {row.message_id_header: 2}


def test_deferred_for_longer_than_the_give_up_time_fails(
    context: Context, clock: FixedClock
) -> None:
    address = seed_sender(context)
    task = seed_task(context, address, ["busy@example.org"])
    handler = RecordingHandler(rcpt_script={"busy@example.org": ["450 4.2.1 busy"] * 100})
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port, retry__give_up_hours=3)
        waits = []
        for _ in range(10):
            run_until_idle(relay)
            [row] = messages(context, task)
            if row.status != "deferred":
                break
            waits.append(row.next_attempt_at - clock.now())
            clock.set(row.next_attempt_at)
    assert waits[:4] == [timedelta(minutes=m) for m in (5, 15, 30, 60)]
    assert row.status == "failed"
    assert task_status(context, task) == "partly_failed"
    _assert_stats_match_rows(context)


def test_cancelling_a_task_with_deferred_messages_keeps_the_statistics_true(
    context: Context, clock: FixedClock
) -> None:
    from sqlalchemy import update

    from kootui.core.dispatch import cancel_unsent
    from kootui.core.store import Task

    address = seed_sender(context, with_key=False)
    first = seed_task(context, address, ["busy@example.org", "ok@example.org"])
    second = seed_task(context, address, ["busy2@example.org"])
    handler = RecordingHandler(
        rcpt_script={"busy@example.org": ["450 4.2.1 busy"], "busy2@example.org": ["450 busy"]}
    )
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port)
        run_until_idle(relay)
        assert {r.recipient: r.status for r in messages(context)}["busy@example.org"] == "deferred"
        # A face cancels through cancel_unsent in its own transaction ...
        with context.store.engine.begin() as connection:
            assert cancel_unsent(connection, [second]) == 1
        # ... or just marks the task cancelled and the engine's housekeeping follows up.
        table = Task.__table__
        with context.store.engine.begin() as connection:
            connection.execute(
                update(table).where(table.c.id == first).values(status="cancelled")  # type: ignore[attr-defined]
            )
        clock.advance(timedelta(minutes=5))
        run_until_idle(relay)
        assert len(server.received) == 1
    statuses = {row.recipient: row.status for row in messages(context)}
    assert statuses == {
        "busy@example.org": "cancelled",
        "ok@example.org": "delivered",
        "busy2@example.org": "cancelled",
    }
    _assert_stats_match_rows(context)
    [hour] = hourly_stats(context).values()
    assert (hour["sent"], hour["delivered"], hour["failed"], hour["to_send"]) == (3, 1, 2, 0)
