"""Export the report on screen to .xlsx or CSV through the core's exports.

The file picker chooses where (a dated name in the home folder by default); the suffix
chooses the format. What is written is the report as shown (the same rows and totals),
not a new read, so the file matches the screen even while the running period moves.
"""

from __future__ import annotations

from pathlib import Path

from kootui.core.errors import ValidationError
from kootui.core.reports import Report, export_report_csv, export_report_xlsx
from kootui.tui.pages.reports.view import ReportRange


def export_target(rng: ReportRange) -> str:
    """kootui-report-daily-2026-11-17-to-2026-11-23.xlsx: the range names the file."""
    span = rng.start.isoformat() if rng.start == rng.end else f"{rng.start}-to-{rng.end}"
    return f"kootui-report-{rng.type.value}-{span}.xlsx"


def export_report(report: Report, path: Path) -> Path:
    """Write ``report`` to ``path`` in the format its suffix names; the path written."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return export_report_xlsx(report, path)
    if suffix == ".csv":
        return export_report_csv(report, path)
    raise ValidationError("choose a .xlsx or .csv file", field="path", code="report.format")
