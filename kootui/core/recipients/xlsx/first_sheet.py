"""Opening the first sheet of a checked workbook, and the error a reader failure becomes.

The import reads the sheet in its own process. A child process reading on the
other core while this one checked and stored rows was tried and removed: in a
same-run A/B it did not pay (bench/RESULTS.md, "import_xlsx").
"""

from __future__ import annotations

import zipfile
import zlib
from xml.parsers import expat

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx.safety import FIELD, EntityRefused
from kootui.core.recipients.xlsx.sheet import (
    SheetRows,
    read_date_styles,
    read_layout,
    read_shared_strings,
)

# What a broken zip or XML part raises while it is read; each becomes "corrupt".
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    KeyError,
    IndexError,
    ValueError,
    EOFError,
    OSError,
)


def open_first_sheet(archive: zipfile.ZipFile) -> SheetRows:
    layout = read_layout(archive)
    if layout.first_sheet is None:
        raise ValidationError("the workbook has no worksheet", field=FIELD, code="xlsx.empty")
    strings = read_shared_strings(archive, layout.shared_strings)
    date_styles, duration_styles = read_date_styles(archive, layout.styles)
    return SheetRows(
        archive, layout.first_sheet, strings, date_styles, duration_styles, layout.epoch
    )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain (a handler's error may arrive wrapped)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def read_error(exc: BaseException) -> ValidationError:
    """The error the user sees for one of READ_ERRORS: an entity bomb, or a corrupt file."""
    if _caused_by(exc, EntityRefused):
        return ValidationError(
            "the workbook declares XML entities (an entity bomb?); the file was not read",
            field=FIELD,
            code="xlsx.entity_bomb",
        )
    if isinstance(exc, expat.ExpatError):
        # What is wrong, without expat's "line 1, column N": plain rows are read without
        # expat, so its count of the bytes it saw is not a place in the file.
        detail = expat.ErrorString(exc.code) or str(exc)
    else:
        detail = " ".join(str(exc).split())[:200]  # one line, whatever the reader said
    return ValidationError(
        f"the workbook is corrupt and could not be read ({detail})",
        field=FIELD,
        code="xlsx.corrupt",
    )
