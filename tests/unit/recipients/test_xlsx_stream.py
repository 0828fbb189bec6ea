"""A whole import streamed: the report of a mixed sheet, errors mid-stream, cancel, progress."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx import ImportCancelled, import_recipients

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(n: int, address: str, name: str) -> str:
    return f'<row r="{n}">{_inline(f"A{n}", address)}{_inline(f"B{n}", name)}</row>'


def _workbook(path: Path, rows: str, *, prolog: str = "", dimension: str = "") -> Path:
    header = _row(1, "email", "name")
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{NS}">'
        f"{dimension}<sheetData>{header}{rows}</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        '.org/package/2006/content-types"/>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _many(count: int, first: int = 2) -> str:
    return "".join(
        _row(n, f"u{n}@example-{n % 7}.com", f"P{n}") for n in range(first, first + count)
    )


MIXED = (
    _many(300)
    + _row(302, "not an address", "X")
    + _row(303, "u2@EXAMPLE-2.com", "again")
    + '<row r="304"><c r="A304"><f>CONCAT("a","@b.com")</f></c><c r="B304"><v>1</v></c></row>'
    + _row(305, "zoe@bücher.de", "")
    + _many(50, first=306)
)


def _report_facts(path: Path) -> dict[str, Any]:
    report = import_recipients(path, ["name"])
    try:
        return {
            "summary": report.summary(),
            "refused": [(item.row, item.address, item.reason) for item in report.refused],
            "duplicates": [(item.row, item.address) for item in report.duplicates],
            "rows": [row for chunk in report.recipients.chunks(100) for row in chunk],
        }
    finally:
        report.close()


def test_a_mixed_sheet_gives_the_whole_report(tmp_path):
    facts = _report_facts(_workbook(tmp_path / "mixed.xlsx", MIXED))
    assert facts["summary"].startswith("350 valid, 3 refused")
    assert [row for row, _address, _reason in facts["refused"]] == [302, 304, 305]
    assert facts["duplicates"] == [(303, "u2@example-2.com")]
    assert len(facts["rows"]) == 350


def test_a_corrupt_row_mid_stream_is_a_corrupt_file(tmp_path):
    rows = _many(5000).replace('<row r="4000">', '<row r="4000"><c r="A4000"><v>1</c>')
    path = _workbook(tmp_path / "broken.xlsx", rows)
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, ["name"])
    assert caught.value.code == "xlsx.corrupt"
    assert "mismatched tag" in caught.value.message


def test_an_entity_bomb_past_the_zip_checks_head_is_refused(tmp_path):
    hiding = "<!--" + "x" * 20_000 + "-->"  # pushes the DTD past the zip check's 8 KB head
    bomb = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = _workbook(tmp_path / "bomb.xlsx", _many(10), prolog=hiding + bomb)
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, ["name"])
    assert caught.value.code == "xlsx.entity_bomb"


def test_cancel_stops_a_large_import(tmp_path):
    path = _workbook(tmp_path / "big.xlsx", _many(20_000))
    cancel = threading.Event()
    seen: list[int] = []

    def cancel_at_first_progress(done: int, _expected: int | None) -> None:
        seen.append(done)
        cancel.set()

    with pytest.raises(ImportCancelled):
        import_recipients(path, ["name"], progress=cancel_at_first_progress, cancel=cancel)
    assert seen == [1999]  # stopped at the next check, 2,000 rows on


def test_progress_counts_rows_against_the_declared_size(tmp_path):
    path = _workbook(tmp_path / "big.xlsx", _many(5000), dimension='<dimension ref="A1:B5001"/>')
    seen: list[tuple[int, int | None]] = []
    report = import_recipients(path, ["name"], progress=lambda *call: seen.append(call))
    report.close()
    assert seen == [(1999, 5000), (3999, 5000), (5000, 5000)]
