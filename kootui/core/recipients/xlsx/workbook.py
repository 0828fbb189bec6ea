"""The workbook parts around a sheet: its layout, shared strings and date styles.

Read with ``safety.safe_expat_parser`` (any DTD or entity declaration is
refused as it is met), after ``safety.check_workbook_file`` has bounded
the zip. The shared-strings table is the one thing an import holds in memory:
it is kept as UTF-8 bytes plus offsets, and a part larger than
``MAX_SHARED_STRINGS_BYTES`` is refused. A string is capped at Excel's own
limit for a cell (32,767 characters).
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from dataclasses import dataclass
from datetime import datetime
from xml.parsers.expat import XMLParserType

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx.safety import FIELD, NAMESPACE_SEPARATOR, safe_expat_parser

MAX_SHARED_STRINGS_BYTES = 96 * 1024 * 1024  # decompressed; what the table may cost in memory
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_STYLES_BYTES = 16 * 1024 * 1024
FEED_BYTES = 256 * 1024

MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SEP = NAMESPACE_SEPARATOR


def _names(local: str) -> frozenset[str]:
    return frozenset(f"{ns}{_SEP}{local}" for ns in MAIN_NAMESPACES)


def _parse_part(archive: zipfile.ZipFile, name: str, parser: XMLParserType) -> None:
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


def cell_too_long() -> ValidationError:
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
                raise cell_too_long()
            add(text)
        elif code == 2:
            phonetic -= 1

    def data(text: str) -> None:
        if in_text:
            parts.append(text)
            if len(parts) > 1 and sum(map(len, parts)) > MAX_CELL_CHARS:
                raise cell_too_long()

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
