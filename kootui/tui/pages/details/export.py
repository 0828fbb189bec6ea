"""Export the Sending Details list's current filter to an .xlsx file.

First a form: where to write (a dated file in the home folder by default) and whether
to include full recipient addresses (off: they stay ``***@domain``). The path is
checked there, so a refusal shows beside the field. Then a progress dialog runs
``export_messages`` in a thread: the worker only counts rows into a number the dialog
reads a few times a second (a million rows never means a million messages to the UI),
Escape or Cancel asks the export to stop, and the page is told the row count and path.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static

from kootui.core.clock import local_text
from kootui.core.details import ExportResult, check_target, export_messages
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.store import PageRequest
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.form import CheckboxField, FormDialog, FormValues, TextField

if TYPE_CHECKING:
    from kootui.core.context import Context

PROGRESS_SECONDS = 0.1  # how often the dialog reads the worker's row count


@dataclass(frozen=True)
class ExportChoice:
    path: Path
    reveal_recipients: bool


def default_export_path(context: Context) -> Path:
    """~/kootui-messages-<local date>.xlsx"""
    day = local_text(context.clock.now(), "%Y-%m-%d")
    return Path.home() / f"kootui-messages-{day}.xlsx"


def export_form(context: Context, total: int) -> FormDialog[ExportChoice]:
    """The path and the recipient choice; the path is checked before the dialog closes."""

    def choose(values: FormValues) -> ExportChoice:
        path = check_target(Path(str(values["path"]).strip()))
        return ExportChoice(path, bool(values["reveal_recipients"]))

    rows = f"{total:,} message" + ("" if total == 1 else "s")
    return FormDialog(
        f"Export the current filter ({rows}) to .xlsx",
        [
            TextField("path", "Write to", value=str(default_export_path(context))),
            CheckboxField(
                "reveal_recipients",
                "Include full recipient addresses (personal data; off: ***@domain)",
            ),
        ],
        choose,
        submit_label="Export",
    )


@dataclass(frozen=True)
class ExportOutcome:
    """What the page reports: the result, or why there is none."""

    result: ExportResult | None
    cancelled: bool = False
    problem: str = ""


class ExportProgressScreen(KootuiNode, ModalScreen[ExportOutcome]):
    """The export running: a progress bar over the filter's rows, and a way to stop it."""

    BINDINGS = bindings("details-export")
    DEFAULT_CSS = """
    ExportProgressScreen { align: center middle; }
    ExportProgressScreen > #export-box {
        width: 76; max-width: 95%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ExportProgressScreen #export-title { text-style: bold; padding: 0 0 1 0; }
    ExportProgressScreen #export-count { color: $text-muted; padding: 1 0 0 0; }
    ExportProgressScreen #export-buttons { height: auto; align-horizontal: right; }
    """

    def __init__(self, request: PageRequest, choice: ExportChoice, total: int) -> None:
        super().__init__()
        self.request = request
        self.choice = choice
        self.total = total
        self.rows_done = 0  # written by the worker thread, read by the timer
        self.stop_asked = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label(
                printable(f"Exporting to {self.choice.path}"), id="export-title", markup=False
            )
            yield ProgressBar(total=max(self.total, 1), show_eta=False, id="export-bar")
            yield Static("starting…", id="export-count", markup=False)
            with Horizontal(id="export-buttons"):
                yield Button("Cancel", id="export-cancel", variant="error")
        yield FittingFooter()  # this dialog's keys, not the page's underneath

    def on_mount(self) -> None:
        self.set_interval(PROGRESS_SECONDS, self._show_progress)
        self._run_export()

    def _show_progress(self) -> None:
        done = self.rows_done
        self.query_one("#export-bar", ProgressBar).update(progress=done)
        stopping = " — stopping…" if self.stop_asked.is_set() else ""
        self.query_one("#export-count", Static).update(
            f"{done:,} of {count_of(self.total, 'row')} written{stopping}"
        )

    def _counted(self, rows: int) -> None:
        self.rows_done = rows  # one int store: the UI thread reads it on its own timer

    @work(exclusive=True, group="details-export")
    async def _run_export(self) -> None:
        try:
            result = await asyncio.to_thread(
                export_messages,
                self.kootui.context,
                self.request,
                self.choice.path,
                reveal_recipients=self.choice.reveal_recipients,
                progress=self._counted,
                cancelled=self.stop_asked.is_set,
            )
        except Exception as error:  # shown in words; the console stays up
            self.dismiss(self._outcome(None, error))
            return
        self.dismiss(self._outcome(result, None))

    def _outcome(self, result: ExportResult | None, error: Exception | None) -> ExportOutcome:
        if self.stop_asked.is_set():
            return ExportOutcome(None, cancelled=True)
        if isinstance(error, KootuiError):
            return ExportOutcome(None, problem=user_message(error))
        if error is not None:
            # Never the error's text: it could carry a path or a connection string.
            problem = f"the export failed: unexpected {type(error).__name__}"
            return ExportOutcome(None, problem=problem)
        return ExportOutcome(result)

    def action_cancel(self) -> None:
        self.stop_asked.set()  # the export stops at its next chunk of rows
        self.query_one("#export-cancel", Button).disabled = True
        self._show_progress()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()


def outcome_notice(outcome: ExportOutcome) -> tuple[str, SeverityLevel]:
    """(text, severity) for the page's notification."""
    if outcome.cancelled:
        return "Export cancelled; no file was written.", "warning"
    if outcome.result is None:
        return f"Could not export: {outcome.problem}", "error"
    rows = outcome.result.rows
    noun = "message" if rows == 1 else "messages"
    return f"Exported {rows:,} {noun} to {outcome.result.path}", "information"
