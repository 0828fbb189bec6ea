"""The fast path for plain rows reads exactly what expat reads, and refuses what it refuses.

Every sheet below is read twice, with the fast path and with expat alone, and
the two must agree row for row — or fail the same way. Each is also read in
tiny slices so rows, tags and the markers the fast path looks for straddle
slice boundaries.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx import (
    Row,
    SheetRows,
    import_recipients,
    read_date_styles,
    read_layout,
    read_shared_strings,
    stream_rows,
)
from kootui.core.recipients.xlsx import fast_rows as xlsx_fast_rows
from kootui.core.recipients.xlsx import sheet as xlsx_sheet_reader

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHARED = f'<sst xmlns="{NS}"><si><t>email</t></si><si><t>ann@example.com</t></si></sst>'
STYLES = (
    f'<styleSheet xmlns="{NS}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
    "</cellXfs></styleSheet>"
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _plain(first: int, count: int) -> str:
    return "".join(
        f'<row r="{n}" spans="1:3">{_inline(f"A{n}", f"u{n}@x.com")}<c r="B{n}" t="s"><v>1</v>'
        f'</c><c r="C{n}" s="1"><v>{40000 + n}</v></c></row>'
        for n in range(first, first + count)
    )


def _sheet(rows: str, *, head: str = "", tail: str = "", declaration: str | None = None) -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>' if declaration is None else declaration
    return (
        f'{declaration}<worksheet xmlns="{NS}" xmlns:x14ac="urn:x14ac">{head}'
        f'<dimension ref="A1:C9"/><sheetData>{rows}</sheetData>{tail}</worksheet>'
    ).encode()


PLAIN = _plain(1, 6)
SHEETS: dict[str, bytes] = {
    "plain": _sheet(PLAIN),
    "excel row attributes": _sheet(
        '<row r="1" spans="1:2" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2" spans="1:2" x14ac:dyDescent="0.25" ht="20" customHeight="1">'
        '<c r="A2" t="s"><v>1</v></c><c r="B2" t="b"><v>1</v></c></row>'
    ),
    "every cell type": _sheet(
        '<row r="1"><c r="A1" t="str"><v>text</v></c><c r="B1" t="e"><v>#N/A</v></c>'
        '<c r="C1" t="b"><v>0</v></c><c r="D1"><v>1.5E3</v></c><c r="E1" s="1"><v>45000.25</v>'
        '</c><c r="F1" t="d"><v>2026-11-23T10:00:00</v></c><c r="G1" t="n"><v></v></c>'
        '<c r="H1"/><c r="I1"></c><c r="J1" t="inlineStr"><is><t></t></is></c>'
        '<c r="K1" t="inlineStr"><is><t xml:space="preserve"> padded </t></is></c></row>'
    ),
    "pretty printed": _sheet(
        "\n  " + PLAIN.replace("<c ", "\n    <c ").replace("</row>", "\n  </row>\n  ") + "\n"
    ),
    "windows line ends": _sheet("\r\n" + PLAIN.replace("</row>", "</row>\r\n")),
    "cells out of order and repeated": _sheet(
        '<row r="3"><c r="C3"><v>3</v></c><c r="A3"><v>1</v></c><c r="C3"><v>9</v></c>'
        '<c r="AB3"><v>28</v></c></row>'
    ),
    "empty rows": _sheet(
        f'<row r="1"/><row r="2"></row><row r="3" spans="1:1"><c r="A3"/></row>{_plain(4, 1)}'
    ),
    "formula in the middle": _sheet(
        _plain(1, 2) + '<row r="3"><c r="A3"><f>SUM(1,2)</f><v>3</v></c></row>' + _plain(4, 2)
    ),
    "rich text in the middle": _sheet(
        _plain(1, 2) + '<row r="3"><c r="A3" t="inlineStr"><is><r><t>A</t></r><r><t>nn</t></r>'
        "<rPh><t>ア</t></rPh></is></c></row>" + _plain(4, 2)
    ),
    "entity and character references": _sheet(
        _plain(1, 2) + f'<row r="3">{_inline("A3", "Smith &amp; Co &#x263A; &lt;b&gt;")}</row>'
    ),
    "every reference expat knows": _sheet(
        '<row r="1">'
        + _inline("A1", "&lt;&gt;&amp;&quot;&apos;")
        + _inline("B1", "&#65;&#x42;&#x1F600;&#x10FFFF;&#9;&#10;&#13;&#xd7ff;&#xE000;")
        + '<c r="C1" t="str"><v>a &amp; b</v></c><c r="D1" t="s"><v>&#49;</v></c></row>'
        + _plain(2, 1)
    ),
    "null character reference": _sheet(_plain(1, 1) + f'<row r="2">{_inline("A2", "&#0;")}</row>'),
    "surrogate reference": _sheet(_plain(1, 1) + f'<row r="2">{_inline("A2", "&#xD800;")}</row>'),
    "U+FFFE reference": _sheet(_plain(1, 1) + f'<row r="2">{_inline("A2", "a&#65534;")}</row>'),
    "reference past U+10FFFF": _sheet(
        _plain(1, 1) + f'<row r="2">{_inline("A2", "&#x110000;")}</row>'
    ),
    "upper-case X reference": _sheet(_plain(1, 1) + f'<row r="2">{_inline("A2", "&#X41;")}</row>'),
    "reference without semicolon": _sheet(
        _plain(1, 1) + f'<row r="2">{_inline("A2", "a &amp b")}</row>'
    ),
    "comment between rows": _sheet(_plain(1, 2) + "<!-- <row r='9'/> -->" + _plain(3, 2)),
    "cdata in a cell": _sheet(
        _plain(1, 1) + '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[a<b]]></t></is>'
        "</c></row>" + _plain(3, 1)
    ),
    "processing instruction": _sheet(_plain(1, 2) + "<?mso hint?>" + _plain(3, 2)),
    "comment in the head": _sheet(PLAIN, head="<!-- hello -->"),
    "non-ascii text": _sheet(
        f'<row r="1">{_inline("A1", "Zoë ")}{_inline("B1", "東京 ¥ ￥")}'
        f"{_inline('C1', '€' * 20_000)}</row>"
    ),
    "row without number and cell without reference": _sheet(
        _plain(1, 1)
        + '<row><c t="inlineStr"><is><t>x</t></is></c><c><v>2</v></c></row>'
        + _plain(5, 1)
        + '<row r="6"/><row><c r="B7"><v>2</v></c></row>'
    ),
    "single-quoted attribute": _sheet(_plain(1, 1) + "<row r='2'><c r='A2'><v>1</v></c></row>"),
    "stray text before a row": _sheet(_plain(1, 1) + "<v>stray</v>" + _plain(2, 1)),
    "rows after the sheet data": _sheet(PLAIN, tail=f"<extLst>{_plain(7, 1)}</extLst>"),
    "nested row": _sheet(_plain(1, 1) + f'<row r="2">{_plain(3, 1)}</row>' + _plain(4, 1)),
    "no declaration, a BOM": b"\xef\xbb\xbf" + _sheet(PLAIN, declaration=""),
    "latin-1 declared": _sheet(
        PLAIN.replace("u1@", "\xe9@"), declaration='<?xml version="1.0" encoding="ISO-8859-1"?>'
    )
    .decode()
    .encode("latin-1"),
    "utf-16": _sheet(PLAIN, declaration='<?xml version="1.0" encoding="UTF-16"?>')
    .decode()
    .encode("utf-16"),
    # Broken in one row: both ways must refuse the file.
    "column past XFD": _sheet(_plain(1, 1) + '<row r="2"><c r="XFE2"><v>1</v></c></row>'),
    "unknown cell type": _sheet(_plain(1, 1) + '<row r="2"><c r="A2" t="zz"><v>1</v></c></row>'),
    "shared string out of range": _sheet(
        _plain(1, 1) + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'
    ),
    "duplicate row attribute": _sheet(_plain(1, 1) + '<row r="2" ht="1" ht="2"></row>'),
    "duplicate attribute and a bad index": _sheet(
        _plain(1, 1) + '<row r="2" ht="1" ht="2"><c r="A2" t="s"><v>99</v></c></row>'
    ),
    "invalid utf-8": _sheet(_plain(1, 2)).replace(b"u2@x", b"u\xff@x"),
    "control character": _sheet(_plain(1, 2)).replace(b"u2@x", b"u\x01@x"),
    "U+FFFF": _sheet(_plain(1, 2)).replace(b"u2@x", "u\uffff@x".encode()),
    "]]> in text": _sheet(_plain(1, 2)).replace(b"u2@x", b"u]]>@x"),
    "undefined entity": _sheet(_plain(1, 2)).replace(b"u2@x", b"u&nbsp;@x"),
    "cell over 32,767 characters": _sheet(f'<row r="1">{_inline("A1", "x" * 40_000)}</row>'),
    "truncated": _sheet(PLAIN)[:-40],
    "mismatched end tag": _sheet(_plain(1, 2) + '<row r="3"><c r="A3"><v>1</v></x></row>'),
    "doctype": _sheet(PLAIN, declaration='<?xml version="1.0"?><!DOCTYPE worksheet []>'),
}


def _workbook(path: Path, sheet: bytes) -> Path:
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/content-types"/>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/>'
        "</Relationships>".encode(),
        "xl/sharedStrings.xml": SHARED.encode(),
        "xl/styles.xml": STYLES.encode(),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _outcome(path: Path, *, fast: bool) -> tuple[Any, ...]:
    """(rows, the <dimension>'s last row) — or what was raised, by type and code."""
    try:
        with zipfile.ZipFile(path) as archive:
            layout = read_layout(archive)
            assert layout.first_sheet is not None
            strings = read_shared_strings(archive, layout.shared_strings)
            dates, durations = read_date_styles(archive, layout.styles)
            sheet = SheetRows(
                archive, layout.first_sheet, strings, dates, durations, layout.epoch, fast=fast
            )
            return list(sheet.rows()), sheet.last_row_declared
    except Exception as exc:  # the failure itself is what is compared
        return ("raised", type(exc).__name__, getattr(exc, "code", None))


@pytest.mark.parametrize("name", list(SHEETS))
@pytest.mark.parametrize("slice_bytes", [7, 61, xlsx_sheet_reader.FEED_BYTES])
def test_fast_path_reads_exactly_what_expat_reads(tmp_path, monkeypatch, name, slice_bytes):
    path = _workbook(tmp_path / "s.xlsx", SHEETS[name])
    expected = _outcome(path, fast=False)
    monkeypatch.setattr(xlsx_sheet_reader, "FEED_BYTES", slice_bytes)
    assert _outcome(path, fast=True) == expected


def test_the_corpus_has_readable_and_refused_sheets(tmp_path):
    """Guards the test above from comparing failures only."""
    outcomes = {
        name: _outcome(_workbook(tmp_path / f"{i}.xlsx", sheet), fast=True)
        for i, (name, sheet) in enumerate(SHEETS.items())
    }
    assert outcomes["plain"][0][0] == (1, ["u1@x.com", "ann@example.com", datetime(2009, 7, 7)])
    assert outcomes["entity and character references"][0][-1][1] == ["Smith & Co ☺ <b>"]
    assert outcomes["every reference expat knows"][0][0] == (
        1,
        ["<>&\"'", "AB\U0001f600\U0010ffff\t\n\r\ud7ff\ue000", "a & b", "ann@example.com"],
    )
    assert outcomes["control character"] == ("raised", "ExpatError", 4)  # invalid token
    assert outcomes["column past XFD"] == ("raised", "ValidationError", "xlsx.corrupt")
    assert outcomes["doctype"][1] == "EntityRefused"
    assert sum(outcome[0] != "raised" for outcome in outcomes.values()) >= 20


class _RecordingExpat:
    """Stands in for the expat reader: records what it is given, completes no rows."""

    def __init__(self) -> None:
        self.ready: list[Row] = []
        self.fed = b""

    def feed(self, data: bytes) -> None:
        self.fed += data

    def follow_row(self, number: int) -> None:
        pass

    def between_rows(self) -> bool:
        return True


def _cells(matches: list[Any]) -> list[Any] | None:
    if any(match[6] for match in matches):
        return None
    return [match[3] or match[5] for match in matches if match[0]]


def _slices(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def test_plain_rows_never_reach_expat_and_the_rest_does():
    formula_row = b'<row r="3"><c r="A3"><f>1+1</f></c></row>'
    data = _sheet(_plain(1, 2)).replace(b"</sheetData>", formula_row + b"</sheetData>")
    expat = _RecordingExpat()
    rows = list(stream_rows(_slices(data, 50), expat, _cells))
    assert [number for number, _cells in rows] == [1, 2]
    assert b"<row" not in expat.fed.replace(formula_row, b"")
    assert formula_row in expat.fed
    assert expat.fed.startswith(b"<?xml") and expat.fed.endswith(b"</worksheet>")


@pytest.mark.parametrize("name", ["excel row attributes", "every reference expat knows"])
def test_the_real_expat_reader_hands_plain_rows_over(tmp_path, monkeypatch, name):
    """SheetRows really takes the fast path on a plain sheet: expat sees its head and tail."""
    fed: list[bytes] = []
    feed = xlsx_sheet_reader._ExpatRows.feed

    def recording_feed(self: Any, data: bytes) -> None:
        fed.append(data)
        feed(self, data)

    monkeypatch.setattr(xlsx_sheet_reader._ExpatRows, "feed", recording_feed)
    path = _workbook(tmp_path / "plain.xlsx", SHEETS[name])
    rows, _last = _outcome(path, fast=True)
    assert [number for number, _cells in rows] == [1, 2]
    assert fed and not any(b"<row" in data for data in fed)


def test_a_row_longer_than_the_pending_limit_is_left_to_expat(monkeypatch):
    monkeypatch.setattr(xlsx_fast_rows, "MAX_PENDING_BYTES", 300)
    long_row = '<row r="3">' + "".join(_inline(f"A{n}", "y" * 50) for n in range(3, 30)) + "</row>"
    data = _sheet(_plain(1, 2) + long_row + _plain(4, 1))
    expat = _RecordingExpat()
    rows = list(stream_rows(_slices(data, 64), expat, _cells))
    assert [number for number, _cells in rows] == [1, 2]  # the rest went to expat, streamed
    assert long_row.encode() in expat.fed


def test_a_corrupt_row_deep_in_a_large_sheet_refuses_the_import(tmp_path):
    rows = _plain(2, 30_000).replace('<row r="25000"', '<row r="25000" bad="<"')
    header = f'<row r="1">{_inline("A1", "email")}{_inline("B1", "name")}</row>'
    path = _workbook(tmp_path / "deep.xlsx", _sheet(header + rows))
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, ["name"])
    assert caught.value.code == "xlsx.corrupt"
    assert "not well-formed" in caught.value.message
    assert "column" not in caught.value.message  # expat's count skips the plain rows
