"""Importing recipients from an .xlsx workbook: the file checked as a zip before any
parser sees it, the first sheet streamed, rows checked and stored as they come.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.recipients.xlsx.fast_rows import Row, stream_rows
from kootui.core.recipients.xlsx.importer import (
    LISTED_PROBLEMS,
    ImportCancelled,
    ImportReport,
    import_recipients,
    write_sample_xlsx,
)
from kootui.core.recipients.xlsx.safety import (
    MAX_XLSX_BYTES,
    OLE2_MAGIC,
    EntityRefused,
    check_workbook_file,
    safe_expat_parser,
)
from kootui.core.recipients.xlsx.sheet import FormulaCell, SheetRows
from kootui.core.recipients.xlsx.workbook import read_date_styles, read_layout, read_shared_strings

__all__ = [
    "LISTED_PROBLEMS",
    "MAX_XLSX_BYTES",
    "OLE2_MAGIC",
    "EntityRefused",
    "FormulaCell",
    "ImportCancelled",
    "ImportReport",
    "Row",
    "SheetRows",
    "check_workbook_file",
    "import_recipients",
    "read_date_styles",
    "read_layout",
    "read_shared_strings",
    "safe_expat_parser",
    "stream_rows",
    "write_sample_xlsx",
]
