"""The Access page: users, groups, policies and the audit log, in four tabs.

Everything shown comes from the access core on a thread; every change is the core's
(which checks the signed-in user's right and writes the audit log). Keys the user may
not use are shown disabled (``kootui.tui.shell.rights``); a refusal the core raises
anyway is shown with its explanation. The explain panel answers, for a user, an action
and a resource, which statement of which policy decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, DataTable, Input, Static, TabbedContent, TabPane

from kootui.core.access import (
    Act,
    AuditFilter,
    AuditLine,
    GroupView,
    PolicyView,
    UserView,
    idle_sign_out_minutes,
    list_groups,
    list_policies,
    list_users,
    query_audit,
    set_user_disabled,
)
from kootui.core.apikeys import (
    ApiKeyView,
    DailyLimitView,
    SmtpCredentialView,
    list_api_keys,
    list_daily_limits,
    list_smtp_credentials,
)
from kootui.core.clock import local_text
from kootui.core.errors import KootuiError
from kootui.core.plural import count_of
from kootui.core.printable import printable
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.access.audit_export import audit_export_dialog
from kootui.tui.pages.access.detail_text import (
    UserKeys,
    audit_rows,
    group_detail,
    user_detail,
    user_status,
)
from kootui.tui.pages.access.dialogs import (
    attach_dialog,
    attached_names,
    idle_dialog,
    member_dialog,
    moment,
    new_group_dialog,
    new_user_dialog,
    password_dialog,
    target_name,
)
from kootui.tui.pages.access.explain import ExplainScreen, explain_choices
from kootui.tui.pages.access.policy_editor import PolicyEditorScreen
from kootui.tui.shell.page import PageScreen
from kootui.tui.shell.rights import may, refusal_text, right_refusal
from kootui.tui.widgets.cut_columns import EdgeMarkedTable
from kootui.tui.widgets.form import FormDialog

TABS = ("users", "groups", "policies", "audit")
# What each key needs, per tab: the console disables a key its user may not use.
NEEDS: dict[tuple[str, str], str] = {
    ("users", "new"): Act.USER_CREATE,
    ("users", "toggle_user"): Act.USER_UPDATE,
    ("users", "set_password"): Act.USER_UPDATE,
    ("users", "attach"): Act.POLICY_ATTACH,
    ("users", "detach"): Act.POLICY_ATTACH,
    ("users", "idle_minutes"): Act.IAM_UPDATE,
    ("users", "explain"): Act.USER_READ,
    ("groups", "new"): Act.GROUP_CREATE,
    ("groups", "add_member"): Act.GROUP_UPDATE,
    ("groups", "remove_member"): Act.GROUP_UPDATE,
    ("groups", "attach"): Act.POLICY_ATTACH,
    ("groups", "detach"): Act.POLICY_ATTACH,
    ("policies", "new"): Act.POLICY_CREATE,
    ("policies", "edit"): Act.POLICY_READ,
    ("audit", "export_audit"): Act.AUDIT_READ,
}
# The keys each tab offers (the others are hidden there).
TAB_KEYS: dict[str, frozenset[str]] = {
    "users": frozenset(
        {"new", "toggle_user", "set_password", "attach", "detach", "idle_minutes", "explain"}
    ),
    "groups": frozenset({"new", "add_member", "remove_member", "attach", "detach", "explain"}),
    "policies": frozenset({"new", "edit", "explain"}),
    "audit": frozenset({"export_audit", "explain"}),
}


class AccessScreen(PageScreen):
    KEY_SCOPES: ClassVar[tuple[str, ...]] = ("access",)
    BINDINGS = [*PageScreen.BINDINGS, *bindings("access")]
    DEFAULT_CSS = """
    #access-tabs { height: 1fr; }
    #access-tabs TabPane { padding: 0; }
    .access-split { height: 1fr; }
    .access-split > DataTable { width: 1fr; height: 1fr; }
    .access-detail { width: 32; height: 1fr; padding: 0 1; border-left: solid $panel; }
    #audit-filters { height: auto; }
    .audit-filter-row { height: auto; }
    .audit-filter-row > Input { width: 1fr; }
    .audit-filter-row > Checkbox { width: auto; }
    #signed-in-as { color: $text-muted; width: auto; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users: list[UserView] = []
        self.groups: list[GroupView] = []
        self.policies: list[PolicyView] = []
        self.audit: list[AuditLine] = []
        self.api_keys: list[ApiKeyView] = []
        self.smtp_logins: list[SmtpCredentialView] = []
        self.limits: dict[str, DailyLimitView] = {}  # by label: a user's name, kt_…, kts_…
        self.idle_minutes: int | None = None  # the workspace's idle sign-out, once read

    def compose_content(self) -> ComposeResult:
        with Horizontal(classes="page-title-row"):
            yield Static(self.page.title, classes="page-title")
            yield Static(self.page.summary, classes="page-subtitle")
            yield Static("", id="signed-in-as", markup=False)
        with TabbedContent(id="access-tabs", initial="users"):
            with TabPane("Users", id="users"), Horizontal(classes="access-split"):
                yield EdgeMarkedTable(id="users-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="access-detail"):
                    yield Static("", id="user-detail")
            with TabPane("Groups", id="groups"), Horizontal(classes="access-split"):
                yield EdgeMarkedTable(id="groups-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="access-detail"):
                    yield Static("", id="group-detail")
            with TabPane("Policies", id="policies"), Horizontal(classes="access-split"):
                yield EdgeMarkedTable(id="policies-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="access-detail"):
                    yield Static("", id="policy-detail", markup=False)
            with TabPane("Audit log", id="audit"):
                # Two rows: four hints side by side do not fit 80 columns whole.
                with Vertical(id="audit-filters"):
                    with Horizontal(classes="audit-filter-row"):
                        yield Input(placeholder="user", id="audit-user", classes="page-filter")
                        yield Input(placeholder="action: *:domain:*", id="audit-action")
                        yield Checkbox("refused only", id="audit-refused")
                    with Horizontal(classes="audit-filter-row"):
                        yield Input(placeholder="since 2026-12-05", id="audit-since")
                        yield Input(placeholder="until 2026-12-05 18:00", id="audit-until")
                yield EdgeMarkedTable(id="audit-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#users-table", DataTable).add_columns(
            "Name", "Display name", "Groups", "Status", "Last sign-in"
        )
        self.query_one("#groups-table", DataTable).add_columns("Name", "Members", "Description")
        self.query_one("#policies-table", DataTable).add_columns(
            "Name", "Kind", "Attached to", "Description"
        )
        self.query_one("#audit-table", DataTable).add_columns(
            "When", "Who", "Action", "Resource", "Face", "Address", "Result", "Decided by"
        )
        principal = self.kootui.principal
        self.query_one("#signed-in-as", Static).update(
            printable(f"signed in as {principal.name}")
            if principal is not None
            else "owner (sign-in off)"
        )
        super().on_mount()
        self.reload()

    # --- reading ----------------------------------------------------------------

    def reload(self) -> None:
        self.load_lists()
        self.load_audit()

    @work(group="access-lists", exclusive=True, exit_on_error=False)
    async def load_lists(self) -> None:
        context = await self.kootui.opened_context()
        principal = self.kootui.principal
        try:
            if may(principal, Act.USER_READ):
                self.users = await asyncio.to_thread(list_users, context)
            if may(principal, Act.GROUP_READ):
                self.groups = await asyncio.to_thread(list_groups, context)
            if may(principal, Act.POLICY_READ):
                self.policies = await asyncio.to_thread(list_policies, context)
            if may(principal, Act.API_KEY_READ):
                self.api_keys = await asyncio.to_thread(
                    list_api_keys, context, include_revoked=False
                )
            if may(principal, Act.SMTP_CREDENTIAL_READ):
                self.smtp_logins = await asyncio.to_thread(
                    list_smtp_credentials, context, include_revoked=False
                )
            if may(principal, Act.LIMIT_READ):
                limits = await asyncio.to_thread(list_daily_limits, context)
                self.limits = {view.label: view for view in limits}
            if may(principal, Act.WORKSPACE_READ):
                self.idle_minutes = await asyncio.to_thread(idle_sign_out_minutes, context)
        except KootuiError as refusal:
            self.notify(refusal_text(refusal), severity="error", timeout=10)
        self._fill_users()
        self._fill_groups()
        self._fill_policies()

    def _refill(self, table_id: str, rows: Sequence[tuple[str, Sequence[object]]]) -> None:
        table = self.query_one(table_id, DataTable)
        row = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*(printable(str(cell)) for cell in cells), key=key)
        if rows:
            table.move_cursor(row=min(max(row, 0), len(rows) - 1))

    def _fill_users(self) -> None:
        self._refill(
            "#users-table",
            [
                (
                    user.name,
                    (
                        user.name,
                        user.display_name,
                        ", ".join(user.groups) or "—",
                        user_status(user),
                        local_text(user.last_sign_in_at, "%m-%d %H:%M")
                        if user.last_sign_in_at
                        else "never",
                    ),
                )
                for user in self.users
            ],
        )
        self._show_user()

    def _limit(self, label: str) -> str:
        """ " · 250/1,000 today" for a daily limit set on ``label``, else ""."""
        view = self.limits.get(label)
        if view is None or view.messages is None:
            return ""
        return f" · {view.used_today:,}/{view.messages:,} today"

    def _fill_groups(self) -> None:
        self._refill(
            "#groups-table",
            [
                (group.name, (group.name, len(group.members), group.description))
                for group in self.groups
            ],
        )
        self._show_group()

    def _fill_policies(self) -> None:
        self._refill(
            "#policies-table",
            [
                (
                    policy.name,
                    (
                        policy.name,
                        "system" if policy.system else "custom",
                        ", ".join([*policy.users, *(f"group {g}" for g in policy.groups)]) or "—",
                        policy.description,
                    ),
                )
                for policy in self.policies
            ],
        )
        self._show_policy()

    def _selected(self, table_id: str) -> str | None:
        table = self.query_one(table_id, DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key is not None else None

    def selected_user(self) -> UserView | None:
        name = self._selected("#users-table")
        return next((user for user in self.users if user.name == name), None)

    def selected_group(self) -> GroupView | None:
        name = self._selected("#groups-table")
        return next((group for group in self.groups if group.name == name), None)

    def selected_policy(self) -> PolicyView | None:
        name = self._selected("#policies-table")
        return next((policy for policy in self.policies if policy.name == name), None)

    def _show_user(self) -> None:
        user = self.selected_user()
        detail = self.query_one("#user-detail", Static)
        if user is None:
            detail.update("No users yet." if not self.users else "")
            return
        limits = {label: self._limit(label) for label in self.limits}
        keys = UserKeys(self.kootui.key_display("access-explain"), self.idle_minutes, limits)
        detail.update(user_detail(user, self.policies, self.api_keys, self.smtp_logins, keys))

    def _show_group(self) -> None:
        group = self.selected_group()
        detail = self.query_one("#group-detail", Static)
        if group is None:
            detail.update("No groups yet." if not self.groups else "")
            return
        detail.update(group_detail(group, self.policies))

    def _show_policy(self) -> None:
        policy = self.selected_policy()
        self.query_one("#policy-detail", Static).update(policy.document if policy else "")

    @on(DataTable.RowHighlighted, "#users-table")
    def _user_highlighted(self) -> None:
        self._show_user()

    @on(DataTable.RowHighlighted, "#groups-table")
    def _group_highlighted(self) -> None:
        self._show_group()

    @on(DataTable.RowHighlighted, "#policies-table")
    def _policy_highlighted(self) -> None:
        self._show_policy()

    @on(DataTable.RowSelected, "#policies-table")
    def _policy_chosen(self) -> None:
        self.action_edit()

    # --- the audit log ------------------------------------------------------------

    def _bound(self, input_id: str) -> datetime | None:
        """A time bound typed so far; marked invalid (and left out) until it is a date."""
        field = self.query_one(input_id, Input)
        bound = moment(field.value)
        field.set_class(bool(field.value.strip()) and bound is None, "-invalid")
        return bound

    def audit_filter(self) -> AuditFilter:
        user = self.query_one("#audit-user", Input).value.strip()
        action = self.query_one("#audit-action", Input).value.strip()
        return AuditFilter(
            user_name=user or None,
            action=action or None,
            since=self._bound("#audit-since"),
            until=self._bound("#audit-until"),
            refused_only=self.query_one("#audit-refused", Checkbox).value,
        )

    @on(Input.Changed, "#audit-user, #audit-action, #audit-since, #audit-until")
    @on(Checkbox.Changed, "#audit-refused")
    def _audit_filter_changed(self) -> None:
        self.load_audit()

    @work(group="access-audit", exclusive=True, exit_on_error=False)
    async def load_audit(self) -> None:
        context = await self.kootui.opened_context()
        if not may(self.kootui.principal, Act.AUDIT_READ):
            return
        try:
            self.audit = await asyncio.to_thread(query_audit, context, self.audit_filter())
        except KootuiError as refusal:
            self.notify(refusal_text(refusal), severity="error", timeout=10)
            return
        self._refill("#audit-table", audit_rows(self.audit))

    # --- keys -------------------------------------------------------------------

    @property
    def tab(self) -> str:
        return self.query_one("#access-tabs", TabbedContent).active or "users"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab" or not any(action in keys for keys in TAB_KEYS.values()):
            return super().check_action(action, parameters)
        if action not in TAB_KEYS.get(self.tab, frozenset()):
            return False  # hidden: not a key of this tab
        needed = NEEDS.get((self.tab, action))
        if needed is not None and not may(self.kootui.principal, needed):
            return None  # shown disabled: the signed-in user may not
        return True

    def key_refusal(self, action: str) -> str | None:
        needed = NEEDS.get((self.tab, action))
        if needed is None:
            return super().key_refusal(action)
        return right_refusal(self.kootui.principal, needed)

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#access-tabs", TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def _change(self, call: Callable[[], object], done: str) -> None:
        self._run_change(call, done)

    @work(group="access-change", exclusive=True, exit_on_error=False)
    async def _run_change(self, call: Callable[[], object], done: str) -> None:
        try:
            await asyncio.to_thread(call)
        except KootuiError as refusal:
            self.notify(refusal_text(refusal), severity="error", timeout=10)
            return
        self.notify(done, timeout=4)
        self.reload()

    async def _ask(self, dialog: FormDialog[Any]) -> Any:
        """The form's result (None when cancelled); the lists are read again after a change."""
        done = await self.app.push_screen_wait(dialog)
        if done is not None:
            self.reload()
        return done

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_new(self) -> None:
        context = self.kootui.context
        if self.tab == "policies":
            saved = await self.app.push_screen_wait(PolicyEditorScreen(None))
            if saved is not None:
                self.notify(printable(f"Policy {saved.name} saved."), timeout=4)
                self.reload()
            return
        if self.tab == "users":
            created = await self._ask(new_user_dialog(context))
            if created is not None:
                self.notify(printable(f"User {created.name} created."), timeout=4)
            return
        group = await self._ask(new_group_dialog(context))
        if group is not None:
            self.notify(printable(f"Group {group.name} created."), timeout=4)

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_edit(self) -> None:
        policy = self.selected_policy()
        if policy is None:
            return
        saved = await self.app.push_screen_wait(PolicyEditorScreen(policy))
        if saved is not None:
            self.notify(printable(f"Policy {saved.name} saved."), timeout=4)
            self.reload()

    def _target(self) -> tuple[UserView | None, GroupView | None]:
        user = self.selected_user() if self.tab == "users" else None
        group = self.selected_group() if self.tab == "groups" else None
        return user, group

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_attach(self) -> None:
        user, group = self._target()
        if user is None and group is None:
            return
        dialog = attach_dialog(self.kootui.context, self.policies, user, group)
        attached = await self._ask(dialog)
        if attached is not None:
            target = target_name(user, group)
            self.notify(printable(f"{attached.name} attached to {target}."), timeout=4)

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_detach(self) -> None:
        user, group = self._target()
        if user is None and group is None:
            return
        if not attached_names(self.policies, user, group):
            target = target_name(user, group)
            self.notify(printable(f"No policy is attached to {target} itself."), timeout=5)
            return
        dialog = attach_dialog(self.kootui.context, self.policies, user, group, detach=True)
        detached = await self._ask(dialog)
        if detached is not None:
            target = target_name(user, group)
            self.notify(printable(f"{detached.name} detached from {target}."), timeout=4)

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_add_member(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        added = await self._ask(member_dialog(self.kootui.context, group, self.users))
        if added is not None:
            self.notify(printable(f"{group.name} has {count_of(len(added.members), 'member')}."))

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_remove_member(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        if not group.members:
            self.notify(printable(f"{group.name} has no members."), timeout=5)
            return
        dialog = member_dialog(self.kootui.context, group, self.users, remove=True)
        left = await self._ask(dialog)
        if left is not None:
            self.notify(printable(f"{group.name} has {count_of(len(left.members), 'member')}."))

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_set_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        changed = await self._ask(password_dialog(self.kootui.context, user))
        if changed is not None:
            self.notify(printable(f"{changed.name}'s password is set."), timeout=4)

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_idle_minutes(self) -> None:
        minutes = await self._ask(idle_dialog(self.kootui.context, self.idle_minutes or 0))
        if minutes is not None:
            self.notify(f"Consoles sign out after {count_of(minutes, 'idle minute')}.", timeout=4)

    def action_toggle_user(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        context = self.kootui.context
        verb = "enabled" if user.disabled else "disabled"
        self._change(
            lambda: set_user_disabled(context, user.name, not user.disabled),
            printable(f"User {user.name} {verb}."),
        )

    def action_explain(self) -> None:
        user = self.selected_user() if self.tab == "users" else None
        choices = explain_choices(self.users, self.api_keys, self.smtp_logins)
        self.app.push_screen(ExplainScreen(choices, user.name if user else None))

    @work(group="access-dialog", exclusive=True, exit_on_error=False)
    async def action_export_audit(self) -> None:
        written = await self.app.push_screen_wait(
            audit_export_dialog(self.kootui.context, self.audit_filter())
        )
        if written is not None:
            self.notify(printable(f"Audit log written to {written}."), timeout=6)
