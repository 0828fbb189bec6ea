"""The sheet's plain rows read by regular expressions; everything else still goes to expat.

Why: the expat reader makes ~20 Python callbacks a row (one per start and end
tag), which was most of an import's CPU. Almost every row in a
real workbook has one fixed shape, e.g.::

    <row r="7" spans="1:3"><c r="A7" t="s"><v>12</v></c><c r="B7"><v>3.5</v></c></row>

so such a row is matched whole by one compiled pattern, and its cells by a
second, in C: several times less CPU a row (bench/import_xlsx.py; figures in
bench/RESULTS.md).

Why this is exactly as safe and as strict as parsing everything with expat:

* expat still parses the whole part except the plain rows: the prolog, the
  root, everything before ``<sheetData>`` and after its last plain row, and
  every row the patterns do not match whole (a formula, rich text, an entity
  comment, a ``\\r``, an unknown attribute ...). Those rows come
  out of the expat handlers exactly as before.
* A plain row is well-formed by construction: fixed element names, attributes
  of printable ASCII in double quotes (no ``<``, ``&`` or duplicate names),
  text without ``<``, ``\\r`` or control characters, ``&`` only in a predefined
  entity or a character reference to an XML character, valid UTF-8.
  Leaving a well-formed element out of expat's input leaves the document
  well-formed exactly when it was, so expat's verdict on the file is unchanged.
* The patterns are only trusted where every ``<`` starts a tag: the fast path
  is never used for a part that is not UTF-8 or holds ``<!`` (a DOCTYPE, a
  comment, CDATA) or ``<?`` (a processing instruction) past its XML
  declaration; ``]]>`` or U+FFFE/U+FFFF anywhere sends the rest to expat too.
  So entities are never declared, let alone expanded, on this path.
* Rows are only read here when expat stands between rows, directly inside
  ``<sheetData>``, with no text collected (``ExpatRows.between_rows``).
* Memory stays bounded: at most one slice plus one unfinished row is held;
  a row longer than ``MAX_PENDING_BYTES`` is left to expat, which streams it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from typing import Any, Protocol

from kootui.core.recipients.xlsx.workbook import MAX_CELL_CHARS

Row = tuple[int, list[Any]]
# (column letters, style, type, <v> text, "<t>" when the cell has <is>, <is><t> text,
# one byte that is not part of a plain cell). No letters: whitespace, or that byte.
CellMatch = tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes]
# Turns one plain row's cells into values; None when the row must go to expat instead.
CellsReader = Callable[[list[CellMatch]], list[Any] | None]

MAX_HEAD_BYTES = 4 * 1024 * 1024  # <sheetData> must start within this, or expat reads it all
MAX_PENDING_BYTES = 4 * 1024 * 1024  # an unfinished row longer than this goes to expat
# A longer row goes to expat: then no cell of a plain row can pass Excel's 32,767-character
# limit (characters never outnumber bytes), and the cell reader need not count them.
MAX_PLAIN_ROW_BYTES = MAX_CELL_CHARS

_WS = rb"[ \t\n]*"  # no \r: XML turns it into \n, which a plain row then need not copy
# Character data a plain row may hold: no markup, no \r, no C0 control, and "&" only in one
# of XML's five entity references or a character reference (decode_references checks it).
_TEXT_CHARACTERS = rb"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f]*"
_REFERENCE = rb"&(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
_TEXT = _TEXT_CHARACTERS + rb"(?:" + _REFERENCE + _TEXT_CHARACTERS + rb")*"
_REFERENCES = re.compile(r"&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ATTR_VALUE = rb'"[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x7e]*"'  # printable ASCII, no " & <
_NAME = rb"[A-Za-z_][A-Za-z0-9_.:-]*"
_CELL = (
    rb'<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,9})")?'
    rb"(?:/>|>(?:<v>(" + _TEXT + rb")</v>|<is>(<t(?: xml:space=\"preserve\")?>)("
    rb"" + _TEXT + rb")</t></is>)?</c>)"
)
_ROW_START = re.compile(
    _WS + rb'<row r="([0-9]{1,9})"((?:[ \t\n]+' + _NAME + rb"=" + _ATTR_VALUE + rb")*)"
    rb"[ \t\n]*(/?)>"
)
# A row's content with every byte accounted for, in one scan: a plain cell, whitespace, or
# one byte of anything else (the last group), which sends the whole row to expat.
_CELLS = re.compile(_WS + _CELL + rb"|[ \t\n]+|(.)", re.DOTALL)
_ATTR_NAMES = re.compile(rb"(" + _NAME + rb")=")
_SHEET_DATA_START = b"<sheetData>"
_SHEET_DATA_END = re.compile(_WS + rb"</sheetData>")
_ROW_END = b"</row>"
_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^<>?]*\?>")
_ENCODING = re.compile(rb"""encoding[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z0-9._-]+)["']""")
# Where these appear, a pattern could read what is not a tag, or text XML forbids.
_NOT_CHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF: not XML characters
_KNOWN_EXTRAS_LIMIT = 10_000


class ExpatRows(Protocol):
    """The expat reader as this module drives it."""

    ready: list[Row]  # rows its handlers completed, in order

    def feed(self, data: bytes) -> None: ...

    def follow_row(self, number: int) -> None:
        """The last row read without expat: a row with no number of its own comes next."""
        ...

    def between_rows(self) -> bool:
        """Whether expat stands directly inside <sheetData>, between two rows, nothing open."""
        ...


def _is_xml_character(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def decode_references(text: str) -> str | None:
    """``text`` with its references replaced as expat replaces them; None when one names a
    character XML forbids (the row then goes to expat, which says so)."""
    forbidden = False

    def replace(found: re.Match[str]) -> str:
        nonlocal forbidden
        name = found.group(1)
        if name[0] != "#":
            return _ENTITIES[name]
        code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
        if not _is_xml_character(code):
            forbidden = True
            return ""
        return chr(code)

    decoded = _REFERENCES.sub(replace, text)
    return None if forbidden else decoded


def _not_plain(data: bytes) -> bool:
    # Each test is a C scan of the slice (~1 GB/s); the two rare non-characters share one.
    if b"<!" in data or b"<?" in data or b"]]>" in data:
        return True
    return b"\xef\xbf" in data and any(marker in data for marker in _NOT_CHARACTERS)


def _rows_start(head: bytes) -> int | None:
    """Where the rows begin (just after ``<sheetData>``), when a plain head leads there."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16: bytes are not characters
    declaration = _DECLARATION.match(head)
    after = declaration.end() if declaration else 0
    if declaration:
        encoding = _ENCODING.search(declaration.group())
        if encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
    start = head.find(_SHEET_DATA_START, after)
    if start < 0 or _not_plain(head[after:start]):
        return None
    return start + len(_SHEET_DATA_START)


class _Extras:
    """Row attributes after ``r`` verified to name no attribute twice (cached: they repeat)."""

    def __init__(self) -> None:
        self.known: set[bytes] = {b""}

    def plain(self, extras: bytes) -> bool:
        names = _ATTR_NAMES.findall(extras)
        if b"r" in names or len(set(names)) != len(names):
            return False  # not well-formed: expat will say so
        if len(self.known) >= _KNOWN_EXTRAS_LIMIT:
            self.known.clear()  # bounded memory; the set is refilled as rows come
        self.known.add(extras)
        return True


def stream_rows(
    chunks: Iterator[bytes], expat: ExpatRows, read_cells: CellsReader
) -> Iterator[Row]:
    """All rows of the part, in order: plain ones read here, the rest by ``expat``.

    The caller finishes expat (``Parse(b"", True)``) after this generator ends.
    """
    head = b""
    for chunk in chunks:
        head += chunk
        if _SHEET_DATA_START in head or len(head) >= MAX_HEAD_BYTES:
            break
    start = _rows_start(head)
    rest = head
    if start is not None:
        yield from _expat_rows(expat, head[:start])
        rest = head[start:]
        if expat.between_rows():
            rest = yield from _plain_rows(rest, chunks, expat, read_cells)
    yield from _expat_rows(expat, rest)
    for chunk in chunks:
        yield from _expat_rows(expat, chunk)


def _expat_rows(expat: ExpatRows, data: bytes) -> Iterator[Row]:
    if data:
        expat.feed(data)
        yield from expat.ready
        expat.ready.clear()


def _plain_rows(
    buffer: bytes, chunks: Iterator[bytes], expat: ExpatRows, read_cells: CellsReader
) -> Generator[Row, None, bytes]:
    """Read rows until the rows end or something is not plain; returns the unread bytes."""
    if _not_plain(buffer):
        return buffer
    match_row, find_cells, extras = _ROW_START.match, _CELLS.findall, _Extras()
    known_extras = extras.known
    position = last_number = 0
    more: bytes | None = b""
    while True:
        if more is None:
            limit = len(buffer)
        else:  # only complete rows: up to the last </row> (0 when there is none yet)
            last = buffer.rfind(_ROW_END)
            limit = last + len(_ROW_END) if last >= 0 else 0
        while position < limit:
            found = match_row(buffer, position, limit)
            # The row's attributes first: a repeated one is expat's error to report.
            if found is not None and (found[2] in known_extras or extras.plain(found[2])):
                row_end = found.end()
                values: list[Any] | None = []
                if not found[3]:  # not <row .../>
                    # Without comments, CDATA or PIs every "</row>" is an end tag; a nested
                    # row would be a byte outside a plain cell, which read_cells refuses.
                    content_end = buffer.find(_ROW_END, row_end, limit)
                    values = None
                    if 0 <= content_end - row_end <= MAX_PLAIN_ROW_BYTES:
                        values = read_cells(find_cells(buffer, row_end, content_end))
                        row_end = content_end + len(_ROW_END)
                if values is not None:
                    position = row_end
                    last_number = int(found[1])
                    if values:
                        yield last_number, values
                    continue
            expat.follow_row(last_number)
            if _SHEET_DATA_END.match(buffer, position):
                return buffer[position:]  # the rest of the part is expat's
            end = buffer.find(_ROW_END, position, limit)
            if end < 0:
                return buffer[position:]
            end += len(_ROW_END)  # one row that is not plain: expat reads it
            yield from _expat_rows(expat, buffer[position:end])
            position = end
            if not expat.between_rows():
                return buffer[position:]
        if more is None:
            expat.follow_row(last_number)
            return buffer[position:]
        more = next(chunks, None)
        if more is not None:
            # The last two bytes before it too: a marker may straddle the two slices.
            if _not_plain(buffer[-2:] + more):
                expat.follow_row(last_number)
                return buffer[position:] + more
            buffer = buffer[position:] + more
            position = 0
            if buffer.find(_ROW_END) < 0 and len(buffer) > MAX_PENDING_BYTES:
                expat.follow_row(last_number)
                return buffer  # one huge row: expat streams it
        else:
            buffer = buffer[position:]
            position = 0
