"""The report's table: the seeds' columns, one row per period, the totals row last.

Column widths are fixed when the table is filled, from every period's figures (they
line up on the right under their titles, on every page alike). A year of hours is 8,760
rows: the table shows ``PAGE_ROWS`` of them at a time, each page ending with the
range's totals. A refresh that brings the same periods (the running one read again)
changes only the cells whose figures moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.coordinate import Coordinate
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable

from kootui.core.reports import DELIVERY_RATE_LABEL, EmptyReason, Report
from kootui.tui.pages.reports.view import table_rows, totals_row
from kootui.tui.widgets.cut_columns import mark_cut_columns

PAGE_ROWS = 200  # periods a page: 8 days of hours, 200 days, 16 years of months
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


@dataclass(frozen=True)
class TableValues:
    """The table's text, made on the reading thread: formatting a year of hours' figures
    costs as much as showing a page of them."""

    titles: list[tuple[str, str]]
    shown: list[list[str]]

    @classmethod
    def of(cls, report: Report) -> TableValues:
        return cls(column_titles(report), shown_values(report))


class ReportTable(DataTable[Text]):
    """The report's rows a page at a time, each page ending with the range's totals.

    Textual's table measures every cell it is given and walks every row to paint: a year
    of hours (8,760 rows) held the event loop for seconds. A page of ``PAGE_ROWS`` costs
    a few hundredths of one; page down on the last row shows the next page, page up on
    the first the one before, as in the console's lists."""

    class PageShown(Message):
        """Which rows the table shows now (for the line under it)."""

        def __init__(self, table: ReportTable) -> None:
            super().__init__()
            self.table = table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.shown: list[list[str]] = []  # every period's cells, the totals row last
        self.widths: list[int] = []
        self.titles: list[tuple[str, str]] = []
        self.page_start = 0  # the index in ``shown`` of the page's first period

    @property
    def periods(self) -> int:
        """How many periods the report has (the totals row aside)."""
        return max(len(self.shown) - 1, 0)

    @property
    def page_end(self) -> int:
        return min(self.page_start + PAGE_ROWS, self.periods)

    def page_text(self) -> str:
        """ "periods 1–500 of 8,760 · …", or "" when every period is on this page."""
        if self.periods <= PAGE_ROWS:
            return ""
        keys = []
        if self.page_end < self.periods:
            keys.append("page down on the last row: the next ones")
        if self.page_start > 0:
            keys.append("page up on the first: the ones before")
        return (
            f"periods {self.page_start + 1:,}–{self.page_end:,} of {self.periods:,}"
            f" · {' · '.join(keys)}"
        )

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

    def show(self, values: TableValues) -> None:
        titles, shown = values.titles, values.shown
        if shown and self._same_shape(titles, shown):
            self._update_changed(shown)
            return
        # The same page and row where the new rows have them (a refresh whose figures
        # grew a column keeps its place).
        page_start, cursor = self.page_start, self.cursor_row
        self.titles, self.shown = titles, shown
        self.widths = [
            max(len(title), *(len(values[i]) for values in shown))
            for i, (_key, title) in enumerate(titles)
        ]
        if page_start >= self.periods:
            page_start = 0
        self._show_page(page_start, cursor=cursor)

    def _page_rows(self) -> list[int]:
        """The indexes in ``shown`` of this page's rows: its periods, then the totals."""
        if not self.shown:
            return []
        return [*range(self.page_start, self.page_end), len(self.shown) - 1]

    def _show_page(self, start: int, *, cursor: int) -> None:
        self.page_start = start
        self.clear(columns=True)
        for (key, title), width in zip(self.titles, self.widths, strict=True):
            self.add_column(title, key=key, width=width)
        totals = len(self.shown) - 1
        for index in self._page_rows():
            self.add_row(
                *self._cells(self.shown[index], index == totals),
                key="totals" if index == totals else None,
            )
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)
        self.post_message(self.PageShown(self))

    def _update_changed(self, shown: list[list[str]]) -> None:
        totals = len(shown) - 1
        for row, index in enumerate(self._page_rows()):
            new, old = shown[index], self.shown[index]
            if new == old:
                continue
            cells = self._cells(new, index == totals)
            for column, (cell, before, after) in enumerate(zip(cells, old, new, strict=True)):
                if before != after:
                    self.update_cell_at(Coordinate(row, column), cell)
        self.shown = shown

    def render_line(self, y: int) -> Strip:
        # More measures than 80 columns hold: the column at the window's edge says it is cut.
        return mark_cut_columns(self, super().render_line(y), y)

    def action_page_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.page_end < self.periods:
            self._show_page(self.page_end, cursor=0)
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self.page_start > 0:
            self._show_page(self.page_start - PAGE_ROWS, cursor=PAGE_ROWS - 1)  # its last period
        else:
            super().action_page_up()
