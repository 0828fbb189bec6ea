"""The list page every console page reuses, as one container a page mounts.

``ListPanel`` stacks: a title with the page's actions, the quick filter, the
collapsible advanced search and the paged table, and wires them together. A
page supplies the columns, a row source (a core list query) and the actions it
binds on its screen; it reacts to ``PagedTable.RowActivated`` and friends.

    class DomainsScreen(PageScreen):
        BINDINGS = [Binding("a", "add_domain", "Add", id="domains.add")]

        def compose_content(self) -> ComposeResult:
            yield ListPanel("Sender Domains", DOMAIN_COLUMNS, self.list_domains,
                            actions=[("domains.add", "Add domain")], search_fields=[...])

        def reload(self) -> None:
            self.query_one(ListPanel).reload()

An action button shows the key currently bound to its binding id (after any
remapping) and, when clicked, runs that binding's action, so mouse and keys
always do the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Button, Label

from kootui.core.store import DEFAULT_PAGE_SIZE, Column, Row
from kootui.tui.widgets.advanced_search import AdvancedSearch, SearchField
from kootui.tui.widgets.column_fit import ColumnFit
from kootui.tui.widgets.details import DetailsScreen
from kootui.tui.widgets.dialogs import ConfirmDialog
from kootui.tui.widgets.filter_bar import FilterBar
from kootui.tui.widgets.form import FormDialog
from kootui.tui.widgets.page_grid import PageGrid
from kootui.tui.widgets.paged_table import PagedTable, RowSource

ActionSpec = tuple[str, str]  # (binding id, label)


class ListPanel(Vertical):
    """Title and actions, filter, advanced search and the paged table, working together."""

    DEFAULT_CSS = """
    ListPanel { height: 1fr; }
    ListPanel > .list-header { height: 1; margin: 0 0 1 0; }
    ListPanel .list-title { text-style: bold; padding: 0 1; width: auto; }
    ListPanel .list-actions { height: 1; width: 1fr; align-horizontal: right; }
    ListPanel .list-actions > Button { margin-left: 1; }
    ListPanel > FilterBar { margin: 0 0; }
    """

    # The panel takes focus only to hand it to its rows: a page frame that focuses
    # "the first focusable widget" lands on the list, not on the search toggle.
    can_focus = True

    class ActionChosen(Message):
        """An action button was clicked whose binding id no active binding answers to."""

        def __init__(self, list_panel: ListPanel, binding_id: str) -> None:
            super().__init__()
            self.list_panel = list_panel
            self.binding_id = binding_id

        @property
        def control(self) -> ListPanel:
            return self.list_panel

    def __init__(
        self,
        title: str,
        columns: Sequence[Column],
        row_source: RowSource,
        *,
        actions: Sequence[ActionSpec] = (),
        search_fields: Sequence[SearchField] = (),
        page_size: int = DEFAULT_PAGE_SIZE,
        sort_key: str | None = None,
        descending: bool = False,
        empty_message: str = "Nothing here yet.",
        filter_placeholder: str = "Filter (press / to focus)",
        compact_search: bool = False,
        fit: ColumnFit | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.list_title = title
        self.actions = list(actions)
        self.search_fields = list(search_fields)
        self.filter_placeholder = filter_placeholder
        self.compact_search = compact_search  # one line a search field (many fields)
        self._table = PagedTable(
            columns,
            row_source,
            page_size=page_size,
            sort_key=sort_key,
            descending=descending,
            empty_message=empty_message,
            fit=fit,
        )
        self._table.field_labels = {field.name: field.label for field in self.search_fields}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="list-header"):
            yield Label(self.list_title, classes="list-title", markup=False)
            with Horizontal(classes="list-actions"):
                for binding_id, label in self.actions:
                    button = Button(
                        Content(label), name=binding_id, compact=True, classes="list-action"
                    )
                    button.can_focus = False  # keys stay with the list; buttons are for the mouse
                    yield button
        # "page-filter" is the class the page frame's "/" looks for.
        yield FilterBar(placeholder=self.filter_placeholder, classes="page-filter")
        if self.search_fields:
            yield AdvancedSearch(self.search_fields, compact=self.compact_search)
        yield self._table

    def on_mount(self) -> None:
        self.call_after_refresh(self.refresh_action_labels)

    def focus(self, scroll_visible: bool = True) -> Self:
        self._table.grid.focus(scroll_visible)
        return self

    def on_focus(self, _event: events.Focus) -> None:
        self._table.grid.focus()

    # What pages use ---------------------------------------------------------

    @property
    def table(self) -> PagedTable:
        return self._table

    @property
    def marked(self) -> frozenset[str]:
        return self._table.marked

    @property
    def highlighted_row(self) -> Row | None:
        return self._table.highlighted_row

    def target_keys(self) -> list[str]:
        """What an action acts on (k9s habit): the marked rows, else the row under the cursor."""
        if self._table.marked:
            return sorted(self._table.marked)
        row = self._table.highlighted_row
        return [row.key] if row is not None else []

    def reload(self, *, clear_marks: bool = False) -> None:
        """Read the page again; after a bulk action, ``clear_marks`` drops the old marks."""
        if clear_marks:
            self._table.action_clear_marks()
        self._table.reload()

    def focus_filter(self) -> None:
        """The page frame's ``/`` finds the filter by its class, "page-filter"; this is for
        pages that want to focus it themselves."""
        self.query_one(FilterBar).focus()

    def refresh_action_labels(self) -> None:
        """Show each action with the key that runs it now (keymaps can remap keys)."""
        for button in self.query(".list-action").results(Button):
            label = next(label for bid, label in self.actions if bid == button.name)
            found = self._binding(button.name or "")
            key = self.app.get_key_display(found[1]) if found else ""
            # Content, not a markup string: a label is shown as written.
            button.label = Content.assemble((key, "bold"), " ", label) if key else Content(label)

    def _binding(self, binding_id: str) -> tuple[DOMNode, Binding] | None:
        for active in self.screen.active_bindings.values():
            if active.binding.id == binding_id:
                return active.node, active.binding
        return None

    # Wiring -----------------------------------------------------------------

    @on(Button.Pressed, ".list-action")
    async def _action_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        binding_id = event.button.name or ""
        found = self._binding(binding_id)
        if found is None:
            self.post_message(self.ActionChosen(self, binding_id))
            return
        node, binding = found
        await self.app.run_action(binding.action, node)

    @on(FilterBar.Applied)
    def _filter_applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        self._table.set_filter(event.text)

    @on(FilterBar.Done)
    def _filter_done(self, event: FilterBar.Done) -> None:
        event.stop()
        self._table.grid.focus()

    @on(AdvancedSearch.Submitted)
    def _advanced_submitted(self, event: AdvancedSearch.Submitted) -> None:
        event.stop()
        self._table.set_advanced(event.values)

    @on(PagedTable.LoadFailed)
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        # A refused search value is shown beside its field; the table footer says it too.
        if self.search_fields:
            self.query_one(AdvancedSearch).fold_when_found = False  # its rows never came
        if event.error.field and self.search_fields:
            self.query_one(AdvancedSearch).show_error(event.error.field, event.error.message)

    @on(PagedTable.PageLoaded)
    def _page_loaded(self, _event: PagedTable.PageLoaded) -> None:
        if self.search_fields:
            search = self.query_one(AdvancedSearch)
            search.clear_errors()
            if search.fold_after_search():
                self._table.grid.focus()


# Every key the pattern binds, with where it works, for the help panel and keymaps.
LIST_PATTERN_BINDINGS: list[tuple[str, Binding]] = [
    *(("list", b) for b in PagedTable.BINDINGS + PageGrid.BINDINGS if isinstance(b, Binding)),
    *(("filter", b) for b in FilterBar.BINDINGS if isinstance(b, Binding)),
    *(("search", b) for b in AdvancedSearch.BINDINGS if isinstance(b, Binding)),
    *(("form", b) for b in FormDialog.BINDINGS if isinstance(b, Binding)),
    *(("confirm", b) for b in ConfirmDialog.BINDINGS if isinstance(b, Binding)),
    *(("details", b) for b in DetailsScreen.BINDINGS if isinstance(b, Binding)),
]
