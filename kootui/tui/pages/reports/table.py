"""The report's table: the seeds' columns, one row per period, the totals row last.

Column widths are fixed when the table is filled (figures line up on the right under
their titles, and the table is right from its first frame instead of after the widget
measures its cells). A year of hours is 8,760 rows: they are added in chunks with the
event loop free in between, so keys still answer while a long range fills. A refresh
that brings the same periods (the running one read again) changes only the cells whose
figures moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from kootui.core.reports import DELIVERY_RATE_LABEL, EmptyReason, Report
from kootui.tui.pages.reports.view import table_rows, totals_row

CHUNK_ROWS = 500  # rows added between two turns of the event loop
RUNNING_MARK = " ▲"
SEEDS_LAST_ORDER = 50  # Rejected: the last of the seeds' columns before the delivery rate


def rate_column(report: Report) -> int:
    """How many measures come before the delivery rate: the seeds' own (Sent … Rejected), so
    the rate stays in sight in a narrow window, whatever measures follow it."""
    return sum(1 for measure in report.measures if measure.order <= SEEDS_LAST_ORDER)


def _with_rate(figures: list[str], rate: str, at: int) -> list[str]:
    return [*figures[:at], rate, *figures[at:]]


def shown_values(report: Report) -> list[list[str]]:
    """Every row as its cells' text, the totals row last (none before anything was sent)."""
    if report.empty_reason is EmptyReason.NO_SENDING:
        return []
    at = rate_column(report)
    shown = [
        [label + (RUNNING_MARK if running else ""), *_with_rate(figures, rate, at)]
        for label, figures, rate, running in table_rows(report)
    ]
    figures, rate = totals_row(report)
    return [*shown, ["Total", *_with_rate(figures, rate, at)]]


def column_titles(report: Report) -> list[tuple[str, str]]:
    """(key, title) of every column: the seeds' measures, the delivery rate, the others."""
    at = rate_column(report)
    measures = [(measure.name, measure.label) for measure in report.measures]
    return [("time", "Time"), *measures[:at], ("rate", DELIVERY_RATE_LABEL), *measures[at:]]


class ReportTable(DataTable[Text]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.shown: list[list[str]] = []
        self.widths: list[int] = []
        self.titles: list[tuple[str, str]] = []

    def _cells(self, values: Sequence[str], total: bool) -> list[Text]:
        style = "bold" if total else ""
        cells = [Text(values[0], style=style)]
        cells += [
            Text(f"{value:>{width}}", style=style)
            for value, width in zip(values[1:], self.widths[1:], strict=True)
        ]
        return cells

    def _same_shape(self, titles: list[tuple[str, str]], shown: list[list[str]]) -> bool:
        """The same columns and periods, and every new figure fits its column."""
        if titles != self.titles or len(shown) != len(self.shown):
            return False
        if any(
            new[0].removesuffix(RUNNING_MARK) != old[0].removesuffix(RUNNING_MARK)
            for new, old in zip(shown, self.shown, strict=True)
        ):
            return False
        return all(
            len(value) <= width
            for values in shown
            for value, width in zip(values, self.widths, strict=True)
        )

    async def show(self, report: Report) -> None:
        titles = column_titles(report)
        shown = shown_values(report)
        if shown and self._same_shape(titles, shown):
            self._update_changed(shown)
            return
        keep = self.cursor_row
        self.clear(columns=True)
        self.titles, self.shown = titles, shown
        self.widths = [
            max(len(title), *(len(values[i]) for values in shown))
            for i, (_key, title) in enumerate(titles)
        ]
        for (key, title), width in zip(titles, self.widths, strict=True):
            self.add_column(title, key=key, width=width)
        for index, values in enumerate(shown):
            total = index == len(shown) - 1
            self.add_row(*self._cells(values, total), key="totals" if total else None)
            if index % CHUNK_ROWS == CHUNK_ROWS - 1:
                await asyncio.sleep(0)  # let keys and repaints through
        if keep < self.row_count:
            self.move_cursor(row=keep, animate=False)

    def _update_changed(self, shown: list[list[str]]) -> None:
        for row, (new, old) in enumerate(zip(shown, self.shown, strict=True)):
            if new == old:
                continue
            cells = self._cells(new, row == len(shown) - 1)
            for column, (cell, before, after) in enumerate(zip(cells, old, new, strict=True)):
                if before != after:
                    self.update_cell_at(Coordinate(row, column), cell)
        self.shown = shown
