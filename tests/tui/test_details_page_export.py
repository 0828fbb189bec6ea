"""Exporting the current filter from the Sending Details page: the form's default path, a
refused path shown beside its field, recipients masked unless chosen, the written file
read back with openpyxl, and the notice with the row count and path."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from textual.widgets import Checkbox, Input, Static

from kootui.tui.pages.details.export import (
    ExportChoice,
    ExportProgressScreen,
    default_export_path,
    outcome_notice,
)
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_details import (
    OLD,
    RECENT,
    build_app,
    notices,
    open_details,
    seed_details,
    settle,
)
from tests.support.tui_shell import SIZE, paste_into


def read_sheet(path: Path) -> list[list[object]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


async def export_to(pilot, path: Path, *, reveal: bool = False) -> None:
    app = pilot.app
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(app.screen, FormDialog)
    await paste_into(pilot, app.screen.query_one("#field-path", Input), str(path))
    if reveal:
        app.screen.query_one("#field-reveal_recipients", Checkbox).value = True
    await pilot.press("ctrl+s")
    await settle(pilot)
    await settle(pilot)


async def test_the_form_offers_a_dated_file_in_the_home_folder(context):
    seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        path = app.screen.query_one("#field-path", Input).value
        assert path == str(default_export_path(context))
        assert Path(path).parent == Path.home()
        assert path.endswith("kootui-messages-2026-11-23.xlsx")
        assert app.screen.query_one("#field-reveal_recipients", Checkbox).value is False
        assert "4 messages" in str(app.screen.query_one("#form-title").render())


async def test_export_writes_the_filter_masked_and_says_where(context, tmp_path: Path):
    seed_details(context)
    app = build_app(context)
    target = tmp_path / "sent.xlsx"
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("w")  # 7 days: all six messages
        await settle(pilot)
        await export_to(pilot, target)
        assert not isinstance(app.screen, FormDialog | ExportProgressScreen)
        assert any(f"Exported 6 messages to {target}" in notice for notice in notices(app))
    rows = read_sheet(target)
    assert rows[0][0] == "Message ID" and "Recipient" in rows[0]
    recipients = [row[rows[0].index("Recipient")] for row in rows[1:]]
    assert len(recipients) == 6
    assert all(str(value).startswith("***@") for value in recipients)


async def test_export_with_full_addresses_when_chosen(context, tmp_path: Path):
    seed_details(context)
    app = build_app(context)
    target = tmp_path / "full.xlsx"
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await pilot.press("slash", *"archive", "enter")
        await pilot.press("w")
        await settle(pilot)
        await export_to(pilot, target, reveal=True)
        assert any("Exported 2 messages" in notice for notice in notices(app))
    rows = read_sheet(target)
    recipients = sorted(str(row[rows[0].index("Recipient")]) for row in rows[1:])
    assert recipients == sorted(OLD)
    assert not any(address in recipients for address in RECENT)


async def test_a_refused_path_is_shown_beside_the_field(context, tmp_path: Path):
    seed_details(context)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot)
        await export_to(pilot, tmp_path)  # a folder, not a file
        assert isinstance(app.screen, FormDialog)
        error = str(app.screen.query_one("#error-path", Static).render())
        assert "folder" in error or ".xlsx" in error
        missing = tmp_path / "no-such-folder" / "sent.xlsx"
        await paste_into(pilot, app.screen.query_one("#field-path", Input), str(missing))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert "does not exist" in str(app.screen.query_one("#error-path", Static).render())
        assert not missing.parent.exists()


async def test_a_cancelled_export_leaves_no_file_and_says_so(context, tmp_path: Path):
    seed_details(context)
    app = build_app(context)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "stopped.xlsx"
    outcomes: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        page = await open_details(app, pilot)
        request = page.message_list.table.request
        progress = ExportProgressScreen(request, ExportChoice(target, False), 4)
        progress.stop_asked.set()  # Cancel pressed before the first rows were read
        app.push_screen(progress, outcomes.append)
        await settle(pilot)
        await settle(pilot)
    assert outcomes and outcomes[0].cancelled  # type: ignore[attr-defined]
    text, severity = outcome_notice(outcomes[0])  # type: ignore[arg-type]
    assert "cancelled" in text and severity == "warning"
    assert list(folder.iterdir()) == []  # neither the file nor a temporary one
