"""Bounces and complaints end to end: the engine sends with a VERP return path to a loopback
relay, then reports come back through the real MX listener (aiosmtplib as the sending MTA)
and change statuses, the suppression list and the events."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Callable

import aiosmtplib
import pytest
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from kootui.core.context import Context
from kootui.core.details import message_detail
from kootui.core.dispatch import run_until_idle
from kootui.core.store import Message, MessageEvent, Suppression
from kootui.serve.mx import MxListener, check_mx
from tests.support.api_server import free_port, running_api
from tests.support.bounce_samples import (
    arf_complaint,
    delayed_dsn,
    exchange_legacy_bounce,
    gmail_hard_bounce,
    out_of_office,
    outlook_hard_bounce,
)
from tests.support.dispatch_seed import messages, relay_settings, seed_sender, seed_task
from tests.support.smtp_server import RecordingHandler, RecordingServer

RECIPIENTS = [f"r{n}@example.org" for n in range(7)]


def _sent(context: Context) -> tuple[Context, dict[str, str]]:
    """Send a task of seven messages through a loopback relay with VERP on; the settings
    the MX uses and each recipient's return path as the relay saw it."""
    bounce_context = Context(
        store=context.store,
        settings=context.settings.with_values(
            sending__mx_host="mx.sender.example", mx__listen="127.0.0.1:0"
        ),
        clock=context.clock,
    )
    seed_task(bounce_context, seed_sender(bounce_context), RECIPIENTS)
    with RecordingServer(RecordingHandler()) as server:
        run_until_idle(relay_settings(bounce_context, server.port))
        received = list(server.received)
    return bounce_context, {item.recipients[0]: item.sender for item in received}


def _deliver(context: Context, mails: list[tuple[str, bytes]]) -> list[tuple[int, str]]:
    """Each (return path, report) through a fresh MX listener; the replies to RCPT/DATA."""

    async def run() -> list[tuple[int, str]]:
        listener = MxListener(context, context.settings)
        await listener.start()
        replies: list[tuple[int, str]] = []
        try:
            for rcpt, data in mails:
                client = aiosmtplib.SMTP(hostname="127.0.0.1", port=listener.port, timeout=5)
                await client.connect()
                try:
                    await client.ehlo()
                    await client.mail("")
                    code, text = await client.rcpt(rcpt)
                    if code == 250:
                        code, text = await client.data(data)
                    replies.append((code, text))
                except aiosmtplib.SMTPResponseException as exc:
                    replies.append((exc.code, exc.message))
                finally:
                    await client.quit()
        finally:
            await listener.close()
        return replies

    return asyncio.run(run())


def _events(context: Context) -> list[tuple[int, str, str]]:
    with context.store.session() as session:
        rows = session.exec(
            select(MessageEvent.message_id, MessageEvent.kind, MessageEvent.detail).order_by(
                col(MessageEvent.id)
            )
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def _suppressed(context: Context) -> dict[str, str]:
    table = Suppression.__table__
    with context.store.engine.connect() as connection:
        rows = connection.execute(sa_select(table.c.address, table.c.reason)).all()
    return {row.address: row.reason for row in rows}


def test_reports_through_the_mx_change_statuses_suppress_and_record_events(
    context: Context,
) -> None:
    bounce_context, return_paths = _sent(context)
    rows = {row.recipient: row for row in messages(bounce_context)}
    for recipient, path in return_paths.items():
        local, host = path.split("@")
        assert host == "bounce.example.com"
        assert local.startswith(f"b-{rows[recipient].id}-")
    assert {row.status for row in rows.values()} == {"delivered"}
    mid: Callable[[str], str] = lambda r: rows[r].message_id_header  # noqa: E731
    r0, r1, r2, r3, r4, r5, r6 = RECIPIENTS
    mails = [
        (return_paths[r0], gmail_hard_bounce(return_paths[r0], r0, mid(r0))),
        (return_paths[r1], outlook_hard_bounce(return_paths[r1], r1, mid(r1))),
        (return_paths[r2], delayed_dsn(return_paths[r2], r2, mid(r2))),
        (return_paths[r3], arf_complaint(return_paths[r3], r3, mid(r3))),
        (return_paths[r4], exchange_legacy_bounce(return_paths[r4], r4)),
        (return_paths[r5], out_of_office(return_paths[r5], r5)),
        # A second delay of the same message counts again; a second hard bounce does not.
        (return_paths[r2], delayed_dsn(return_paths[r2], r2, mid(r2))),
        (return_paths[r0], gmail_hard_bounce(return_paths[r0], r0, mid(r0))),
    ]
    replies = _deliver(bounce_context, mails)
    assert [code for code, _text in replies] == [250] * len(mails)
    statuses = {row.recipient: row.status for row in messages(bounce_context)}
    assert statuses == {
        r0: "bounced",
        r1: "bounced",
        r2: "delivered",
        r3: "complained",
        r4: "bounced",
        r5: "delivered",
        r6: "delivered",
    }
    detail = dict(message_detail(bounce_context, rows[r1].id or 0).fields)
    assert detail["Status"] == "Bounced"
    assert "5.1.10 550 5.1.10 RESOLVER.ADR.RecipientNotFound" in detail["Bounced"]
    assert r1 not in detail["Bounced"]  # masked unless revealed
    revealed = dict(message_detail(bounce_context, rows[r3].id or 0, reveal=True).fields)
    assert (revealed["Status"], revealed["Recipient"]) == ("Complained", r3)
    assert "abuse report from SomeGenerator/1.0" in revealed["Complained"]
    delays = message_detail(bounce_context, rows[r2].id or 0).fields
    assert [label for label, _value in delays].count("Soft bounce") == 2
    assert _suppressed(bounce_context) == {
        r0: "hard_bounce",
        r1: "hard_bounce",
        r3: "complaint",
        r4: "hard_bounce",
    }
    kinds = [(message_id, kind) for message_id, kind, _detail in _events(bounce_context)]
    ids = {recipient: row.id for recipient, row in rows.items()}
    assert kinds == [
        (ids[r0], "bounced"),
        (ids[r1], "bounced"),
        (ids[r2], "soft_bounced"),
        (ids[r3], "complained"),
        (ids[r4], "bounced"),
        (ids[r2], "soft_bounced"),
    ]


def test_unknown_forged_and_foreign_addresses_are_refused(context: Context) -> None:
    bounce_context, return_paths = _sent(context)
    good = next(iter(return_paths.values()))
    local, host = good.split("@")
    row_id = int(local.split("-")[1])
    forged = f"b-{row_id}-{'a' * 26}@{host}"
    other_row = f"b-{row_id + 1}-{local.split('-')[2]}@{host}"
    sample = gmail_hard_bounce(good, "x@example.org", "<x@example.com>")
    replies = _deliver(
        bounce_context,
        [(forged, sample), (other_row, sample), (f"postmaster@{host}", sample)],
    )
    assert [code for code, _text in replies] == [550, 550, 550]
    assert "5.1.1" in replies[0][1]
    assert _events(bounce_context) == []
    assert {row.status for row in messages(bounce_context)} == {"delivered"}


def test_a_report_beyond_the_size_limit_is_refused_whole(context: Context) -> None:
    bounce_context, return_paths = _sent(context)
    small = Context(
        store=bounce_context.store,
        settings=bounce_context.settings.with_values(mx__max_message_bytes=10 * 1024),
        clock=bounce_context.clock,
    )
    path = next(iter(return_paths.values()))
    big = gmail_hard_bounce(path, "x@example.org", "<x@example.com>") + (b"x" * 78 + b"\r\n") * 300
    [(code, _text)] = _deliver(small, [(path, big)])
    assert code == 552
    assert _events(small) == []


@pytest.mark.parametrize("mx_host", ["", "mx.sender.example"])
def test_the_return_path_is_verp_only_with_an_mx_host(context: Context, mx_host: str) -> None:
    verp = context.settings.with_values(sending__mx_host=mx_host)
    both = Context(store=context.store, settings=verp, clock=context.clock)
    seed_task(both, seed_sender(both), ["ann@example.org"])
    with RecordingServer(RecordingHandler()) as server:
        run_until_idle(relay_settings(both, server.port))
        [received] = server.received
    parsed = received.parsed()
    assert parsed["From"].addresses[0].addr_spec == "news@example.com"
    with context.store.session() as session:
        [row_id] = session.exec(select(Message.id)).all()
    if mx_host:
        assert received.sender.startswith(f"b-{row_id}-")
        assert received.sender.endswith("@bounce.example.com")
    else:
        assert received.sender == "news@example.com"


def test_kootui_serve_runs_the_mx_when_configured_and_not_otherwise(context: Context) -> None:
    port = free_port()
    configured = Context(
        store=context.store,
        settings=context.settings.with_values(mx__listen=f"127.0.0.1:{port}"),
        clock=context.clock,
    )
    check_mx(configured.settings, create_secret=True)  # as `kootui serve` with engines does
    with running_api(configured):
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            code, banner = client.ehlo()
            assert code == 250 and b"SIZE 1048576" in banner
            assert client.rcpt("nobody@bounce.example.com")[0] == 503  # MAIL comes first
            client.mail("<>")
            assert client.rcpt("nobody@bounce.example.com")[0] == 550
    with running_api(context), pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", port, timeout=5)
