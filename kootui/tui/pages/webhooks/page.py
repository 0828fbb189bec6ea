"""The Webhooks page: the endpoints message events are POSTed to, their state and last
delivery; add (the signing secret shown once), edit, enable or disable, remove, send a
test event, and each endpoint's delivery log. The same core calls as ``kootui webhook``,
on threads. An endpoint the engines disabled after days of failures is named in a notice
above the list until it is enabled again or removed."""

from __future__ import annotations

import asyncio

from textual import events, on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.core.printable import printable
from kootui.core.store import Column, PageRequest, PageResult, Row
from kootui.core.webhooks import (
    EndpointView,
    get_endpoint,
    list_endpoints,
    remove_endpoint,
    send_test_event,
    set_enabled,
)
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.webhooks.dialogs import (
    DeliveryLogDialog,
    SecretDialog,
    add_form,
    edit_form,
    events_text,
)
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen, PageSpec
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.paged_table import PagedTable

# Widths fit the content area beside the navigation at 120 columns.
COLUMNS = (
    Column("url", "URL", width=23),
    Column("events", "Events", width=12, sortable=False),
    Column("state", "State", width=15, kind="status"),
    Column("waiting", "Waiting", width=7, kind="count"),
    Column("last", "Last attempt", width=18, sortable=False),
)
ACTIONS = (
    ("webhooks-add", "Add"),
    ("webhooks-edit", "Edit"),
    ("webhooks-test", "Test"),
    ("webhooks-log", "Log"),
    ("webhooks-toggle", "On/off"),
    ("webhooks-remove", "Remove"),
)
STATES = {
    "enabled": "enabled",
    "failing": "failing",
    "disabled": "disabled",
    "disabled (failing)": "auto_disabled",
}


def _last(view: EndpointView) -> str | None:
    if view.last_attempt_at is None:
        return None
    return f"{local_text(view.last_attempt_at, '%m-%d %H:%M')} {'ok' if view.last_ok else 'failed'}"


def endpoint_row(view: EndpointView) -> Row:
    return Row(
        str(view.id),
        {
            "id": view.id,
            "url": view.url,
            "events": events_text(view.events),
            "state": STATES[view.state],
            "waiting": view.waiting,
            "last": _last(view),
            "view": view,
        },
    )


def endpoint_rows(context: Context, request: PageRequest) -> PageResult:
    """The endpoints (a workspace has at most 50) filtered, sorted and paged here."""
    views = list_endpoints(context)
    words = request.text_filter.strip().lower()
    if words:
        views = [v for v in views if words in v.url.lower() or words in v.description.lower()]
    rows = [endpoint_row(view) for view in views]
    key = request.sort_key or "id"
    rows.sort(
        key=lambda row: (row[key] is None, str(row[key]) if key != "waiting" else row[key]),
        reverse=request.descending,
    )
    start = request.offset if request.offset < len(rows) else 0
    return PageResult(rows[start : start + request.limit], total=len(rows), offset=start)


def disabled_notice(views: list[EndpointView], enable_key: str) -> str:
    stopped = [view for view in views if view.state == "disabled (failing)"]
    if not stopped:
        return ""
    first = stopped[0]
    since = local_text(first.disabled_at, "%Y-%m-%d %H:%M")
    more = f" (and {len(stopped) - 1} more)" if len(stopped) > 1 else ""
    return (
        f"⚠ Endpoint {first.id}{more} was disabled on {since}: {printable(first.disabled_reason)}"
        f". Fix the receiver, then press {enable_key} to enable it; its waiting events go out."
    )


class WebhooksScreen(PageScreen):
    KEY_SCOPES = ("webhooks", "list", "list-sort", "filter", "form", "confirm")
    BINDINGS = bindings("webhooks")
    DEFAULT_CSS = """
    WebhooksScreen .list-actions > Button { min-width: 0; width: auto; padding: 0 1; }
    WebhooksScreen #webhooks-notice {
        height: auto; color: $text-warning; padding: 0 1; display: none;
    }
    WebhooksScreen #webhooks-notice.-shown { display: block; }
    WebhooksScreen #webhooks-status {
        height: auto; max-height: 3; color: $text-muted; padding: 0 1;
    }
    """

    def __init__(self, page: PageSpec) -> None:
        super().__init__(page)
        self.left_page = False

    def compose_content(self) -> ComposeResult:
        add_key = self.kootui.key_display("webhooks-add")
        context = self.kootui.context
        yield Static("", id="webhooks-notice", markup=False)
        yield ListPanel(
            "Webhooks",
            COLUMNS,
            lambda request: endpoint_rows(context, request),
            actions=ACTIONS,
            sort_key="id",
            empty_message=(
                "No webhook endpoint yet. Press "
                f"{add_key} to POST message events (delivered, bounced, opened…) to a URL."
            ),
            filter_placeholder="Part of a URL or a description (press / to focus)",
            id="webhooks-list",
        )
        yield Static("", id="webhooks-status", markup=False)

    @property
    def endpoint_list(self) -> ListPanel:
        return self.query_one("#webhooks-list", ListPanel)

    def reload(self) -> None:
        self.endpoint_list.reload()

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        if self.left_page and self.endpoint_list.table.result is not None:
            self.endpoint_list.reload()
        self.left_page = False

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self.left_page = self.app.current_mode != self.page.id

    def _selected(self) -> EndpointView | None:
        row = self.endpoint_list.highlighted_row
        if row is None:
            key = self.kootui.key_display("webhooks-add")
            self.notify(f"No endpoint is selected; press {key} to add one.", timeout=4)
            return None
        view: EndpointView = row["view"]
        return view

    @on(PagedTable.PageLoaded)
    def _show_notice(self) -> None:
        result = self.endpoint_list.table.result
        views = [row["view"] for row in result.rows] if result is not None else []
        notice = self.query_one("#webhooks-notice", Static)
        text = disabled_notice(views, self.kootui.key_display("webhooks-toggle"))
        notice.update(text)
        notice.set_class(bool(text), "-shown")
        self._show_status()

    @on(PagedTable.RowHighlighted)
    def _show_status(self) -> None:
        row = self.endpoint_list.highlighted_row
        status = self.query_one("#webhooks-status", Static)
        if row is None:
            status.update("")
            return
        view: EndpointView = row["view"]
        parts: list[tuple[str, str]] = [(f"Endpoint {view.id}", "bold")]
        if view.description:  # typed by a person: text, never markup
            parts.append((f" — {printable(view.description)}", ""))
        parts.append((f" · {events_text(view.events)}", ""))
        if view.last_status_code is not None:
            parts.append((f" · last answer HTTP {view.last_status_code}", ""))
        if view.failing_since is not None and view.enabled:
            since = local_text(view.failing_since, "%Y-%m-%d %H:%M")
            parts.append((f" · failing since {since}", ""))
        if view.failed:
            parts.append((f" · {view.failed} given up", ""))
        status.update(Content.assemble(*parts))

    @on(PagedTable.RowActivated)
    def _open_log(self) -> None:
        self.action_show_log()

    def _land_on(self, endpoint_id: int) -> None:
        table = self.endpoint_list.table
        table.load(table.request.first_page(), cursor=str(endpoint_id))

    # Add and edit ------------------------------------------------------------------

    @work(group="webhooks-add", exit_on_error=False)
    async def action_add_endpoint(self) -> None:
        created = await self.app.push_screen_wait(add_form(self.kootui.context))
        if created is None:
            return
        self._land_on(created.endpoint.id)
        await self.app.push_screen_wait(SecretDialog(created))

    @work(group="webhooks-edit", exit_on_error=False)
    async def action_edit_endpoint(self) -> None:
        view = self._selected()
        if view is None:
            return
        changed = await self.app.push_screen_wait(edit_form(self.kootui.context, view))
        if changed is not None:
            self.notify(f"Endpoint {changed.id} saved.", timeout=4)
            self._land_on(changed.id)

    # Test, log, on/off, remove -----------------------------------------------------

    @work(group="webhooks-test", exclusive=True, exit_on_error=False)
    async def action_send_test(self) -> None:
        view = self._selected()
        if view is None:
            return
        self.notify(f"Sending a test event to endpoint {view.id}…", timeout=3)
        try:
            entry = await asyncio.to_thread(send_test_event, self.kootui.context, view.id)
        except KootuiError as refusal:
            self.notify(str(refusal), title="Not sent", severity="error", timeout=8)
            return
        if entry.ok:
            self.notify(
                f"Endpoint {view.id} answered {entry.status_code} in {entry.duration_ms} ms.",
                timeout=6,
            )
        else:
            code = f"HTTP {entry.status_code}: " if entry.status_code is not None else ""
            self.notify(
                f"{code}{printable(entry.detail)}",
                title=f"Endpoint {view.id} failed the test",
                severity="error",
                timeout=10,
            )
        self._land_on(view.id)

    def action_show_log(self) -> None:
        view = self._selected()
        if view is not None:
            self.app.push_screen(DeliveryLogDialog(self.kootui.context, view))

    @work(group="webhooks-toggle", exit_on_error=False)
    async def action_toggle_endpoint(self) -> None:
        view = self._selected()
        if view is None:
            return
        context = self.kootui.context
        if view.enabled:
            question = ConfirmDialog(
                f"Disable endpoint {view.id}?",
                "No new events are queued for it until it is enabled again; those already "
                "waiting stay.",
                confirm_label="Disable",
            )
            if not await self.app.push_screen_wait(question):
                return
        try:
            changed = await asyncio.to_thread(set_enabled, context, view.id, not view.enabled)
        except KootuiError as refusal:
            self.notify(str(refusal), severity="error", timeout=8)
            return
        word = "enabled" if changed.enabled else "disabled"
        self.notify(f"Endpoint {changed.id} {word}.", timeout=4)
        self._land_on(changed.id)

    @work(group="webhooks-remove", exit_on_error=False)
    async def action_remove_endpoint(self) -> None:
        view = self._selected()
        if view is None:
            return
        context = self.kootui.context
        fresh = await asyncio.to_thread(get_endpoint, context, view.id)
        question = ConfirmDialog(
            f"Remove endpoint {view.id}?",
            f"{printable(view.url)} gets no more events; its {fresh.waiting} waiting event(s) "
            "and its delivery log are deleted.",
            confirm_label="Remove",
            destructive=True,
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            await asyncio.to_thread(remove_endpoint, context, view.id)
        except KootuiError as refusal:
            self.notify(str(refusal), title="Not removed", severity="error", timeout=8)
        else:
            self.notify(f"Removed endpoint {view.id}.", timeout=5)
        self.endpoint_list.reload()
