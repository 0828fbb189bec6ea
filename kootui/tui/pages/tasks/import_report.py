"""Reading a recipient file, then its report: "N valid, M refused (why)".

``ImportScreen`` runs ``import_recipients`` in a thread worker with a progress
bar (coalesced updates; escape cancels the read), then shows the summary and
the refused and repeated rows with their spreadsheet row numbers. The user goes
on with the valid rows (the screen returns the report) or cancels (it returns
None and the temporary rows are deleted).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, ProgressBar, Static

from kootui.core.context import Context
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.recipients.xlsx import ImportCancelled, ImportReport, import_recipients
from kootui.core.tasks import count_suppressed
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.widgets.fitting_footer import FittingFooter

SHOWN_REFUSED_ROWS = 200  # the report lists the first ones; the summary counts them all


class _ImportProgress(Message, bubble=False):
    def __init__(self, done: int, expected: int | None) -> None:
        super().__init__()
        self.done, self.expected = done, expected

    def can_replace(self, message: Message) -> bool:
        # A fast reader posts many of these; only the newest still waiting matters.
        return isinstance(message, _ImportProgress)


class _ImportFinished(Message, bubble=False):
    def __init__(
        self, report: ImportReport | None, error: BaseException | None, suppressed: int = 0
    ) -> None:
        super().__init__()
        self.report, self.error, self.suppressed = report, error, suppressed


class ImportScreen(ModalScreen[ImportReport | None]):
    """Reading a recipient file, then its report; enter goes on, escape cancels.

    Enter must work whatever holds focus: the refused rows' table (its own Enter goes on)
    when there is one, else the Go on button; the table is mounted only when it has rows,
    so a hidden empty table can never swallow the key.
    """

    BINDINGS = bindings("task-report")
    AUTO_FOCUS = "#import-cancel"  # while reading, the one thing to do is cancel
    DEFAULT_CSS = """
    ImportScreen { align: center middle; }
    ImportScreen > #import-box {
        width: 100; max-width: 98%; height: 34; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ImportScreen #import-title { text-style: bold; padding: 0 0 1 0; }
    ImportScreen #import-summary { height: auto; padding: 1 0; }
    ImportScreen #import-error { color: $text-error; height: auto; }
    ImportScreen #import-question { color: $text-muted; height: auto; }
    ImportScreen DataTable { height: 1fr; }
    ImportScreen #import-spacer { height: 1fr; }
    ImportScreen #import-buttons { height: auto; align-horizontal: right; }
    ImportScreen #import-buttons > Button { margin-left: 1; }
    """

    def __init__(
        self, path: Path, parameters: Sequence[str], *, context: Context | None = None
    ) -> None:
        super().__init__()
        self.context = context  # to count the rows on the suppression list
        self.path = path
        self.parameters = tuple(parameters)
        self.cancel_event = threading.Event()
        self.report: ImportReport | None = None
        self.reading = True

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box"):
            columns = ", ".join(["email", *self.parameters])
            yield Label(
                printable(f"Recipients from {self.path.name}"), id="import-title", markup=False
            )
            # Parameter names come from the template: text, never markup.
            yield Static(
                printable(f"Reading the first sheet (columns: {columns})…"),
                id="import-summary",
                markup=False,
            )
            yield ProgressBar(id="import-bar", show_eta=False)
            yield Static("", id="import-error", markup=False)
            yield Vertical(id="import-spacer")  # the refused rows' table goes here
            yield Static("Escape cancels the import.", id="import-question", markup=False)
            with Horizontal(id="import-buttons"):
                yield Button("Cancel", id="import-cancel")
                yield Button("Go on", id="import-accept", variant="primary", disabled=True)
        yield FittingFooter()

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="xlsx-import")
    def _read(self) -> None:
        def progress(done: int, expected: int | None) -> None:
            self.post_message(_ImportProgress(done, expected))

        try:
            report = import_recipients(
                self.path, self.parameters, progress=progress, cancel=self.cancel_event
            )
            suppressed = count_suppressed(self.context, report.recipients) if self.context else 0
        except Exception as error:  # shown in the dialog, never a crash
            self.post_message(_ImportFinished(None, error))
            return
        self.post_message(_ImportFinished(report, None, suppressed))

    @on(_ImportProgress)
    def _progress(self, message: _ImportProgress) -> None:
        bar = self.query_one("#import-bar", ProgressBar)
        bar.update(total=message.expected, progress=message.done)
        of = f" of about {message.expected:,}" if message.expected else ""
        self.query_one("#import-summary", Static).update(
            f"Read {count_of(message.done, 'row')}{of}…"
        )

    @on(_ImportFinished)
    def _finished(self, message: _ImportFinished) -> None:
        self.reading = False
        if self.cancel_event.is_set() or isinstance(message.error, ImportCancelled):
            if message.report is not None:
                message.report.close()
            self.dismiss(None)
            return
        if message.error is not None:
            error = message.error
            text = user_message(error) if isinstance(error, KootuiError) else type(error).__name__
            self.query_one("#import-summary", Static).update("The file was not imported.")
            self.query_one("#import-error", Static).update(printable(text, one_line=False))
            self.query_one("#import-question", Static).update("Escape goes back to the form.")
            return
        report = message.report
        assert report is not None
        self.report = report
        bar = self.query_one("#import-bar", ProgressBar)
        bar.update(total=max(report.rows_read, 1), progress=max(report.rows_read, 1))
        skipped = (
            f"; {message.suppressed:,} on the suppression list will not be sent"
            if message.suppressed
            else ""
        )
        self.query_one("#import-summary", Static).update(
            Content.assemble(
                (report.summary(), "bold"),
                f" — {count_of(report.rows_read, 'row')} read{skipped}",
            )
        )
        accept = self.query_one("#import-accept", Button)
        if report.valid_count:
            accept.disabled = False
        question = (
            f"Enter: go on with the {count_of(report.valid_count, 'valid row')} · Escape: cancel"
            if report.valid_count
            else "No row can be sent. Escape: cancel, fix the file and upload it again."
        )
        self.query_one("#import-question", Static).update(question)
        if not self._show_refused(report):
            (accept if report.valid_count else self.query_one("#import-cancel")).focus()

    def _show_refused(self, report: ImportReport) -> bool:
        """The refused and repeated rows in a table that takes focus; False when none."""
        skipped = [*report.refused, *report.duplicates]
        if not skipped:
            return False
        table: DataTable[object] = DataTable(
            id="import-refused", cursor_type="row", zebra_stripes=True
        )
        self.query_one("#import-spacer").mount(table)
        table.add_columns("Row", "Address", "Why")
        for item in sorted(skipped, key=lambda item: item.row)[:SHOWN_REFUSED_ROWS]:
            # A string cell is parsed as markup by DataTable; the file's cells are not ours.
            table.add_row(
                str(item.row),
                outside(item.address) if item.address else Text("(empty)", style="dim"),
                outside(item.reason),
            )
        table.focus()
        return True

    def action_accept(self) -> None:
        if self.report is not None and self.report.valid_count:
            report, self.report = self.report, None
            self.dismiss(report)

    def action_cancel(self) -> None:
        if self.reading:
            self.cancel_event.set()  # the reader stops at its next row; _finished dismisses
            self.query_one("#import-summary", Static).update("Cancelling…")
            return
        if self.report is not None:
            self.report.close()
            self.report = None
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def _row_enter(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_accept()

    @on(Button.Pressed, "#import-accept")
    def _accept_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_accept()

    @on(Button.Pressed, "#import-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
