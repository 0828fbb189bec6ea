"""What happened to a message after it was sent: unsubscribed, opened, clicked (bounced,
complained, ... next). A registry of kinds (with the Statistics Report measure each
moves), writing an event and its measure in the caller's transaction, counts per hour
and kind for the reports and one message's summary for Sending Details.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.events.counts import (
    EventCount,
    LinkClicks,
    MessageEngagement,
    event_counts_statement,
    hourly_event_counts,
    message_engagement,
)
from kootui.core.events.kinds import (
    BOUNCED,
    CLICKED,
    COMPLAINED,
    KIND_MEASURES,
    OPENED,
    SOFT_BOUNCED,
    UNSUBSCRIBED,
    EventKind,
    KindMeasure,
    event_kind,
    register_kind,
    registered_kinds,
)
from kootui.core.events.record import record_event

__all__ = [
    "BOUNCED",
    "CLICKED",
    "COMPLAINED",
    "KIND_MEASURES",
    "OPENED",
    "SOFT_BOUNCED",
    "UNSUBSCRIBED",
    "EventCount",
    "EventKind",
    "KindMeasure",
    "LinkClicks",
    "MessageEngagement",
    "event_counts_statement",
    "event_kind",
    "hourly_event_counts",
    "message_engagement",
    "record_event",
    "register_kind",
    "registered_kinds",
]
