"""The Sender Domains page: the list pattern over ``list_domains``, and its actions.

New, rename, delete (with the addresses that use a domain, and a second, typed
confirmation before they go too), verify now, and the details screen with the
records to publish. Keys come from the registry (``domains-*`` binding ids). Every
store and DNS call runs on a thread (``asyncio.to_thread`` in an async worker); core
rule errors show beside the form field they name.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from kootui.core.context import Context
from kootui.core.domains import (
    DOMAIN_STATUS_LABELS,
    DomainView,
    VerificationOutcome,
    addresses_using,
    create_domain,
    delete_domain,
    get_domain,
    list_domains,
    rename_domain,
    required_text,
    unchecked_note,
    verify_domain,
)
from kootui.core.errors import KootuiError, user_message
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.core.store import Column, DomainStatus, PageRequest, PageResult, RecordStatus, Row
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.domains.details import DomainDetailsScreen
from kootui.tui.shell.bulk import BulkAction, Checked, act_on_targets
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen
from kootui.tui.widgets.advanced_search import SearchField
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.form import FormDialog, TextField
from kootui.tui.widgets.paged_table import PagedTable

# Widths fit the content area beside the navigation at 120 columns; "Created" shows the day.
COLUMNS = (
    Column("display_name", "Domain", width=28),
    Column("status", "Status", width=11, kind="status"),
    Column("required_passing", "Required", width=8),
    Column("last_checked_at", "Last checked", width=16, kind="time"),
    Column("created_at", "Created", width=10, kind="time"),
)
SEARCH_FIELDS = (
    SearchField(
        "status",
        "Status",
        kind="select",
        options=[(DOMAIN_STATUS_LABELS[status], str(status)) for status in DomainStatus],
    ),
)
ACTIONS = (
    ("domains-new", "New"),
    ("domains-edit", "Rename"),
    ("domains-delete", "Delete"),
    ("domains-verify", "Verify"),
)
OUTCOME_SEVERITY = {
    DomainStatus.PASSED: "information",
    DomainStatus.VERIFYING: "warning",
    DomainStatus.FAILED: "error",
}


def domain_rows(context: Context, request: PageRequest) -> PageResult:
    """``list_domains`` with the required records as '1/2' (still sorted by the count)."""
    page = list_domains(context, request)
    rows = [
        Row(
            key=row.key,
            values={
                **row.values,
                "required_passing": required_text(row, short=True),
            },
        )
        for row in page.rows
    ]
    return PageResult(rows=rows, total=page.total, offset=page.offset)


def outcome_notice(outcome: VerificationOutcome) -> tuple[str, str]:
    """What verify-now tells the user, and how loudly (a Textual notification severity)."""
    label = DOMAIN_STATUS_LABELS[outcome.status]
    required = [check for check in outcome.checks if check.expected.required]
    if any(check.status == RecordStatus.UNKNOWN for check in required) and (
        outcome.status != DomainStatus.FAILED
    ):
        # DNS did not answer: nothing was learnt, so the status stands and a retry is due.
        return (
            f"{outcome.display_name}: DNS could not be asked; the status stays {label}"
            f" and kootui retries on its own — {outcome.reason}",
            "warning",
        )
    passing = sum(1 for check in required if check.status == RecordStatus.PASSED)
    counts = f" ({passing}/{len(required)} required records pass)" if required else ""
    reason = f" — {outcome.reason}" if outcome.reason else ""
    return f"{outcome.display_name}: {label}{counts}{reason}", OUTCOME_SEVERITY[outcome.status]


def domain_with_addresses(context: Context, key: str) -> Checked:
    """A domain named with the sender addresses deleting it takes along."""
    name = get_domain(context, int(key)).display_name
    addresses = addresses_using(context, int(key))
    also = f" (and {count_of(len(addresses), 'sender address')})" if addresses else ""
    return Checked(key, f"{name}{also}")


class DomainsScreen(PageScreen):
    KEY_SCOPES = ("domains", "list", "list-sort", "filter", "search", "domain-details")
    BINDINGS = bindings("domains")
    DEFAULT_CSS = """
    DomainsScreen #domain-reason { height: auto; max-height: 3; color: $text-muted; padding: 0 1; }
    """

    def compose_content(self) -> ComposeResult:
        new_key = self.kootui.key_display("domains-new")
        context = self.kootui.context
        yield ListPanel(
            "Sender Domains",
            COLUMNS,
            lambda request: domain_rows(context, request),
            actions=ACTIONS,
            search_fields=SEARCH_FIELDS,
            empty_message=(
                f"No sender domains yet. Press {new_key} to add the domain you send mail from;"
                " kootui then lists the DNS records to publish."
            ),
            id="domain-list",
        )
        yield Static("", id="domain-reason", markup=False)

    @property
    def domain_list(self) -> ListPanel:
        return self.query_one("#domain-list", ListPanel)

    def reload(self) -> None:
        self.domain_list.reload()
        if isinstance(self.app.screen, DomainDetailsScreen):
            self.app.screen.load()

    def on_mount(self) -> None:
        super().on_mount()
        self.kootui.domains_changed_signal.subscribe(self, self._domains_changed)

    def _domains_changed(self, _nothing: None) -> None:
        """The background check changed a status (see kootui.tui.pages.domains.checks)."""
        self.domain_list.reload()

    def on_screen_resume(self) -> None:
        # Back from the details screen (or another page): statuses may have changed.
        if self.domain_list.table.result is not None:
            self.domain_list.reload()

    # The row under the cursor ---------------------------------------------------

    def _selected(self) -> Row | None:
        row = self.domain_list.highlighted_row
        if row is None:
            key = self.kootui.key_display("domains-new")
            self.notify(f"No domain is selected; press {key} to add one.", timeout=4)
        return row

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.PageLoaded)
    def _show_reason(self) -> None:
        row = self.domain_list.highlighted_row
        reason = self.query_one("#domain-reason", Static)
        if row is None:
            reason.update("")
            return
        status = DomainStatus(row["status"])
        words = DOMAIN_STATUS_LABELS[status]
        # The reason may quote a DNS answer; the name was typed: both shown as text.
        why = printable(f": {row['status_reason']}") if row["status_reason"] else ""
        if unchecked_note(row):  # '?/2' in the list: say what the question mark means
            why += f" ({unchecked_note(row)} at the last check)"
        hint = self.kootui.key_display("domains-details")
        reason.update(
            Content.assemble(
                (printable(row["display_name"]), "bold"),
                f" — {words}{why}",
                (f"  ({hint}: records to publish)", "dim"),
            )
        )

    # New and rename --------------------------------------------------------------

    def action_new_domain(self) -> None:
        context = self.kootui.context
        form: FormDialog[DomainView] = FormDialog(
            "New sender domain — the domain your From addresses will use",
            [TextField("name", "Domain name", placeholder="mail.example.com")],
            lambda values: create_domain(context, values["name"]),
            submit_label="Add",
        )
        self.app.push_screen(form, self._created)

    def _created(self, view: DomainView | None) -> None:
        if view is None:
            return
        self.notify(f"Added {view.display_name}. Publish its records, then verify.", timeout=6)
        table = self.domain_list.table
        table.load(table.request, cursor=str(view.id))
        self._open_details(view.id, view.display_name)

    def action_edit_domain(self) -> None:
        row = self._selected()
        if row is None:
            return
        context, domain_id = self.kootui.context, int(row.key)
        form: FormDialog[DomainView] = FormDialog(
            f"Rename {row['display_name']} — verification starts over with a new DKIM key",
            [TextField("name", "Domain name", row["display_name"])],
            lambda values: rename_domain(context, domain_id, values["name"]),
            submit_label="Rename",
        )
        self.app.push_screen(form, self._renamed)

    def _renamed(self, view: DomainView | None) -> None:
        if view is not None:
            self.notify(f"Renamed to {view.display_name}; publish its new records.", timeout=6)
            self.domain_list.reload()

    # Delete ------------------------------------------------------------------------

    @work(group="domain-delete", exit_on_error=False)
    async def action_delete_domain(self) -> None:
        if len(self.domain_list.target_keys()) > 1:
            await self._delete_marked()
            return
        row = self._selected()
        if row is None:
            return
        context, domain_id, name = self.kootui.context, int(row.key), row["display_name"]
        try:
            addresses = await asyncio.to_thread(addresses_using, context, domain_id)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            self.domain_list.reload()
            return
        force = bool(addresses)
        if not addresses:
            question = ConfirmDialog(
                f"Delete {name}?",
                "Its DNS records and DKIM keys are deleted too. Nothing is sent from it any more.",
                confirm_label="Delete",
                destructive=True,
            )
            if not await self.app.push_screen_wait(question):
                return
        else:
            listed = "\n".join(f"  {address}" for address in addresses)
            warning = ConfirmDialog(
                f"{name} is used by {count_of(len(addresses), 'sender address')}",
                f"{listed}\n\nDeleting the domain deletes these addresses too.",
                confirm_label="Delete them too…",
                decline_label="Keep",
                destructive=True,
            )
            if not await self.app.push_screen_wait(warning):
                return
            typed_confirmation = ConfirmDialog(
                f"Delete {name} and {count_of(len(addresses), 'sender address')}?",
                "This cannot be undone.",
                confirm_label="Delete all",
                destructive=True,
                require_typing=name,
            )
            if not await self.app.push_screen_wait(typed_confirmation):
                return
        try:
            removed = await asyncio.to_thread(delete_domain, context, domain_id, force=force)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
        else:
            also = f" and {count_of(len(removed), 'sender address')}" if removed else ""
            self.notify(f"Deleted {name}{also}.", timeout=5)
        self.domain_list.reload()

    async def _delete_marked(self) -> None:
        """The marked domains at once: each named with the addresses that go with it, and
        the count typed to confirm."""
        await act_on_targets(
            self,
            self.domain_list,
            BulkAction(
                verb="Delete",
                done="Deleted",
                noun="sender domain",
                check=domain_with_addresses,
                change=lambda context, key: delete_domain(context, int(key), force=True),
                question="Their DNS records, DKIM keys and sender addresses are deleted too. "
                "Nothing is sent from them any more.",
                destructive=True,
                typed=True,
            ),
        )

    # Verify and details ------------------------------------------------------------

    @work(group="domain-verify", exit_on_error=False)
    async def action_verify_domain(self) -> None:
        row = self._selected()
        if row is None:
            return
        context, domain_id = self.kootui.context, int(row.key)
        self.notify(f"Asking DNS about {row['display_name']}…", timeout=3)
        try:
            outcome = await asyncio.to_thread(verify_domain, context, domain_id)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
        else:
            notice, severity = outcome_notice(outcome)
            self.notify(notice, severity=severity, timeout=10)  # type: ignore[arg-type]
        self.domain_list.reload()

    def action_open_details(self) -> None:
        row = self._selected()
        if row is not None:
            self._open_details(int(row.key), row["display_name"])

    @on(PagedTable.RowActivated)
    def _row_activated(self, event: PagedTable.RowActivated) -> None:
        event.stop()
        self._open_details(int(event.row.key), event.row["display_name"])

    def _open_details(self, domain_id: int, display_name: str) -> None:
        self.app.push_screen(DomainDetailsScreen(domain_id, display_name, self.page))
