"""Sending Details: every message, filtered and paged; one message's fields, attempts and
headers; the export to .xlsx.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.details.export import check_target, export_messages, neutralise
from kootui.core.details.message import message_detail
from kootui.core.details.query import (
    ADVANCED_FIELDS,
    DEFAULT_RANGE,
    DETAILS_COLUMNS,
    RANGE_LABELS,
    RANGES,
    details_query,
    prepared_request,
    query_messages,
    reveal_recipient,
)
from kootui.core.details.rows import (
    ExportResult,
    MessageDetail,
    load_task_facts,
    mask_address,
    present_row,
)

__all__ = [
    "ADVANCED_FIELDS",
    "DEFAULT_RANGE",
    "DETAILS_COLUMNS",
    "RANGES",
    "RANGE_LABELS",
    "ExportResult",
    "MessageDetail",
    "check_target",
    "details_query",
    "export_messages",
    "load_task_facts",
    "mask_address",
    "message_detail",
    "neutralise",
    "prepared_request",
    "present_row",
    "query_messages",
    "reveal_recipient",
]
