"""The import report after a clean workbook: Enter (on the focused Go on button) and a
click go on (issue 17, item 1: only a report with refused rows could be accepted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input

from kootui.tui.pages.tasks.create import TaskCreateScreen
from kootui.tui.pages.tasks.import_report import ImportScreen
from tests.support.tui_shell import SIZE, wait_until
from tests.support.tui_tasks import (
    build_app,
    choose,
    open_tasks,
    seed_task_sources,
    settle,
    text_of,
    write_clean_xlsx,
)


@pytest.fixture
def task_ids(context) -> dict[str, int]:
    return seed_task_sources(context)


async def open_report(pilot, task_ids, workbook: Path) -> ImportScreen:
    app = pilot.app
    await open_tasks(app, pilot)
    await pilot.press("n")
    await settle(pilot)
    await choose(pilot, "#field-template_id", str(task_ids["personal"]))
    await pilot.press("ctrl+l")
    await pilot.pause()
    app.screen.query_one("#picker-path", Input).value = str(workbook)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not getattr(app.screen, "reading", True), "the file read")
    assert isinstance(app.screen, ImportScreen)
    return app.screen


async def test_a_clean_workbook_goes_on_with_enter(context, task_ids, tmp_path):
    workbook = write_clean_xlsx(tmp_path / "clean.xlsx", 2)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        report = await open_report(pilot, task_ids, workbook)
        assert "2 valid, 0 refused" in text_of(app, "#import-summary")
        assert "2 rows read" in text_of(app, "#import-summary")
        assert "go on with the 2 valid rows" in text_of(app, "#import-question")
        assert not report.query(DataTable)  # no empty table to swallow Enter
        accept = report.query_one("#import-accept", Button)
        assert report.focused is accept and not accept.disabled
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert "2 recipients" in text_of(app, "#estimate")


async def test_one_valid_row_is_counted_in_the_singular(context, task_ids, tmp_path):
    workbook = write_clean_xlsx(tmp_path / "one.xlsx", 1)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot, task_ids, workbook)
        assert "1 row read" in text_of(app, "#import-summary")
        assert "go on with the 1 valid row ·" in text_of(app, "#import-question")
        await pilot.click("#import-accept")
        await settle(pilot)
        assert "1 recipient ·" in text_of(app, "#estimate")


async def test_a_larger_clean_workbook_goes_on(context, task_ids, tmp_path):
    workbook = write_clean_xlsx(tmp_path / "larger.xlsx", 2_000)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot, task_ids, workbook)
        assert "2,000 valid, 0 refused" in text_of(app, "#import-summary")
        await pilot.press("enter")
        await settle(pilot)
        assert "2,000 recipients" in text_of(app, "#estimate")


@pytest.mark.slow
async def test_twenty_thousand_clean_rows_go_on(context, task_ids, tmp_path):
    workbook = write_clean_xlsx(tmp_path / "big.xlsx", 20_000)
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot, task_ids, workbook)
        assert "20,000 valid, 0 refused" in text_of(app, "#import-summary")
        await pilot.press("enter")
        await settle(pilot)
        assert "20,000 recipients" in text_of(app, "#estimate")
