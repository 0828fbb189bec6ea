"""One message's detail view: its fields, every delivery attempt, and its raw headers.

The fields come from the core's ``message_detail`` in display order; the attempts are a
table (time, stage, outcome, reply code, enhanced code, reply, host, TLS, duration); the
headers are a read-only text area that scrolls. The recipient is masked in the fields
and the headers until the reveal key is pressed (pressed again, it hides them); the copy
key puts the headers, as shown, on the clipboard (OSC 52, works over SSH).

While the message is pending, sending or deferred, a timer reads it again (one read at
a time); an answer equal to what is shown changes nothing on screen, so the scroll
position and the highlighted attempt stay where the user left them.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static, TextArea

from kootui.core.details import MessageDetail, message_detail
from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.tui.clipboard import copy_text
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.shell.page import PageSpec, WorkspaceHeader
from kootui.tui.shell.rights import key_allowed
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.status_badge import app_variables, status_text

# (title, width): the attempt table's columns. The reply is cut to fit 120 columns; the
# highlighted attempt's whole reply is shown under the table.
ATTEMPT_COLUMNS = (
    ("Time", 19),
    ("Stage", 7),
    ("Outcome", 11),
    ("Code", 4),
    ("Enhanced", 8),
    ("Reply", 32),
    ("Host", 16),
    ("TLS", 3),
)
COLUMN_GAP = 2  # between the two field columns (their padding-right)
STILL_MOVING = ("Pending", "Sending", "Deferred")  # statuses the engine may still change
STATUS_LABEL = "Status"


def field_columns(fields: list[tuple[str, str]], room: int) -> tuple[Content, Content, Content]:
    """The fields as 'label  value' lines: those that fit a column of half of ``room``
    characters in two columns (the first half, the rest), longer ones (a Message-ID, a
    subject) below them at full width, in order."""
    # Subjects, addresses and Message-IDs are outside text: made printable before measured.
    fields = [(label, printable(value)) for label, value in fields]
    width = max((len(label) for label, _value in fields), default=0) + 2
    fits = room // 2 - COLUMN_GAP - width

    def line(label: str, value: str) -> Content:
        return Content.assemble((f"{label:<{width}}", "bold"), value)

    short = [line(label, value) for label, value in fields if len(value) <= fits]
    wide = [line(label, value) for label, value in fields if len(value) > fits]
    half = (len(short) + 1) // 2
    join = Content("\n").join
    return join(short[:half]), join(short[half:]), join(wide)


class MessageDetailScreen(KootuiNode, Screen[None]):
    """A message, read once on arrival, again on reveal and on ctrl+r."""

    BINDINGS = bindings("message-detail")
    DEFAULT_CSS = """
    MessageDetailScreen #detail-body { height: 1fr; padding: 0 1; }
    MessageDetailScreen #detail-heading { text-style: bold; padding: 1 0 1 0; height: auto; }
    MessageDetailScreen #detail-fields { height: auto; }
    MessageDetailScreen #detail-fields > Static { width: 1fr; padding-right: 2; }
    MessageDetailScreen .section-title { text-style: bold; color: $primary; padding: 1 0 0 0; }
    MessageDetailScreen #attempts { height: auto; max-height: 8; }
    MessageDetailScreen #attempts-empty { color: $text-muted; }
    MessageDetailScreen #attempt-reply { height: auto; max-height: 3; }
    MessageDetailScreen #headers-hint { color: $text-muted; }
    MessageDetailScreen #headers { height: 1fr; min-height: 5; }
    """

    def __init__(self, message_id: int, page: PageSpec, *, reveal: bool = False) -> None:
        super().__init__(id="message-detail")
        self.message_id = message_id
        self.page = replace(page, title=f"{page.title} › message {message_id}")
        self.reveal = reveal
        self.detail: MessageDetail | None = None
        self.detail_shown = False
        self.reading = False
        self.read_again = False  # asked to read while a read was in flight

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(self.page)
        with Vertical(id="detail-body"):
            yield Label(f"Message {self.message_id}", id="detail-heading", markup=False)
            with Horizontal(id="detail-fields"):
                yield Static("reading…", id="fields-left")
                yield Static("", id="fields-right")
            yield Static("", id="fields-wide")
            yield Label("Attempts", id="attempts-title", classes="section-title")
            yield DataTable(id="attempts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="attempt-reply", markup=False)
            yield Static("", id="attempts-empty", markup=False)
            yield Label("Headers", classes="section-title")
            yield Static("", id="headers-hint")
            yield TextArea("", id="headers", read_only=True, soft_wrap=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#attempts", DataTable)
        for title, width in ATTEMPT_COLUMNS:
            table.add_column(title, width=width, key=title.lower())
        self.query_one("#headers", TextArea).focus()
        self.read()
        self.set_interval(self.kootui.refresh_intervals.message_detail, self._follow)

    def _follow(self) -> None:
        """While the engine may still change the message, read it again (one read at a
        time: a tick during a read does nothing)."""
        if self.reading or self.detail is None or self.app.screen is not self:
            return
        if dict(self.detail.fields).get(STATUS_LABEL) in STILL_MOVING:
            self.read()

    def read(self) -> None:
        """Read the message again (revealed or masked as the screen stands)."""
        if self.reading:
            self.read_again = True
            return
        self.reading = True
        self._read_until_current()

    @work(group="message-detail", exit_on_error=False)
    async def _read_until_current(self) -> None:
        # One read at a time; asked again meanwhile (the reveal key), read once more after.
        try:
            while True:
                self.read_again = False
                context, message_id, reveal = self.kootui.context, self.message_id, self.reveal
                try:
                    detail = await asyncio.to_thread(
                        message_detail, context, message_id, reveal=reveal
                    )
                except KootuiError as refusal:
                    self.query_one("#fields-left", Static).update(outside(user_message(refusal)))
                else:
                    self._show(detail)
                if not self.read_again:
                    return
        finally:
            self.reading = False

    def _show(self, detail: MessageDetail) -> None:
        if detail == self.detail:
            return  # nothing moved: keep the scroll position and the highlighted attempt
        self.detail = detail
        status = dict(detail.fields).get(STATUS_LABEL, "")
        badge = status_text(status, app_variables(self.app))
        heading = Text.assemble(f"Message {detail.message_id}  ", badge)
        self.query_one("#detail-heading", Label).update(heading)
        room = self.size.width - 2  # the body's padding; the screen's width is always known
        left, right, wide = field_columns(detail.fields, room)
        self.query_one("#fields-left", Static).update(left)
        self.query_one("#fields-right", Static).update(right)
        wide_fields = self.query_one("#fields-wide", Static)
        wide_fields.update(wide)
        wide_fields.display = bool(wide.plain)
        first = self.detail_shown is False
        self.detail_shown = True
        self._show_attempts(detail)
        self._show_headers(detail)
        if first and detail.attempts:
            self.query_one("#attempts", DataTable).focus()  # up/down shows each whole reply

    def _show_attempts(self, detail: MessageDetail) -> None:
        table = self.query_one("#attempts", DataTable)
        table.clear()
        variables = app_variables(self.app)
        for attempt in detail.attempts:
            table.add_row(
                Text(attempt.started),
                Text(attempt.stage),
                status_text(attempt.outcome, variables),
                # What the remote server said is outside text: shown, never obeyed.
                outside(attempt.reply_code),
                outside(attempt.enhanced_code),
                outside(attempt.reply_text),
                outside(attempt.remote_host),
                outside(attempt.tls),
            )
        count = len(detail.attempts)
        title = f"Attempts ({count})" if count else "Attempts"
        self.query_one("#attempts-title", Label).update(title)
        table.display = bool(count)
        self.query_one("#attempt-reply", Static).display = bool(count)
        if count:
            table.move_cursor(row=count - 1)  # the last attempt: what happened in the end
            self._show_reply(count - 1)
        empty = self.query_one("#attempts-empty", Static)
        empty.display = not count
        status = dict(detail.fields).get(STATUS_LABEL, "")
        empty.update(
            "No delivery attempt: the message was cancelled before it was sent."
            if status == "Cancelled"
            else "No delivery attempt yet: the engine has not tried this message."
        )

    def _show_reply(self, row: int) -> None:
        if self.detail is None or not 0 <= row < len(self.detail.attempts):
            return
        attempt = self.detail.attempts[row]
        duration = "" if attempt.duration_ms is None else f" · {attempt.duration_ms:,} ms"
        reply = printable(attempt.reply_text or "no reply text", one_line=False)
        self.query_one("#attempt-reply", Static).update(
            Text.assemble(("Reply ", "bold"), reply, (f"  ({attempt.started}{duration})", "dim"))
        )

    @on(DataTable.RowHighlighted, "#attempts")
    def _attempt_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reply(event.cursor_row)

    def _show_headers(self, detail: MessageDetail) -> None:
        reveal_key = self.kootui.key_display("message-detail-reveal")
        copy_key = self.kootui.key_display("message-detail-copy")
        if not detail.headers:
            hint = detail.headers_reason or "This message has not been composed yet."
        elif detail.revealed:
            hint = f"The recipient is shown. {reveal_key} masks it again; {copy_key} copies."
        else:
            hint = f"The recipient is masked. {reveal_key} reveals it; {copy_key} copies."
        self.query_one("#headers-hint", Static).update(outside(hint))
        area = self.query_one("#headers", TextArea)
        area.load_text(detail.headers)
        area.display = bool(detail.headers)

    # Keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not key_allowed(self.kootui.principal, ("message-detail",), action):
            return None  # shown disabled: the signed-in user may not see whole addresses
        return True

    def action_toggle_reveal(self) -> None:
        self.reveal = not self.reveal
        self.read()

    def action_copy_headers(self) -> None:
        if self.detail is None or not self.detail.headers:
            self.notify("There are no headers to copy yet.", timeout=4)
            return
        what = "the headers" if self.detail.revealed else "the headers (recipient masked)"
        copy_text(self.app, self.detail.headers, what)

    def action_close(self) -> None:
        self.dismiss(None)
