"""Exporting the Statistics Report from the page: the file picker offers a file named by the
range, the .xlsx is read back with openpyxl and the CSV with csv, both holding the rows and
the totals shown, and the notice says where."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

from openpyxl import load_workbook
from textual.widgets import Input

from kootui.tui.widgets.file_picker import FilePicker
from tests.support.tui_domains import notices
from tests.support.tui_reports import open_report, report_app, seed_report
from tests.support.tui_shell import SIZE, paste_into, settle


async def open_picker(pilot) -> FilePicker:
    # Not settle(): the picker's directory tree keeps a loader worker running while open.
    await pilot.press("x")
    for _ in range(100):
        if isinstance(pilot.app.screen, FilePicker):
            break
        await pilot.pause(0.02)
    picker = pilot.app.screen
    assert isinstance(picker, FilePicker)
    return picker


async def export_to(pilot, path: Path) -> None:
    picker = await open_picker(pilot)
    await paste_into(pilot, picker.query_one("#picker-path", Input), str(path))
    await pilot.press("enter")
    await settle(pilot)


async def test_export_writes_xlsx_and_csv_of_the_report_shown(context, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # the picker opens the home folder's tree
    seed_report(context)
    app = report_app(context)
    workbook_path, csv_path = tmp_path / "week.xlsx", tmp_path / "week.csv"
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        picker = await open_picker(pilot)
        offered = picker.query_one("#picker-path", Input).value
        assert offered == f"{tmp_path}/kootui-report-daily-2026-11-17-to-2026-11-23.xlsx"
        await pilot.press("escape")
        await settle(pilot)
        await export_to(pilot, workbook_path)
        await export_to(pilot, csv_path)
        said = notices(app)
    assert f"Exported 7 periods and the totals to {workbook_path}" in said
    assert f"Exported 7 periods and the totals to {csv_path}" in said
    assert stat.S_IMODE(workbook_path.stat().st_mode) == 0o600

    book = load_workbook(workbook_path, read_only=True)
    try:
        sheet = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    header = sheet[0]
    assert header[1:6] == ["Sent", "Successful", "Failed", "To send", "Rejected"]
    assert header[6:] == [
        "Bounced", "Complained", "Unsubscribed", "Opened (unique)", "Clicked (unique)",
        "Delivery rate", "Note",
    ]  # fmt: skip
    sent = header.index("Sent")
    assert [row[sent] for row in sheet[1:]] == [0, 0, 0, 20, 0, 25, 51, 96]

    with csv_path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == [str(title) for title in header]
    assert rows[-1][sent] == "96" and len(rows) == 9
