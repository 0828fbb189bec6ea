"""Recipients from an .xlsx file, and the sample file that shows its shape.

The sample's header is ``email`` plus the template's parameter names (written
with openpyxl). Reading checks the file as a zip first (``safety``), then
streams the first sheet with kootui's own reader (``sheet``: why not openpyxl
is said there). Rows are validated one by one and stored in an
``ImportedRecipients`` scratch file in chunks, so a million rows use the same
memory as a hundred. Formula cells are flagged and refused, never evaluated.
Progress is reported every few thousand rows and a ``threading.Event`` cancels
the import between two rows.
"""

from __future__ import annotations

import sqlite3
import threading
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from kootui.core.errors import KootuiError, StoreError, ValidationError
from kootui.core.plural import count_of
from kootui.core.recipients.addresses import RecipientValidator
from kootui.core.recipients.recipient_list import ImportedRecipients, SkippedRow
from kootui.core.recipients.xlsx.first_sheet import READ_ERRORS, open_first_sheet, read_error
from kootui.core.recipients.xlsx.safety import FIELD, check_workbook_file
from kootui.core.recipients.xlsx.sheet import FormulaCell, SheetRows

EMAIL_HEADER = "email"
MAX_VALUE_CHARS = 2000  # one parameter value; a longer cell is a pasting accident
LISTED_PROBLEMS = 1000  # refused and repeated rows listed one by one; the rest are counted
CHUNK_ROWS = 5000
PROGRESS_EVERY = 2000
_ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})

Progress = Callable[[int, int | None], None]  # (rows read, rows expected or None)


class ImportCancelled(KootuiError):
    code = "xlsx.cancelled"


@dataclass
class ImportReport:
    """'N valid, M refused (why)': what the user decides on before going on."""

    recipients: ImportedRecipients
    rows_read: int
    refused: list[SkippedRow] = field(default_factory=list)  # the first LISTED_PROBLEMS
    refused_count: int = 0
    refused_by_kind: dict[str, int] = field(default_factory=dict)  # "bad address": 3, ...
    duplicates: list[SkippedRow] = field(default_factory=list)  # the first LISTED_PROBLEMS
    duplicate_count: int = 0

    @property
    def valid_count(self) -> int:
        return self.recipients.count

    def summary(self) -> str:
        text = f"{self.valid_count:,} valid, {self.refused_count:,} refused"
        if self.refused_by_kind:
            kinds = sorted(self.refused_by_kind.items(), key=lambda item: -item[1])
            text += " (" + ", ".join(f"{count:,} {kind}" for kind, count in kinds) + ")"
        if self.duplicate_count:
            text += f", {count_of(self.duplicate_count, 'repeated address')} sent once"
        return text

    def close(self) -> None:
        self.recipients.close()


def write_sample_xlsx(path: Path, parameters: Sequence[str]) -> Path:
    """Write the sample file: header ``email`` + parameter names, and one example row."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook holds one empty worksheet
    sheet.title = "Recipients"
    sheet.append([EMAIL_HEADER, *parameters])
    sheet.append(["someone@example.com", *(f"example {name}" for name in parameters)])
    for column, header in enumerate([EMAIL_HEADER, *parameters], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(14, len(header) + 4)
    workbook.save(path)
    return path


def _header_positions(header: Sequence[Any], parameters: Sequence[str]) -> tuple[int, list[int]]:
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        if value is None:
            continue
        name = str(value).strip().casefold()
        if name and name in positions:
            raise ValidationError(
                f"the header has the column {str(value).strip()!r} twice", field=FIELD
            )
        if name:
            positions[name] = index
    if EMAIL_HEADER not in positions:
        raise ValidationError(
            f"the first row has no {EMAIL_HEADER!r} column (download the sample file to see the "
            "expected header)",
            field=FIELD,
            code="xlsx.missing_column",
        )
    missing = [name for name in parameters if name.casefold() not in positions]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise ValidationError(
            f"the template's parameter column {names} is missing from the header",
            field=FIELD,
            code="xlsx.missing_column",
        )
    return positions[EMAIL_HEADER], [positions[name.casefold()] for name in parameters]


def _is_formula(value: Any) -> bool:
    # Text that starts with "=" is refused too: it reads as a formula to anyone who pastes it.
    if isinstance(value, str):
        return value.startswith("=")
    return isinstance(value, FormulaCell)


def _cell_text(value: Any) -> str:
    """A cell as the text a message shows: whole numbers without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # As Excel shows it: 15 significant digits, so 0.1 + 0.2 reads 0.3, and 12.0 reads 12.
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()  # a date cell: Excel stores it as midnight
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _shown(value: Any) -> str:
    if isinstance(value, FormulaCell):
        return value.text
    return "" if value is None else str(value).strip()


class _RowChecker:
    """Turns one sheet row into (address, parameters) or a reason it is refused."""

    def __init__(
        self, email_index: int, parameter_indexes: list[int], parameters: Sequence[str]
    ) -> None:
        self.email_index = email_index
        self.columns = list(zip(parameters, parameter_indexes, strict=True))
        self.validator = RecipientValidator()

    def check(self, row: Sequence[Any]) -> tuple[str, list[str] | None, str, str]:
        """(address, values in parameter order, '', '') when valid; (text, None, reason, kind)
        when not: ``kind`` groups the reasons for the report's summary."""
        width = len(row)
        index = self.email_index
        raw_address = row[index] if index < width else None
        if raw_address.__class__ is str and not raw_address.startswith("="):
            address, reason = self.validator.check(raw_address)  # the common case: plain text
        elif _is_formula(raw_address):
            return (
                _shown(raw_address),
                None,
                "the email cell holds a formula (formulas are not evaluated)",
                "formula",
            )
        else:
            address, reason = self.validator.check(_cell_text(raw_address))
        if address is None:
            return _shown(raw_address), None, reason or "not a valid address", "bad address"
        values: list[str] = []
        for name, index in self.columns:
            value = row[index] if index < width else None
            # Most cells are plain text: one strip, and no other test is needed for them.
            text = value.strip() if value.__class__ is str else None
            if text is None or text.startswith("="):
                if _is_formula(value):
                    return (
                        address,
                        None,
                        f"the {name!r} cell holds a formula (formulas are not evaluated)",
                        "formula",
                    )
                text = _cell_text(value)
            if not text:
                return address, None, f"the {name!r} value is empty", "empty value"
            if text in _ERROR_VALUES:
                return (
                    address,
                    None,
                    f"the {name!r} cell holds the Excel error {text}",
                    "Excel error",
                )
            if len(text) > MAX_VALUE_CHARS:
                return (
                    address,
                    None,
                    f"the {name!r} value is longer than {MAX_VALUE_CHARS:,} characters",
                    "value too long",
                )
            values.append(text)
        return address, values, "", ""


def _is_blank(row: Sequence[Any]) -> bool:
    for value in row:  # a loop that stops at the first filled cell: most rows are not blank
        if value is not None and (value.__class__ is not str or value.strip()):
            return False
    return True


def _expected_rows(sheet: SheetRows) -> int | None:
    last = sheet.last_row_declared
    return max(0, last - 1) if last is not None and last > 1 else None


def _stream_rows(
    sheet: SheetRows,
    parameters: Sequence[str],
    recipients: ImportedRecipients,
    report: ImportReport,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> None:
    rows = sheet.rows()
    first = next(rows, None)
    header = first[1] if first is not None and first[0] == 1 else None
    if header is None or _is_blank(header):
        raise ValidationError(
            "the first sheet is empty (its first row must be the header)",
            field=FIELD,
            code="xlsx.empty",
        )
    email_index, parameter_indexes = _header_positions(header, parameters)
    checker = _RowChecker(email_index, parameter_indexes, parameters)
    expected = _expected_rows(sheet)
    next_check = PROGRESS_EVERY
    pending: list[tuple[Any, ...]] = []
    check = checker.check
    for number, row in rows:
        if number >= next_check:
            next_check = number + PROGRESS_EVERY
            if cancel is not None and cancel.is_set():
                raise ImportCancelled("the import was cancelled", field=FIELD)
            if progress is not None:
                progress(number - 1, expected)
        first_cell = row[0]  # a filled first cell is the common case and settles it at once
        if (
            first_cell is None or (first_cell.__class__ is str and not first_cell.strip())
        ) and _is_blank(row):
            continue
        report.rows_read += 1
        address, values, reason, kind = check(row)
        if values is None:
            report.refused_count += 1
            report.refused_by_kind[kind] = report.refused_by_kind.get(kind, 0) + 1
            if len(report.refused) < LISTED_PROBLEMS:
                report.refused.append(SkippedRow(number, address, reason))
            continue
        pending.append((number, address, *values))
        if len(pending) >= CHUNK_ROWS:
            recipients.add_rows(pending)
            pending.clear()
    if pending:
        recipients.add_rows(pending)
    if report.rows_read == 0:
        raise ValidationError(
            "the first sheet has a header but no recipient rows", field=FIELD, code="xlsx.empty"
        )
    if progress is not None:
        progress(report.rows_read, report.rows_read)


def import_recipients(
    path: Path,
    parameters: Sequence[str],
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Read the recipients of ``path``'s first sheet; the caller closes the report.

    Raises a ValidationError (field 'xlsx') for a file that cannot be used at all
    (unsafe, corrupt, wrong header, no rows) and ImportCancelled when ``cancel`` is
    set. Rows that cannot be sent are listed in the report, not raised.
    """
    path = Path(path)
    check_workbook_file(path)  # the zip's limits, before any XML parser sees a byte

    recipients = ImportedRecipients(f"{path.name} (xlsx)", parameters)
    report = ImportReport(recipients=recipients, rows_read=0)
    try:
        with zipfile.ZipFile(path) as archive:
            sheet = open_first_sheet(archive)
            _stream_rows(sheet, parameters, recipients, report, progress, cancel)
        report.duplicate_count, report.duplicates = recipients.finish(listed=LISTED_PROBLEMS)
    except READ_ERRORS as exc:
        recipients.close()
        raise read_error(exc) from exc
    except sqlite3.Error as exc:
        recipients.close()
        raise StoreError(
            f"the rows could not be kept in a temporary file ({exc}); is the disk full?"
        ) from exc
    except BaseException:
        recipients.close()
        raise
    return report
