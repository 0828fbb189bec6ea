"""The Sending Details page: one row per message, what happened to it, and its detail view.

The list pattern over ``query_messages``: the quick filter matches the recipient, the
task name or the subject; the advanced search offers the core's ``ADVANCED_FIELDS``.
Only messages created in the last 24 hours are listed unless the user widens the range
(``w``, or the search panel); a line above the table always says which range is shown.

Recipients are masked (``***@domain``). The reveal key shows one row's address until it
is pressed again or the page is left; there is no key that reveals every row. Enter
opens a message's attempts and headers; ``x`` exports the current filter to .xlsx.

While the page is in front and a task is sending, a timer reads the page again; a tick
that finds a read in flight does nothing, so a slow store never piles reads up, and the
cursor stays on its message (rows are found again by key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from textual import events, on, work
from textual.app import ComposeResult
from textual.widgets import Select, Static

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.details import (
    ADVANCED_FIELDS,
    DEFAULT_RANGE,
    DETAILS_COLUMNS,
    RANGE_LABELS,
    RANGES,
    query_messages,
    reveal_recipient,
)
from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.core.store import Column, PageRequest, PageResult, Row, TaskStatus
from kootui.core.tasks import query_tasks
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.details.export import (
    ExportProgressScreen,
    export_form,
    outcome_notice,
)
from kootui.tui.pages.details.message import MessageDetailScreen
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen, PageSpec
from kootui.tui.widgets.advanced_search import SearchField
from kootui.tui.widgets.column_fit import ColumnFit
from kootui.tui.widgets.paged_table import PagedTable
from kootui.tui.widgets.slowed_banner import SlowedBanner

ROW_TIME = "%d %b %H:%M"  # "23 Nov 15:30": the list's times, in 12 columns
RANGE_TEXT = dict(RANGE_LABELS)
RANGE_STEPS = tuple(value for value, _label in RANGE_LABELS)  # what w steps through

# The message, its status, where it went, what it said, which task, when come first;
# received, template, sender and send method follow (→ scrolls to them; the detail
# view shows every field). The subject's width is what the others leave (DETAILS_FIT).
LAYOUT = (
    ("message_id", "ID", 5),
    ("task", "Task", 13),
    ("status", "Status", 11),
    ("subject", "Subject", 14),  # at 120 columns, beside the navigation
    ("recipient", "Recipient", 16),
    ("created", "Created", 12),
    ("received", "Received", 12),
    ("template", "Template", 16),
    ("sender", "Sender", 28),
    ("send_method", "Method", 7),
)
TIME_KEYS = ("created", "received")
# Up to Created, the columns end at the table's edge and the subject takes what is left:
# 14 at 120 columns, 40 at 160 (and Received joins). At 80 Created gives way rather
# than the subject fall under 12, after the task's name has narrowed to 10.
DETAILS_FIT = ColumnFit(flex="subject", last_main="created", narrowest={"task": 10})


def page_columns() -> tuple[Column, ...]:
    """The core's columns (keys, sortability) in the page's order and widths."""
    by_key = {column.key: column for column in DETAILS_COLUMNS}
    return tuple(replace(by_key[key], title=title, width=width) for key, title, width in LAYOUT)


def search_fields() -> tuple[SearchField, ...]:
    """The core's advanced fields as search panel fields; the created dates pair up."""
    fields: list[SearchField] = []
    for field in ADVANCED_FIELDS:
        if field.name == "created_to":
            continue  # shown beside created_from
        if field.name == "created_from":
            fields.append(SearchField("created", "Created", kind="date_range"))
        elif field.name == "range":
            options = [(label, value) for value, label in field.choices if value != DEFAULT_RANGE]
            prompt = f"{RANGE_TEXT[DEFAULT_RANGE]} (default)"
            fields.append(SearchField("range", field.label, "select", options, prompt=prompt))
        elif field.kind == "choice":
            options = [(label, value) for value, label in field.choices]
            fields.append(SearchField(field.name, field.label, "select", options))
        else:
            hint = "a number, e.g. 12" if field.kind == "number" else "part of it"
            fields.append(SearchField(field.name, field.label, placeholder=hint))
    return tuple(fields)


def range_note(advanced: Mapping[str, str], now: datetime) -> str:
    """One line saying which messages the list can show, and how to see older ones."""
    start, end = advanced.get("created_from", ""), advanced.get("created_to", "")
    chosen = advanced.get("range", "") or ""
    if start or end:
        dates = f"from {start or 'the first'} to {end or 'today'}"
        within = f", within the {RANGE_TEXT[chosen].lower()}" if chosen else ""
        return f"Created {dates}{within} (the dates replace the 24-hour default)."
    chosen = chosen or DEFAULT_RANGE
    if chosen == "all":
        return "Messages of any age. w goes back to the last 24 hours."
    span = RANGES.get(chosen) or RANGES[DEFAULT_RANGE] or timedelta(hours=24)
    since = local_text(now - span, ROW_TIME)
    return (
        f"Created in the {RANGE_TEXT[chosen].lower()} (since {since}); older ones are "
        "hidden · w widens"
    )


def shown_rows(context: Context, request: PageRequest, revealed: Mapping[str, str]) -> PageResult:
    """``query_messages`` with local short times and the revealed rows' addresses."""
    page = query_messages(context, request)
    rows = []
    for row in page.rows:
        values = dict(row.values)
        for key in TIME_KEYS:
            value = values.get(key)
            values[key] = local_text(value, ROW_TIME) if isinstance(value, datetime) else None
        if row.key in revealed:
            values["recipient"] = revealed[row.key]
        rows.append(Row(key=row.key, values=values))
    return PageResult(rows=rows, total=page.total, offset=page.offset)


def tasks_sending(context: Context) -> bool:
    """Whether any task is sending now (the engine, here or in a worker, is at work)."""
    request = PageRequest(limit=1, advanced={"status": TaskStatus.SENDING.value})
    return query_tasks(context, request).total > 0


class SendingDetailsScreen(PageScreen):
    KEY_SCOPES = (
        "sending-details",
        "list",
        "list-sort",
        "filter",
        "search",
        "message-detail",
        "form",
        "details-export",
    )
    BINDINGS = bindings("sending-details")
    DEFAULT_CSS = """
    SendingDetailsScreen #range-note { height: auto; color: $text-muted; padding: 0 1; }
    SendingDetailsScreen AdvancedSearch .search-row > Label { width: 16; }
    SendingDetailsScreen AdvancedSearch .search-row > Input { width: 24; }
    SendingDetailsScreen AdvancedSearch .search-row > Select { width: 30; }
    SendingDetailsScreen AdvancedSearch Input { background: $boost; }
    SendingDetailsScreen AdvancedSearch SelectCurrent { background: $boost; }
    """

    def __init__(self, page: PageSpec) -> None:
        super().__init__(page)
        self.revealed: dict[str, str] = {}  # row key -> full address, until hidden or left
        self.masked: dict[str, str] = {}  # row key -> the masked text it had
        self.checking = False  # an auto-refresh check is in flight
        self._keep_scroll_x: float | None = None

    def compose_content(self) -> ComposeResult:
        context = self.kootui.context
        yield ListPanel(
            "Sending Details",
            page_columns(),
            lambda request: shown_rows(context, request, dict(self.revealed)),
            actions=(
                ("details-open", "Details"),
                ("details-reveal", "Reveal"),
                ("details-range", "Widen range"),
                ("details-export", "Export"),
            ),
            search_fields=search_fields(),
            sort_key="created",
            descending=True,
            empty_message=(
                "No messages were created in this range. Widen it with w, or send a task "
                "from Sending Tasks (g s)."
            ),
            filter_placeholder="Recipient, task name or subject (press / to focus)",
            compact_search=True,
            fit=DETAILS_FIT,
            id="message-list",
        )
        yield SlowedBanner(id="details-slowed")

    def on_mount(self) -> None:
        super().on_mount()
        panel = self.message_list
        panel.mount(Static("", id="range-note", markup=False), before=panel.table)
        self._show_range_note()
        interval = self.kootui.refresh_intervals.messages_while_sending
        self.set_interval(interval, self._refresh_while_sending)

    @property
    def message_list(self) -> ListPanel:
        return self.query_one("#message-list", ListPanel)

    def reload(self) -> None:
        self.checking = False  # a check that failed (store away) pauses the timer until now
        self.message_list.reload()
        if isinstance(self.app.screen, MessageDetailScreen):
            self.app.screen.read()  # ctrl+r in a message's view reads that message again

    def _selected(self) -> Row | None:
        row = self.message_list.highlighted_row
        if row is None:
            self.notify("No message is selected; widen the range with w.", timeout=4)
        return row

    # The range shown ---------------------------------------------------------------

    def _show_range_note(self) -> None:
        advanced = self.message_list.table.request.advanced
        note = range_note(advanced, self.kootui.context.clock.now())
        self.query_one("#range-note", Static).update(printable(note))  # quotes typed dates

    def action_widen_range(self) -> None:
        """Step the range: 24 hours, 7 days, 30 days, all, and round again."""
        select = self.query_one("#search-range", Select)
        current = DEFAULT_RANGE if select.value is Select.NULL else str(select.value)
        following = RANGE_STEPS[(RANGE_STEPS.index(current) + 1) % len(RANGE_STEPS)]
        if following == DEFAULT_RANGE:
            select.clear()  # the default: the search panel says "(default)"
        else:
            select.value = following  # Select.Changed runs the search
        self.notify(f"Showing: {RANGE_TEXT[following].lower()}.", timeout=3)

    @on(PagedTable.PageLoaded)
    def _page_loaded(self, _event: PagedTable.PageLoaded) -> None:
        self._show_range_note()
        if self._keep_scroll_x is not None:
            x, self._keep_scroll_x = self._keep_scroll_x, None
            grid = self.message_list.table.grid
            self.call_after_refresh(lambda: grid.scroll_to(x=x, animate=False))

    # Reveal one row ----------------------------------------------------------------

    def action_reveal_row(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.key in self.revealed:
            del self.revealed[row.key]
            grid = self.message_list.table.grid
            grid.update_cell(row.key, "recipient", self.masked.pop(row.key, "***"))
            return
        self._reveal(row)

    @work(group="details-reveal", exit_on_error=False)
    async def _reveal(self, row: Row) -> None:
        key, masked = row.key, str(row["recipient"])
        try:
            address = await asyncio.to_thread(reveal_recipient, self.kootui.context, int(key))
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=6)
            return
        if self.app.current_mode != self.page.id:
            return  # the user left the page while the address was read: it stays hidden
        self.revealed[key] = address
        self.masked[key] = masked
        result = self.message_list.table.result
        if result is not None and key in {shown.key for shown in result.rows}:
            self.message_list.table.grid.update_cell(key, "recipient", address)

    def hide_revealed(self) -> None:
        """Mask every revealed row again (the user left the page)."""
        if self.revealed:
            self.revealed.clear()
            self.masked.clear()
            self.message_list.reload()

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        # A message's detail view opens on top of the page; another page leaves it.
        if self.app.current_mode != self.page.id:
            self.hide_revealed()

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        if self.message_list.table.result is not None:
            self.message_list.reload()

    # Automatic refresh while sending ----------------------------------------------------

    def _refresh_while_sending(self) -> None:
        table = self.message_list.table
        if self.app.screen is not self or self.checking or table.loading_page:
            return  # not in front, or the last check or read is still running
        self.checking = True
        self._check_sending()

    @work(group="details-sending", exit_on_error=False)
    async def _check_sending(self) -> None:
        # A store failure leaves ``checking`` set: the timer pauses until ctrl+r.
        try:
            sending = await asyncio.to_thread(tasks_sending, self.kootui.context)
        except KootuiError:
            sending = False
        self.checking = False
        table = self.message_list.table
        if sending and self.app.screen is self and not table.loading_page:
            self._keep_scroll_x = table.grid.scroll_x
            table.reload()

    # A message's detail, export ---------------------------------------------------------

    def action_open_message(self) -> None:
        row = self._selected()
        if row is not None:
            self._open(row)

    def _open(self, row: Row) -> None:
        reveal = row.key in self.revealed
        self.app.push_screen(MessageDetailScreen(int(row.key), self.page, reveal=reveal))

    @on(ListPanel.ActionChosen)
    def _action_clicked(self, event: ListPanel.ActionChosen) -> None:
        # The table's own Enter stands in front of the page's; a click still opens.
        if event.binding_id == "details-open":
            self.action_open_message()

    @on(PagedTable.RowActivated)
    def _row_activated(self, event: PagedTable.RowActivated) -> None:
        event.stop()
        self._open(event.row)

    @work(group="details-export-flow", exit_on_error=False)
    async def action_export(self) -> None:
        table = self.message_list.table
        request = table.request  # the filter as it stands when the form opens
        total = table.result.total if table.result is not None else 0
        choice = await self.app.push_screen_wait(export_form(self.kootui.context, total))
        if choice is None:
            return
        outcome = await self.app.push_screen_wait(ExportProgressScreen(request, choice, total))
        if outcome is not None:
            text, severity = outcome_notice(outcome)
            self.notify(text, severity=severity, timeout=10)
