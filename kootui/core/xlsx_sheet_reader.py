"""Streams the rows of a workbook's first sheet straight from its XML, through expat.

Why not openpyxl: on the bench's 2,000,000-row, 37 MiB workbook openpyxl's
read-only mode alone took ~178 s (kootui's whole import ~225 s, 212 MB peak);
the issue's goal is under 30 s. Two costs dominate there: with defusedxml
installed, openpyxl's ``iterparse`` is defusedxml's, built on the pure-Python
ElementTree XMLParser, and openpyxl then builds a cell object per cell.
Measured on the same 200,000-row workbook in one bench run (2 cores, load
average ~3 from other work): openpyxl read-only iterated 11,500 rows/s; this
reader, the C expat parser with plain callbacks, 72,000 rows/s (6x). On the
full 2,000,000 rows (load average 2.5-4.9): openpyxl 394 s, this reader 55 s.
What remains is one Python callback per element (~1 µs with its work).

Safety is kept, not traded: every part is parsed by
``xlsx_safety.safe_expat_parser``, which, like defusedxml, refuses any DOCTYPE
and any entity declaration the moment the parser meets it (so neither a
billion-laughs bomb nor an external entity is ever expanded or fetched), and
never loads external entities or a DTD.
``xlsx_safety.check_workbook_file`` has already bounded the zip before this
module opens it. The shared-strings table is the one thing held in memory: it
is kept as UTF-8 bytes plus offsets, and a part larger than
``MAX_SHARED_STRINGS_BYTES`` is refused. A cell's text is capped at Excel's
own limit (32,767 characters), so no cell can grow without bound either.

The sheet itself is parsed without expat's namespace processing (the root's
prefix for the spreadsheet namespace is read once): ~20% less CPU a row.
Values come out as openpyxl gives them in read-only mode with
``data_only=False`` (numbers as int/float, dates as datetime, booleans, error
codes as text), except that a formula cell is a ``FormulaCell``: flagged,
never evaluated. Row numbers are the sheet's ``r`` attributes, so empty rows
and skipped columns keep the numbers Excel shows.
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from kootui.core.errors import ValidationError
from kootui.core.xlsx_fast_rows import CellMatch, CellsReader, stream_rows
from kootui.core.xlsx_safety import FIELD, NAMESPACE_SEPARATOR, safe_expat_parser

MAX_SHARED_STRINGS_BYTES = 96 * 1024 * 1024  # decompressed; what the table may cost in memory
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_STYLES_BYTES = 16 * 1024 * 1024
MAX_COLUMNS = 16_384  # Excel's last column, XFD
FEED_BYTES = 256 * 1024

_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SEP = NAMESPACE_SEPARATOR
# The sheet elements the reader acts on, in the order of the codes its handlers test.
_SHEET_ELEMENTS = ("c", "v", "t", "is", "row", "f", "rPh", "dimension", "sheetData")


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula: its text is kept for messages, its value is never computed."""

    text: str


Cell = str | int | float | bool | datetime | Any | FormulaCell | None


def _names(local: str) -> frozenset[str]:
    return frozenset(f"{ns}{_SEP}{local}" for ns in _MAIN_NAMESPACES)


def _parse_part(archive: zipfile.ZipFile, name: str, parser: Any) -> None:
    with archive.open(name) as part:
        while chunk := part.read(FEED_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _resolve(base_folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_folder, target))


def _relationships(archive: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target) of a .rels part."""
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_PACKAGE_RELS}{_SEP}Relationship" and attrs.get("TargetMode") != "External":
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

    parser = safe_expat_parser()
    parser.StartElementHandler = start
    _parse_part(archive, name, parser)
    return found


@dataclass(frozen=True)
class WorkbookLayout:
    """Where the first sheet, the shared strings and the styles are, and the date epoch."""

    first_sheet: str | None
    shared_strings: str | None
    styles: str | None
    epoch: datetime


def read_layout(archive: zipfile.ZipFile) -> WorkbookLayout:
    """Follow xl/workbook.xml's <sheet>s, in order, through xl/_rels/workbook.xml.rels."""
    names = set(archive.namelist())
    sheet_ids: list[str] = []
    epoch = [CALENDAR_WINDOWS_1900]
    sheet_tags = _names("sheet")
    properties_tags = _names("workbookPr")

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in sheet_tags:
            for ns in _REL_NAMESPACES:
                if f"{ns}{_SEP}id" in attrs:
                    sheet_ids.append(attrs[f"{ns}{_SEP}id"])
        elif tag in properties_tags and attrs.get("date1904", "").lower() in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    parser = safe_expat_parser()
    parser.StartElementHandler = start
    _parse_part(archive, "xl/workbook.xml", parser)
    rels_name = "xl/_rels/workbook.xml.rels"
    relations = _relationships(archive, rels_name) if rels_name in names else {}
    first_sheet = shared_strings = styles = None
    for sheet_id in sheet_ids:  # the first that is a worksheet (a chart sheet has no rows)
        kind, target = relations.get(sheet_id, ("", ""))
        if kind.endswith("/worksheet"):
            first_sheet = _resolve("xl", target)
            break
    for kind, target in relations.values():
        if kind.endswith("/sharedStrings"):
            shared_strings = _resolve("xl", target)
        elif kind.endswith("/styles"):
            styles = _resolve("xl", target)
    return WorkbookLayout(
        first_sheet=first_sheet if first_sheet in names else None,
        shared_strings=shared_strings if shared_strings in names else None,
        styles=styles if styles in names else None,
        epoch=epoch[0],
    )


def _too_long() -> ValidationError:
    return ValidationError(
        f"a cell holds more than {MAX_CELL_CHARS:,} characters (Excel's own limit)",
        field=FIELD,
        code="xlsx.corrupt",
    )


class SharedStrings:
    """The workbook's shared-strings table as UTF-8 bytes and offsets: compact, read-only."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("Q")

    def append(self, text: str) -> None:
        self._text += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._text))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)  # not Python's count from the end: the file is corrupt
        start = self._ends[index - 1] if index > 0 else 0  # IndexError past the end
        return self._text[start : self._ends[index]].decode("utf-8", "surrogatepass")


def read_shared_strings(archive: zipfile.ZipFile, name: str | None) -> SharedStrings:
    table = SharedStrings()
    if name is None:
        return table
    size = archive.getinfo(name).file_size
    if size > MAX_SHARED_STRINGS_BYTES:
        raise ValidationError(
            f"the workbook's shared-strings part expands to {size:,} bytes; at most "
            f"{MAX_SHARED_STRINGS_BYTES // 2**20} MB can be read (save fewer or shorter texts)",
            field=FIELD,
            code="xlsx.too_large",
        )
    codes = {tag: 0 for tag in _names("si")}  # one call per element: a dict, not a chain
    codes.update({tag: 1 for tag in _names("t")})
    codes.update({tag: 2 for tag in _names("rPh")})
    parts: list[str] = []
    in_text = False
    phonetic = 0
    add = table.append

    def start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal in_text, phonetic
        code = codes.get(tag)
        if code == 1:
            in_text = not phonetic  # a phonetic reading (<rPh><t>) is not the text
        elif code == 0:
            parts.clear()
        elif code == 2:
            phonetic += 1

    def end(tag: str) -> None:
        nonlocal in_text, phonetic
        code = codes.get(tag)
        if code == 1:
            in_text = False
        elif code == 0:
            text = "".join(parts)
            if len(text) > MAX_CELL_CHARS:
                raise _too_long()
            add(text)
        elif code == 2:
            phonetic -= 1

    def data(text: str) -> None:
        if in_text:
            parts.append(text)
            if len(parts) > 1 and sum(map(len, parts)) > MAX_CELL_CHARS:
                raise _too_long()

    parser = safe_expat_parser()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    _parse_part(archive, name, parser)
    return table


def read_date_styles(archive: zipfile.ZipFile, name: str | None) -> tuple[set[int], set[int]]:
    """Indexes of the cell styles (cellXfs) that format numbers as dates, and as durations."""
    dates: set[int] = set()
    durations: set[int] = set()
    if name is None or archive.getinfo(name).file_size > MAX_STYLES_BYTES:
        return dates, durations  # numbers then read as numbers, which is still sendable text
    custom: dict[int, str] = {}
    style_formats: list[int] = []
    depth = {"cellXfs": 0}
    fmt_tags, xfs_tags, xf_tags = _names("numFmt"), _names("cellXfs"), _names("xf")

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in fmt_tags and attrs.get("numFmtId", "").isdigit():
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag in xfs_tags:
            depth["cellXfs"] += 1
        elif tag in xf_tags and depth["cellXfs"]:
            number = attrs.get("numFmtId", "0")
            style_formats.append(int(number) if number.isdigit() else 0)

    def end(tag: str) -> None:
        if tag in xfs_tags:
            depth["cellXfs"] -= 1

    parser = safe_expat_parser()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    _parse_part(archive, name, parser)
    for index, number in enumerate(style_formats):
        fmt = custom.get(number) or BUILTIN_FORMATS.get(number)
        if fmt and is_date_format(fmt):
            dates.add(index)
            if is_timedelta_format(fmt):
                durations.add(index)
    return dates, durations


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


def _check_length(text: object) -> None:
    """Bytes may be longer than their characters: this counts characters."""
    if isinstance(text, str) and len(text) > MAX_CELL_CHARS:
        raise _too_long()


def _corrupt(message: str) -> ValidationError:
    return ValidationError(
        f"the workbook is corrupt and could not be read ({message})",
        field=FIELD,
        code="xlsx.corrupt",
    )


class _ExpatRows:
    """The sheet's expat parser as ``xlsx_fast_rows.ExpatRows``: fed bytes, it fills ``ready``."""

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
            return from_excel(number, self._epoch, timedelta=style in self._durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # what openpyxl shows for a date serial out of range

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

            return from_ISO8601(text)
        raise _corrupt(f"a cell has the unknown type {kind!r}")

    def _declared_size(self, attrs: dict[str, str]) -> None:
        last = attrs.get("ref", "").rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.last_row_declared = int(last) if last.isdigit() else None

    def _read_plain_cells(self) -> CellsReader:
        """The fast path's cell reader: the values the expat handlers give the same cells."""
        value_of, columns, strings = self._value, _COLUMN_BYTES, self._strings

        def read(matches: list[CellMatch]) -> list[Cell] | None:
            cells: list[Cell] = []
            try:
                for letters, style, kind, number_text, inline, inline_text, other in matches:
                    if not letters:
                        if other:
                            return None  # not a plain cell: expat reads the row
                        continue  # whitespace between cells
                    if inline:  # <is><t>: the value is the text itself
                        value: Cell = inline_text.decode() if inline_text else None
                        if inline_text and len(inline_text) > MAX_CELL_CHARS:
                            _check_length(value)
                    elif kind == b"s" and number_text.isdigit():  # the commonest Excel cell
                        value = strings[int(number_text)]
                    else:
                        text = number_text.decode() if number_text else None
                        if number_text and len(number_text) > MAX_CELL_CHARS:
                            _check_length(text)
                        value = value_of(kind.decode() or "n", text, style.decode() or None)
                    column = columns.get(letters)
                    if column is None:
                        return None  # past XFD: expat's handlers refuse it with their message
                    have = len(cells)
                    if column == have:
                        cells.append(value)
                    elif column > have:
                        cells.extend([None] * (column - have))
                        cells.append(value)
                    else:
                        cells[column] = value
            except UnicodeDecodeError:
                return None  # not UTF-8: expat reads the row and says where
            return cells

        return read

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """Stream the rows: plain ones through ``xlsx_fast_rows``, all the rest through expat."""
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
                    raise _too_long()
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
                    raise _too_long()

        def root_start(tag: str, attrs: dict[str, str]) -> None:
            """Learn the prefix the root gives the spreadsheet namespace ("" or "x:")."""
            nonlocal depth
            prefixes = [
                "" if key == "xmlns" else key[6:] + ":"
                for key, value in attrs.items()
                if (key == "xmlns" or key.startswith("xmlns:")) and value in _MAIN_NAMESPACES
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
