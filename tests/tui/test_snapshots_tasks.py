"""Snapshots of the Sending Tasks page in the dark theme, at 120x40: the task list, the create
form, the recipient report and a task's progress view.

Deterministic by construction: the demo workspace and the form's store are made with the
fixed clock, the recipient file is written by the test, and nothing shown depends on the
machine (the file picker, which shows folders, is not in any snapshot). Regenerate after
a deliberate change with ``pytest tests/tui/test_snapshots_tasks.py --snapshot-update``
and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from kootui.tui.shell.list_panel import ListPanel
from tests.support.tui_shell import SIZE, build_app, settle
from tests.support.tui_tasks import choose, fill, seed_task_sources, write_xlsx


async def open_tasks(pilot) -> None:
    await settle(pilot)
    await pilot.press("g", "s")
    await settle(pilot)


async def fill_form(pilot, ids: dict[str, int], template: str) -> None:
    await pilot.press("n")
    await settle(pilot)
    await fill(pilot, "#field-name", "Welcome wave")
    await choose(pilot, "#field-template_id", str(ids[template]))
    await fill(pilot, "#field-subject", "Welcome {{ name }}")
    await choose(pilot, "#field-address_id", str(ids["sender"]))


def test_task_list(snap_compare, demo):
    assert snap_compare(
        build_app(demo, theme="kootui-dark"), terminal_size=SIZE, run_before=open_tasks
    )


def test_create_form(snap_compare, context):
    ids = seed_task_sources(context)

    async def type_recipients(pilot):
        await open_tasks(pilot)
        await fill_form(pilot, ids, "plain")
        for address in ("ann@example.com", "bob@bücher.example", "not an address"):
            await fill(pilot, "#manual-address", address)
            await pilot.press("enter")
        await settle(pilot)

    app = build_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=type_recipients)


def test_recipient_report(snap_compare, context, tmp_path: Path):
    ids = seed_task_sources(context)
    xlsx = write_xlsx(
        tmp_path / "welcome.xlsx",
        [
            ["email", "name", "code"],
            ["ann@example.com", "Ann", "A-1"],
            ["not valid", "X", "0"],
            ["bob@example.com", "Bob", "B-2"],
            ["cy@example.com", "", "C-3"],
            ["ann@example.com", "Ann again", "A-9"],
            ["dee@example.com", "Dee", "D-4"],
        ],
    )

    async def upload(pilot):
        await open_tasks(pilot)
        await fill_form(pilot, ids, "personal")
        await pilot.press("ctrl+l")
        await pilot.pause()
        pilot.app.screen.query_one("#picker-path", Input).value = str(xlsx)
        await pilot.press("enter")
        await settle(pilot)

    app = build_app(context, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=upload)


def test_progress_view(snap_compare, demo):
    async def open_progress(pilot):
        await open_tasks(pilot)
        panel = pilot.app.page_screen.query_one(ListPanel)
        names = [row["name"] for row in panel.table.result.rows]
        panel.table.grid.move_cursor(row=names.index("Password reset wave"))
        await pilot.press("enter")
        await settle(pilot)

    app = build_app(demo, theme="kootui-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_progress)
