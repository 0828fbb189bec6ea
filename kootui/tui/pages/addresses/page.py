"""The Sender Addresses page: the list pattern over ``list_addresses``, new and delete.

A new address is made on a verified domain only (the form offers no other), with
a read-only preview of the From line that follows what is typed. An address whose
domain lost verification stays listed with a "domain not verified" badge and
cannot be chosen for new tasks. Every store call runs on a thread; core
rule errors show beside the form field they name.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Select, Static

from kootui.core.context import Context
from kootui.core.domains import DomainView, display_domain_name, verified_domains
from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.core.senders import (
    AddressView,
    create_address,
    delete_address,
    get_address,
    list_addresses,
    preview_address,
)
from kootui.core.store import Column, PageRequest, PageResult, Row
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.bulk import BulkAction, Checked, act_on_targets
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen
from kootui.tui.widgets.form import FormDialog, FormValues, SelectField, TextField
from kootui.tui.widgets.paged_table import PagedTable

# Widths fit the content area beside the navigation at 120 columns.
COLUMNS = (
    Column("display_address", "Sender address", width=31),
    Column("alias", "Alias", width=13),
    Column("domain_status", "Can send", width=21, kind="status"),
    Column("created_at", "Created", width=10, kind="time"),
)
ACTIONS = (("addresses-new", "New"), ("addresses-delete", "Delete"))
USABLE = "usable"
NOT_USABLE = "domain_not_verified"  # the badge reads "Domain not verified"


def address_rows(context: Context, request: PageRequest) -> PageResult:
    """``list_addresses`` with the domain's status shown as what it means for sending."""
    page = list_addresses(context, request)
    rows = [
        Row(
            key=row.key,
            values={
                **row.values,
                "domain_status": USABLE if row["usable"] else NOT_USABLE,
                "domain_status_raw": row["domain_status"],
                "domain_display": display_domain_name(row["domain_name"]),
            },
        )
        for row in page.rows
    ]
    return PageResult(rows=rows, total=page.total, offset=page.offset)


class AddressForm(FormDialog[AddressView]):
    """The new-address form with a live, read-only preview of the From line."""

    DEFAULT_CSS = """
    AddressForm #address-preview { padding: 1 0 0 0; height: auto; }
    """

    def __init__(self, context: Context, domains: list[DomainView]) -> None:
        self.domains = {str(domain.id): domain.display_name for domain in domains}
        first = str(domains[0].id) if domains else None  # one choice fewer to make
        super().__init__(
            "New sender address — the From address recipients see",
            [
                SelectField(
                    "domain_id",
                    "Sender domain (verified domains only)",
                    [(name, key) for key, name in self.domains.items()],
                    first,
                ),
                TextField("prefix", "Prefix (the part before @)", placeholder="noreply"),
                TextField("alias", "Alias (the name shown, optional)", placeholder="Northwind"),
            ],
            lambda values: self._create(context, values),
            submit_label="Create",
        )

    @staticmethod
    def _create(context: Context, values: FormValues) -> AddressView:
        domain = values["domain_id"]
        return create_address(
            context,
            domain_id=int(domain) if domain else 0,
            prefix=values["prefix"],
            alias=values["alias"],
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-fields").mount(
            Static("", id="address-preview", markup=False), after="#form-field-alias"
        )
        self._show_preview()

    @on(Input.Changed)
    @on(Select.Changed)
    def _show_preview(self) -> None:
        values = self.values()
        domain = self.domains.get(str(values["domain_id"]), "choose a domain")
        prefix = values["prefix"].strip() or "prefix"
        line = preview_address(prefix, domain, values["alias"].strip())
        if self.query("#address-preview"):
            self.query_one("#address-preview", Static).update(
                Content.assemble(("From:  ", "dim"), (printable(line), "bold"))
            )


class AddressesScreen(PageScreen):
    KEY_SCOPES = ("addresses", "list", "list-sort", "filter")
    BINDINGS = bindings("addresses")
    DEFAULT_CSS = """
    AddressesScreen #address-status {
        height: auto; max-height: 3; color: $text-muted; padding: 0 1;
    }
    """

    def compose_content(self) -> ComposeResult:
        new_key = self.kootui.key_display("addresses-new")
        context = self.kootui.context
        yield ListPanel(
            "Sender Addresses",
            COLUMNS,
            lambda request: address_rows(context, request),
            actions=ACTIONS,
            empty_message=(
                f"No sender addresses yet. Press {new_key} to add one on a verified domain "
                "(Sender Domains, g d, verifies them)."
            ),
            filter_placeholder="Filter by address (press / to focus)",
            id="address-list",
        )
        yield Static("", id="address-status", markup=False)

    @property
    def address_list(self) -> ListPanel:
        return self.query_one("#address-list", ListPanel)

    def reload(self) -> None:
        self.address_list.reload()

    def on_screen_resume(self) -> None:
        # Back from another page: a domain may have lost (or gained) verification.
        if self.address_list.table.result is not None:
            self.address_list.reload()

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.PageLoaded)
    def _show_status(self) -> None:
        row = self.address_list.highlighted_row
        status = self.query_one("#address-status", Static)
        if row is None:
            status.update("")
            return
        if row["usable"]:
            meaning = Content.styled("can be chosen for new tasks", "$status-ok")
        else:
            meaning = Content.styled(
                printable(
                    f"{row['domain_display']} is not verified ({row['domain_status_raw']}): "
                    "this address cannot be chosen for new tasks until it is verified again"
                ),
                "$status-bad",
            )
        # Domain names and aliases were typed by people: text, controls visible.
        preview = printable(row["preview"])
        status.update(Content.assemble(("From: ", "dim"), (preview, "bold"), " — ", meaning))

    # New -----------------------------------------------------------------------

    @work(group="address-new", exit_on_error=False)
    async def action_new_address(self) -> None:
        try:
            domains = await asyncio.to_thread(verified_domains, self.kootui.context)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        if not domains:
            go = self.kootui.go_hints().get("domains", "")
            self.notify(
                f"No verified sender domain yet: add one on Sender Domains ({go}) and verify "
                "it; an address can only use a verified domain.",
                severity="warning",
                timeout=8,
            )
            return
        self.app.push_screen(AddressForm(self.kootui.context, domains), self._created)

    def _created(self, view: AddressView | None) -> None:
        if view is None:
            return
        self.notify(f"Created {view.preview}.", timeout=5)
        table = self.address_list.table
        table.load(table.request, cursor=str(view.id))

    # Delete --------------------------------------------------------------------

    @work(group="address-delete", exit_on_error=False)
    async def action_delete_address(self) -> None:
        # The marked addresses, else the cursor's; one in use by a waiting task is named.
        await act_on_targets(
            self,
            self.address_list,
            BulkAction(
                verb="Delete",
                done="Deleted",
                noun="sender address",
                check=lambda context, key: Checked(
                    key, get_address(context, int(key)).display_address
                ),
                change=lambda context, key: delete_address(context, int(key)),
                question="Tasks can no longer send from a deleted address; one that a task "
                "is waiting or sending from is kept.",
                destructive=True,
            ),
        )
