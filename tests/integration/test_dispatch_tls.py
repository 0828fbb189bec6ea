"""TLS to the relay: STARTTLS and implicit TLS with verified certificates, AUTH over TLS."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.dispatch import Dispatcher
from kootui.core.store import DeliveryAttempt
from tests.support.dispatch_seed import messages, relay_settings, seed_sender, seed_task
from tests.support.smtp_server import RecordingServer
from tests.support.tls_certs import make_tls_contexts


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    return make_tls_contexts(tmp_path)


def _send(context: Context, client_tls: ssl.SSLContext | None) -> None:
    import asyncio

    dispatcher = Dispatcher(context, tls_context=client_tls)
    asyncio.run(dispatcher.run(until_idle=True))


def _attempt(context: Context) -> DeliveryAttempt:
    with context.store.session() as session:
        return session.exec(select(DeliveryAttempt)).one()


def test_starttls_with_a_trusted_certificate_and_auth_delivers(
    context: Context, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_tls, client_tls = tls
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"])
    with RecordingServer(starttls=server_tls, logins={"robot": "s3cret"}) as server:
        relay = relay_settings(
            context,
            server.port,
            relay__tls="starttls",
            relay__username="robot",
            relay__password="s3cret",
        )
        _send(relay, client_tls)
        assert len(server.received) == 1
    [row] = messages(context, task)
    assert row.status == "delivered"
    assert _attempt(context).tls is True


def test_a_wrong_password_defers_without_revealing_it(
    context: Context, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_tls, client_tls = tls
    address = seed_sender(context, with_key=False)
    seed_task(context, address, ["ann@example.org"])
    with RecordingServer(starttls=server_tls, logins={"robot": "s3cret"}) as server:
        relay = relay_settings(
            context,
            server.port,
            relay__tls="starttls",
            relay__username="robot",
            relay__password="wrong-Pa55",
        )
        _send(relay, client_tls)
        assert server.received == []
    attempt = _attempt(context)
    assert (attempt.outcome, attempt.stage, attempt.reply_code) == ("deferred", "helo", 535)
    assert "wrong-Pa55" not in attempt.reply_text


def test_an_untrusted_certificate_is_refused(
    context: Context, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_tls, _client_tls = tls
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"])
    with RecordingServer(starttls=server_tls) as server:
        # The system's trust store does not know the test CA.
        _send(relay_settings(context, server.port, relay__tls="starttls"), None)
        assert server.received == []
    [row] = messages(context, task)
    assert row.status == "deferred"
    assert "certificate" in _attempt(context).reply_text.lower()


def test_implicit_tls_delivers(
    context: Context, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_tls, client_tls = tls
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, ["ann@example.org"])
    with RecordingServer(implicit=server_tls) as server:
        _send(relay_settings(context, server.port, relay__tls="implicit"), client_tls)
        assert len(server.received) == 1
    [row] = messages(context, task)
    assert row.status == "delivered"
    assert _attempt(context).tls is True
