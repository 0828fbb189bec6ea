"""Large files are read by a child process: same report, same errors, cancel and crash handled."""

from __future__ import annotations

import os
import signal
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx import (
    ChildProcessRows,
    ImportCancelled,
    ReaderProcessFailed,
    import_recipients,
)
from kootui.core.recipients.xlsx import rows_source as xlsx_rows_source

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


@pytest.fixture
def in_child(monkeypatch: pytest.MonkeyPatch) -> list[ChildProcessRows]:
    """Every import reads in a child process, whatever the file's size; the children are kept."""
    children: list[ChildProcessRows] = []
    create = ChildProcessRows.__init__

    def recording_init(self: ChildProcessRows, path: Path) -> None:
        create(self, path)
        children.append(self)

    monkeypatch.setattr(xlsx_rows_source, "PROCESS_FROM_BYTES", 0)
    monkeypatch.setattr(xlsx_rows_source, "spare_core", lambda: True)  # whatever the load
    monkeypatch.setattr(ChildProcessRows, "__init__", recording_init)
    return children


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


def test_a_child_process_gives_the_same_report(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "mixed.xlsx", MIXED)
    here = _report_facts(path)
    children: list[ChildProcessRows] = []
    create = ChildProcessRows.__init__
    monkeypatch.setattr(xlsx_rows_source, "PROCESS_FROM_BYTES", 0)
    monkeypatch.setattr(xlsx_rows_source, "spare_core", lambda: True)
    monkeypatch.setattr(
        ChildProcessRows,
        "__init__",
        lambda self, p: (create(self, p), children.append(self))[0],
    )
    assert _report_facts(path) == here
    assert len(children) == 1 and children[0]._process.returncode == 0
    assert here["summary"].startswith("350 valid, 3 refused")


def test_a_corrupt_row_mid_stream_is_the_same_error_from_the_child(tmp_path, in_child):
    rows = _many(5000).replace('<row r="4000">', '<row r="4000"><c r="A4000"><v>1</c>')
    path = _workbook(tmp_path / "broken.xlsx", rows)
    with pytest.raises(ValidationError) as from_child:
        import_recipients(path, ["name"])
    assert from_child.value.code == "xlsx.corrupt"
    assert "mismatched tag" in from_child.value.message
    assert in_child and in_child[0]._process.returncode == 0  # it answered, then ended


def test_an_entity_bomb_is_refused_by_the_child_too(tmp_path, in_child):
    hiding = "<!--" + "x" * 20_000 + "-->"  # pushes the DTD past the zip check's 8 KB head
    bomb = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = _workbook(tmp_path / "bomb.xlsx", _many(10), prolog=hiding + bomb)
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, ["name"])
    assert caught.value.code == "xlsx.entity_bomb"


def test_cancel_stops_and_reaps_the_child(tmp_path, in_child):
    path = _workbook(tmp_path / "big.xlsx", _many(20_000))
    cancel = threading.Event()
    with pytest.raises(ImportCancelled):
        import_recipients(path, ["name"], progress=lambda *_: cancel.set(), cancel=cancel)
    assert len(in_child) == 1
    assert in_child[0]._process.returncode is not None  # killed and waited for: no zombie


def test_progress_from_a_child_counts_rows_against_the_declared_size(tmp_path, in_child):
    path = _workbook(tmp_path / "big.xlsx", _many(5000), dimension='<dimension ref="A1:B5001"/>')
    seen: list[tuple[int, int | None]] = []
    report = import_recipients(path, ["name"], progress=lambda *call: seen.append(call))
    report.close()
    assert seen == [(1999, 5000), (3999, 5000), (5000, 5000)]
    assert in_child and in_child[0]._process.returncode == 0


def test_a_child_that_dies_is_an_error_not_a_short_list(tmp_path, in_child):
    path = _workbook(tmp_path / "big.xlsx", _many(40_000))

    def kill_the_reader(_done: int, _expected: int | None) -> None:
        if in_child[0]._process.poll() is None:
            os.kill(in_child[0].pid, signal.SIGKILL)

    with pytest.raises(ReaderProcessFailed) as caught:
        import_recipients(path, ["name"], progress=kill_the_reader)
    assert "stopped without an answer" in caught.value.message
    assert caught.value.code == "xlsx.reader_failed"


@pytest.mark.parametrize(("size", "spare", "expected"), [(20, True, False), (40_000, False, False)])
def test_small_files_and_busy_machines_read_in_this_process(
    tmp_path, monkeypatch, size, spare, expected
):
    started: list[Path] = []
    monkeypatch.setattr(ChildProcessRows, "__init__", lambda self, p: started.append(p))
    monkeypatch.setattr(xlsx_rows_source, "spare_core", lambda: spare)
    monkeypatch.setattr(xlsx_rows_source, "PROCESS_FROM_BYTES", 300_000)
    path = _workbook(tmp_path / "file.xlsx", _many(size))
    assert (path.stat().st_size >= 300_000) == (size > 20)
    with import_recipients(path, ["name"]).recipients as recipients:
        assert recipients.count == size
    assert bool(started) == expected


def test_without_an_interpreter_to_start_the_file_is_read_here(tmp_path, monkeypatch, in_child):
    monkeypatch.setattr(xlsx_rows_source.sys, "executable", str(tmp_path / "no-python"))
    path = _workbook(tmp_path / "file.xlsx", _many(30))
    with import_recipients(path, ["name"]).recipients as recipients:
        assert recipients.count == 30
    assert in_child == []


def test_a_spare_core_needs_two_cores_and_little_cpu_pressure(tmp_path, monkeypatch):
    pressure = tmp_path / "cpu"
    monkeypatch.setattr(xlsx_rows_source, "PRESSURE_FILE", str(pressure))
    monkeypatch.setattr(xlsx_rows_source, "_cores", lambda: 2)
    pressure.write_text("some avg10=5.41 avg60=14.72 avg300=29.75 total=53877\n")
    assert xlsx_rows_source.cpu_pressure() == 5.41
    assert xlsx_rows_source.spare_core()
    pressure.write_text("some avg10=81.96 avg60=84.08 avg300=87.48 total=519910\nfull avg10=0\n")
    assert not xlsx_rows_source.spare_core()
    monkeypatch.setattr(xlsx_rows_source, "_cores", lambda: 1)
    pressure.write_text("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    assert not xlsx_rows_source.spare_core()


def test_without_pressure_figures_the_load_average_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_rows_source, "PRESSURE_FILE", str(tmp_path / "absent"))
    monkeypatch.setattr(xlsx_rows_source, "_cores", lambda: 2)
    assert xlsx_rows_source.cpu_pressure() is None
    monkeypatch.setattr(os, "getloadavg", lambda: (0.4, 0.4, 0.4))
    assert xlsx_rows_source.spare_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (5.3, 5.0, 4.0))
    assert not xlsx_rows_source.spare_core()
