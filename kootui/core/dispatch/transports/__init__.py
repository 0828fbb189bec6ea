"""Transports: the offline outbox (default) and the relay to a smart host."""

from __future__ import annotations

import ssl

from kootui.core.clock import Clock
from kootui.core.config import Settings
from kootui.core.dispatch.transports.base import OutgoingMessage, SendResult, TokenBucket, Transport
from kootui.core.dispatch.transports.outbox import OutboxTransport
from kootui.core.dispatch.transports.pipelining import PipelinedWire
from kootui.core.dispatch.transports.relay import RelayConfig, RelayTransport, check_relay_config

__all__ = [
    "OutboxTransport",
    "OutgoingMessage",
    "PipelinedWire",
    "RelayConfig",
    "RelayTransport",
    "SendResult",
    "TokenBucket",
    "Transport",
    "check_relay_config",
    "make_transport",
    "relay_config",
]


def relay_config(settings: Settings) -> RelayConfig:
    """The relay settings; ``rate`` is the workspace's, which the engines then share.

    The password comes from settings, which already take KOOTUI_RELAY_PASSWORD from
    the environment over config.toml."""
    relay = settings.relay
    return RelayConfig(
        host=relay.host,
        port=relay.port,
        tls=relay.tls,
        username=relay.username,
        password=relay.password.get_secret_value(),
        concurrency=relay.concurrency,
        rate=settings.sending.rate,
        connect_timeout=relay.connect_timeout,
        command_timeout=relay.command_timeout,
        dot_timeout=relay.dot_timeout,
    )


def make_transport(
    settings: Settings,
    clock: Clock,
    *,
    tls_context: ssl.SSLContext | None = None,
) -> Transport:
    """The relay when relay.host is set, otherwise the Maildir outbox in the data folder."""
    if settings.relay.host:
        config = relay_config(settings)
        return RelayTransport(config, clock, tls_context=tls_context)
    return OutboxTransport(settings.paths.outbox_dir, clock)
