"""A table that pages through a service query, one page at a time.

The table never holds more than one page. It asks its ``RowSource`` (a callable
``PageRequest -> PageResult``, usually a core list function) in a thread worker,
so the store never blocks the event loop; the worker only posts messages and the
``@on`` handlers own the widget state. Stale answers (the user paged on while a
query ran) are dropped by a generation number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, LoadingIndicator, Static

from kootui.core.errors import KootuiError, StoreError, user_message
from kootui.core.printable import printable
from kootui.core.store import DEFAULT_PAGE_SIZE, Column, PageRequest, PageResult, Row
from kootui.tui.keys.registry import bindings
from kootui.tui.widgets.column_fit import ColumnFit
from kootui.tui.widgets.page_grid import CursorGoal, PageGrid
from kootui.tui.widgets.status_badge import app_variables

RowSource = Callable[[PageRequest], PageResult]
LOADING_INDICATOR_DELAY = 0.25  # seconds; quick pages never flash a spinner


class _PageArrived(Message, bubble=False):
    def __init__(
        self, generation: int, result: PageResult | None, error: KootuiError | None = None
    ) -> None:
        super().__init__()
        self.generation, self.result, self.error = generation, result, error


class PagedTable(Vertical):
    """Columns, one page of rows, a footer saying where you are, and marks."""

    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    PagedTable > PageGrid { height: 1fr; }
    PagedTable.-empty > PageGrid { height: auto; }
    PagedTable > .empty-state { display: none; padding: 1 2; color: $text-muted; }
    PagedTable.-empty > .empty-state { display: block; }
    PagedTable > .page-status { height: 1; }
    PagedTable .page-footer { width: auto; padding: 0 1; color: $text-muted; }
    PagedTable .page-footer.-error { color: $text-error; }
    PagedTable .page-spinner { width: 8; height: 1; display: none; }
    PagedTable.-slow .page-spinner { display: block; }
    """

    BINDINGS = bindings("list")

    class _TableMessage(Message):
        def __init__(self, paged_table: PagedTable) -> None:
            super().__init__()
            self.paged_table = paged_table

        @property
        def control(self) -> PagedTable:
            return self.paged_table

    class _RowMessage(_TableMessage):
        def __init__(self, paged_table: PagedTable, row: Row) -> None:
            super().__init__(paged_table)
            self.row = row

    class RowHighlighted(_RowMessage):
        """The cursor is on ``row``: a side panel can follow it."""

    class RowActivated(_RowMessage):
        """Enter (or a click on the highlighted row): the page opens the row's details."""

    class PageLoaded(_TableMessage):
        def __init__(self, paged_table: PagedTable, result: PageResult) -> None:
            super().__init__(paged_table)
            self.result = result

    class LoadFailed(_TableMessage):
        """The row source refused the request (a bad date in the search, the store is away)."""

        def __init__(self, paged_table: PagedTable, error: KootuiError) -> None:
            super().__init__(paged_table)
            self.error = error

    class MarksChanged(_TableMessage):
        def __init__(self, paged_table: PagedTable, marked: frozenset[str]) -> None:
            super().__init__(paged_table)
            self.marked = marked

    def __init__(
        self,
        columns: Sequence[Column],
        row_source: RowSource,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        sort_key: str | None = None,
        descending: bool = False,
        empty_message: str = "Nothing here yet.",
        fit: ColumnFit | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self.fit = fit
        self.row_source = row_source
        self.empty_message = empty_message
        self.request = PageRequest(limit=page_size, sort_key=sort_key, descending=descending)
        self.result: PageResult | None = None
        self.loading_page = False
        self._marked: set[str] = set()
        self.field_labels: dict[str, str] = {}  # search field name -> its label on screen
        self._generation = 0
        self._cursor_goal: CursorGoal = 0
        self._spinner_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield PageGrid(self.fit)
        yield Static(self.empty_message, classes="empty-state", markup=False)
        # The spinner sits in the status line: covering the grid would take its focus.
        with Horizontal(classes="page-status"):
            yield Static("loading…", classes="page-footer")
            yield LoadingIndicator(classes="page-spinner")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._redraw_in_place)
        self.load(self.request)

    @property
    def grid(self) -> PageGrid:
        return self.query_one(PageGrid)

    @property
    def marked(self) -> frozenset[str]:
        """Keys of the marked rows, on any page: what bulk actions act on."""
        return frozenset(self._marked)

    @property
    def highlighted_row(self) -> Row | None:
        rows = self.result.rows if self.result else []
        row_index = self.grid.cursor_row
        return rows[row_index] if 0 <= row_index < len(rows) else None

    # Asking for rows ------------------------------------------------------

    def load(self, request: PageRequest, *, cursor: CursorGoal | None = None) -> None:
        """Ask for the page ``request`` describes; the answer arrives as a message."""
        self._generation += 1
        self.request = request
        if cursor is not None:
            self._cursor_goal = cursor
        self.loading_page = True
        self._update_footer()
        if self._spinner_timer is not None:
            self._spinner_timer.stop()
        self._spinner_timer = self.set_timer(LOADING_INDICATOR_DELAY, self._show_spinner)
        self._fetch(request, self._generation)

    def reload(self) -> None:
        """The same page again (after an action changed the store), keeping the cursor."""
        row = self.highlighted_row
        self.load(self.request, cursor=row.key if row else 0)

    def set_filter(self, text: str) -> None:
        if text != self.request.text_filter:
            self._load_changed(cursor=0, text_filter=text, offset=0)

    def set_advanced(self, values: dict[str, str]) -> None:
        self._load_changed(cursor=0, advanced=dict(values), offset=0)

    def sort_by(self, key: str, *, descending: bool = False) -> None:
        row = self.highlighted_row
        changes = {"sort_key": key, "descending": descending, "offset": 0}
        self._load_changed(cursor=row.key if row else 0, **changes)

    def _load_changed(self, *, cursor: CursorGoal, **changes: Any) -> None:
        """The current request with ``changes``; one the rules refuse is shown, not raised."""
        try:
            request = replace(self.request, **changes)
        except KootuiError as error:
            self._update_footer(error=error)
            self.post_message(self.LoadFailed(self, error))
            return
        self.load(request, cursor=cursor)

    @work(thread=True, exclusive=True, group="paged-table-fetch")
    def _fetch(self, request: PageRequest, generation: int) -> None:
        try:
            result = self.row_source(request)
        except KootuiError as error:
            self.post_message(_PageArrived(generation, None, error))
            return
        except Exception as error:  # the store went away mid-query: say so, keep the console
            # Only the kind of failure: its text could carry a connection string.
            problem = StoreError(f"could not read this list: unexpected {type(error).__name__}")
            self.post_message(_PageArrived(generation, None, problem))
            return
        self.post_message(_PageArrived(generation, result))

    def _show_spinner(self) -> None:
        self.set_class(self.loading_page, "-slow")

    @on(_PageArrived)
    def _page_arrived(self, message: _PageArrived) -> None:
        if message.generation != self._generation:
            return  # an answer to a request the user has already moved on from
        self.loading_page = False
        if self._spinner_timer is not None:
            self._spinner_timer.stop()
        self.remove_class("-slow")
        if message.error is not None or message.result is None:
            error = message.error or StoreError("the list query returned nothing")
            self._update_footer(error=error)
            self.post_message(self.LoadFailed(self, error))
            return
        self.result = message.result
        self.request = replace(self.request, offset=message.result.offset)
        self._draw()
        self.post_message(self.PageLoaded(self, message.result))

    # Drawing ----------------------------------------------------------------

    def _draw(self) -> None:
        rows = self.result.rows if self.result else []
        self.grid.show_rows(
            self.columns,
            rows,
            marked=self._marked,
            sort_key=self.request.sort_key,
            descending=self.request.descending,
            variables=app_variables(self.app),
            cursor=self._cursor_goal,
        )
        self._cursor_goal = 0
        self.set_class(not rows, "-empty")
        self.query_one(".empty-state", Static).update(self._empty_text())
        self._update_footer()

    def _empty_text(self) -> str:
        if self.request.text_filter.strip() or any(
            v.strip() for v in self.request.advanced.values()
        ):
            return "Nothing matches the filter."
        return self.empty_message

    def _update_footer(self, error: KootuiError | None = None) -> None:
        footer = self.query_one(".page-footer", Static)
        footer.set_class(error is not None, "-error")
        if error is not None:
            # A refused search value is named as its search field is labelled ("Task ID:"),
            # never by its internal name ("task_id:").
            label = self.field_labels.get(error.field or "")
            shown = f"{label}: {error.message}" if label else user_message(error)
            footer.update(Text(printable(shown)))
            return
        parts = [self.result.range_text() if self.result else "no rows yet"]
        sort_key = self.request.sort_key
        titles = {c.key: c.title for c in self.columns}
        if sort_key in titles:
            direction = "descending" if self.request.descending else "ascending"
            parts.append(f"sorted by {titles[sort_key]} {direction}")
        if self._marked:
            parts.append(f"{len(self._marked)} marked")
        if self.loading_page:
            parts.append("loading…")
        footer.update(Text(" · ".join(parts)))

    def _redraw_in_place(self, _theme: object = None) -> None:
        """Draw the same rows again (new theme, marks cleared) without moving the cursor."""
        if self.result is not None:
            row = self.highlighted_row
            self._cursor_goal = row.key if row else 0
            self._draw()

    # Keys and clicks --------------------------------------------------------

    def action_next_page(self) -> None:
        if self.result is not None and self.result.has_next:
            self.load(self.request.next_page(), cursor=0)

    def action_previous_page(self) -> None:
        if self.result is not None and self.result.has_previous:
            self.load(self.request.previous_page(), cursor=-1)

    @on(PageGrid.EdgeReached)
    def _edge_reached(self, message: PageGrid.EdgeReached) -> None:
        message.stop()
        if message.step > 0:
            self.action_next_page()
        else:
            self.action_previous_page()

    @on(PageGrid.WidthsChanged)
    def _widths_changed(self, message: PageGrid.WidthsChanged) -> None:
        message.stop()
        self._redraw_in_place()

    @on(PageGrid.SortRequested)
    def _sort_requested(self, message: PageGrid.SortRequested) -> None:
        message.stop()
        self.sort_by(message.key, descending=message.descending)

    def action_toggle_mark(self) -> None:
        row = self.highlighted_row
        if row is None:
            return
        self._marked.symmetric_difference_update({row.key})
        self.grid.show_mark(row.key, row.key in self._marked)
        self.grid.action_cursor_down()  # k9s: mark and move on, so space-space-space marks a run
        self._update_footer()
        self.post_message(self.MarksChanged(self, self.marked))

    def action_clear_marks(self) -> None:
        if self._marked:
            self._marked.clear()
            self._redraw_in_place()
            self.post_message(self.MarksChanged(self, self.marked))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.RowHighlighted(self, row))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.RowActivated(self, row))
