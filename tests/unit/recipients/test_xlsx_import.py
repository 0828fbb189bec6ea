"""Reading recipients from real (generated) .xlsx files."""

from __future__ import annotations

import os
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx import (
    LISTED_PROBLEMS,
    ImportCancelled,
    import_recipients,
    write_sample_xlsx,
)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_sample_file_has_email_and_parameter_columns(tmp_path):
    path = write_sample_xlsx(tmp_path / "sample.xlsx", ["name", "code"])
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == ("email", "name", "code")
    assert len(rows) == 2 and "@" in rows[1][0]


def test_sample_file_is_one_titled_sheet_with_columns_as_wide_as_their_headers(tmp_path):
    path = write_sample_xlsx(tmp_path / "sample.xlsx", ["name", "a_rather_long_parameter"])
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Recipients"]
    widths = workbook["Recipients"].column_dimensions
    assert (widths["A"].width, widths["B"].width, widths["C"].width) == (14, 14, 27)


def test_valid_rows_with_parameters(tmp_path):
    path = _workbook(
        tmp_path / "ok.xlsx",
        [
            [" Name ", "EMAIL", "code", "ignored"],
            ["Ann", "ann@example.com", 1234, "x"],
            ["Bob", "bob@bücher.de", 2.5, None],
            [None, None, None, None],
            ["Cy", "cy@example.org", datetime(2026, 12, 1, 9, 30), None],
        ],
    )
    with import_recipients(path, ["name", "code"]).recipients as recipients:
        assert recipients.count == 3
        assert recipients.row(0) == ("ann@example.com", {"name": "Ann", "code": "1234"})
        assert recipients.row(1) == ("bob@xn--bcher-kva.de", {"name": "Bob", "code": "2.5"})
        assert recipients.row(2)[1]["code"] == "2026-12-01 09:30"
        assert recipients.sheet_row_number(2) == 5
        assert [row for chunk in recipients.chunks(2) for row in chunk][2][0] == "cy@example.org"


def test_missing_parameter_column_is_named(tmp_path):
    path = _workbook(tmp_path / "m.xlsx", [["email", "name"], ["ann@example.com", "Ann"]])
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, ["name", "order_no"])
    assert caught.value.code == "xlsx.missing_column" and "'order_no'" in caught.value.message
    no_email = _workbook(tmp_path / "n.xlsx", [["mail", "name"], ["ann@example.com", "Ann"]])
    with pytest.raises(ValidationError, match="'email'"):
        import_recipients(no_email, ["name"])


def test_bad_addresses_and_empty_values_are_listed_with_row_numbers(tmp_path):
    path = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["email", "name"],
            ["ann@example.com", "Ann"],
            ["not-an-address", "X"],
            ["bob@example.com", "   "],
            ["cy@example..com", "Cy"],
            ["dee@example.com", "#N/A"],
        ],
    )
    report = import_recipients(path, ["name"])
    try:
        assert report.valid_count == 1
        assert report.refused_count == 4
        assert [(item.row, item.address) for item in report.refused] == [
            (3, "not-an-address"),
            (4, "bob@example.com"),
            (5, "cy@example..com"),
            (6, "dee@example.com"),
        ]
        assert "'name' value is empty" in report.refused[1].reason
        assert "#N/A" in report.refused[3].reason
        assert report.summary() == (
            "1 valid, 4 refused (2 bad address, 1 empty value, 1 Excel error)"
        )
    finally:
        report.close()


def test_duplicates_are_sent_once_and_reported(tmp_path):
    path = _workbook(
        tmp_path / "dup.xlsx",
        [
            ["email"],
            ["ann@example.com"],
            ["bob@example.com"],
            ["ANN@Example.com"],
            ["bob@example.com"],
        ],
    )
    report = import_recipients(path, [])
    try:
        assert report.valid_count == 2
        assert report.duplicate_count == 2
        assert [(d.row, d.address) for d in report.duplicates] == [
            (4, "ANN@example.com"),
            (5, "bob@example.com"),
        ]
        assert [r for chunk in report.recipients.chunks(10) for r, _ in chunk] == [
            "ann@example.com",
            "bob@example.com",
        ]
        assert "2 repeated addresses sent once" in report.summary()
    finally:
        report.close()


def test_formulas_are_refused_never_evaluated(tmp_path):
    path = _workbook(
        tmp_path / "f.xlsx",
        [
            ["email", "name"],
            ['=HYPERLINK("http://evil.example","x")', "A"],
            ["ann@example.com", "=1+1"],
            ["bob@example.com", "Bob"],
        ],
    )
    report = import_recipients(path, ["name"])
    try:
        assert report.valid_count == 1
        assert all("formula" in item.reason for item in report.refused)
        assert [item.row for item in report.refused] == [2, 3]
    finally:
        report.close()


def test_header_only_and_empty_sheet(tmp_path):
    with pytest.raises(ValidationError, match="no recipient rows"):
        import_recipients(_workbook(tmp_path / "h.xlsx", [["email"]]), [])
    with pytest.raises(ValidationError) as caught:
        import_recipients(_workbook(tmp_path / "e.xlsx", []), [])
    assert caught.value.code == "xlsx.empty"


def test_refused_list_is_bounded_but_counted(tmp_path):
    rows = [["email"]] + [[f"bad{i}"] for i in range(LISTED_PROBLEMS + 50)] + [["ok@example.com"]]
    report = import_recipients(_workbook(tmp_path / "many.xlsx", rows), [])
    try:
        assert len(report.refused) == LISTED_PROBLEMS
        assert report.refused_count == LISTED_PROBLEMS + 50
        assert report.valid_count == 1
    finally:
        report.close()


def _write_rows(path: Path, count: int) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["email", "name"])
    for i in range(count):
        sheet.append([f"user{i}@example-{i % 97}.com", f"Person {i}"])
    workbook.save(path)
    return path


def test_cancel_stops_the_import_and_removes_the_scratch_file(tmp_path):
    path = _write_rows(tmp_path / "c.xlsx", 12_000)
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, expected: int | None) -> None:
        seen.append(done)
        cancel.set()

    with pytest.raises(ImportCancelled):
        import_recipients(path, ["name"], progress=progress, cancel=cancel)
    assert seen == [1999]  # one report, then the cancel was noticed at the next check


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


ROWS = int(os.environ.get("KOOTUI_TEST_XLSX_ROWS", "1000000"))
SHEET = "xl/worksheets/sheet1.xml"


def _write_rows_fast(path: Path, count: int) -> Path:
    """The workbook ``_write_rows`` makes, byte for byte in the sheet's markup, but with the
    rows streamed straight into the zip: openpyxl takes a minute for a million rows, this
    a few seconds. The other parts are openpyxl's own, from a one-row workbook."""
    template = _write_rows(path.with_name("template.xlsx"), 0)
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info, source.read(info))
                continue
            head, _, rest = source.read(info).decode("utf-8").partition("</sheetData>")
            with target.open(SHEET, "w") as sheet:
                sheet.write(head.encode("utf-8"))
                for start in range(0, count, 10_000):
                    sheet.write(
                        "".join(
                            f'<row r="{i + 2}"><c r="A{i + 2}" t="inlineStr"><is><t>'
                            f"user{i}@example-{i % 97}.com</t></is></c>"
                            f'<c r="B{i + 2}" t="inlineStr"><is><t>Person {i}</t></is></c></row>'
                            for i in range(start, min(count, start + 10_000))
                        ).encode("utf-8")
                    )
                sheet.write(b"</sheetData>" + rest.encode("utf-8"))
    template.unlink()
    return path


def test_the_fast_writer_makes_the_same_workbook_as_openpyxl(tmp_path):
    slow = _write_rows(tmp_path / "slow.xlsx", 50)
    fast = _write_rows_fast(tmp_path / "fast.xlsx", 50)
    with zipfile.ZipFile(slow) as one, zipfile.ZipFile(fast) as other:
        assert one.read(SHEET) == other.read(SHEET)
    assert import_recipients(fast, ["name"]).valid_count == 50


@pytest.mark.slow
def test_large_import_streams_with_bounded_memory(tmp_path):
    """Rows go to a scratch file, not a list: memory does not grow with the rows.

    The sheet reader keeps one row and one parser slice at a time (this file has
    no shared strings, the one table that is held), so the bound is a flat 40 MB
    whatever ROWS is (3 MB was measured for 120,000 rows). The suite reads 1,000,000
    rows (KOOTUI_TEST_XLSX_ROWS changes it).
    """
    path = _write_rows_fast(tmp_path / "large.xlsx", ROWS)
    before = _rss_bytes()
    peak = before
    progress_calls = 0

    def progress(done: int, expected: int | None) -> None:
        nonlocal peak, progress_calls
        progress_calls += 1
        peak = max(peak, _rss_bytes())

    started = time.perf_counter()
    report = import_recipients(path, ["name"], progress=progress)
    elapsed = time.perf_counter() - started
    try:
        assert report.valid_count == ROWS
        assert report.recipients.row(ROWS - 1)[0] == f"user{ROWS - 1}@example-{(ROWS - 1) % 97}.com"
        growth = peak - before
        print(
            f"\n{ROWS:,} rows in {elapsed:.1f} s ({ROWS / elapsed:,.0f} rows/s), "
            f"RSS growth {growth / 2**20:.1f} MB"
        )
        assert progress_calls >= ROWS // 2000
        assert growth < 40 * 2**20
    finally:
        report.close()


def test_rows_can_be_read_from_several_threads(tmp_path):
    """The form imports in one worker and the simulator reads rows from others."""
    from concurrent.futures import ThreadPoolExecutor

    path = _write_rows(tmp_path / "t.xlsx", 300)
    with import_recipients(path, ["name"]).recipients as recipients:
        with ThreadPoolExecutor(4) as pool:
            found = list(pool.map(lambda i: recipients.row(i)[1]["name"], range(300)))
            chunked = list(pool.map(lambda _: sum(len(c) for c in recipients.chunks(7)), range(4)))
    assert found == [f"Person {i}" for i in range(300)]
    assert chunked == [300] * 4
