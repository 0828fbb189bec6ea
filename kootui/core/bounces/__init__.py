"""What comes back after a relay's 250: bounces (RFC 3464 DSNs and non-standard ones) and
complaints (RFC 5965 ARF) that reach a bounce host's VERP address, read and applied to
their message (status, suppression, events) in one transaction.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.bounces.parse import InboundReport, ReportKind, parse_report
from kootui.core.bounces.record import (
    ReportOutcome,
    message_exists,
    receive_report,
    record_report,
)
from kootui.core.bounces.view import report_fields

__all__ = [
    "InboundReport",
    "ReportKind",
    "ReportOutcome",
    "message_exists",
    "parse_report",
    "receive_report",
    "record_report",
    "report_fields",
]
