"""The Statistics Report: sent, successful, failed, to send and rejected messages (and
the delivery rate) per hour, day or month in the workspace's time zone, filtered by
sender domain, address, template, task and send method; its CSV and .xlsx exports.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.reports.model import (
    DELIVERY_RATE_LABEL,
    MEASURES,
    Choice,
    EmptyReason,
    Measure,
    Report,
    ReportChoices,
    ReportFilters,
    ReportQuery,
    ReportRow,
    ReportType,
    period_label,
)
from kootui.core.reports.query import (
    delivery_rate,
    present_measures,
    report_choices,
    statistics_report,
)

__all__ = [
    "DELIVERY_RATE_LABEL",
    "MEASURES",
    "Choice",
    "EmptyReason",
    "Measure",
    "Report",
    "ReportChoices",
    "ReportFilters",
    "ReportQuery",
    "ReportRow",
    "ReportType",
    "delivery_rate",
    "period_label",
    "present_measures",
    "report_choices",
    "statistics_report",
]
