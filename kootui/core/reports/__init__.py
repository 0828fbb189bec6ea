"""The Statistics Report: sent, successful, failed, to send and rejected messages (and
the delivery rate) per hour, day or month in the workspace's time zone, filtered by
sender domain, address, template, task and send method; its CSV and .xlsx exports.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.reports.export import (
    check_report_target,
    export_report_csv,
    export_report_xlsx,
    report_data,
    report_headers,
    report_table,
)
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
    billable_text,
    period_label,
)
from kootui.core.reports.periods import range_bound, standard_range
from kootui.core.reports.query import (
    delivery_rate,
    present_measures,
    report_choices,
    resolve_filters,
    standard_query,
    statistics_report,
    workspace_today,
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
    "billable_text",
    "check_report_target",
    "delivery_rate",
    "export_report_csv",
    "export_report_xlsx",
    "period_label",
    "present_measures",
    "range_bound",
    "report_choices",
    "report_data",
    "report_headers",
    "report_table",
    "resolve_filters",
    "standard_query",
    "standard_range",
    "statistics_report",
    "workspace_today",
]
