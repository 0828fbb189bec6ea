"""The Statistics Report as a table, as JSON-ready data, and exported to .xlsx or CSV.

The exports keep Sending Details' conventions: one sheet with a header row, text cells
starting with ``= + - @`` (or a tab or carriage return) written with a leading ``'``
(a spreadsheet would run them as formulas; a CSV opened in one is a spreadsheet too),
and the file written next to the target under a private temporary name (0600) and
renamed into place, so the target is either the old file or the whole new one.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from kootui.core.errors import ValidationError
from kootui.core.reports.model import DELIVERY_RATE_LABEL, Report, ReportRow

TOTAL_LABEL = "Total"
RUNNING_NOTE = "still running"
PERCENT_FORMAT = "0.00%"
Cell = str | int | Decimal | None


def report_headers(report: Report) -> list[str]:
    return [
        f"Time ({report.time_zone})",
        *(measure.label for measure in report.measures),
        DELIVERY_RATE_LABEL,
        "Note",
    ]


def _cells(report: Report, row: ReportRow, label: str) -> list[Cell]:
    return [
        label,
        *(row.value(measure.name) for measure in report.measures),
        row.delivery_rate,
        RUNNING_NOTE if row.running else "",
    ]


def report_table(report: Report) -> Iterator[list[Cell]]:
    """The rows then the totals, as cells: the period's label, each measure, the delivery
    rate in percent (None where nothing was sent), a note for the running period."""
    for row in report.rows:
        yield _cells(report, row, report.label(row))
    yield _cells(report, report.totals, TOTAL_LABEL)


def _row_data(report: Report, row: ReportRow) -> dict[str, Any]:
    return {
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        **{measure.name: row.value(measure.name) for measure in report.measures},
        "delivery_rate": None if row.delivery_rate is None else str(row.delivery_rate),
        "running": row.running,
    }


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain data (``kootui report --json``): times in ISO 8601 with their
    offset, the delivery rate as a decimal string in percent."""
    filters = report.query.filters
    return {
        "type": report.query.type.value,
        "time_zone": report.time_zone,
        "start": report.totals.start.isoformat(),
        "end": report.totals.end.isoformat(),
        "filters": {
            "domain_ids": list(filters.domain_ids),
            "address_ids": list(filters.address_ids),
            "template_ids": list(filters.template_ids),
            "task_ids": list(filters.task_ids),
            "send_methods": list(filters.send_methods),
        },
        "measures": [{"name": m.name, "label": m.label} for m in report.measures],
        "rows": [{"label": report.label(row), **_row_data(report, row)} for row in report.rows],
        "totals": _row_data(report, report.totals),
        "empty_reason": None if report.empty_reason is None else report.empty_reason.value,
        "billable": report.billable,
    }


def check_report_target(path: Path, suffix: str) -> Path:
    """The absolute target, or a ValidationError (field ``path``) saying what is wrong."""
    path = Path(path).expanduser()
    if path.suffix.lower() != suffix:
        raise ValidationError(f"must be a file name ending in {suffix}", field="path")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name", field="path")
    folder = path.parent.resolve()
    if not folder.is_dir():
        raise ValidationError(f"the folder {folder} does not exist", field="path")
    if not os.access(folder, os.W_OK):
        raise ValidationError(f"cannot write in the folder {folder}", field="path")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValidationError(f"{path} is read-only", field="path")
    return folder / path.name


def _write_in_place(target: Path, write: Callable[[Path], None]) -> None:
    """``write`` a private temporary file beside ``target``, then rename it into place."""
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=f"{target.suffix}.part", dir=target.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def export_report_csv(report: Report, path: Path) -> Path:
    """Write the report to a CSV file (UTF-8, comma-separated, a header row); returns the
    absolute path written."""
    # Imported by the exports only: the Overview reads this package's report on start-up,
    # and Sending Details' package (with openpyxl) would double what that import costs.
    from kootui.core.details import neutralise

    target = check_report_target(path, ".csv")

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(report_headers(report))
            for cells in report_table(report):
                writer.writerow(
                    [
                        "" if cell is None else neutralise(cell) if isinstance(cell, str) else cell
                        for cell in cells
                    ]
                )

    _write_in_place(target, write)
    return target


def export_report_xlsx(report: Report, path: Path) -> Path:
    """Write the report to an .xlsx workbook (one sheet; the delivery rate as a percent
    cell, empty where nothing was sent); returns the absolute path written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from kootui.core.details import neutralise

    target = check_report_target(path, ".xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Statistics report")
    sheet.append(report_headers(report))
    rate_column = len(report.measures) + 1
    for cells in report_table(report):
        values: list[Any] = []
        for position, cell in enumerate(cells):
            if isinstance(cell, str):
                values.append(neutralise(cell))
            elif position == rate_column and cell is not None:
                percent = WriteOnlyCell(sheet, value=float(cell) / 100)
                percent.number_format = PERCENT_FORMAT
                values.append(percent)
            else:
                values.append(cell)
        sheet.append(values)

    def write(temporary: Path) -> None:
        workbook.save(temporary)

    try:
        _write_in_place(target, write)
    except BaseException:
        with contextlib.suppress(Exception):
            sheet.close()
        raise
    return target
