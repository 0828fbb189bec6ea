"""The Packages page: emails bought for a period, how many each has left, this month's
use and the billable pay-per-use count, and the policy beyond the packages.

The list pattern over ``package_rows`` (few rows, sorted and filtered by the core). Add
asks for the package in a form whose days are the workspace's dates; remove asks first
and the core keeps a package emails were sent from (a billing record). The policy form
sets the hard stop and the warning threshold. Every store call runs off the event loop;
a core refusal shows beside its form field.
"""

from __future__ import annotations

import asyncio
import getpass
from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from kootui.core.context import Context
from kootui.core.errors import KootuiError, ValidationError, user_message
from kootui.core.packages import (
    PackageView,
    QuotaPolicy,
    QuotaUsage,
    add_package,
    get_package,
    get_policy,
    package_rows,
    parse_day,
    quota_usage,
    remove_package,
    set_policy,
)
from kootui.core.printable import printable
from kootui.core.store import Column
from kootui.core.workspace import workspace_zone
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.bulk import BulkAction, Checked, act_on_targets
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen
from kootui.tui.widgets.form import CheckboxField, FormDialog, FormValues, TextField
from kootui.tui.widgets.paged_table import PagedTable

# Widths fit the content area beside the navigation at 120 columns.
COLUMNS = (
    Column("name", "Package", width=14),
    Column("units", "Emails", width=10, kind="count"),
    Column("used", "Used", width=9, kind="count"),
    Column("left", "Left", width=9, kind="count"),
    Column("first_day", "From", width=10),
    Column("last_day", "Until", width=10),
    Column("state", "State", width=10, kind="status"),
)
ACTIONS = (("packages-add", "Add"), ("packages-remove", "Remove"), ("packages-policy", "Policy"))


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def add_form(context: Context) -> FormDialog[PackageView]:
    today = context.clock.now().astimezone(workspace_zone(context)).date()

    def add(values: FormValues) -> PackageView:
        units = values["units"].replace(",", "").replace("_", "").strip()
        if not units.isdigit():
            raise ValidationError("give a whole number of emails", field="units")
        return add_package(
            context,
            name=values["name"],
            units=int(units),
            first_day=parse_day(values["first_day"], "first_day"),
            last_day=parse_day(values["last_day"], "last_day"),
            added_by=values["added_by"],
            reference=values["reference"],
        )

    return FormDialog(
        "Add a package — emails for a period (days in the workspace's time zone)",
        [
            TextField("name", "Name", placeholder="Winter 100k"),
            TextField("units", "Emails", placeholder="100000"),
            TextField("first_day", "First day (YYYY-MM-DD)", today.isoformat()),
            TextField(
                "last_day",
                "Last day, included (YYYY-MM-DD)",
                (today + timedelta(days=30)).isoformat(),
            ),
            TextField("reference", "Reference (order or invoice, optional)"),
            TextField("added_by", "Added by", _user()),
        ],
        add,
        submit_label="Add",
    )


def policy_form(context: Context, current: QuotaPolicy) -> FormDialog[QuotaPolicy]:
    def save(values: FormValues) -> QuotaPolicy:
        text = values["warn_below"].replace(",", "").strip()
        if not text.isdigit():
            raise ValidationError("give a whole number of emails", field="warn_below")
        return set_policy(context, hard_stop=bool(values["hard_stop"]), warn_below=int(text))

    return FormDialog(
        "Beyond the packages",
        [
            CheckboxField(
                "hard_stop",
                "Hard stop: hold new messages when no package has emails left "
                "(off: they are sent and counted as pay-per-use)",
                current.hard_stop,
            ),
            TextField(
                "warn_below", "Warn when fewer emails are left than", f"{current.warn_below}"
            ),
        ],
        save,
    )


def usage_text(usage: QuotaUsage) -> Content:
    beyond = "hard stop" if usage.hard_stop else "pay-per-use"
    parts = [
        Content.assemble(
            ("Left now ", "dim"),
            (f"{usage.left:,}", "bold"),
            (" · this month ", "dim"),
            (f"{usage.month_used:,}", "bold"),
            (" used, ", "dim"),
            (f"{usage.month_billable:,}", "bold"),
            (" billable · beyond: ", "dim"),
            (beyond, "bold"),
        )
    ]
    if usage.warning:
        parts.append(Content.styled(f"⚠ {usage.warning}", "bold $status-warn"))
    return Content("\n").join(parts)


class PackagesScreen(PageScreen):
    KEY_SCOPES = ("packages", "list", "list-sort", "filter")
    BINDINGS = bindings("packages")
    DEFAULT_CSS = """
    PackagesScreen #package-usage { height: auto; padding: 0 1; margin-top: 1; }
    PackagesScreen #package-status {
        height: auto; max-height: 3; color: $text-muted; padding: 0 1;
    }
    """

    def compose_content(self) -> ComposeResult:
        add_key = self.kootui.key_display("packages-add")
        context = self.kootui.context
        yield ListPanel(
            "Packages",
            COLUMNS,
            lambda request: package_rows(context, request),
            actions=ACTIONS,
            empty_message=(
                f"No packages: every email is pay-per-use. Press {add_key} to add the emails "
                "you bought for a period."
            ),
            filter_placeholder="Filter by name or reference (press / to focus)",
            id="package-list",
        )
        yield Static("", id="package-status")
        yield Static(Content.styled("loading…", "dim italic"), id="package-usage")

    @property
    def package_list(self) -> ListPanel:
        return self.query_one("#package-list", ListPanel)

    def on_mount(self) -> None:
        super().on_mount()
        self.load_usage()

    def reload(self) -> None:
        self.package_list.reload()
        self.load_usage()

    def on_screen_resume(self) -> None:
        # Back from another page: tasks may have used emails meanwhile. A load already
        # asked for (a form's result placing the cursor) is left to finish.
        table = self.package_list.table
        if table.result is not None and not table.loading_page:
            self.reload()
        else:
            self.load_usage()

    @work(exclusive=True, group="package-usage", exit_on_error=False)
    async def load_usage(self) -> None:
        usage = await asyncio.to_thread(quota_usage, self.kootui.context)
        self.query_one("#package-usage", Static).update(usage_text(usage))

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.PageLoaded)
    def _show_status(self) -> None:
        row = self.package_list.highlighted_row
        status = self.query_one("#package-status", Static)
        if row is None:
            status.update("")
            return
        added = row["added_at"].astimezone().strftime("%Y-%m-%d %H:%M")
        who = printable(row["added_by"]) or "—"
        reference = printable(row["reference"]) or "no reference"
        status.update(
            Content.assemble(
                (printable(row["name"]), "bold"),
                (f"  added {added} by ", "dim"),
                who,
                ("  ·  ", "dim"),
                reference,
            )
        )

    # Add -------------------------------------------------------------------------

    def action_add_package(self) -> None:
        self.app.push_screen(add_form(self.kootui.context), self._added)

    def _added(self, view: PackageView | None) -> None:
        if view is None:
            return
        self.notify(f"Added {view.name}: {view.units:,} emails until {view.last_day}.")
        table = self.package_list.table
        table.load(table.request, cursor=str(view.id))
        self.load_usage()

    # Remove ----------------------------------------------------------------------

    @work(group="package-remove", exit_on_error=False)
    async def action_remove_package(self) -> None:
        await act_on_targets(
            self,
            self.package_list,
            BulkAction(
                verb="Remove",
                done="Removed",
                noun="package",
                check=lambda context, key: Checked(key, get_package(context, int(key)).name),
                change=lambda context, key: remove_package(context, int(key)),
                question="A package emails were sent from is kept: it is their record.",
                destructive=True,
            ),
        )
        self.load_usage()

    # Policy ----------------------------------------------------------------------

    @work(group="package-policy", exit_on_error=False)
    async def action_edit_policy(self) -> None:
        context = self.kootui.context
        try:
            current = await asyncio.to_thread(get_policy, context)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error")
            return
        saved = await self.app.push_screen_wait(policy_form(context, current))
        if saved is None:
            return
        beyond = "a hard stop" if saved.hard_stop else "pay-per-use"
        self.notify(f"Beyond the packages: {beyond}; warning below {saved.warn_below:,}.")
        self.load_usage()
