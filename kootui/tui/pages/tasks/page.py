"""The Sending Tasks page: the list pattern over ``query_tasks``, and its actions.

New (the create form), cancel a scheduled or paused task (asks first; a refusal
says why), pause, resume, and Enter opens a task's progress view. The quick
filter matches the task name or ID; the advanced search takes the template's
name or ID, the status and the created range, as the seeds' query does. Keys
come from the registry (``tasks-*``); every store call runs on a thread.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message

from kootui.core.context import Context
from kootui.core.printable import printable
from kootui.core.store import Column, PageRequest, PageResult, Row, Task
from kootui.core.tasks import (
    STATUS_LABELS,
    cancel_task,
    delete_task,
    get_task,
    pause_task,
    query_tasks,
    resume_task,
    task_action_refusal,
    task_progress,
)
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.tasks.create import TaskCreateScreen
from kootui.tui.pages.tasks.progress import TaskProgressScreen
from kootui.tui.shell.bulk import BulkAction, Checked, act_on_targets
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen
from kootui.tui.widgets.advanced_search import SearchField
from kootui.tui.widgets.cells import fraction_cell
from kootui.tui.widgets.paged_table import PagedTable
from kootui.tui.widgets.slowed_banner import SlowedBanner

# Widths fit the content area beside the navigation at 120 columns; the created time is
# in the progress view (and the advanced search), the send time is what a list reader needs.
SENT_WIDTH = 9  # "1,234/5,678"; bigger counts are abbreviated: "19.9k/20k"
COLUMNS = (
    Column("id", "ID", width=3, kind="number"),
    Column("name", "Task", width=18),
    Column("status", "Status", width=15, kind="status"),
    Column("sent", "Sent", sortable=False, width=SENT_WIDTH),
    Column("template_name", "Template", width=12),
    Column("scheduled_at", "Send at", width=16, kind="time"),
)
SEARCH_FIELDS = (
    SearchField("template", "Template", placeholder="name or ID"),
    SearchField(
        "status",
        "Task status",
        kind="select",
        options=[(label, str(status)) for status, label in STATUS_LABELS.items()],
    ),
    SearchField("created", "Created", kind="date_range"),
)
ACTIONS = (
    ("tasks-new", "New"),
    ("tasks-cancel", "Cancel"),
    ("tasks-pause", "Pause"),
    ("tasks-resume", "Resume"),
)


# The list's actions that change a task, by the core's name of the change.
ROW_ACTIONS = {
    "cancel_task": "cancel",
    "pause_task": "pause",
    "resume_task": "resume",
    "delete_task": "delete",
}
CHANGES: dict[str, Callable[[Context, int], Task]] = {
    "cancel": cancel_task,
    "pause": pause_task,
    "resume": resume_task,
    "delete": delete_task,
}
BULK_WORDS = {  # verb, done, what happens (under the confirmation's title)
    "cancel": (
        "Cancel",
        "Cancelled",
        "Messages that have not gone yet are cancelled. This cannot be undone.",
    ),
    "pause": ("Pause", "Paused", ""),
    "resume": ("Resume", "Resumed", ""),
    "delete": (
        "Delete",
        "Deleted",
        "Messages, attempts and attachments are deleted; the statistics keep the counts. "
        "This cannot be undone.",
    ),
}


def check_task(context: Context, key: str, change: str) -> Checked:
    """How a task is named, and why it cannot take ``change`` (None when it can)."""
    task = get_task(context, int(key))
    label = printable(f"task {task.id} “{task.name}”")
    return Checked(key, label, task_action_refusal(change, task.status))


def task_rows(context: Context, request: PageRequest) -> PageResult:
    """``query_tasks`` with each task's "sent / total" (two aggregate queries a row)."""
    page = query_tasks(context, request)
    rows = []
    for row in page.rows:
        progress = task_progress(context, int(row["id"]))
        sent = fraction_cell(progress.sent, progress.total, SENT_WIDTH)
        rows.append(Row(key=row.key, values={**row.values, "sent": sent}))
    return PageResult(rows=rows, total=page.total, offset=page.offset)


class TasksScreen(PageScreen):
    KEY_SCOPES = (
        "tasks",
        "list",
        "list-sort",
        "filter",
        "search",
        "task-progress",
        "task-create",
        "task-report",
        "task-simulator",
        "file-picker",
    )
    BINDINGS = bindings("tasks")

    def compose_content(self) -> ComposeResult:
        new_key = self.kootui.key_display("tasks-new")
        context = self.kootui.context
        yield ListPanel(
            "Sending Tasks",
            COLUMNS,
            lambda request: task_rows(context, request),
            actions=ACTIONS,
            search_fields=SEARCH_FIELDS,
            sort_key="created_at",
            descending=True,
            empty_message=(
                f"No sending tasks yet. Press {new_key} to send an approved template "
                "to typed addresses or an xlsx file, now or at a set time."
            ),
            filter_placeholder="Task name or ID (press / to focus)",
            id="task-list",
        )
        yield SlowedBanner(id="task-slowed")

    @property
    def task_list(self) -> ListPanel:
        return self.query_one("#task-list", ListPanel)

    def reload(self) -> None:
        self.task_list.reload()
        if isinstance(self.app.screen, TaskProgressScreen):
            self.app.screen.refresh_progress()

    def on_screen_resume(self) -> None:
        # Back from a task's progress view or the create form: statuses may have moved.
        if self.task_list.table.result is not None:
            self.task_list.reload()

    def _selected(self) -> Row | None:
        row = self.task_list.highlighted_row
        if row is None:
            key = self.kootui.key_display("tasks-new")
            self.notify(f"No task is selected; press {key} to create one.", timeout=4)
        return row

    # New -------------------------------------------------------------------------

    def action_new_task(self) -> None:
        self.app.push_screen(TaskCreateScreen(), self._created)

    def _created(self, task: Task | None) -> None:
        if task is None or task.id is None:
            return
        when = "is sending now" if task.send_type == "now" else "is scheduled"
        self.notify(f"Task {task.id} “{task.name}” {when}.", timeout=6)
        table = self.task_list.table
        table.load(table.request, cursor=str(task.id))
        self.app.push_screen(TaskProgressScreen(task.id, self.page))

    # Cancel, pause, resume, delete: on the marked tasks, else the cursor's -------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what the signed-in user may do and the cursor's task can take (greyed
        in the footer, left out of the palette); with marks, every change the user may do
        is offered and each row is checked."""
        allowed = super().check_action(action, parameters)
        change = ROW_ACTIONS.get(action)
        if change is None or not self.is_mounted or allowed is not True:
            return allowed  # the signed-in user's rights come before the task's state
        panel = self.task_list
        if panel.marked:
            return True
        row = panel.highlighted_row
        if row is None:
            return None
        return None if task_action_refusal(change, str(row["status"])) else True

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.MarksChanged)
    @on(PagedTable.PageLoaded)
    def _targets_moved(self, event: Message) -> None:
        self.refresh_bindings()

    def _bulk(self, change: str) -> BulkAction:
        verb, done, question = BULK_WORDS[change]
        act = CHANGES[change]
        return BulkAction(
            verb=verb,
            done=done,
            noun="task",
            check=lambda context, key: check_task(context, key, change),
            change=lambda context, key: act(context, int(key)),
            question=question,
            confirm=change in ("cancel", "delete"),
            destructive=change in ("cancel", "delete"),
        )

    @work(group="task-change", exit_on_error=False)
    async def action_cancel_task(self) -> None:
        await act_on_targets(self, self.task_list, self._bulk("cancel"))

    @work(group="task-change", exit_on_error=False)
    async def action_delete_task(self) -> None:
        await act_on_targets(self, self.task_list, self._bulk("delete"))

    @work(group="task-change", exit_on_error=False)
    async def action_pause_task(self) -> None:
        await act_on_targets(self, self.task_list, self._bulk("pause"))

    @work(group="task-change", exit_on_error=False)
    async def action_resume_task(self) -> None:
        await act_on_targets(self, self.task_list, self._bulk("resume"))

    # Progress ----------------------------------------------------------------------------

    def action_open_progress(self) -> None:
        row = self._selected()
        if row is not None:
            self.app.push_screen(TaskProgressScreen(int(row.key), self.page))

    @on(PagedTable.RowActivated)
    def _row_activated(self, event: PagedTable.RowActivated) -> None:
        event.stop()
        self.app.push_screen(TaskProgressScreen(int(event.row.key), self.page))
