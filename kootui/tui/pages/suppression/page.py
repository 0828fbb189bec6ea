"""The Suppression List page: the addresses tasks skip, why, since when, from which message.

The list pattern over ``list_suppressions``: the quick filter matches part of an address
or a note, the advanced search the reason and the day it was added. Addresses are masked
(``***@domain``) as on Sending Details: the reveal key shows one row's address until it
is pressed again or the page is left. Add asks for the address, a reason and a note;
remove asks first (tasks created afterwards mail the address again). Import reads the
``email`` column of an .xlsx chosen in the file picker, with one reason and note for the
file; export writes the current filter, addresses masked unless the form says otherwise.
Every store call runs off the event loop; a core refusal shows beside its form field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import Static

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.details import ExportResult
from kootui.core.errors import KootuiError
from kootui.core.printable import printable
from kootui.core.store import Column, PageRequest, PageResult, Row
from kootui.core.suppression import (
    REASON_LABELS,
    SuppressionImport,
    SuppressionView,
    add_suppression,
    export_suppressions,
    import_suppressions,
    list_suppressions,
    remove_suppression,
    reveal_suppressed,
)
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen, PageSpec
from kootui.tui.widgets.advanced_search import SearchField
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.file_picker import FilePicker
from kootui.tui.widgets.form import CheckboxField, FormDialog, FormValues, SelectField, TextField
from kootui.tui.widgets.paged_table import PagedTable

# Widths fit the content area beside the navigation at 120 columns.
COLUMNS = (
    Column("address", "Address", width=22),
    Column("reason", "Reason", width=14, kind="status"),
    Column("created_at", "Since", width=16, kind="time"),
    Column("message_id", "Message", width=7, kind="number"),
    Column("note", "Note", width=20, sortable=False),
)
ACTIONS = (
    ("suppression-add", "Add"),
    ("suppression-remove", "Remove"),
    ("suppression-reveal", "Reveal"),
    ("suppression-import", "Import"),
    ("suppression-export", "Export"),
)
REASON_OPTIONS = tuple((label, value) for value, label in REASON_LABELS.items())
SEARCH_FIELDS = (
    SearchField("reason", "Reason", "select", REASON_OPTIONS),
    SearchField("created", "Added", kind="date_range"),
)


def shown_rows(context: Context, request: PageRequest, revealed: Mapping[str, str]) -> PageResult:
    """``list_suppressions`` (masked) with the revealed rows' addresses."""
    page = list_suppressions(context, request)
    rows = [
        Row(row.key, {**row.values, "address": revealed[row.key]}) if row.key in revealed else row
        for row in page.rows
    ]
    return PageResult(rows=rows, total=page.total, offset=page.offset)


def add_form(context: Context) -> FormDialog[SuppressionView]:
    def add(values: FormValues) -> SuppressionView:
        return add_suppression(
            context, values["address"], reason=values["reason"] or "", note=values["note"]
        )

    return FormDialog(
        "Suppress an address — tasks will not mail it",
        [
            TextField("address", "Address", placeholder="name@example.com"),
            SelectField("reason", "Reason", REASON_OPTIONS, "manual"),
            TextField("note", "Note (optional, one line)", placeholder="asked by phone"),
        ],
        add,
        submit_label="Add",
    )


def import_form(context: Context, path: Path) -> FormDialog[SuppressionImport]:
    def load(values: FormValues) -> SuppressionImport:
        return import_suppressions(
            context, path, reason=values["reason"] or "", note=values["note"]
        )

    return FormDialog(
        printable(f"Import {path.name}: every address of its 'email' column"),
        [
            SelectField("reason", "Reason for every row", REASON_OPTIONS, "manual"),
            TextField("note", "Note for every row (optional)"),
        ],
        load,
        submit_label="Import",
    )


def export_form(
    context: Context, path: Path, request: PageRequest, total: int
) -> FormDialog[ExportResult]:
    def write(values: FormValues) -> ExportResult:
        return export_suppressions(context, request, path, reveal=bool(values["reveal"]))

    rows = f"{total:,} address" + ("" if total == 1 else "es")
    return FormDialog(
        printable(f"Export the current filter ({rows}) to {path.name}"),
        [CheckboxField("reveal", "Include whole addresses (personal data; off: ***@domain)")],
        write,
        submit_label="Export",
    )


def default_export_name(context: Context) -> str:
    return f"kootui-suppression-{local_text(context.clock.now(), '%Y-%m-%d')}.xlsx"


class SuppressionScreen(PageScreen):
    KEY_SCOPES = ("suppression", "list", "list-sort", "filter", "search", "form", "confirm")
    BINDINGS = bindings("suppression")
    DEFAULT_CSS = """
    /* Five actions beside the title: buttons as wide as their words, not Button's 16. */
    SuppressionScreen .list-actions > Button { min-width: 0; width: auto; padding: 0 1; }
    SuppressionScreen #suppression-status {
        height: auto; max-height: 3; color: $text-muted; padding: 0 1;
    }
    SuppressionScreen AdvancedSearch Input { background: $boost; }
    SuppressionScreen AdvancedSearch SelectCurrent { background: $boost; }
    """

    def __init__(self, page: PageSpec) -> None:
        super().__init__(page)
        self.revealed: dict[str, str] = {}  # row key -> whole address, until hidden or left
        self.left_page = False  # suspended by another page (not by a dialog of this one)

    def compose_content(self) -> ComposeResult:
        add_key = self.kootui.key_display("suppression-add")
        context = self.kootui.context
        yield ListPanel(
            "Suppression List",
            COLUMNS,
            lambda request: shown_rows(context, request, dict(self.revealed)),
            actions=ACTIONS,
            search_fields=SEARCH_FIELDS,
            sort_key="created_at",
            descending=True,
            empty_message=(
                "No address is suppressed. Unsubscribes and hard bounces land here by "
                f"themselves; press {add_key} to add one by hand."
            ),
            filter_placeholder="Part of an address or a note (press / to focus)",
            id="suppression-list",
        )
        yield Static("", id="suppression-status", markup=False)

    @property
    def suppression_list(self) -> ListPanel:
        return self.query_one("#suppression-list", ListPanel)

    def reload(self) -> None:
        self.suppression_list.reload()

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        # Back from another page: an unsubscribe or a bounce may have landed. Back from a
        # dialog of this page, its own action reloads (and places the cursor).
        if self.left_page and self.suppression_list.table.result is not None:
            self.suppression_list.reload()
        self.left_page = False

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        # A dialog opens on top of the page; another page leaves it, and reveals end.
        self.left_page = self.app.current_mode != self.page.id
        if self.left_page and self.revealed:
            self.revealed.clear()
            self.suppression_list.reload()

    def _selected(self) -> Row | None:
        row = self.suppression_list.highlighted_row
        if row is None:
            key = self.kootui.key_display("suppression-add")
            self.notify(f"No address is selected; press {key} to add one.", timeout=4)
        return row

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.PageLoaded)
    def _show_status(self) -> None:
        row = self.suppression_list.highlighted_row
        status = self.query_one("#suppression-status", Static)
        if row is None:
            status.update("")
            return
        since = local_text(row["created_at"], "%Y-%m-%d %H:%M")
        origin = (
            f"from message {row['message_id']} (Sending Details)"
            if row["message_id"] is not None
            else "no message"
        )
        parts = [(f"{row['reason_label']} since {since}, {origin}", "bold")]
        if row["note"]:
            parts.append((f" — {printable(row['note'])}", ""))  # typed by a person: text
        status.update(Content.assemble(*parts, " · tasks skip this address"))

    # Add and remove ----------------------------------------------------------------

    def action_add_entry(self) -> None:
        self.app.push_screen(add_form(self.kootui.context), self._added)

    def _added(self, view: SuppressionView | None) -> None:
        if view is None:
            return
        self.notify(f"Suppressed {view.masked} ({view.reason_label.lower()}).", timeout=5)
        table = self.suppression_list.table
        table.load(table.request.first_page(), cursor=str(view.id))

    @work(group="suppression-remove", exit_on_error=False)
    async def action_remove_entry(self) -> None:
        row = self._selected()
        if row is None:
            return
        shown = str(row["address"])
        question = ConfirmDialog(
            f"Remove {shown} from the suppression list?",
            f"It is there as {row['reason_label'].lower()}. Tasks created from now on mail "
            "it again; tasks already created keep skipping it.",
            confirm_label="Remove",
            destructive=True,
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            await asyncio.to_thread(remove_suppression, self.kootui.context, int(row.key))
        except KootuiError as refusal:
            self.notify(str(refusal), title="Not removed", severity="error", timeout=8)
        else:
            self.revealed.pop(row.key, None)
            self.notify(f"Removed {shown} from the suppression list.", timeout=5)
        self.suppression_list.reload()

    # Reveal one row ----------------------------------------------------------------

    def action_reveal_row(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.key in self.revealed:
            del self.revealed[row.key]
            self.suppression_list.reload()
            return
        self._reveal(row)

    @work(group="suppression-reveal", exit_on_error=False)
    async def _reveal(self, row: Row) -> None:
        try:
            address = await asyncio.to_thread(reveal_suppressed, self.kootui.context, int(row.key))
        except KootuiError as refusal:
            self.notify(str(refusal), severity="error", timeout=6)
            return
        if self.app.current_mode != self.page.id:
            return  # the user left the page while the address was read: it stays hidden
        self.revealed[row.key] = address
        self.suppression_list.reload()

    # Import and export -------------------------------------------------------------

    @work(group="suppression-import", exit_on_error=False)
    async def action_import_entries(self) -> None:
        picker = FilePicker(
            "Import addresses to suppress (.xlsx with an 'email' column)",
            start=Path.home(),
            suffixes=(".xlsx",),
        )
        path = await self.app.push_screen_wait(picker)
        if path is None:
            return
        result = await self.app.push_screen_wait(import_form(self.kootui.context, path))
        if result is None:
            return
        refused = ""
        if result.refused:
            first = result.refused[0]
            refused = f" First refused: row {first.row}, {first.reason}."
        severity: SeverityLevel = "warning" if result.refused_count else "information"
        self.notify(
            f"{result.file_name}: {result.summary()}.{refused}", severity=severity, timeout=10
        )
        self.suppression_list.reload()

    @work(group="suppression-export", exit_on_error=False)
    async def action_export_entries(self) -> None:
        context = self.kootui.context
        table = self.suppression_list.table
        request = table.request  # the filter as it stands when the picker opens
        total = table.result.total if table.result is not None else 0
        picker = FilePicker(
            "Export the suppression list to .xlsx",
            start=Path.home(),
            must_exist=False,
            suffixes=(".xlsx",),
            file_name=default_export_name(context),
        )
        path = await self.app.push_screen_wait(picker)
        if path is None:
            return
        result = await self.app.push_screen_wait(export_form(context, path, request, total))
        if result is not None:
            noun = "address" if result.rows == 1 else "addresses"
            self.notify(f"Exported {result.rows:,} {noun} to {result.path}", timeout=10)
