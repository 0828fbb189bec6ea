"""Small apps that mount the list pattern over real store queries (shared by the Pilot and
snapshot tests of the pattern). The row source is a real ``fetch_page`` over sender_domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot

from kootui.core.context import Context
from kootui.core.errors import Conflict, LimitReached, ValidationError
from kootui.core.store import (
    Column,
    ListQuery,
    PageRequest,
    PageResult,
    SenderDomain,
    date_from_filter,
    date_to_filter,
    equals_filter,
    fetch_page,
)
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.widgets import (
    CheckboxField,
    ConfirmDialog,
    DetailField,
    DetailsScreen,
    FormDialog,
    MultilineField,
    PagedTable,
    RowSource,
    SearchField,
    SelectField,
    TextField,
)
from tests.support.tui_shell import filters_applied, wait_until

DOMAIN = SenderDomain.__table__.c
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
STATUSES = ["passed", "verifying", "failed"]
WORDS = ["shop", "news", "mail", "billing", "alerts", "promo", "team", "support"]
DOMAIN_NAMES = [f"{WORDS[n % len(WORDS)]}{n:02}.example.com" for n in range(23)]
PAGE_SIZE = 10

COLUMNS = [
    Column("name", "Domain", width=28),
    Column("status", "Status", width=14, kind="status"),
    Column("created_at", "Created", width=18),
    Column("id", "ID", sortable=False, width=4, kind="number"),
]
SEARCH_FIELDS = [
    SearchField("status", "Status", kind="select", options=[(s.title(), s) for s in STATUSES]),
    SearchField("created", "Created", kind="date_range"),
]
DOMAIN_QUERY = ListQuery(
    statement=select(DOMAIN.id, DOMAIN.name, DOMAIN.status, DOMAIN.created_at),
    sort_columns={"name": DOMAIN.name, "status": DOMAIN.status, "created_at": DOMAIN.created_at},
    default_sort="name",
    tiebreak=DOMAIN.id,
    search_columns=[DOMAIN.name],
    filters={
        "status": equals_filter(DOMAIN.status, STATUSES),
        "created_from": date_from_filter(DOMAIN.created_at),
        "created_to": date_to_filter(DOMAIN.created_at),
    },
)


def seed_domains(context: Context, names: list[str] = DOMAIN_NAMES) -> None:
    """Rows straight into the store: one a day from Nov 1, statuses in turn."""
    with context.store.session() as session:
        for n, name in enumerate(names):
            at = START + timedelta(days=n)
            status = STATUSES[n % len(STATUSES)]
            session.add(SenderDomain(name=name, status=status, created_at=at, updated_at=at))


class DomainSource:
    """The row source a page would write: one ``fetch_page`` per request, recorded."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.requests: list[PageRequest] = []

    def __call__(self, request: PageRequest) -> PageResult:
        self.requests.append(request)
        with self.context.store.session() as session:
            return fetch_page(session, DOMAIN_QUERY, request)


def add_domain(context: Context, values: dict[str, Any]) -> int:
    """A submit a form dialog calls: the rules a real service would check, then an insert."""
    name = str(values["name"]).strip().lower()
    if not name or "." not in name:
        raise ValidationError("enter a domain name such as mail.example.com", field="name")
    with context.store.session() as session:
        if session.execute(select(DOMAIN.id).where(DOMAIN.name == name)).first():
            raise Conflict(f"{name} is already a sender domain", field="name")
        count = session.execute(select(func.count()).select_from(SenderDomain)).scalar_one()
        if count >= 30:
            raise LimitReached("a workspace has at most 30 domains; delete one first")
        now = context.clock.now()
        row = SenderDomain(name=name, status=values["status"] or "verifying")
        row.created_at = row.updated_at = now
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


DOMAIN_FORM_FIELDS = [
    TextField("name", "Domain name", placeholder="mail.example.com"),
    SelectField("status", "Start as", [(s.title(), s) for s in STATUSES], value="verifying"),
    CheckboxField("tracking", "Track opens and clicks"),
    MultilineField("note", "Note"),
]


class DomainListApp(App[None]):
    """A stand-in page: the list panel plus the actions a page binds on itself."""

    CSS = "Screen { padding: 0 1; }"
    BINDINGS = [
        Binding("a", "add_domain", "Add", id="domains.add"),
        Binding("x", "delete_domain", "Delete", id="domains.delete"),
        Binding("slash", "focus_filter", "Filter", id="filter"),  # as the page frame binds it
    ]

    def __init__(
        self, context: Context, *, search_open: bool = False, source: RowSource | None = None
    ) -> None:
        super().__init__()
        self.context = context
        self.source = source or DomainSource(context)
        self.search_open = search_open
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield ListPanel(
            "Sender Domains",
            COLUMNS,
            self.source,
            actions=[("domains.add", "Add domain"), ("domains.delete", "Delete")],
            search_fields=SEARCH_FIELDS,
            page_size=PAGE_SIZE,
            empty_message="No sender domains yet. Press a to add one.",
        )

    def on_mount(self) -> None:
        self.query_one(PagedTable).grid.focus()
        if self.search_open:
            self.query_one("AdvancedSearch").collapsed = False  # type: ignore[attr-defined]

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # No cursor blink, so every snapshot frame is the same (the console does the same
        # in its tests); the widgets leave blinking to the app.
        if hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def action_focus_filter(self) -> None:
        self.query_one(".page-filter").focus()

    def action_add_domain(self) -> None:
        form = FormDialog("Add sender domain", DOMAIN_FORM_FIELDS, self.submit_domain)
        self.push_screen(form, self.results.append)

    def submit_domain(self, values: dict[str, Any]) -> int:
        return add_domain(self.context, values)

    def action_delete_domain(self) -> None:
        row = self.query_one(PagedTable).highlighted_row
        if row is not None:
            name = row["name"]
            dialog = ConfirmDialog(
                "Delete sender domain",
                f"{name} and its DNS records will be deleted. Mail from it stops.",
                confirm_label="Delete",
                destructive=True,
                require_typing=name,
            )
            self.push_screen(dialog, self.results.append)

    def on_paged_table_row_activated(self, message: PagedTable.RowActivated) -> None:
        row = message.row
        fields = [
            DetailField("Domain", row["name"]),
            DetailField("Status", row["status"], kind="status"),
            DetailField("Created", row["created_at"]),
            DetailField("ID", row["id"]),
        ]
        self.push_screen(DetailsScreen(f"Sender domain {row['name']}", fields))


async def settle(pilot: Pilot[Any]) -> None:
    """Let timers fire, thread workers finish and their messages be handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def after_typing(pilot: Pilot[Any]) -> None:
    await wait_until(pilot, lambda: filters_applied(pilot.app), "the typed filter is applied")
    await settle(pilot)
