"""An ellipsis where a wide table's window cuts a column.

A table wider than its window scrolls sideways, and Textual draws the column at the
edge cut wherever the window ends: "Boun" under a title of "Bounced", "1,4" for 1,441,
with nothing saying more is there. ``mark_cut_columns`` puts "…" in the cut column's
last visible cell (first visible, at the left edge once scrolled), on every line that
holds the header or a row.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import DataTable

ELLIPSIS = "…"


def column_edges(table: DataTable[Any]) -> set[int]:
    """The x offsets (in the table's whole width) where a column starts or ends."""
    widths = [column.get_render_width(table) for column in table.ordered_columns]
    return {0, *accumulate(widths)}


def holds_cells(table: DataTable[Any], y: int) -> bool:
    """Line ``y`` of the window shows the header or a row, not the blank below them."""
    header = table.header_height if table.show_header else 0
    if y < header:
        return True
    # Rows are one line each in the console's tables (no multi-line cells).
    return y - header + int(table.scroll_y) < table.row_count


def mark_cut_columns(table: DataTable[Any], line: Strip, y: int) -> Strip:
    """``line`` (line ``y`` of ``table``'s window) with "…" where a column is cut."""
    width = line.cell_length
    left = int(table.scroll_x)
    right = left + width
    cut_right = table.virtual_size.width > right
    cut_left = left > 0
    if width < 2 or not (cut_right or cut_left) or not holds_cells(table, y):
        return line
    edges = column_edges(table)
    if cut_right and right not in edges:
        line = _replace_cell(line, width - 1)
    if cut_left and left not in edges:
        line = _replace_cell(line, 0)
    return line


def _replace_cell(line: Strip, x: int) -> Strip:
    """``line`` with the cell at ``x`` drawn as an ellipsis in that cell's style."""
    width = line.cell_length
    cell = list(line.crop(x, x + 1))
    style = cell[0].style if cell else None
    segments = [*line.crop(0, x), Segment(ELLIPSIS, style), *line.crop(x + 1, width)]
    return Strip(segments, width)


class EdgeMarkedTable(DataTable[Any]):
    """A DataTable whose column cut by the window's edge ends in an ellipsis."""

    def render_line(self, y: int) -> Strip:
        return mark_cut_columns(self, super().render_line(y), y)
