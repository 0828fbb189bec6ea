"""A whole message submitted over SMTP: the checker's rules, the stored bytes, the send."""

from __future__ import annotations

import dkim
import pytest
from sqlalchemy import select

from kootui.core.context import Context
from kootui.core.dispatch import run_until_idle
from kootui.core.errors import KootuiError
from kootui.core.store import Message, SendMethod, SubmittedMime, Suppression, Task
from kootui.core.submissions import (
    SMTP_SUBJECT,
    Pending,
    RecipientInput,
    SubmissionChecker,
    SubmissionReceipt,
    SubmissionRequest,
    commit_batch,
    prepare_raw,
)
from tests.support.dispatch_seed import dns_for, relay_settings, seed_sender
from tests.support.smtp_server import RecordingHandler, RecordingServer
from tests.support.task_seed import seed_sources

BODY = b"Hello from an application.\r\n"


def _mime(sender: str = "news@example.com", *extra: bytes) -> bytes:
    head = [b"From: App <" + sender.encode() + b">", b"To: ann@example.org", b"Subject: Hi"]
    return b"\r\n".join([*head, *extra]) + b"\r\n\r\n" + BODY


def _commit(context: Context, recipients: list[str], data: bytes) -> SubmissionReceipt:
    prepared = prepare_raw(SubmissionChecker(context), recipients, data)
    [outcome] = commit_batch(context, [Pending(prepared)])
    assert isinstance(outcome, SubmissionReceipt)
    return outcome


def _stored(context: Context) -> dict[int, bytes]:
    with context.store.engine.connect() as connection:
        table = SubmittedMime.__table__
        return {row.message_id: row.content for row in connection.execute(select(table))}


def test_the_message_is_stored_per_recipient_without_bcc_on_an_smtp_channel(
    context: Context,
) -> None:
    seed_sender(context)
    data = _mime("news@example.com", b"Bcc: hidden@example.org,\r\n other@example.org")
    receipt = _commit(context, ["ann@example.org", "hidden@example.org"], data)
    stored = _stored(context)
    assert sorted(stored) == receipt.message_ids and len(stored) == 2
    assert all(b"Bcc" not in content and b"other@" not in content for content in stored.values())
    assert all(content.endswith(BODY) for content in stored.values())
    with context.store.session() as session:
        rows = list(session.exec(select(Message)).scalars())
        task = session.get(Task, receipt.task_id)
        assert task is not None
        assert (task.send_method, task.subject) == (SendMethod.SMTP, SMTP_SUBJECT)
        assert task.name.startswith("SMTP · news@example.com · SMTP: Submitted over SMTP #")
    assert {row.send_method for row in rows} == {SendMethod.SMTP}
    assert {row.message_id_header for row in rows} == {""}  # the claim assigns it


def test_an_api_request_with_the_same_text_never_rides_the_smtp_channel(context: Context) -> None:
    seed_sender(context)
    smtp = _commit(context, ["ann@example.org"], _mime())
    request = SubmissionRequest(
        "news@example.com",
        [RecipientInput("bob@example.org")],
        subject=SMTP_SUBJECT,
        text="Messages submitted over SMTP are sent as the application wrote them.",
    )
    [api] = commit_batch(context, [Pending(SubmissionChecker(context).prepare(request))])
    assert isinstance(api, SubmissionReceipt)
    assert api.task_id != smtp.task_id


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (_mime().replace(b"Subject: Hi\r\n", b"Subject: Hi\n"), "DATA", "smtp.bare_line_ending"),
        (_mime() + b"\r", "DATA", "smtp.bare_line_ending"),
        (_mime("nobody@example.com"), "From", "smtp.unknown_sender"),
        (_mime().replace(b"From: App <news@example.com>\r\n", b""), "From", "smtp.from_missing"),
        (
            _mime().replace(b"App <news@example.com>", b"news@example.com, ann@example.org"),
            "From",
            "smtp.from_many",
        ),
        (_mime("news@example.com", b"Message-ID: <" + b"x" * 300 + b">"), "Message-ID", None),
        (_mime().replace(b"Hello", "Grüß".encode()), "DATA", "smtp.eight_bit_data"),
    ],
    ids=["bare-lf", "bare-cr", "unknown-from", "no-from", "two-froms", "long-message-id", "8-bit"],
)
def test_a_broken_rule_names_its_field(
    context: Context, data: bytes, field: str, code: str | None
) -> None:
    seed_sender(context)
    with pytest.raises(KootuiError) as caught:
        prepare_raw(SubmissionChecker(context), ["ann@example.org"], data)
    assert caught.value.field == field
    assert code is None or caught.value.code == code


def test_an_unverified_from_domain_is_refused_naming_from(context: Context) -> None:
    seed_sources(context)
    with pytest.raises(KootuiError) as caught:
        prepare_raw(SubmissionChecker(context), ["ann@example.org"], _mime("hello@new.example.net"))
    assert caught.value.field == "From"
    assert "not verified" in str(caught.value)


def test_a_suppressed_recipient_gets_no_row_and_no_bytes(context: Context) -> None:
    seed_sender(context)
    with context.store.session() as session:
        session.add(
            Suppression(address="bob@example.org", reason="manual", created_at=context.clock.now())
        )
    receipt = _commit(context, ["ann@example.org", "bob@example.org"], _mime())
    assert [item.message_id is None for item in receipt.recipients] == [False, True]
    assert list(_stored(context)) == receipt.message_ids


def test_the_engine_sends_the_bytes_signed_with_message_id_and_date_added(
    context: Context,
) -> None:
    seed_sender(context)
    first = _commit(context, ["ann@example.org"], _mime())
    own = _commit(context, ["bob@example.org"], _mime("news@example.com", b"Message-ID: <own@app>"))
    with RecordingServer(RecordingHandler()) as server:
        run_until_idle(relay_settings(context, server.port))
        received = sorted(server.received, key=lambda item: item.recipients[0])
    assert [item.recipients for item in received] == [["ann@example.org"], ["bob@example.org"]]
    for item in received:
        assert dkim.verify(item.data, dnsfunc=dns_for(context))
        assert item.data.endswith(BODY)
        parsed = item.parsed()
        assert parsed["Subject"] == "Hi" and parsed["Date"]
    assert received[1].message_id == "<own@app>"
    with context.store.session() as session:
        rows = {row.id: row for row in session.exec(select(Message)).scalars()}
    assert rows[first.message_ids[0]].message_id_header == received[0].message_id
    assert rows[own.message_ids[0]].message_id_header == "<own@app>"
    assert {row.status for row in rows.values()} == {"delivered"}
