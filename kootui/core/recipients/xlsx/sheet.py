"""Streams the rows of a workbook's first sheet straight from its XML, through expat.

Why not openpyxl: with defusedxml installed, openpyxl's ``iterparse`` is
defusedxml's, built on the pure-Python ElementTree XMLParser, and openpyxl then
builds a cell object per cell; this reader, the C expat parser with plain
callbacks, is several times faster (bench/import_xlsx.py, reference (a); the
figures are in bench/RESULTS.md). That was still one Python callback per
element, ~20 a row; so plain rows are now matched by compiled patterns instead
(``fast_rows``, where why that is exactly as strict is said), and only the rest
reaches the expat handlers below (reference (b) against (c)).

Safety is kept, not traded: every part is parsed by
``safety.safe_expat_parser``, which, like defusedxml, refuses any DOCTYPE
and any entity declaration the moment the parser meets it (so neither a
billion-laughs bomb nor an external entity is ever expanded or fetched), and
never loads external entities or a DTD.
``safety.check_workbook_file`` has already bounded the zip before this
module opens it. The parts around the sheet (layout, shared strings, date
styles) are read by ``workbook``. A cell's text is capped at
Excel's own limit (32,767 characters), so no cell can grow without bound.

The sheet itself is parsed without expat's namespace processing (the root's
prefix for the spreadsheet namespace is read once), which costs less CPU a row.
Values come out as openpyxl gives them in read-only mode with
``data_only=False`` (numbers as int/float, dates as datetime, booleans, error
codes as text), except that a formula cell is a ``FormulaCell``: flagged,
never evaluated. Row numbers are the sheet's ``r`` attributes, so empty rows
and skipped columns keep the numbers Excel shows.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl.utils.datetime import from_excel

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx.fast_rows import (
    CellMatch,
    CellsReader,
    decode_references,
    stream_rows,
)
from kootui.core.recipients.xlsx.safety import FIELD, safe_expat_parser
from kootui.core.recipients.xlsx.workbook import (  # re-exported: the reader's callers use these
    MAIN_NAMESPACES,
    MAX_CELL_CHARS,
    SharedStrings,
    WorkbookLayout,
    cell_too_long,
    read_date_styles,
    read_layout,
    read_shared_strings,
)

__all__ = [
    "Cell",
    "FormulaCell",
    "SharedStrings",
    "SheetRows",
    "WorkbookLayout",
    "read_date_styles",
    "read_layout",
    "read_shared_strings",
]

FEED_BYTES = 256 * 1024  # the sheet is read and parsed in slices of this size
MAX_COLUMNS = 16_384  # Excel's last column, XFD

# The sheet elements the reader acts on, in the order of the codes its handlers test.
_SHEET_ELEMENTS = ("c", "v", "t", "is", "row", "f", "rPh", "dimension", "sheetData")


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula: its text is kept for messages, its value is never computed."""

    text: str


Cell = str | int | float | bool | datetime | date | time | timedelta | FormulaCell | None


def _column_numbers() -> dict[str, int]:
    """'A' -> 0 ... 'XFD' -> 16383: a cell reference's letters to a list index."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    numbers: dict[str, int] = {}
    names = [""]
    for _length in range(3):
        names = [prefix + letter for prefix in names for letter in letters]
        for name in names:
            if len(numbers) == MAX_COLUMNS:
                return numbers
            numbers[name] = len(numbers)
    return numbers


_COLUMN_NUMBERS = _column_numbers()
_COLUMN_BYTES = {letters.encode(): number for letters, number in _COLUMN_NUMBERS.items()}


def _corrupt(message: str) -> ValidationError:
    return ValidationError(
        f"the workbook is corrupt and could not be read ({message})",
        field=FIELD,
        code="xlsx.corrupt",
    )


class _ExpatRows:
    """The sheet's expat parser as ``fast_rows.ExpatRows``: fed bytes, it fills ``ready``."""

    def __init__(self) -> None:
        self.ready: list[tuple[int, list[Cell]]] = []
        self.parse: Callable[[bytes, bool], object] = _unset_parse
        self.between_rows: Callable[[], bool] = lambda: False
        self.follow_row: Callable[[int], None] = lambda _number: None

    def feed(self, data: bytes) -> None:
        self.parse(data, False)

    def finish(self) -> None:
        self.parse(b"", True)


def _unset_parse(_data: bytes, _final: bool) -> object:
    raise RuntimeError("the parser is not set up")


class SheetRows:
    """The rows of one worksheet part, streamed: ``rows()`` yields (row number, cells).

    ``cells[i]`` is column i's value (None where the sheet has no cell); empty
    rows are not yielded at all, and rows keep the numbers Excel shows.
    """

    def __init__(
        self,
        archive: zipfile.ZipFile,
        part: str,
        strings: SharedStrings,
        date_styles: set[int],
        duration_styles: set[int],
        epoch: datetime,
        *,
        fast: bool = True,
    ) -> None:
        self._archive = archive
        self._part = part
        self._fast = fast  # False: every row through expat (tests compare the two ways)
        self._strings = strings
        self._dates = frozenset(str(index) for index in date_styles)
        self._durations = frozenset(str(index) for index in duration_styles)
        self._epoch = epoch
        self.last_row_declared: int | None = None  # from <dimension ref="A1:C200">, if any

    def _number(self, text: str, style: str | None) -> Cell:
        number: int | float = (
            float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        )
        if style is None or style not in self._dates:
            return number
        try:
            moment: datetime | timedelta = from_excel(
                number, self._epoch, timedelta=style in self._durations
            )
        except (OverflowError, ValueError):
            return "#VALUE!"  # what openpyxl shows for a date serial out of range
        return moment

    def _value(self, kind: str, text: str | None, style: str | None) -> Cell:
        if text is None:
            return None
        if kind == "n":
            return self._number(text, style) if text else None
        if kind == "s":
            return self._strings[int(text)]
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "b":
            return text.strip() not in ("0", "false", "")
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            stamp: datetime | date | time | timedelta = from_ISO8601(text)  # untyped in stubs
            return stamp
        raise _corrupt(f"a cell has the unknown type {kind!r}")

    def _declared_size(self, attrs: dict[str, str]) -> None:
        last = attrs.get("ref", "").rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.last_row_declared = int(last) if last.isdigit() else None

    def _read_plain_cells(self) -> CellsReader:
        """The fast path's cell reader: the values the expat handlers give the same cells."""
        value_of, columns, strings = self._value, _COLUMN_BYTES, self._strings

        def read(matches: list[CellMatch]) -> list[Cell] | None:
            # No length checks: a plain row holds at most MAX_PLAIN_ROW_BYTES (= Excel's cell
            # limit) bytes, and a cell's characters are never more than its bytes.
            cells: list[Cell] = []
            have = 0  # len(cells)
            try:
                for letters, style, kind, number_text, inline, inline_text, other in matches:
                    if inline:  # <is><t>: the value is the text itself (openpyxl writes these)
                        text = inline_text.decode() if inline_text else None
                        if text and b"&" in inline_text:
                            text = decode_references(text)
                            if text is None:
                                return None  # a forbidden character: expat says which
                        value: Cell = text
                    elif not letters:
                        if other:
                            return None  # not a plain cell: expat reads the row
                        continue  # whitespace between cells
                    elif kind == b"s" and number_text.isdigit():  # the commonest Excel cell
                        value = strings[int(number_text)]
                    else:
                        text = number_text.decode() if number_text else None
                        if text and b"&" in number_text:
                            text = decode_references(text)
                            if text is None:
                                return None
                        value = value_of(kind.decode() or "n", text, style.decode() or None)
                    column = columns.get(letters)
                    if column == have:
                        cells.append(value)
                        have += 1
                    elif column is None:
                        return None  # past XFD: expat's handlers refuse it with their message
                    elif column > have:
                        cells.extend([None] * (column - have))
                        cells.append(value)
                        have = column + 1
                    else:
                        cells[column] = value
            except UnicodeDecodeError:
                return None  # not UTF-8: expat reads the row and says where
            return cells

        return read

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """Stream the rows: plain ones through ``fast_rows``, all the rest through expat."""
        expat_rows = self._expat_rows()
        with self._archive.open(self._part) as part:
            chunks = iter(lambda: part.read(FEED_BYTES), b"")
            if self._fast:
                yield from stream_rows(chunks, expat_rows, self._read_plain_cells())
            else:
                for chunk in chunks:
                    expat_rows.feed(chunk)
                    yield from expat_rows.ready
                    expat_rows.ready.clear()
            expat_rows.finish()
            yield from expat_rows.ready
            expat_rows.ready.clear()

    def _expat_rows(self) -> _ExpatRows:
        """An expat parser whose handlers turn the bytes fed to it into ``ready`` rows.

        The handlers run once per element (millions of times), so they keep their
        state in closure variables and test the most frequent elements first.
        """
        codes: dict[str, int] = {}  # element name as written -> what it is; see root_start
        found = _ExpatRows()
        ready = found.ready
        cells: list[Cell] = []
        parts: list[str] = []
        cell: dict[str, str] = {}
        row_number = phonetic = depth = 0
        formula: str | None = None
        collecting = inline = in_sheet_data = False
        value_of, columns, strings = self._value, _COLUMN_NUMBERS, self._strings

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal cell, formula, collecting, inline, row_number, cells, phonetic, depth
            nonlocal in_sheet_data
            depth += 1
            code = codes.get(tag)
            if code == 0:  # <c>
                cell = attrs
                formula = None
            elif code == 1 or (code == 2 and inline and not phonetic):  # <v>, <is><t>
                collecting = True
            elif code == 3:  # <is>
                inline = True
            elif code == 4:  # <row>
                number = attrs.get("r")
                row_number = int(number) if number else row_number + 1
                cells = []
            elif code == 5:  # <f>: flagged, its text kept for the report, never evaluated
                formula = ""
                collecting = True
            elif code == 6:
                phonetic += 1
            elif code == 7:
                self._declared_size(attrs)
            elif code == 8:
                in_sheet_data = depth == 2  # the fast path reads rows only directly in it

        def end(tag: str) -> None:
            nonlocal collecting, inline, formula, phonetic, depth, in_sheet_data
            depth -= 1
            code = codes.get(tag)
            if code == 0:  # </c>
                text = "".join(parts) if parts else None
                parts.clear()
                if text is not None and len(text) > MAX_CELL_CHARS:
                    raise cell_too_long()
                kind = cell.get("t")
                if formula is not None:
                    value: Cell = FormulaCell(formula)
                elif inline:
                    value = text
                elif kind == "s" and text is not None:  # the commonest cell: a shared string
                    value = strings[int(text)]
                else:
                    value = value_of(kind or "n", text, cell.get("s"))
                inline = False
                ref = cell.get("r")
                if ref:
                    column = columns.get(ref.rstrip("0123456789"))
                    if column is None:
                        raise _corrupt(f"a cell has the reference {ref[:20]!r}")
                else:
                    column = len(cells)  # no reference: the column after the previous cell
                have = len(cells)
                if column == have:
                    cells.append(value)
                elif column > have:
                    cells.extend([None] * (column - have))
                    cells.append(value)
                else:
                    cells[column] = value
            elif code == 1 or code == 2:
                collecting = False
            elif code == 4:
                if cells:
                    ready.append((row_number, cells))
            elif code == 5:
                collecting = False
                formula = "=" + "".join(parts)
                parts.clear()
            elif code == 6:
                phonetic -= 1
            elif code == 8:
                in_sheet_data = False

        def data(text: str) -> None:
            if collecting:
                parts.append(text)
                # Slices come at most FEED_BYTES apart: check the cell's size when they pile up.
                if len(parts) > 1 and sum(map(len, parts)) > MAX_CELL_CHARS:
                    raise cell_too_long()

        def root_start(tag: str, attrs: dict[str, str]) -> None:
            """Learn the prefix the root gives the spreadsheet namespace ("" or "x:")."""
            nonlocal depth
            prefixes = [
                "" if key == "xmlns" else key[6:] + ":"
                for key, value in attrs.items()
                if (key == "xmlns" or key.startswith("xmlns:")) and value in MAIN_NAMESPACES
            ]
            if not prefixes or tag != prefixes[0] + "worksheet":
                raise _corrupt("the first sheet is not a worksheet")
            for code, local in enumerate(_SHEET_ELEMENTS):
                codes[prefixes[0] + local] = code
            parser.StartElementHandler = start
            depth = 1

        def follow_row(number: int) -> None:
            nonlocal row_number
            if number:
                row_number = number

        def between_rows() -> bool:
            return (
                in_sheet_data
                and depth == 2
                and codes.get("row") == 4  # unprefixed: what the fast path's patterns read
                and not (collecting or inline or phonetic or parts)
            )

        parser = safe_expat_parser(namespaces=False)
        parser.StartElementHandler, parser.EndElementHandler = root_start, end
        parser.CharacterDataHandler = data
        found.parse, found.between_rows, found.follow_row = parser.Parse, between_rows, follow_row
        return found
