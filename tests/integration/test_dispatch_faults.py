"""Servers that misbehave: every failure defers (or is unknown), is recorded, and the
retry delivers the message exactly once more with the same Message-ID."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import RelayConfig, RelayTransport, run_until_idle
from kootui.core.errors import SettingsError
from kootui.core.store import DeliveryAttempt
from tests.support.dispatch_seed import messages, relay_settings, seed_sender, seed_task
from tests.support.smtp_server import RecordingServer, ScriptedServer


def _attempts(context: Context) -> list[DeliveryAttempt]:
    with context.store.session() as session:
        return list(session.exec(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all())


@pytest.mark.parametrize(
    ("mode", "stage", "outcomes", "text"),
    [
        ("hang_greeting", "connect", {"deferred"}, "timed out"),
        ("drop_mid_data", "dot", {"unknown"}, "dropped"),
        ("garbage", "rcpt", {"deferred"}, "Malformed"),
        ("huge_line", "rcpt", {"deferred"}, "too long"),
    ],
)
def test_a_misbehaving_server_defers_and_the_retry_delivers(
    context: Context, clock: FixedClock, mode: str, stage: str, outcomes: set[str], text: str
) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"])
    with ScriptedServer([mode]) as server:
        relay = relay_settings(context, server.port, concurrency=1, connect_timeout=0.5)
        run_until_idle(relay)
        [row] = messages(context, task)
        assert row.status == "deferred"
        [attempt] = _attempts(context)
        assert attempt.stage == stage
        assert attempt.outcome in outcomes
        assert text.lower() in attempt.reply_text.lower()
        assert len(attempt.reply_text) <= 500
        clock.advance(timedelta(minutes=5))
        run_until_idle(relay)
        assert server.by_mode[mode] == 1
        received = [r for r in server.received if r.recipients == ["ann@example.org"]]
    [row] = messages(context, task)
    assert row.status == "delivered"
    assert [r.message_id for r in received] == [row.message_id_header]


def test_starttls_required_but_not_offered_defers_and_never_sends_in_plaintext(
    context: Context,
) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"])
    with RecordingServer() as server:
        relay = relay_settings(context, server.port, relay__tls="starttls")
        run_until_idle(relay)
        assert server.received == []
    [row] = messages(context, task)
    assert row.status == "deferred"
    [attempt] = _attempts(context)
    assert attempt.stage == "helo"
    assert "STARTTLS is required" in attempt.reply_text
    assert attempt.tls is False


def test_plaintext_relay_is_refused_for_a_host_that_is_not_loopback(context: Context) -> None:
    config = RelayConfig(host="smtp.example.net", port=25, tls="none")
    with pytest.raises(SettingsError) as caught:
        RelayTransport(config, context.clock)
    assert caught.value.field == "relay.tls"


def test_the_relay_password_never_appears_in_its_description() -> None:
    config = RelayConfig(
        host="127.0.0.1", port=25, tls="none", username="robot", password="s3cret-Pa55"
    )
    assert "s3cret-Pa55" not in repr(config)
    assert "s3cret-Pa55" not in str(config)


def test_an_unreachable_relay_defers_every_message(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 3)
    with ScriptedServer([]) as server:
        port = server.port
    run_until_idle(relay_settings(context, port))
    assert {row.status for row in messages(context, task)} == {"deferred"}
    assert {a.stage for a in _attempts(context)} == {"connect"}


def test_a_relay_that_hangs_is_tried_once_then_the_rest_is_deferred_at_once(
    context: Context,
) -> None:
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 5)
    with ScriptedServer(["hang_greeting"] * 5) as server:
        relay = relay_settings(context, server.port, concurrency=1, connect_timeout=0.5)
        run_until_idle(relay)
        connections = server.by_mode["hang_greeting"]
    assert connections == 1
    assert {row.status for row in messages(context, task)} == {"deferred"}
    assert {(a.stage, a.outcome) for a in _attempts(context)} == {("connect", "deferred")}
