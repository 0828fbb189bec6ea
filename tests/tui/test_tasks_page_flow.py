"""Issue 5's "done when", by keyboard in the console: a task from a public template with an
uploaded xlsx, the valid/refused report, scheduled then cancelled; another sent now, its
progress shown, and its message rows waiting for the engine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from textual.widgets import Input

from kootui.core.clock import local_text
from kootui.core.store import Message, MessageStatus, Task, TaskStatus
from kootui.tui.pages.tasks.create import TaskCreateScreen
from kootui.tui.pages.tasks.import_report import ImportScreen
from kootui.tui.pages.tasks.progress import TaskProgressScreen
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.file_picker import FilePicker
from tests.support.tui_shell import SIZE
from tests.support.tui_tasks import (
    build_app,
    choose,
    fill,
    open_tasks,
    seed_task_sources,
    settle,
    shown_rows,
    text_of,
    write_xlsx,
)


async def create_from_public_template(pilot, ids, xlsx: Path, name: str, when: str | None):
    app = pilot.app
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(app.screen, TaskCreateScreen)
    await fill(pilot, "#field-name", name)
    await choose(pilot, "#field-template_id", str(ids["public"]))
    assert "name, order" in text_of(app, "#template-note")
    await fill(pilot, "#field-subject", "Order {{ order }} shipped")
    await choose(pilot, "#field-address_id", str(ids["sender"]))
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(app.screen, FilePicker)
    app.screen.query_one("#picker-path", Input).value = str(xlsx)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ImportScreen)
    assert "2 valid, 1 refused (1 bad address)" in text_of(app, "#import-summary")
    await pilot.press("enter")  # go on with the valid rows
    await settle(pilot)
    if when is not None:
        await choose(pilot, "#field-send_type", "scheduled")
        await fill(pilot, "#field-scheduled_at", when)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, TaskProgressScreen)


async def test_done_when(context, tmp_path):
    ids = seed_task_sources(context)
    xlsx = write_xlsx(
        tmp_path / "orders.xlsx",
        [
            ["email", "name", "order"],
            ["ann@example.com", "Ann", "A-100"],
            ["nobody@", "X", "X-0"],
            ["bob@example.com", "Bob", "B-200"],
        ],
    )
    tomorrow = local_text(context.clock.now() + timedelta(days=1), "%Y-%m-%d %H:%M")
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await create_from_public_template(pilot, ids, xlsx, "Shipping tomorrow", tomorrow)
        assert "Scheduled" in text_of(app, "#task-facts")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert "Cancelled" in text_of(app, "#task-facts")
        assert "Cancelled 2" in text_of(app, "#task-counts")
        await pilot.press("escape")
        await settle(pilot)

        await create_from_public_template(pilot, ids, xlsx, "Shipping now", None)
        assert "Pending 2" in text_of(app, "#task-counts")
        assert "orders.xlsx (xlsx)" in text_of(app, "#task-facts")
        await pilot.press("escape")
        await settle(pilot)
        statuses = {row[1]: row[2] for row in shown_rows(app)}
        assert "Cancelled" in statuses["Shipping tomorrow"]
        assert "Scheduled" in statuses["Shipping now"]

    with context.store.session() as session:
        now_task = session.exec(select(Task).where(Task.name == "Shipping now")).one()
        cancelled = session.exec(select(Task).where(Task.name == "Shipping tomorrow")).one()
        rows = session.exec(select(Message).where(Message.task_id == now_task.id)).all()
    assert cancelled.status == TaskStatus.CANCELLED
    assert now_task.template_id == ids["public"] and now_task.send_type == "now"
    assert sorted((row.recipient, row.params["order"], row.status) for row in rows) == [
        ("ann@example.com", "A-100", MessageStatus.PENDING),
        ("bob@example.com", "B-200", MessageStatus.PENDING),
    ]
    assert all(row.next_attempt_at is not None for row in rows)
