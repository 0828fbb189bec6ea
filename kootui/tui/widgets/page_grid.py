"""The grid under a paged table: one page of rows, a mark column, sort arrows in headers.

It only draws what it is given and turns page up/down at its edges into a
request for the neighbouring page; ``PagedTable`` owns the paging itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import events, on
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable

from kootui.core.clock import local_text
from kootui.core.store import Column, Row
from kootui.tui.keys.registry import bindings
from kootui.tui.outside_text import outside
from kootui.tui.widgets.cells import fit_cell
from kootui.tui.widgets.column_fit import CELL_PADDING, ColumnFit
from kootui.tui.widgets.cut_columns import mark_cut_columns
from kootui.tui.widgets.status_badge import status_text

MARK_COLUMN = "__mark__"
MARK_SYMBOL = "✓"
MARK_WIDTH = 1 + CELL_PADDING
CursorGoal = str | int  # a row key to land on, or 0 (top row) / -1 (bottom row)


def render_cell(column: Column, value: Any, variables: Mapping[str, str]) -> RenderableType:
    """A row value as the table shows it: plain Text made printable, so a stored name is
    never read as markup nor drives the terminal; cut to the column with an ellipsis."""
    return fit_cell(_cell_text(column, value, variables))


def _cell_text(column: Column, value: Any, variables: Mapping[str, str]) -> Text:
    if value is None:
        return Text("—", style="dim")
    if column.kind == "status":
        return status_text(str(value), variables)
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, datetime):
        # A column too narrow for the time shows the whole date rather than a cut time.
        narrow = column.width is not None and column.width < len("2026-11-23 15:30")
        return Text(local_text(value, "%Y-%m-%d" if narrow else "%Y-%m-%d %H:%M"))
    if column.kind == "number":  # ids and the like: digits as stored
        return Text(str(value), justify="right")
    if column.kind == "count" and isinstance(value, int):  # amounts: read with separators
        return Text(f"{value:,}", justify="right")
    return outside(value)


def mark_cell(marked: bool) -> Text:
    return Text(MARK_SYMBOL if marked else " ", style="bold")


def header_label(column: Column, sort_key: str | None, descending: bool) -> Text:
    if column.sortable and column.key == sort_key:
        return Text(f"{column.title} {'▼' if descending else '▲'}", style="bold")
    return Text(column.title)


class PageGrid(DataTable[RenderableType]):
    """Page down on the last row (or page up on the first) asks for the next (previous)
    page; a click on a header or the sort keys ask for another order."""

    BINDINGS = bindings("list-sort")

    class EdgeReached(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class SortRequested(Message):
        def __init__(self, key: str, descending: bool) -> None:
            super().__init__()
            self.key, self.descending = key, descending

    class WidthsChanged(Message):
        """The table's width changed what its fitted columns should be: draw them again."""

    def __init__(self, fit: ColumnFit | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True)
        self.fit = fit
        self.shown_columns: list[Column] = []
        self.sort_key: str | None = None
        self.descending = False
        self._fitted: dict[str, int | None] | None = None  # the widths last drawn at

    def column_widths(
        self, columns: Sequence[Column], row_count: int | None = None
    ) -> dict[str, int | None]:
        """Each column's width: its own, or fitted to the table once it has a size."""
        region = self.scrollable_content_region
        available = region.width - MARK_WIDTH
        rows = self.row_count if row_count is None else row_count
        if not self.show_vertical_scrollbar and rows + self.header_height > region.height:
            # The rows about to be shown will bring the scrollbar: fit beside it now, not
            # whenever the next resize happens to come (a race a loaded machine loses).
            available -= self.styles.scrollbar_size_vertical
        keys = {column.key for column in columns}
        if self.fit is None or available <= 0 or not {self.fit.flex, self.fit.last_main} <= keys:
            return {column.key: column.width for column in columns}
        return dict(self.fit.widths(columns, available))

    def render_line(self, y: int) -> Strip:
        # Columns beyond the window's edge scroll into view; the one it cuts says so.
        return mark_cut_columns(self, super().render_line(y), y)

    def on_resize(self, _event: events.Resize) -> None:
        if self._fitted is not None and self._fitted != self.column_widths(self.shown_columns):
            self.post_message(self.WidthsChanged())

    def show_rows(
        self,
        columns: Sequence[Column],
        rows: Sequence[Row],
        *,
        marked: set[str],
        sort_key: str | None,
        descending: bool,
        variables: Mapping[str, str],
        cursor: CursorGoal,
    ) -> None:
        self.shown_columns, self.sort_key, self.descending = list(columns), sort_key, descending
        self.clear(columns=True)
        self.add_column(Text(" "), key=MARK_COLUMN, width=1)
        widths = self.column_widths(columns, len(rows))
        self._fitted = dict(widths) if self.fit is not None else None
        for column in columns:
            label = header_label(column, sort_key, descending)
            self.add_column(label, key=column.key, width=widths[column.key])
        for row in rows:
            cells = [render_cell(c, row.values.get(c.key), variables) for c in columns]
            self.add_row(mark_cell(row.key in marked), *cells, key=row.key)
        if rows:
            keys = [row.key for row in rows]
            target = (
                keys.index(cursor) if cursor in keys else (len(rows) - 1 if cursor == -1 else 0)
            )
            self.move_cursor(row=target, animate=False)

    def show_mark(self, row_key: str, marked: bool) -> None:
        self.update_cell(row_key, MARK_COLUMN, mark_cell(marked))

    def action_page_down(self) -> None:
        if self.row_count == 0 or self.cursor_row >= self.row_count - 1:
            self.post_message(self.EdgeReached(+1))
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.EdgeReached(-1))
        else:
            super().action_page_up()

    def action_cycle_sort(self) -> None:
        """Sort by the next sortable column, ascending."""
        keys = [c.key for c in self.shown_columns if c.sortable]
        if keys:
            position = keys.index(self.sort_key) + 1 if self.sort_key in keys else 0
            self.post_message(self.SortRequested(keys[position % len(keys)], False))

    def action_reverse_sort(self) -> None:
        keys = [c.key for c in self.shown_columns if c.sortable]
        sort_key = self.sort_key or (keys[0] if keys else None)
        if sort_key is not None:
            self.post_message(self.SortRequested(sort_key, not self.descending))

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        """A sortable header sorts by its column; clicking it again reverses the order."""
        event.stop()
        key = event.column_key.value
        if any(c.key == key and c.sortable for c in self.shown_columns) and key is not None:
            descending = not self.descending if key == self.sort_key else False
            self.post_message(self.SortRequested(key, descending))
