"""A task's progress view: its fields, where its recipients came from, and live counts.

A progress bar and the counts of pending, sent, delivered, deferred, failed,
rejected and cancelled messages, the current rate and an ETA. While the task can
still move (scheduled, sending, paused) a timer asks the store again; the reads
are coalesced: a tick that finds the previous read still running does nothing,
so a slow store never piles up reads or floods the UI with replies. Pause,
resume and cancel work here as on the list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, ProgressBar, Static

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.senders import get_address
from kootui.core.store import MessageStatus, Task, TaskStatus
from kootui.core.tasks import (
    STATUS_LABELS,
    TaskProgress,
    cancel_task,
    get_task,
    hold_reason,
    pause_task,
    resume_task,
    task_action_refusal,
    task_attachments,
    task_progress,
)
from kootui.core.templates import get_template
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.page import PageSpec, WorkspaceHeader
from kootui.tui.shell.rights import key_allowed
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.status_badge import tone_of

STILL_MOVING = (TaskStatus.SCHEDULED, TaskStatus.SENDING, TaskStatus.PAUSED)
# The counts in the order a user reads a send: waiting, out, arrived, trouble, not sent.
SHOWN_COUNTS = (
    ("Pending", MessageStatus.PENDING),
    ("Sending", MessageStatus.SENDING),
    ("Delivered", MessageStatus.DELIVERED),
    ("Deferred", MessageStatus.DEFERRED),
    ("Failed", MessageStatus.FAILED),
    ("Rejected", MessageStatus.REJECTED),
    ("Cancelled", MessageStatus.CANCELLED),
)


@dataclass(frozen=True)
class TaskSnapshot:
    task: Task
    template: str
    sender: str
    attachments: list[tuple[str, str, int]]
    progress: TaskProgress
    held: str = ""  # why its new messages wait (packages, warm-up), when they do


def read_snapshot(context: Context, task_id: int) -> TaskSnapshot:
    task = get_task(context, task_id)
    template = get_template(context, task.template_id)
    sender = get_address(context, task.address_id)
    progress = task_progress(context, task_id)
    pending = progress.counts.get(MessageStatus.PENDING.value, 0)
    return TaskSnapshot(
        task=task,
        template=f"{template.title} ({template.id})",
        sender=sender.address,
        attachments=task_attachments(context, task_id),
        progress=progress,
        held=hold_reason(context, sender.domain_id) if pending else "",
    )


def eta_text(eta: timedelta | None) -> str:
    if eta is None:
        return "—"
    seconds = int(eta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s"


def rate_text(per_second: float) -> str:
    """'12.5 messages/s', or per minute when slower than one a second (0.03/s reads as 0)."""
    if per_second >= 1:
        return f"{per_second:,.1f} messages/s"
    return f"{per_second * 60:,.0f} messages/min"


def _facts(snapshot: TaskSnapshot) -> Content:
    task = snapshot.task
    status = TaskStatus(snapshot.progress.status)
    attachments = (
        ", ".join(
            f"{name} ({count_of(size, 'byte')})" for name, _kind, size in snapshot.attachments
        )
        or "none"
    )
    send_at = local_text(task.scheduled_at)
    rows: list[tuple[str, Content | str]] = [
        ("Status", Content.styled(f"● {STATUS_LABELS[status]}", f"$status-{tone_of(status)}")),
        ("Subject", task.subject),
        ("Template", snapshot.template),
        ("Sender", snapshot.sender),
        ("Send type", f"{task.send_type} — first message at {send_at}"),
        ("Recipients", f"{task.recipient_count:,} — {task.recipient_source}"),
        ("Attachments", attachments),
        ("Created", local_text(task.created_at)),
        ("Started", local_text(task.started_at) if task.started_at else "—"),
        ("Finished", local_text(task.finished_at) if task.finished_at else "—"),
    ]
    # Subject, names, file names and the recipient source are outside text.
    lines = [
        Content.assemble(
            (f"{label:<12}", "bold"), value if isinstance(value, Content) else printable(value)
        )
        for label, value in rows
    ]
    return Content("\n").join(lines)


def _counts(progress: TaskProgress) -> Content:
    cells = [
        Content.assemble((f"{label} ", "dim"), (f"{progress.counts[status]:,}", "bold"))
        for label, status in SHOWN_COUNTS
    ]
    sent = Content.assemble(("Sent ", "dim"), (f"{progress.sent:,}", "bold"))
    if progress.suppressed:
        cells.append(Content.assemble(("Suppressed ", "dim"), (f"{progress.suppressed:,}", "bold")))
    return Content("   ").join([sent, *cells])


class TaskProgressScreen(KootuiNode, Screen[None]):
    """One task, refreshed on a timer while it can still move."""

    BINDINGS = bindings("task-progress")
    DEFAULT_CSS = """
    TaskProgressScreen #progress-scroll { height: 1fr; padding: 0 1; }
    TaskProgressScreen #task-heading { text-style: bold; padding: 1 0; }
    TaskProgressScreen .section-title { text-style: bold; color: $primary; padding: 1 0 0 0; }
    TaskProgressScreen #task-bar { margin: 1 0 0 0; }
    TaskProgressScreen #task-bar Bar { width: 60; }
    TaskProgressScreen #task-rate { color: $text-muted; }
    """

    def __init__(self, task_id: int, page: PageSpec) -> None:
        super().__init__(id="task-progress")
        self.task_id = task_id
        self.page = replace(page, title=f"{page.title} › task {task_id}")
        self.snapshot: TaskSnapshot | None = None
        self.reading = False
        self.read_again = False  # a change was made while a read was in flight

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(self.page)
        with VerticalScroll(id="progress-scroll"):
            yield Label(f"Task {self.task_id}", id="task-heading", markup=False)
            yield Static("reading…", id="task-facts")
            yield Label("Progress", classes="section-title")
            yield ProgressBar(id="task-bar", show_eta=False)
            yield Static("", id="task-counts")
            yield Static("", id="task-rate")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#progress-scroll").focus()
        self.refresh_progress()
        self.set_interval(self.kootui.refresh_intervals.task_progress, self._tick)

    def _tick(self) -> None:
        moving = self.snapshot is None or self.snapshot.progress.status in STILL_MOVING
        if moving and not self.reading:  # a tick never queues behind a read in flight
            self.refresh_progress()

    def refresh_progress(self) -> None:
        """Read the task again; asked while a read is in flight, read once more after it."""
        if self.reading:
            self.read_again = True
            return
        self.reading = True
        self._read_until_current()

    @work(group="task-progress", exit_on_error=False)
    async def _read_until_current(self) -> None:
        try:
            while True:
                self.read_again = False
                try:
                    snapshot = await asyncio.to_thread(
                        read_snapshot, self.kootui.context, self.task_id
                    )
                except KootuiError as refusal:
                    self.query_one("#task-facts", Static).update(outside(user_message(refusal)))
                else:
                    self._show(snapshot)
                if not self.read_again:
                    return
        finally:
            self.reading = False

    def _show(self, snapshot: TaskSnapshot) -> None:
        self.snapshot = snapshot
        self.refresh_bindings()
        progress = snapshot.progress
        heading = printable(f"Task {self.task_id} — {snapshot.task.name}")
        self.query_one("#task-heading", Label).update(heading)
        self.query_one("#task-facts", Static).update(_facts(snapshot))
        bar = self.query_one("#task-bar", ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.finished)
        self.query_one("#task-counts", Static).update(_counts(progress))
        at = local_text(progress.measured_at, "%H:%M:%S")
        self.query_one("#task-rate", Static).update(
            f"{progress.finished:,} of {progress.total:,} finished · "
            f"rate {rate_text(progress.rate)} over the last minute · "
            f"ETA {eta_text(progress.eta)} · read at {at}"
            + (f"\n{snapshot.held}" if snapshot.held else "")
        )

    # Keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Offer only the changes the task's status allows (greyed until it is read).
        change = {"pause_task": "pause", "resume_task": "resume", "cancel_task": "cancel"}
        if action not in change:
            return True
        if not key_allowed(self.kootui.principal, ("task-progress",), action):
            return None  # the signed-in user's policies do not allow it
        if self.snapshot is None:
            return None
        status = str(self.snapshot.task.status)
        return None if task_action_refusal(change[action], status) else True

    def action_close(self) -> None:
        self.dismiss(None)

    @work(group="task-change", exit_on_error=False)
    async def action_pause_task(self) -> None:
        await self._change(pause_task, "Paused")

    @work(group="task-change", exit_on_error=False)
    async def action_resume_task(self) -> None:
        await self._change(resume_task, "Resumed")

    @work(group="task-change", exit_on_error=False)
    async def action_cancel_task(self) -> None:
        question = ConfirmDialog(
            f"Cancel task {self.task_id}?",
            "Its messages that have not gone yet are cancelled. This cannot be undone.",
            confirm_label="Cancel task",
            decline_label="Keep",
            destructive=True,
        )
        if await self.app.push_screen_wait(question):
            await self._change(cancel_task, "Cancelled")

    async def _change(self, change: Callable[[Context, int], Task], done: str) -> None:
        try:
            await asyncio.to_thread(change, self.kootui.context, self.task_id)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
        else:
            self.notify(f"{done} task {self.task_id}.", timeout=4)
        self.refresh_progress()
