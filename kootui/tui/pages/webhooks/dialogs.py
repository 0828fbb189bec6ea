"""The Webhooks page's dialogs: the endpoint form (add and edit), the secret shown once
with a copy action, and an endpoint's delivery log. Every store call runs on a thread
(``FormDialog`` runs its submit on one); a refusal shows beside its field."""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.printable import printable
from kootui.core.webhooks import (
    WEBHOOK_EVENTS,
    CreatedEndpoint,
    DeliveryView,
    EndpointView,
    create_endpoint,
    delivery_log,
    update_endpoint,
)
from kootui.tui.clipboard import copy_text
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.shell.kootui_node import KootuiNode
from kootui.tui.widgets.fitting_footer import FittingFooter
from kootui.tui.widgets.form import FormDialog, FormValues, TextField

EVENTS_LABEL = "Events: all, or some of " + ", ".join(WEBHOOK_EVENTS)
LOG_ROWS = 100


def events_text(events: tuple[str, ...]) -> str:
    return "all" if set(events) == set(WEBHOOK_EVENTS) else ", ".join(events)


def _events(text: str) -> list[str]:
    return [name for name in text.replace(",", " ").split() if name]


def add_form(context: Context) -> FormDialog[CreatedEndpoint]:
    def add(values: FormValues) -> CreatedEndpoint:
        return create_endpoint(
            context, values["url"], _events(values["events"]), values["description"]
        )

    return FormDialog(
        "Add a webhook endpoint — its signing secret is shown once",
        [
            TextField("url", "URL (https://)", placeholder="https://crm.example.com/hooks/kootui"),
            TextField("events", EVENTS_LABEL, "all"),
            TextField("description", "Description (optional)", placeholder="CRM sync"),
        ],
        add,
        submit_label="Add",
    )


def edit_form(context: Context, endpoint: EndpointView) -> FormDialog[EndpointView]:
    def save(values: FormValues) -> EndpointView:
        return update_endpoint(
            context,
            endpoint.id,
            url=values["url"],
            events=_events(values["events"]),
            description=values["description"],
        )

    return FormDialog(
        f"Edit webhook endpoint {endpoint.id} — the secret stays",
        [
            TextField("url", "URL (https://)", endpoint.url),
            TextField("events", EVENTS_LABEL, events_text(endpoint.events)),
            TextField("description", "Description (optional)", endpoint.description),
        ],
        save,
    )


class SecretDialog(KootuiNode, ModalScreen[None]):
    """The new endpoint's signing secret, once: kootui can derive it but never shows it
    again. Closing the dialog forgets it."""

    DEFAULT_CSS = """
    SecretDialog { align: center middle; }
    SecretDialog > #secret-box {
        width: 80; max-width: 95%; height: auto;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    SecretDialog #secret-title { text-style: bold; padding: 0 0 1 0; }
    SecretDialog #secret-value { padding: 0 0 1 0; text-style: bold; }
    SecretDialog #secret-hint { color: $text-muted; }
    """
    BINDINGS = bindings("webhook-secret")

    def __init__(self, created: CreatedEndpoint) -> None:
        super().__init__()
        self._secret = created.secret
        self._url = created.endpoint.url

    def compose(self) -> ComposeResult:
        copy = self.kootui.key_display("webhook-secret-copy")
        with Vertical(id="secret-box"):
            yield Static(outside(f"Signing secret for {self._url}"), id="secret-title")
            yield Static(self._secret, id="secret-value", markup=False)
            yield Static(
                f"Copy it now ({copy}) into the receiving system: it is not shown again. "
                "Each request carries webhook-id, webhook-timestamp and webhook-signature "
                "(v1, HMAC-SHA256 of id.timestamp.body), as Standard Webhooks libraries expect.",
                id="secret-hint",
                markup=False,
            )
        yield FittingFooter()

    def action_copy_secret(self) -> None:
        copy_text(self.app, self._secret, "the signing secret")

    def action_close(self) -> None:
        self._secret = ""
        self.dismiss(None)


class DeliveryLogDialog(KootuiNode, ModalScreen[None]):
    """An endpoint's latest delivery attempts, newest first."""

    DEFAULT_CSS = """
    DeliveryLogDialog { align: center middle; }
    DeliveryLogDialog > #log-box {
        width: 116; max-width: 98%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DeliveryLogDialog #log-title { text-style: bold; padding: 0 0 1 0; }
    DeliveryLogDialog DataTable { height: auto; max-height: 24; }
    DeliveryLogDialog #log-hint { color: $text-muted; padding: 1 0 0 0; }
    """
    BINDINGS = bindings("webhook-log")

    def __init__(self, context: Context, endpoint: EndpointView) -> None:
        super().__init__()
        self.context = context
        self.endpoint = endpoint
        self.entries: list[DeliveryView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="log-box"):
            yield Static(
                outside(f"Delivery log of endpoint {self.endpoint.id}: {self.endpoint.url}"),
                id="log-title",
            )
            table: DataTable[object] = DataTable(id="log-table", cursor_type="row")
            table.add_columns("Time", "Event", "Try", "Result", "Code", "ms", "Response or error")
            yield table
            yield Static("", id="log-hint", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.load()

    @work(group="webhook-log-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        self.entries = await asyncio.to_thread(
            delivery_log, self.context, self.endpoint.id, limit=LOG_ROWS
        )
        table = self.query_one(DataTable)
        table.clear()
        for entry in self.entries:
            table.add_row(
                local_text(entry.started_at, "%Y-%m-%d %H:%M:%S"),
                entry.event,
                str(entry.attempt),
                "ok" if entry.ok else "failed",
                str(entry.status_code) if entry.status_code is not None else "—",
                str(entry.duration_ms),
                outside(printable(entry.detail)[:60]),
                key=str(entry.id),
            )
        hint = (
            f"{len(self.entries)} attempt(s), newest first (at most {LOG_ROWS}) · esc back"
            if self.entries
            else "No delivery attempt yet: events are sent as they happen, or press t on "
            "the page to send a test event."
        )
        self.query_one("#log-hint", Static).update(hint)

    def action_close(self) -> None:
        self.dismiss(None)
