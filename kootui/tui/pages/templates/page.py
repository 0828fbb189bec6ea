"""The Templates page: My templates and Public templates, each a list, and their actions.

My templates can be made, edited, copied, deleted and previewed; in a workspace
marked a sensitive industry an operator approves them or rejects them with a
reason (the login name is recorded). Public templates are built in: preview and
copy only. Editing happens in ``TemplateEditorScreen``; every store call runs on a
thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from kootui.core.context import Context
from kootui.core.errors import KootuiError, user_message
from kootui.core.printable import printable
from kootui.core.store import Column, PageRequest, PageResult, Row, TemplateStatus
from kootui.core.templates import (
    TemplateDraft,
    TemplateView,
    approve_template,
    copy_template,
    delete_template,
    get_template,
    list_templates,
    reject_template,
)
from kootui.core.workspace import get_workspace
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.templates.editor import TemplateEditorScreen, operator_name
from kootui.tui.pages.templates.preview import TemplatePreviewScreen, public_samples
from kootui.tui.shell.bulk import BulkAction, Checked, act_on_targets
from kootui.tui.shell.list_panel import ListPanel
from kootui.tui.shell.page import PageScreen
from kootui.tui.widgets.advanced_search import SearchField
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.filter_bar import FilterBar
from kootui.tui.widgets.form import FormDialog, TextField
from kootui.tui.widgets.paged_table import PagedTable
from kootui.tui.widgets.status_badge import status_label

MY_COLUMNS = (
    Column("id", "ID", width=4, kind="number"),
    Column("title", "Template name", width=24),
    Column("body_type", "Type", width=5),
    Column("status", "Status", width=11, kind="status"),
    Column("review_reason", "Reason", width=18, sortable=False),
    Column("created_at", "Created", width=10, kind="time"),
)
PUBLIC_COLUMNS = (
    Column("id", "ID", width=4, kind="number"),
    Column("title", "Template name", width=26),
    Column("locale", "Lang", width=4, sortable=False),
    Column("subject", "Subject", width=40, sortable=False),
)
MY_SEARCH = (
    SearchField("id", "ID", placeholder="12"),
    SearchField(
        "status",
        "Status",
        kind="select",
        options=[(status_label(status), str(status)) for status in TemplateStatus],
    ),
    SearchField("created", "Created", kind="date_range"),
)
PUBLIC_SEARCH = (SearchField("id", "ID", placeholder="3"),)
MY_ACTIONS = (
    ("templates-new", "New"),
    ("templates-edit", "Edit"),
    ("templates-copy", "Copy"),
    ("templates-delete", "Delete"),
    ("templates-approve", "Approve"),
    ("templates-reject", "Reject"),
)
PUBLIC_ACTIONS = (("templates-preview", "Preview"), ("templates-copy", "Copy"))
BODY_TYPE_LABELS = {"html": "HTML", "text": "Text"}
NEW_BODY_HINT = "<p>Hello {{name}},</p>\n"


def template_rows(context: Context, request: PageRequest, *, public: bool) -> PageResult:
    page = list_templates(context, request, public=public)
    rows = [
        Row(
            key=row.key,
            values={**row.values, "body_type": BODY_TYPE_LABELS.get(row["body_type"], "")},
        )
        for row in page.rows
    ]
    return PageResult(rows=rows, total=page.total, offset=page.offset)


def read_copy(context: Context, source_id: int) -> tuple[TemplateDraft, dict[str, str]]:
    """A copy of a template as a new draft, with the sample values of a public one."""
    source = get_template(context, source_id)
    return copy_template(context, source_id), public_samples(source)


class TemplatesScreen(PageScreen):
    KEY_SCOPES = ("templates", "list", "list-sort", "filter", "search", "template-editor")
    BINDINGS = bindings("templates")
    DEFAULT_CSS = """
    TemplatesScreen #template-tabs { height: 1fr; }
    TemplatesScreen TabPane { padding: 0; }
    TemplatesScreen .list-action { width: auto; min-width: 0; }
    TemplatesScreen #template-status { height: auto; max-height: 2; padding: 0 1; }
    TemplatesScreen #approval-note { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sensitive: bool | None = None

    def compose_content(self) -> ComposeResult:
        context = self.kootui.context
        new_key = self.kootui.key_display("templates-new")
        mine_key = self.kootui.key_display("templates-mine")
        public_key = self.kootui.key_display("templates-public")
        with TabbedContent(initial="mine", id="template-tabs"):
            with TabPane(f"{mine_key} My templates", id="mine"):
                yield ListPanel(
                    "My templates",
                    MY_COLUMNS,
                    lambda request: template_rows(context, request, public=False),
                    actions=MY_ACTIONS,
                    search_fields=MY_SEARCH,
                    empty_message=(
                        f"No templates yet. Press {new_key} to write one, or copy a public "
                        f"template (press {public_key})."
                    ),
                    filter_placeholder="Filter by name (press / to focus)",
                    id="mine-list",
                )
            with TabPane(f"{public_key} Public templates", id="public"):
                yield ListPanel(
                    "Public templates — built in; preview or copy them",
                    PUBLIC_COLUMNS,
                    lambda request: template_rows(context, request, public=True),
                    actions=PUBLIC_ACTIONS,
                    search_fields=PUBLIC_SEARCH,
                    filter_placeholder="Filter by name (press / to focus)",
                    id="public-list",
                )
        yield Static("", id="template-status", markup=False)
        yield Static("", id="approval-note", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._read_workspace()

    # Where we are -------------------------------------------------------------------

    @property
    def public_tab(self) -> bool:
        return self.query_one("#template-tabs", TabbedContent).active == "public"

    @property
    def active_list(self) -> ListPanel:
        return self.query_one("#public-list" if self.public_tab else "#mine-list", ListPanel)

    def focus_content(self) -> None:
        # The rows, not the tab bar: the list keys (and 1 / 2 for the tabs) work from there.
        self.active_list.focus()

    def filter_widget(self) -> Widget | None:
        return self.active_list.query_one(FilterBar)

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#template-tabs", TabbedContent).active = tab
        self.active_list.focus()
        self._show_status()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.call_after_refresh(self._show_status)

    def reload(self) -> None:
        self.query_one("#mine-list", ListPanel).reload()
        self.query_one("#public-list", ListPanel).reload()
        self._read_workspace()

    @work(exclusive=True, group="templates-workspace", exit_on_error=False)
    async def _read_workspace(self) -> None:
        try:
            workspace = await asyncio.to_thread(get_workspace, self.kootui.context)
        except KootuiError:
            return  # the note keeps what it said; the lists show the store's refusal
        self.sensitive = workspace.sensitive_industry
        note = self.query_one("#approval-note", Static)
        if self.sensitive:
            approve = self.kootui.key_display("templates-approve")
            reject = self.kootui.key_display("templates-reject")
            note.update(
                "Sensitive industry: a new or edited template waits for an operator. "
                f"{approve} approves, {reject} rejects with a reason, under your login name."
            )
        else:
            note.update(
                "Templates are approved as they are saved: this workspace is not marked a "
                "sensitive industry, so there is nothing to approve or reject."
            )

    @on(PagedTable.RowHighlighted)
    @on(PagedTable.PageLoaded)
    def _show_status(self) -> None:
        row = self.active_list.highlighted_row
        status = self.query_one("#template-status", Static)
        if row is None:
            status.update("")
            return
        if self.public_tab:
            status.update(
                Content.assemble(
                    (printable(row["title"]), "bold"), (" — built in: preview or copy", "dim")
                )
            )
            return
        meaning = {
            TemplateStatus.APPROVED: ("can be chosen for tasks", "$status-ok"),
            TemplateStatus.APPROVING: ("waits for an operator's approval", "$status-info"),
            TemplateStatus.REJECTED: (
                printable(f"rejected: {row['review_reason']}"),
                "$status-bad",
            ),
        }.get(row["status"], ("", ""))
        # Titles and review reasons were typed by people: text, controls visible.
        status.update(Content.assemble((printable(row["title"]), "bold"), " — ", meaning))

    def _selected(self) -> Row | None:
        row = self.active_list.highlighted_row
        if row is None:
            self.notify("No template is selected.", timeout=4)
        return row

    def _mine_only(self, what: str) -> Row | None:
        if self.public_tab:
            copy = self.kootui.key_display("templates-copy")
            self.notify(
                f"Public templates cannot be {what}; press {copy} to copy one into My templates.",
                severity="warning",
                timeout=6,
            )
            return None
        return self._selected()

    # Editor: new, edit, copy -----------------------------------------------------------

    def _open_editor(
        self,
        draft: TemplateDraft,
        template_id: int | None = None,
        samples: dict[str, str] | None = None,
    ) -> None:
        editor = TemplateEditorScreen(draft, self.page, template_id=template_id, samples=samples)
        self.app.push_screen(editor, self._editor_closed)

    def _editor_closed(self, view: TemplateView | None) -> None:
        if view is None:
            return
        self.action_show_tab("mine")
        panel = self.query_one("#mine-list", ListPanel)
        panel.table.load(panel.table.request, cursor=str(view.id))

    def action_new_template(self) -> None:
        self._open_editor(TemplateDraft(title="", body=NEW_BODY_HINT))

    @work(group="templates-edit", exit_on_error=False)
    async def action_edit_template(self) -> None:
        row = self._mine_only("edited")
        if row is None:
            return
        try:
            view = await asyncio.to_thread(get_template, self.kootui.context, int(row.key))
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        self._open_editor(view.draft(), view.id)

    @work(group="templates-copy", exit_on_error=False)
    async def action_copy_template(self, template_id: int | None = None) -> None:
        if template_id is None:
            row = self._selected()
            if row is None:
                return
            template_id = int(row.key)
        try:
            draft, samples = await asyncio.to_thread(read_copy, self.kootui.context, template_id)
        except KootuiError as refusal:
            self.notify(user_message(refusal), severity="error", timeout=8)
            return
        self._open_editor(draft, None, samples)

    # Preview ------------------------------------------------------------------------------

    def action_preview_template(self) -> None:
        row = self._selected()
        if row is not None:
            self._preview(int(row.key))

    @on(PagedTable.RowActivated)
    def _row_activated(self, event: PagedTable.RowActivated) -> None:
        event.stop()
        self._preview(int(event.row.key))

    def _preview(self, template_id: int) -> None:
        self.app.push_screen(TemplatePreviewScreen(template_id), self._preview_closed)

    def _preview_closed(self, copy_id: int | None) -> None:
        if copy_id is not None:  # "copy" pressed in the preview
            self.action_copy_template(copy_id)

    # Delete -------------------------------------------------------------------------------

    @work(group="templates-delete", exit_on_error=False)
    async def action_delete_template(self) -> None:
        if self.public_tab:
            self._mine_only("deleted")  # says why, and how to copy one instead
            return
        # The marked templates, else the cursor's; one a task still needs is named.
        await act_on_targets(
            self,
            self.query_one("#mine-list", ListPanel),
            BulkAction(
                verb="Delete",
                done="Deleted",
                noun="template",
                check=lambda context, key: Checked(
                    key, printable(f"“{get_template(context, int(key)).title}”")
                ),
                change=lambda context, key: delete_template(context, int(key)),
                question="Tasks can no longer choose a deleted template; one that a task is "
                "waiting or sending with is kept.",
                destructive=True,
            ),
        )

    def _reviewed_or_deleted(self, done: str, error: KootuiError | None) -> None:
        if error is not None:
            self.notify(user_message(error), title="Refused", severity="error", timeout=12)
        else:
            self.notify(done, timeout=5)
        self.query_one("#mine-list", ListPanel).reload()

    # Approval (sensitive-industry workspaces) ----------------------------------------------------

    def _reviewable(self) -> Row | None:
        row = self._mine_only("reviewed")
        if row is None:
            return None
        if not self.sensitive:
            self.notify(
                "This workspace is not marked a sensitive industry: templates are approved "
                "as they are saved, so there is nothing to approve or reject.",
                severity="warning",
                timeout=8,
            )
            return None
        if row["status"] != TemplateStatus.APPROVING:
            self.notify(
                f'"{row["title"]}" is {status_label(row["status"]).lower()}, not waiting for '
                "approval; an edit sends it for approval again.",
                severity="warning",
                timeout=8,
            )
            return None
        return row

    def _reviewer(self) -> str:
        """Who the core records: the signed-in user, else (sign-in off) the OS login."""
        principal = self.kootui.principal
        return principal.name if principal is not None else operator_name()

    @work(group="templates-review", exit_on_error=False)
    async def action_approve_template(self) -> None:
        row = self._reviewable()
        if row is None:
            return
        who = self._reviewer()
        question = ConfirmDialog(
            f'Approve "{row["title"]}"?',
            f"Tasks can then send it. Recorded as approved by {who}.",
            confirm_label="Approve",
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            await asyncio.to_thread(
                approve_template, self.kootui.context, int(row.key), operator=who
            )
        except KootuiError as refusal:
            self._reviewed_or_deleted("", refusal)
        else:
            self._reviewed_or_deleted(f'Approved "{row["title"]}".', None)

    def action_reject_template(self) -> None:
        row = self._reviewable()
        if row is None:
            return
        context, template_id, who = self.kootui.context, int(row.key), self._reviewer()
        form: FormDialog[TemplateView] = FormDialog(
            f'Reject "{row["title"]}" — the author sees the reason (recorded as {who})',
            [TextField("reason", "Reason", placeholder="promotional wording in the subject")],
            lambda values: reject_template(
                context, template_id, operator=who, reason=values["reason"]
            ),
            submit_label="Reject",
        )
        self.app.push_screen(form, self._rejected)

    def _rejected(self, view: TemplateView | None) -> None:
        if view is not None:
            self._reviewed_or_deleted(f'Rejected "{view.title}": {view.review_reason}', None)
