"""Keys the signed-in user's policies do not allow are shown disabled on every screen that
offers them: the task changes (which also follow the task's state), revealing and
exporting messages, and the Statistics Report's export."""

from __future__ import annotations

from dataclasses import replace

from kootui.core.access import Face, Principal, attach_policy, authenticate, create_user
from kootui.core.context import Context
from kootui.tui.app import KootuiApp
from kootui.tui.pages.details.message import MessageDetailScreen
from kootui.tui.pages.reports.page import StatisticsReportScreen
from kootui.tui.pages.tasks.page import ROW_ACTIONS, TasksScreen
from kootui.tui.pages.tasks.progress import TaskProgressScreen
from kootui.tui.shell.list_panel import ListPanel
from tests.support.tui_details import open_details, seed_details
from tests.support.tui_domains import notices
from tests.support.tui_shell import SIZE, build_app, settle, wait_until

READER, READER_PASSWORD = "rita", "rita-password-12"


def _read_only_user(context: Context) -> Principal:
    create_user(context, READER, READER_PASSWORD, display_name="Rita Reader")
    attach_policy(context, "ReadOnly", user=READER)
    return authenticate(context, READER, READER_PASSWORD, Face("console"), "127.0.0.1")


def _as(app: KootuiApp, principal: Principal | None) -> None:
    app.principal = principal
    if app.is_running:
        app.screen.refresh_bindings()


async def test_task_changes_are_disabled_and_a_report_export_needs_read(context: Context) -> None:
    seeded = seed_details(context)
    reader = _read_only_user(context)
    app = build_app(context.acting_as(reader))
    _as(app, reader)
    async with app.run_test(size=SIZE) as pilot:
        app.go_page("tasks")
        await settle(pilot)
        tasks = app.page_screen
        assert isinstance(tasks, TasksScreen)
        panel = tasks.query_one(ListPanel)
        await wait_until(pilot, lambda: panel.highlighted_row is not None, "the tasks")
        # The owner may pause the highlighted (scheduled) task; the reader may not.
        _as(app, None)
        assert tasks.check_action("pause_task", ()) is True
        _as(app, reader)
        for action in ("new_task", *ROW_ACTIONS):
            assert tasks.check_action(action, ()) is None, action
        await pilot.press("space")  # with marks the state is checked per row: not rights
        await settle(pilot)
        assert panel.marked and tasks.check_action("pause_task", ()) is None

        progress = TaskProgressScreen(seeded.recent_task, tasks.page)
        app.push_screen(progress)
        await wait_until(pilot, lambda: progress.snapshot is not None, "the task's progress")
        for action in ("pause_task", "cancel_task"):
            assert progress.check_action(action, ()) is None, action
        _as(app, None)
        assert progress.check_action("pause_task", ()) is True
        _as(app, reader)
        await pilot.press("escape")
        await settle(pilot)

        app.go_page("reports")
        await settle(pilot)
        report = app.page_screen
        assert isinstance(report, StatisticsReportScreen)
        assert report.check_action("export", ()) is True  # ReadOnly reads reports
        _as(app, replace(reader, policies=()))  # no policy: default deny
        assert report.check_action("export", ()) is None


async def test_a_read_only_user_sees_reveal_and_exports_disabled(context: Context) -> None:
    seeded = seed_details(context)
    reader = _read_only_user(context)
    app = build_app(context.acting_as(reader))
    _as(app, reader)
    async with app.run_test(size=SIZE) as pilot:
        details = await open_details(app, pilot)
        messages = details.query_one("#message-list", ListPanel)
        await wait_until(pilot, lambda: messages.highlighted_row is not None, "the messages")
        assert details.check_action("reveal_row", ()) is None
        assert details.check_action("export", ()) is None
        assert details.check_action("open_message", ()) is True
        details.focus_content()
        await pilot.press("x")  # pressed anyway: nothing runs, and the console says why
        await settle(pilot)
        assert app.screen is details
        assert any(
            notice.startswith(f"Not allowed: {READER}: kooMessage:message:export is refused")
            for notice in notices(app)
        )
        app.push_screen(MessageDetailScreen(seeded.delivered, details.page))
        await settle(pilot)
        assert isinstance(app.screen, MessageDetailScreen)
        assert app.screen.check_action("toggle_reveal", ()) is None
        assert app.screen.check_action("copy_headers", ()) is True
        await pilot.press("escape")
        await settle(pilot)
