"""The dispatch engine: claim message rows with a lease, render, compose, sign, hand them
to a transport and record the results in batches.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.dispatch.background import EngineThread
from kootui.core.dispatch.claim import (
    ClaimedMessage,
    attempt_table,
    claim_batch,
    message_table,
    renew_leases,
)
from kootui.core.dispatch.engine import Dispatcher, EngineOptions, run_until_idle
from kootui.core.dispatch.prepare import TaskKit, build_message, ensure_identity, load_task_kit
from kootui.core.dispatch.rate import rate_share, sending_engines
from kootui.core.dispatch.record import (
    Recorded,
    RetryPolicy,
    cancel_unsent,
    header_block,
    reclaim_expired,
    record_results,
    release,
    settle_report,
)
from kootui.core.dispatch.stats import (
    StatKey,
    count_messages_sent_outside_the_engine,
    retire_task_statistics,
    stats_from_messages,
)
from kootui.core.dispatch.transports import (
    OutgoingMessage,
    PipelinedWire,
    RelayConfig,
    RelayTransport,
    SendResult,
    check_relay_config,
    relay_config,
)
from kootui.core.dispatch.wake import Doorbell, doorbell_folder, wake_engines

__all__ = [
    "ClaimedMessage",
    "Dispatcher",
    "Doorbell",
    "EngineOptions",
    "EngineThread",
    "OutgoingMessage",
    "PipelinedWire",
    "Recorded",
    "RelayConfig",
    "RelayTransport",
    "RetryPolicy",
    "SendResult",
    "StatKey",
    "TaskKit",
    "attempt_table",
    "build_message",
    "cancel_unsent",
    "check_relay_config",
    "claim_batch",
    "count_messages_sent_outside_the_engine",
    "doorbell_folder",
    "ensure_identity",
    "header_block",
    "load_task_kit",
    "message_table",
    "rate_share",
    "reclaim_expired",
    "record_results",
    "relay_config",
    "release",
    "renew_leases",
    "retire_task_statistics",
    "run_until_idle",
    "sending_engines",
    "settle_report",
    "stats_from_messages",
    "wake_engines",
]
