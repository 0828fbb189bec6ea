"""Pilot tests of the Suppression List page: add, search, reveal, remove, import, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from textual.widgets import Input

from kootui.core.context import Context
from kootui.core.suppression import add_suppression, count_suppressions, find_suppression
from kootui.tui.pages.suppression.page import SuppressionScreen
from kootui.tui.widgets import ConfirmDialog
from kootui.tui.widgets.file_picker import FilePicker
from kootui.tui.widgets.form import FormDialog
from tests.support.tui_shell import filters_applied, paste_into, wait_until
from tests.support.tui_templates import (
    SIZE,
    build_app,
    notices,
    open_page,
    settle,
    shown_rows,
    text_of,
)


async def test_add_search_reveal_and_remove_by_keyboard(context: Context) -> None:
    add_suppression(context, "bob@example.org", reason="hard_bounce", message_id=12)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "suppression")
        assert isinstance(app.screen, SuppressionScreen)
        assert shown_rows(app)[0][:2] == ["***@example.org", "● Hard bounce"]
        assert "from message 12" in text_of(app, "#suppression-status")

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        await paste_into(pilot, app.screen.query_one("#field-address", Input), "not-an-address")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not valid" in text_of(app, "#error-address")  # beside the field
        await paste_into(pilot, app.screen.query_one("#field-address", Input), "Ann@Example.com")
        note = app.screen.query_one("#field-note", Input)
        await paste_into(pilot, note, "asked by phone")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SuppressionScreen)
        assert "Suppressed ***@example.com (manual)." in notices(app)
        rows = shown_rows(app)
        assert [row[0] for row in rows] == ["***@example.com", "***@example.org"]
        assert "asked by phone" in text_of(app, "#suppression-status")  # the cursor is on it

        await pilot.press("slash", *"bob@")
        await wait_until(pilot, lambda: filters_applied(app), "the filter applies")
        assert [row[0] for row in shown_rows(app)] == ["***@example.org"]
        await pilot.press("enter")  # to the rows, the filter kept
        await settle(pilot)

        await pilot.press("r")
        await settle(pilot)
        assert shown_rows(app)[0][0] == "bob@example.org"
        await pilot.press("r")
        await settle(pilot)
        assert shown_rows(app)[0][0] == "***@example.org"

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # declined: still listed
        await settle(pilot)
        assert count_suppressions(context) == 2
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Removed ***@example.org from the suppression list." in notices(app)
        assert count_suppressions(context) == 1
        assert find_suppression(context, "ann@example.com").note == "asked by phone"


async def _pick(pilot, key: str, path: Path) -> None:
    """Open the page's file picker and choose ``path``. Not settle() while it is open: its
    directory tree keeps a loader worker running."""
    app = pilot.app
    await pilot.press(key)
    await wait_until_shown(pilot, FilePicker)
    app.screen.query_one("#picker-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def wait_until_shown(pilot, screen_type: type) -> None:
    for _ in range(500):
        if isinstance(pilot.app.screen, screen_type):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{screen_type.__name__} never opened")


@pytest.mark.slow  # ~8 s of Pilot; the core and CLI tests cover import and export themselves
async def test_import_and_export_through_the_file_picker(context: Context, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["email"], ["a@example.com"], ["b@example.com"], ["oops"]):
        sheet.append(row)
    source = tmp_path / "in.xlsx"
    workbook.save(source)
    target = tmp_path / "out.xlsx"
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_page(app, pilot, "suppression")
        await _pick(pilot, "i", source)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SuppressionScreen)
        assert any("2 added, 0 already on the list, 1 refused" in n for n in notices(app))
        assert len(shown_rows(app)) == 2

        await _pick(pilot, "x", target)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("Exported 2 addresses" in n for n in notices(app))
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [row[0] for row in rows[1:]] == ["***@example.com", "***@example.com"]
