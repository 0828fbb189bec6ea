"""The Destinations page: the workspace rate, the destination rules and what is slowed.

Every change goes to the store through ``core.shaping`` and running engines follow it
within seconds (``dispatch.limits``). The list reloads on the console's refresh
interval, so a destination the engines slow (after a ``421`` or a burst of deferrals)
shows up with its rate, why and since when, and goes once it has recovered.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from kootui.core.context import Context
from kootui.core.errors import KootuiError, ValidationError, user_message
from kootui.core.shaping import (
    DEFAULT_NAME,
    Rule,
    WorkspaceRate,
    add_rule,
    destination_rows,
    find_rule,
    limit_text,
    remove_rule,
    set_rule,
    set_workspace_rate,
    workspace_rate,
)
from kootui.core.store import Column
from kootui.tui.keys.registry import bindings
from kootui.tui.shell.bulk import BulkAction, Checked, act_on_targets
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen
from kootui.tui.widgets.form import FormDialog, FormValues, TextField
from kootui.tui.widgets.paged_table import PagedTable

COLUMNS = (
    Column("name", "Destination", sortable=False, width=16),
    Column("domains", "Domains", sortable=False, width=26),
    Column("rate", "Rate", sortable=False, width=9),
    Column("connections", "Sessions", sortable=False, width=8),
    Column("state", "Now", sortable=False, width=12, kind="status"),
)
ACTIONS = (
    ("destinations-new", "New"),
    ("destinations-edit", "Edit"),
    ("destinations-delete", "Delete"),
    ("destinations-workspace", "Workspace rate"),
)


def _number(text: str, field: str) -> float:
    try:
        return float(text.strip() or "0")
    except ValueError:
        raise ValidationError("a number, like 5 or 0.5 (0: no limit)", field=field) from None


def _whole(text: str, field: str) -> int:
    try:
        return int(text.strip() or "0")
    except ValueError:
        raise ValidationError("a whole number (0: no limit)", field=field) from None


class RuleForm(FormDialog[Rule]):
    """New or edit: a group's name and domains, or the default rule's limits alone."""

    def __init__(self, context: Context, rule: Rule | None) -> None:
        self.rule = rule
        fields = []
        if rule is None or not rule.is_default:
            fields += [
                TextField("name", "Name", rule.name if rule else "", placeholder="Google"),
                TextField(
                    "domains",
                    "Domains (a subdomain follows its domain's rule)",
                    " ".join(rule.domains) if rule else "",
                    placeholder="gmail.com googlemail.com",
                ),
            ]
        fields += [
            TextField(
                "rate",
                "Rate, messages a second for the whole workspace (0: no limit)",
                f"{rule.rate:g}" if rule else "",
                placeholder="5",
            ),
            TextField(
                "max_connections",
                "Relay sessions at once (0: no limit)",
                str(rule.max_connections) if rule else "",
                placeholder="0",
            ),
        ]
        if rule is None:
            title = "New destination rule — a limit for a domain or a group of domains"
        elif rule.is_default:
            title = "The default rule — for every other domain, each on its own"
        else:
            title = f"Edit {rule.name}"
        super().__init__(title, fields, lambda values: self._save(context, values))

    def _save(self, context: Context, values: FormValues) -> Rule:
        rate = _number(values["rate"], "rate")
        connections = _whole(values["max_connections"], "max_connections")
        if self.rule is None:
            return add_rule(context, values["name"], [values["domains"]], rate, connections)
        if self.rule.is_default:
            return set_rule(context, DEFAULT_NAME, rate=rate, max_connections=connections)
        return set_rule(
            context,
            self.rule.name,
            rate=rate,
            max_connections=connections,
            domains=[values["domains"]],
            new_name=values["name"],
        )


class WorkspaceRateForm(FormDialog[WorkspaceRate]):
    def __init__(self, context: Context, current: WorkspaceRate) -> None:
        super().__init__(
            "Workspace rate — every engine together (empty: sending.rate of the settings)",
            [
                TextField(
                    "rate",
                    "Messages a second (0: no limit)",
                    f"{current.rate:g}" if current.from_store else "",
                    placeholder=f"{current.rate:g} from the settings",
                )
            ],
            lambda values: self._save(context, values),
        )

    @staticmethod
    def _save(context: Context, values: FormValues) -> WorkspaceRate:
        text = values["rate"].strip()
        return set_workspace_rate(context, _number(text, "rate") if text else None)


class DestinationsScreen(PageScreen):
    KEY_SCOPES = ("destinations", "list", "filter")
    BINDINGS = bindings("destinations")
    DEFAULT_CSS = """
    DestinationsScreen #destination-rate { height: auto; max-height: 3; padding: 0 1; }
    DestinationsScreen #destination-status {
        height: auto; max-height: 3; color: $text-muted; padding: 0 1;
    }
    """

    def compose_content(self) -> ComposeResult:
        context = self.kootui.context
        yield Static("", id="destination-rate", markup=False)
        yield ListPanel(
            "Destinations",
            COLUMNS,
            lambda request: destination_rows(context, request),
            actions=ACTIONS,
            empty_message="No rules yet.",
            filter_placeholder="Filter by name or domain (press / to focus)",
            id="destination-list",
        )
        yield Static("", id="destination-status", markup=False)

    @property
    def destination_list(self) -> ListPanel:
        return self.query_one("#destination-list", ListPanel)

    def on_mount(self) -> None:
        self._show_rate()
        self.set_interval(self.kootui.refresh_intervals.destinations, self.reload)

    def reload(self) -> None:
        self.destination_list.reload()
        self._show_rate()

    @work(group="destination-rate", exclusive=True, exit_on_error=False)
    async def _show_rate(self) -> None:
        context = self.kootui.context
        rate = await asyncio.to_thread(workspace_rate, context)
        origin = "set here" if rate.from_store else "sending.rate of the settings"
        # Limits bind the relay only: the outbox (the demo's too) writes files at once.
        outbox = "" if context.settings.relay.host else " · no relay.host: the outbox has no limits"
        self.query_one("#destination-rate", Static).update(
            Content.assemble(
                ("Workspace rate: ", "bold"),
                f"{limit_text(rate.rate)} ({origin})",
                (outbox, "dim"),
            )
        )

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.PageLoaded)
    def _show_status(self) -> None:
        row = self.destination_list.highlighted_row
        status = self.query_one("#destination-status", Static)
        if row is None:
            status.update("")
        elif row["detail"]:
            status.update(
                Content.assemble(
                    ("Slowed: ", "$status-warn"),
                    (str(row["detail"]), ""),
                )
            )
        else:
            status.update(f"{row['name']}: sending at its rule's rate")

    # New, edit -------------------------------------------------------------------------

    def action_new_rule(self) -> None:
        self.app.push_screen(RuleForm(self.kootui.context, None), self._saved)

    @work(group="destination-edit", exit_on_error=False)
    async def action_edit_rule(self) -> None:
        row = self.destination_list.highlighted_row
        if row is None:
            return
        name = DEFAULT_NAME if str(row.key).startswith("domain:") else str(row.key)
        try:
            rule = await asyncio.to_thread(find_rule, self.kootui.context.store, name)
        except KootuiError:
            rule = Rule(0, DEFAULT_NAME, True, float(row["rule_rate"]), 0, ())
        self.app.push_screen(RuleForm(self.kootui.context, rule), self._saved)

    def _saved(self, rule: Rule | None) -> None:
        if rule is None:
            return
        self.notify(f"Saved {rule.name}: running engines follow it within seconds.", timeout=5)
        self.reload()

    def action_workspace_rate(self) -> None:
        self._ask_workspace_rate()

    @work(group="destination-workspace", exit_on_error=False)
    async def _ask_workspace_rate(self) -> None:
        current = await asyncio.to_thread(workspace_rate, self.kootui.context)
        changed = await self.app.push_screen_wait(WorkspaceRateForm(self.kootui.context, current))
        if changed is not None:
            self.notify(f"Workspace rate: {limit_text(changed.rate)}.", timeout=5)
            self.reload()

    # Delete ----------------------------------------------------------------------------

    @work(group="destination-delete", exit_on_error=False)
    async def action_delete_rule(self) -> None:
        try:
            await act_on_targets(
                self,
                self.destination_list,
                BulkAction(
                    verb="Delete",
                    done="Deleted",
                    noun="destination rule",
                    check=lambda context, key: Checked(key, find_rule(context.store, key).name),
                    change=lambda context, key: remove_rule(context, key),
                    question="Its domains then follow the default rule; deleting the "
                    "default rule resets it to no limit.",
                    destructive=True,
                ),
            )
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
