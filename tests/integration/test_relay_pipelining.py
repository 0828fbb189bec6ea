"""The relay's pipelined sessions: the next message's envelope follows the last body.

RFC 2920 lets the end of data be followed by the next MAIL, RCPT and DATA in the same
write; the server must treat each transaction on its own. These tests drive the relay
itself against aiosmtpd and check that every message still gets exactly one verdict
of its own, whatever the message before it got.
"""

from __future__ import annotations

import asyncio

from kootui.core.clock import SystemClock
from kootui.core.dispatch import (
    OutgoingMessage,
    PipelinedWire,
    RelayConfig,
    RelayTransport,
    SendResult,
)
from kootui.core.mail import Outcome, Stage
from tests.support.smtp_server import RecordingHandler, RecordingServer


def _message(row_id: int, recipient: str) -> OutgoingMessage:
    data = (
        f"From: news@example.com\r\nTo: {recipient}\r\nSubject: n{row_id}\r\n"
        f"Message-ID: <{row_id}@example.com>\r\n\r\nHello {row_id}\r\n.leading dot\r\n"
    ).encode("ascii")
    return OutgoingMessage(row_id, "news@example.com", recipient, data)


def _send_all(port: int, items: list[OutgoingMessage], writes: list[int]) -> list[SendResult]:
    results: list[SendResult] = []
    config = RelayConfig(host="127.0.0.1", port=port, tls="none", concurrency=1)

    async def run() -> None:
        relay = RelayTransport(config, SystemClock())
        await relay.start(results.append)
        for item in items:
            await relay.submit(item)
        await relay.close()

    original = PipelinedWire.write

    def counting(wire: PipelinedWire, data: bytes) -> None:
        writes.append(data.count(b"MAIL FROM:"))
        original(wire, data)

    PipelinedWire.write = counting  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        PipelinedWire.write = original  # type: ignore[method-assign]
    return results


def test_each_message_keeps_its_own_verdict_when_envelopes_ride_behind_bodies() -> None:
    recipients = [f"r{i}@example.org" for i in range(12)]
    recipients[3] = "refused@example.org"  # 554 to its final "."
    recipients[6] = "unknown@example.org"  # 550 to RCPT, while the body before it was sent
    recipients[9] = "flaky@example.org"  # the server drops the line after its "."
    handler = RecordingHandler(
        pipelining=True,
        data_script={"refused@example.org": ["554 5.7.1 content refused"]},
        rcpt_script={"unknown@example.org": ["550 5.1.1 no such user"]},
        drop_after_dot={"flaky@example.org": 1},
    )
    items = [_message(i, r) for i, r in enumerate(recipients)]
    writes: list[int] = []
    with RecordingServer(handler) as server:
        results = _send_all(server.port, items, writes)
        received = [r.recipients[0] for r in server.received]
    by_row = {result.row_id: result for result in results}
    assert sorted(by_row) == list(range(12)) and len(results) == 12
    assert (by_row[3].outcome, by_row[3].stage, by_row[3].reply_code) == (
        Outcome.REJECTED,
        Stage.DOT,
        554,
    )
    assert (by_row[6].outcome, by_row[6].stage) == (Outcome.REJECTED, Stage.RCPT)
    # A drop after "." may have lost the reply to a delivered message: "unknown".
    assert (by_row[9].outcome, by_row[9].stage) == (Outcome.UNKNOWN, Stage.DOT)
    delivered = {i for i, result in by_row.items() if result.outcome is Outcome.DELIVERED}
    assert delivered == set(range(12)) - {3, 6, 9}
    # Every delivered message arrived once, with its body intact; the one after the
    # dropped session went out on a new session rather than being lost or deferred.
    assert sorted(received) == sorted([recipients[i] for i in delivered] + [recipients[9]])
    bodies = {r.recipients[0]: r.data for r in server.received}
    assert b"\r\n.leading dot\r\n" in bodies["r10@example.org"]
    # The envelopes did ride behind bodies: some writes carried a body and the next MAIL.
    assert writes.count(1) < len(writes)
    assert len(writes) < 2 * len(items)


def test_a_waiting_address_that_needs_smtputf8_is_refused_on_its_own() -> None:
    # Its envelope cannot ride behind the body before it; that message is unharmed.
    recipients = ["a@example.org", "jürgen@example.org", "b@example.org", "c@example.org"]
    items = [
        OutgoingMessage(i, "news@example.com", r, _message(i, "reader@example.org").data)
        for i, r in enumerate(recipients)
    ]
    with RecordingServer(RecordingHandler(pipelining=True)) as server:
        results = _send_all(server.port, items, [])
        received = sorted(r.recipients[0] for r in server.received)
    by_row = {result.row_id: result for result in results}
    assert len(results) == 4
    assert by_row[1].outcome is Outcome.REJECTED and "SMTPUTF8" in by_row[1].reply_text
    assert {by_row[i].outcome for i in (0, 2, 3)} == {Outcome.DELIVERED}
    assert received == ["a@example.org", "b@example.org", "c@example.org"]
