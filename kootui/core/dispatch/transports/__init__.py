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
    password = str(settings.get("relay.password"))
    rate = float(settings.get("sending.rate"))
    return RelayConfig(
        host=str(settings.get("relay.host")),
        port=int(settings.get("relay.port")),
        tls=str(settings.get("relay.tls")),
        username=str(settings.get("relay.username")),
        password=password,
        concurrency=int(settings.get("relay.concurrency")),
        rate=rate,
        connect_timeout=float(settings.get("relay.connect_timeout")),
        command_timeout=float(settings.get("relay.command_timeout")),
        dot_timeout=float(settings.get("relay.dot_timeout")),
    )


def make_transport(
    settings: Settings,
    clock: Clock,
    *,
    tls_context: ssl.SSLContext | None = None,
) -> Transport:
    """The relay when relay.host is set, otherwise the Maildir outbox in the data folder."""
    if str(settings.get("relay.host")).strip():
        config = relay_config(settings)
        return RelayTransport(config, clock, tls_context=tls_context)
    return OutboxTransport(settings.paths.outbox_dir, clock)
