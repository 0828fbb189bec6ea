"""A message's detail view after the real engine sent it: attempts and raw headers.

Relay: aiosmtpd on loopback answers 451 first, then accepts; the detail shows both
attempts and the header block of the message that was accepted. Outbox: the stored
block is the one in the Maildir file. Never composed: no headers and a reason.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from datetime import timedelta

from sqlalchemy import update

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.details import message_detail, query_messages
from kootui.core.dispatch import run_until_idle
from kootui.core.store import PageRequest, Task
from tests.support.dispatch_seed import messages, relay_settings, seed_sender, seed_task
from tests.support.smtp_server import RecordingHandler, RecordingServer


def _field(detail: object, label: str) -> str:
    return dict(detail.fields)[label]  # type: ignore[attr-defined]


def _header_lines(block: str, name: str) -> list[str]:
    return [line for line in block.split("\n") if line.lower().startswith(name.lower() + ":")]


def test_a_deferred_then_delivered_message_shows_both_attempts_and_the_headers_sent(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context)
    task = seed_task(context, address, ["slow@example.org"], subject="Hello {{name}}")
    handler = RecordingHandler(data_script={"slow@example.org": ["451 4.3.0 try again later"]})
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port)
        run_until_idle(relay)
        [row] = messages(context, task)
        assert row.id is not None
        deferred = message_detail(context, row.id)
        assert _field(deferred, "Status") == "Deferred"
        assert [(a.outcome, a.reply_code) for a in deferred.attempts] == [("deferred", "451")]
        first_date = _header_lines(deferred.headers, "Date")
        clock.advance(timedelta(minutes=5))
        run_until_idle(relay)
        [accepted] = server.received
    detail = message_detail(context, row.id)
    assert _field(detail, "Status") == "Delivered"
    assert _field(detail, "Recipient") == "***@example.org"
    assert _field(detail, "Subject") == "Hello Reader 0"
    assert _field(detail, "Attempts") == "2"
    assert _field(detail, "Message-ID header") == accepted.message_id
    first, second = detail.attempts
    assert (first.stage, first.outcome, first.reply_code, first.enhanced_code) == (
        "dot",
        "deferred",
        "451",
        "4.3.0",
    )
    assert "try again later" in first.reply_text
    assert (second.outcome, second.reply_code, second.enhanced_code) == (
        "delivered",
        "250",
        "2.0.0",
    )
    assert {first.remote_host, second.remote_host} == {f"127.0.0.1:{server.port}"}
    assert {first.tls, second.tls} == {"no"}
    assert second.started == "2026-11-23 15:35:00"
    assert second.duration_ms is not None and second.duration_ms >= 0
    # The header block of the message the server accepted (the retry re-signed it),
    # with the recipient masked and no body.
    sent = email.message_from_bytes(accepted.data, policy=email.policy.compat32)
    assert _header_lines(detail.headers, "Date") == [f"Date: {sent['Date']}"]
    assert _header_lines(detail.headers, "Date") != first_date
    assert _header_lines(detail.headers, "Message-ID") == [f"Message-ID: {accepted.message_id}"]
    assert _header_lines(detail.headers, "To") == ["To: ***@example.org"]
    assert detail.headers.startswith("DKIM-Signature: v=1; a=rsa-sha256;")
    assert "slow@" not in detail.headers
    assert "Dear Reader" not in detail.headers and "\r" not in detail.headers
    assert detail.headers_reason == ""
    revealed = message_detail(context, row.id, reveal=True)
    assert _header_lines(revealed.headers, "To") == ["To: slow@example.org"]
    assert _field(revealed, "Recipient") == "slow@example.org"
    # The list row and the detail agree on what happened.
    [listed] = query_messages(context, PageRequest(advanced={"task_id": str(task)})).rows
    assert listed["status"] == "Delivered"
    assert listed["received"] == clock.now()


def test_the_outbox_keeps_the_same_headers_as_the_maildir_file(context: Context) -> None:
    address = seed_sender(context)
    task = seed_task(context, address, ["ann@example.org"])
    run_until_idle(context)
    [row] = messages(context, task)
    assert row.id is not None and row.status == "delivered"
    box = mailbox.Maildir(context.settings.paths.outbox_dir, factory=None, create=False)
    [key] = list(box.keys())
    raw = box.get_bytes(key).replace(b"\r\n", b"\n")
    file_headers = raw[: raw.index(b"\n\n")].decode("ascii")
    detail = message_detail(context, row.id, reveal=True)
    assert detail.headers == file_headers
    masked = message_detail(context, row.id)
    assert masked.headers == file_headers.replace("ann@example.org", "***@example.org")
    assert [(a.stage, a.outcome) for a in detail.attempts] == [("outbox", "delivered")]


def test_a_message_never_composed_has_no_headers_and_says_why(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    waiting = seed_task(context, address, ["later@example.org"])
    cancelled = seed_task(context, address, ["gone@example.org"])
    broken = seed_task(context, address, ["broken@example.org"], params={"name": "only a name"})
    with context.store.engine.begin() as connection:
        table = Task.__table__
        connection.execute(
            update(table).where(table.c.id == waiting).values(status="paused")  # type: ignore[attr-defined]
        )
        connection.execute(
            update(table).where(table.c.id == cancelled).values(status="cancelled")  # type: ignore[attr-defined]
        )
    run_until_idle(context)
    pending = message_detail(context, messages(context, waiting)[0].id or 0)
    assert pending.headers == ""
    assert pending.headers_reason.startswith("Not composed yet")
    gone = message_detail(context, messages(context, cancelled)[0].id or 0)
    assert gone.headers == "" and "cancelled" in gone.headers_reason
    failed = message_detail(context, messages(context, broken)[0].id or 0)
    assert _field(failed, "Status") == "Failed"
    assert failed.headers == ""
    assert failed.headers_reason.startswith("Never composed:")
    assert "code" in failed.headers_reason  # the missing parameter, as the engine recorded it
    assert [a.stage for a in failed.attempts] == ["compose"]


def test_a_reply_that_echoes_the_address_is_masked_unless_revealed(any_context: Context) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["Gone@Example.org"])
    reply = "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown"
    handler = RecordingHandler(rcpt_script={"Gone@Example.org": [reply]})
    with RecordingServer(handler) as server:
        run_until_idle(relay_settings(context, server.port))
    [row] = messages(context, task)
    assert row.id is not None and row.status == "rejected"
    detail = message_detail(context, row.id)
    [attempt] = detail.attempts
    assert attempt.reply_code == "550" and "Recipient address rejected" in attempt.reply_text
    shown = [text for _label, text in detail.fields] + [attempt.reply_text, detail.headers_reason]
    assert not [text for text in shown if "gone@" in text.lower()]
    assert "<***@Example.org>" in attempt.reply_text
    revealed = message_detail(context, row.id, reveal=True)
    assert "<gone@example.org>" in revealed.attempts[0].reply_text
    assert ("Recipient", "Gone@Example.org") in revealed.fields
