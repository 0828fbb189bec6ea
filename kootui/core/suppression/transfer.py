"""The suppression list in and out of .xlsx: import a workbook of addresses, export a filter.

Import reads the first sheet through the recipients' reader (``import_recipients``: the
zip checked before any XML parser, defusedxml, 40 MB, formulas refused, repeats found),
with only its ``email`` column: every row gets the one reason and note the user chose.
Addresses already on the list keep their entry (and its reason); the report says how
many were added, were there already, or were refused and why.

Export writes the filter in the list's order with openpyxl's write-only mode, through a
private temporary file (0600) renamed into place; text cells that a spreadsheet would
run as a formula get a leading ``'``; addresses are masked unless revealed for the export.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import func, select

from kootui.core.access import Act, check_access, requires
from kootui.core.clock import as_utc
from kootui.core.context import Context
from kootui.core.details import ExportResult, check_target, neutralise
from kootui.core.errors import KootuiError
from kootui.core.recipients.xlsx import import_recipients
from kootui.core.store import (
    PageRequest,
    Suppression,
    SuppressionReason,
    insert_rows,
    ordered_statement,
)
from kootui.core.suppression.entries import (
    checked_note,
    checked_reason,
    present_suppression,
    suppression_query,
)

CHUNK = 5000
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
EXPORT_HEADER = ("Address", "Reason", "Since", "Message ID", "Note")
INSERT_COLUMNS = ("address", "reason", "created_at", "message_id", "note")

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class RefusedEntry:
    row: int
    text: str
    reason: str


@dataclass
class SuppressionImport:
    """What an import did: 'N added, M already listed, K refused (why)'."""

    file_name: str
    rows_read: int
    added: int
    already: int
    refused_count: int
    refused: list[RefusedEntry] = field(default_factory=list)  # the first few hundred
    repeated: int = 0

    def summary(self) -> str:
        text = (
            f"{self.added:,} added, {self.already:,} already on the list, "
            f"{self.refused_count:,} refused"
        )
        if self.repeated:
            text += f", {self.repeated:,} repeated rows counted once"
        return text


def _table_count(connection: Any) -> int:
    return int(
        connection.execute(select(func.count()).select_from(Suppression.__table__)).scalar_one()
    )


@requires(Act.SUPPRESSION_CREATE)
def import_suppressions(
    context: Context,
    path: Path,
    *,
    reason: str = SuppressionReason.MANUAL,
    note: str = "",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SuppressionImport:
    """Add every valid address of the workbook's ``email`` column, in one transaction.

    A file that cannot be used at all is a ValidationError naming ``xlsx``; rows that
    are not addresses are counted and listed in the result, not raised."""
    reason = checked_reason(reason)
    note = checked_note(note)
    report = import_recipients(Path(path), (), progress=progress, cancel=cancel)
    try:
        table = Suppression.__table__
        now = context.clock.now()
        # Two spellings of one mailbox are one entry (the reader already dropped repeats
        # by the same key; lower case is what the list stores).
        with context.store.session() as session:
            connection = session.connection()
            before = _table_count(connection)
            for chunk in report.recipients.chunks(CHUNK):
                rows = [(address.lower(), reason, now, None, note) for address, _ in chunk]
                insert_rows(
                    connection,
                    table,
                    INSERT_COLUMNS,
                    rows,
                    on_conflict="ON CONFLICT (address) DO NOTHING",
                )
            added = _table_count(connection) - before
        return SuppressionImport(
            file_name=Path(path).name,
            rows_read=report.rows_read,
            added=added,
            already=report.valid_count - added,
            refused_count=report.refused_count,
            refused=[RefusedEntry(item.row, item.address, item.reason) for item in report.refused],
            repeated=report.duplicate_count,
        )
    finally:
        report.close()


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, datetime):
        # Excel has no time zones: the user's local wall-clock time, as the page shows.
        cell = WriteOnlyCell(sheet, value=as_utc(value).astimezone().replace(tzinfo=None))
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        return neutralise(value)
    return value


@requires(Act.SUPPRESSION_EXPORT)
def export_suppressions(
    context: Context,
    request: PageRequest,
    path: Path,
    *,
    reveal: bool = False,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write every entry of ``request``'s filter (paging ignored) to ``path``; raises
    KootuiError ``export.cancelled`` (and leaves no file) when ``cancelled`` says so."""
    if reveal:  # whole addresses are an action of their own
        check_access(context, Act.SUPPRESSION_REVEAL)
    target = check_target(path)
    statement = ordered_statement(suppression_query(), request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Suppression list")
    sheet.append(list(EXPORT_HEADER))
    written = 0
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=".xlsx.part", dir=target.parent
    )
    os.close(handle)
    try:
        with context.store.engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(
                statement
            )
            for chunk in result.mappings().partitions(CHUNK):
                if cancelled is not None and cancelled():
                    raise KootuiError("the export was cancelled", code="export.cancelled")
                for values in chunk:
                    row = present_suppression(values, reveal=reveal)
                    sheet.append(
                        [
                            _cell(sheet, row[key])
                            for key in ("address", "reason_label", "created_at", "message_id")
                        ]
                        + [_cell(sheet, row["note"])]
                    )
                written += len(chunk)
                if progress is not None:
                    progress(written)
        workbook.save(temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(Exception):
            sheet.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return ExportResult(path=target, rows=written)
