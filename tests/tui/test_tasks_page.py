"""The Sending Tasks list: statuses and counts, search, cancel (asks; refusals shown),
pause and resume, and a task's progress view following the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from textual.widgets import Static

from kootui.core.recipients import TypedRecipients
from kootui.core.store import Message, MessageStatus, SendType, TaskStatus
from kootui.core.tasks import TaskDraft, cancel_task, create_task, get_task
from kootui.tui.pages.tasks.progress import TaskProgressScreen
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.widgets.dialogs import ConfirmDialog
from tests.support.tui_shell import FAST_REFRESH, SIZE, wait_until
from tests.support.tui_tasks import (
    build_app,
    notices,
    open_tasks,
    seed_task_sources,
    settle,
    shown_rows,
    text_of,
)

ADDRESSES = ["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]


@pytest.fixture
def tasks(context) -> dict[str, int]:
    ids = seed_task_sources(context)

    def make(name: str, **changes: object) -> int:
        draft = TaskDraft(
            name=name,
            subject="Notice",
            template_id=ids["plain"],
            address_id=ids["sender"],
            recipients=TypedRecipients(ADDRESSES),
        )
        for key, value in changes.items():
            setattr(draft, key, value)
        return create_task(context, draft).id or 0

    later = context.clock.now() + timedelta(days=1)
    return {
        "scheduled": make("Tomorrow", send_type=SendType.SCHEDULED, scheduled_at=later),
        "now": make("Right away"),
    }


def status_of(context, task_id: int) -> str:
    return get_task(context, task_id).status


async def highlight(app, task_id: int) -> None:
    panel = app.page_screen.query_one(ListPanel)
    grid = panel.table.grid
    keys = [row.key for row in panel.table.result.rows]
    grid.move_cursor(row=keys.index(str(task_id)))


def enabled(app, binding_id: str) -> bool:
    """The key is offered where the user is (not greyed in the footer, in the palette)."""
    found = [b for b in app.screen.active_bindings.values() if b.binding.id == binding_id]
    return bool(found) and found[0].enabled


async def test_the_list_shows_status_and_sent_counts(context, tasks):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        rows = shown_rows(app)
        by_name = {row[1]: row for row in rows}
        assert "Scheduled" in by_name["Tomorrow"][2]
        assert by_name["Tomorrow"][3] == "0/4"
        assert by_name["Right away"][4] == "Plain notice"


async def test_cancel_a_scheduled_task_after_confirming(context, tasks):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await highlight(app, tasks["scheduled"])
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert status_of(context, tasks["scheduled"]) == TaskStatus.SCHEDULED
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert status_of(context, tasks["scheduled"]) == TaskStatus.CANCELLED
        assert any("Cancelled task" in notice for notice in notices(app))
        row = next(row for row in shown_rows(app) if row[1] == "Tomorrow")
        assert "Cancelled" in row[2]
        # A cancelled task cannot be cancelled again: the key is not offered (issue 17, 10).
        assert not enabled(app, "tasks-cancel") and enabled(app, "tasks-delete")
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is app.page_screen
        assert not any("task_id" in notice for notice in notices(app))


async def test_delete_a_finished_task_after_confirming_but_not_a_scheduled_one(context, tasks):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await highlight(app, tasks["scheduled"])
        assert not enabled(app, "tasks-delete")  # only a finished task can be deleted
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is app.page_screen
        assert status_of(context, tasks["scheduled"]) == TaskStatus.SCHEDULED
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert any("Deleted task" in notice for notice in notices(app))
        assert all(row[1] != "Tomorrow" for row in shown_rows(app))


async def test_pause_and_resume(context, tasks):
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await highlight(app, tasks["now"])
        await pilot.press("p")
        await settle(pilot)
        assert status_of(context, tasks["now"]) == TaskStatus.PAUSED
        row = next(row for row in shown_rows(app) if row[1] == "Right away")
        assert "Paused" in row[2]
        await pilot.press("u")
        await settle(pilot)
        assert status_of(context, tasks["now"]) == TaskStatus.SCHEDULED
        assert not enabled(app, "tasks-resume") and enabled(app, "tasks-pause")


async def test_the_progress_view_follows_the_message_rows(context, tasks):
    app = build_app(context, refresh_intervals=FAST_REFRESH)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await highlight(app, tasks["now"])
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskProgressScreen)
        assert "Right away" in str(screen.query_one("#task-heading").render())
        assert "typed by hand (4)" in text_of(app, "#task-facts")
        assert "Pending 4" in text_of(app, "#task-counts")
        assert "0 of 4 finished" in text_of(app, "#task-rate")

        # The engine's work, as the store sees it: two delivered, one rejected.
        now = context.clock.now()
        with context.store.session() as session:
            message = Message.__table__
            for address, status in (
                ("ann@example.com", MessageStatus.DELIVERED),
                ("bob@example.com", MessageStatus.DELIVERED),
                ("cy@example.com", MessageStatus.REJECTED),
            ):
                session.connection().execute(
                    update(message)
                    .where(message.c.recipient == address)
                    .where(message.c.task_id == tasks["now"])
                    .values(status=status.value, sent_at=now)
                )
        await wait_until(  # the view reads again on its own timer
            pilot, lambda: "Delivered 2" in text_of(app, "#task-counts"), "a timed read"
        )
        counts = text_of(app, "#task-counts")
        assert "Delivered 2" in counts and "Rejected 1" in counts and "Pending 1" in counts
        assert "Sent 3" in counts
        assert "3 of 4 finished" in text_of(app, "#task-rate")

        await pilot.press("p")
        await settle(pilot)
        assert status_of(context, tasks["now"]) == TaskStatus.PAUSED
        assert "Paused" in text_of(app, "#task-facts")
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert status_of(context, tasks["now"]) == TaskStatus.CANCELLED
        assert "Cancelled 1" in text_of(app, "#task-counts")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.page_screen


async def test_a_store_failure_in_the_progress_view_is_reported(context, tasks):
    # Textual does not bubble a worker's failure: the view itself must say so.
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        await highlight(app, tasks["now"])
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskProgressScreen)
        with context.store.session() as session:  # the store is damaged under the view
            session.connection().exec_driver_sql("DROP TABLE attachment")
        screen.refresh_progress()
        await settle(pilot)
        # A damaged store is a StoreError (core/store/faults.py): the view says so in place.
        facts = str(screen.query_one("#task-facts", Static).render())
        assert "attachment" in facts or "tables" in facts, facts
        assert not screen.reading  # the next tick (or ctrl+r) reads again


async def test_advanced_search_by_template_status_and_created_day(context, tasks):
    from textual.widgets import Select

    from kootui.tui.widgets.advanced_search import AdvancedSearch

    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        search = app.page_screen.query_one(AdvancedSearch)
        search.collapsed = False
        await settle(pilot)
        search.query_one("#search-status", Select).value = "scheduled"
        await settle(pilot)
        assert sorted(row[1] for row in shown_rows(app)) == ["Right away", "Tomorrow"]
        search.query_one("#search-template").value = "no such template"
        search.search()
        await settle(pilot)
        assert shown_rows(app) == []
        search.query_one("#search-template").value = "Plain"
        search.query_one("#search-created_from").value = "2026-11-24"
        search.search()
        await settle(pilot)
        assert shown_rows(app) == []  # both were created on the 23rd (the fixed clock)
        search.query_one("#search-created_from").value = "yesterday"
        search.search()
        await settle(pilot)
        error = str(search.query_one("#search-error-created").render())
        assert error, "a badly typed date is refused beside the field"


async def test_marked_tasks_are_changed_together_and_refusals_are_named(context, tasks):
    cancel_task(context, tasks["scheduled"])
    app = build_app(context)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot)
        # Both marked: pause acts on them (issue 17, item 3); the cancelled one is named.
        for key in ("scheduled", "now"):
            await highlight(app, tasks[key])
            await pilot.press("space")
        await settle(pilot)
        assert enabled(app, "tasks-pause")
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.dialog_title == "Pause task 2 “Right away”?"
        assert "Left as it is (1 task)" in dialog.message
        assert "task 1 “Tomorrow”: it is cancelled" in dialog.message
        await pilot.press("y")
        await settle(pilot)
        assert status_of(context, tasks["now"]) == TaskStatus.PAUSED
        assert status_of(context, tasks["scheduled"]) == TaskStatus.CANCELLED
        assert any("Paused 1 task. 1 task left as before" in n for n in notices(app))
        # The marks went with the change; marked again, cancel counts what it can take.
        for key in ("scheduled", "now"):
            await highlight(app, tasks[key])
            await pilot.press("space")
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.dialog_title == "Cancel task 2 “Right away”?"
