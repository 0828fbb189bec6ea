"""The create form with an uploaded recipient file: the report, going on, the simulator,
and attachments refused beside their field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input

from kootui.core.store import Message, Task
from kootui.tui.pages.tasks.create import TaskCreateScreen
from kootui.tui.pages.tasks.import_report import ImportScreen
from kootui.tui.pages.tasks.simulator import SimulatorScreen
from kootui.tui.widgets.file_picker import FilePicker
from tests.support.tui_shell import SIZE
from tests.support.tui_tasks import (
    build_app,
    choose,
    fill,
    open_tasks,
    seed_task_sources,
    settle,
    text_of,
    write_xlsx,
)


@pytest.fixture
def task_ids(context) -> dict[str, int]:
    return seed_task_sources(context)


@pytest.fixture
def recipient_file(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "welcome.xlsx",
        [
            ["email", "name", "code"],
            ["ann@example.com", "Ann", "A-1"],
            ["not valid", "X", "0"],
            ["bob@example.com", "Bob", "B-2"],
            ["cy@example.com", "", "C-3"],
            ["dee@example.com", "Dee", "D-4"],
        ],
    )


async def open_picker(pilot, key: str) -> None:
    # Not settle(): the picker's directory tree keeps a loader worker running while open.
    await pilot.press(key)
    await pilot.pause()


async def pick(pilot, path: Path) -> None:
    app = pilot.app
    assert isinstance(app.screen, FilePicker)
    app.screen.query_one("#picker-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def start_personal_task(pilot, task_ids) -> None:
    await open_tasks(pilot.app, pilot)
    await pilot.press("n")
    await settle(pilot)
    await fill(pilot, "#field-name", "Welcome wave")
    await choose(pilot, "#field-template_id", str(task_ids["personal"]))
    await fill(pilot, "#field-subject", "Welcome {{ name }}")
    await choose(pilot, "#field-address_id", str(task_ids["sender"]))


async def test_upload_shows_the_report_and_goes_on_with_the_valid_rows(
    context, task_ids, recipient_file
):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await start_personal_task(pilot, task_ids)
        await open_picker(pilot, "ctrl+l")
        await pick(pilot, recipient_file)
        assert isinstance(app.screen, ImportScreen)
        summary = text_of(app, "#import-summary")
        assert "3 valid, 2 refused" in summary
        table = app.screen.query_one(DataTable)
        refused = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
        assert set(refused) == {"3", "5"}  # spreadsheet row numbers, header is row 1
        assert str(refused["3"][1]) == "not valid"
        assert "name" in str(refused["5"][2])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert "3 valid, 2 refused" in text_of(app, "#file-summary")
        assert "3 recipients" in text_of(app, "#estimate")

        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, SimulatorScreen)
        assert "3 messages" in text_of(app, "#simulator-estimate")
        # No package, no warm-up plan: pay-per-use, done in about a second at the rate.
        assert text_of(app, "#simulator-forecast").startswith("pay-per-use · done in")
        message = text_of(app, "#simulator-message")
        assert "Welcome Ann" in message and "ann@example.com" in message
        assert "news@mail.example.com" in message
        await pilot.press("right")
        await settle(pilot)
        assert "Row 2 of 3" in str(app.screen.query_one("#simulator-position").render())
        assert "Hi Bob, your code is B-2." in text_of(app, "#simulator-message")
        await pilot.press("left")
        await settle(pilot)
        assert "Welcome Ann" in text_of(app, "#simulator-message")
        await pilot.press("j", "3", "enter")
        await settle(pilot)
        assert "dee@example.com" in text_of(app, "#simulator-message")
        await pilot.press("j", "9", "enter")
        await settle(pilot)
        assert text_of(app, "#simulator-error") == "choose a row from 1 to 3"  # no "row:"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, TaskCreateScreen)
    with context.store.session() as session:
        task = session.exec(select(Task)).one()
        rows = session.exec(select(Message).where(Message.task_id == task.id)).all()
    assert task.recipient_count == 3 and task.recipient_source == "welcome.xlsx (xlsx)"
    assert sorted(row.recipient for row in rows) == [
        "ann@example.com",
        "bob@example.com",
        "dee@example.com",
    ]
    assert {row.params["name"] for row in rows} == {"Ann", "Bob", "Dee"}


async def test_cancelling_the_report_keeps_no_recipients(context, task_ids, recipient_file):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await start_personal_task(pilot, task_ids)
        await open_picker(pilot, "ctrl+l")
        await pick(pilot, recipient_file)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)
        assert "No file yet" in text_of(app, "#file-summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "add at least one recipient" in text_of(app, "#error-recipients")


async def test_a_file_missing_a_column_is_refused_with_its_name(context, task_ids, tmp_path):
    bad = write_xlsx(tmp_path / "short.xlsx", [["email", "name"], ["ann@example.com", "Ann"]])
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await start_personal_task(pilot, task_ids)
        await open_picker(pilot, "ctrl+l")
        await pick(pilot, bad)
        assert isinstance(app.screen, ImportScreen)
        assert "code" in text_of(app, "#import-error")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TaskCreateScreen)


async def test_sample_file_is_written_with_the_templates_columns(context, task_ids, tmp_path):
    from openpyxl import load_workbook

    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await start_personal_task(pilot, task_ids)
        await open_picker(pilot, "ctrl+g")
        await pick(pilot, tmp_path / "sample.xlsx")
    header = next(load_workbook(tmp_path / "sample.xlsx").active.iter_rows(values_only=True))
    assert header == ("email", "name", "code")


async def test_an_executable_attachment_is_refused_beside_the_field(context, task_ids, tmp_path):
    (tmp_path / "setup.exe").write_bytes(b"MZ" + b"\0" * 64)
    (tmp_path / "terms.pdf").write_bytes(b"%PDF-1.4 terms")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await start_personal_task(pilot, task_ids)
        await open_picker(pilot, "ctrl+o")
        await pick(pilot, tmp_path / "setup.exe")
        assert "setup.exe" in text_of(app, "#error-attachments")
        await open_picker(pilot, "ctrl+o")
        await pick(pilot, tmp_path / "terms.pdf")
        listed = text_of(app, "#attachment-list")
        assert "terms.pdf (14 bytes)" in listed and "of 4 MB" in listed
        assert text_of(app, "#error-attachments") == ""
