"""Export of the current Sending Details filter to .xlsx.

The whole filter, in the page's order, streamed from the store in one query and
written with openpyxl's write-only mode, so memory stays flat however many rows
match. A spreadsheet treats a cell starting with ``= + - @`` (or a tab or carriage
return) as a formula; a recipient's parameters and a task's subject are user data,
so every such text cell is written with a leading ``'`` and reads as plain text.

The file is written next to the target under a temporary name and renamed into
place at the end: the target is either the old file or the complete new one,
never half a workbook. Recipients are masked unless revealed for this export.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kootui.core.access import Act, check_access, requires
from kootui.core.clock import as_utc
from kootui.core.context import Context
from kootui.core.details.query import DETAILS_COLUMNS, details_query, prepared_request
from kootui.core.details.rows import ExportResult, TaskFacts, load_task_facts, present_row
from kootui.core.errors import KootuiError, ValidationError
from kootui.core.store import (
    PageRequest,
    ordered_statement,  # the pager's own filter + order
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1000  # rows read, presented and written between two progress reports
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text: formula starters get a leading quote, and
    characters XML cannot hold are dropped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def check_target(path: Path) -> Path:
    """The absolute target, or a ValidationError (field ``path``) saying what is wrong."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("must be a file name ending in .xlsx", field="path")
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


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    return value


def _write_row(sheet: Any, values: list[Any]) -> None:
    cells: list[Any] = []
    for value in values:
        if isinstance(value, datetime):
            # Excel has no time zones: the user's local wall-clock time, as the page shows.
            cell = WriteOnlyCell(sheet, value=as_utc(value).astimezone().replace(tzinfo=None))
            cell.number_format = DATE_FORMAT
            cells.append(cell)
        else:
            cells.append(_cell_value(value))
    sheet.append(cells)


@requires(Act.MESSAGE_EXPORT)
def export_messages(
    context: Context,
    request: PageRequest,
    path: Path,
    *,
    reveal_recipients: bool = False,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write every row of ``request``'s filter; raises KootuiError ``export.cancelled``
    (and leaves no file) when ``cancelled`` says so."""
    if reveal_recipients:  # whole addresses are an action of their own
        check_access(context, Act.MESSAGE_REVEAL)
    target = check_target(path)
    prepared = prepared_request(request)
    statement = ordered_statement(
        details_query(context.clock.now(), context.store.dialect), prepared
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sending details")
    sheet.append([column.title for column in DETAILS_COLUMNS])
    keys = [column.key for column in DETAILS_COLUMNS]
    facts: dict[int, TaskFacts] = {}
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
                unknown = {row["task_id"] for row in chunk} - facts.keys()
                facts.update(load_task_facts(connection, unknown))
                for values in chunk:
                    row = present_row(values, facts, reveal=reveal_recipients)
                    _write_row(sheet, [row[key] for key in keys])
                written += len(chunk)
                if progress is not None:
                    progress(written)
        workbook.save(temporary)
        os.replace(temporary, target)
    except BaseException:
        # A write-only sheet streams through a generator of openpyxl's: closed here, it does
        # not complain later from the garbage collector about the rows it never finished.
        with contextlib.suppress(Exception):
            sheet.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return ExportResult(path=target, rows=written)
