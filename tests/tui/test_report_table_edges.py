"""A report wider than its window: the column the window cuts ends in an ellipsis
(issue 17 at 80x24: the header read "Boun" with nothing saying more was there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from textual.app import App, ComposeResult

from kootui.core.reports import MEASURES, Report, ReportQuery, ReportRow, ReportType
from kootui.tui.pages.reports.table import ReportTable, TableValues
from kootui.tui.widgets.cut_columns import column_edges

START = datetime(2025, 11, 23, tzinfo=UTC)


def daily_report(days: int) -> Report:
    rows = tuple(
        ReportRow(
            START + timedelta(days=day),
            START + timedelta(days=day + 1),
            {"sent": 1_441 * day, "delivered": 1_400 * day},
            Decimal("97.15"),
        )
        for day in range(days)
    )
    end = START + timedelta(days=days)
    totals = ReportRow(START, end, {"sent": 9_999, "delivered": 9_000}, Decimal("90.00"))
    return Report(ReportQuery(ReportType.DAILY, START, end), rows, totals, MEASURES, "UTC")


class TableAlone(App[None]):
    def compose(self) -> ComposeResult:
        yield ReportTable(id="report-table")


def drawn(table: ReportTable, y: int) -> str:
    return table.render_line(y).text


async def test_the_column_cut_by_the_window_ends_in_an_ellipsis() -> None:
    app = TableAlone()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ReportTable)
        table.show(TableValues.of(daily_report(3)))
        await pilot.pause()
        width = table.size.width
        assert table.virtual_size.width > width, "the measures are wider than 60 columns"
        assert width not in column_edges(table), "the window's edge falls inside a column"
        lines = [drawn(table, y) for y in range(1 + table.row_count)]  # header, rows
        assert all(line.endswith("…") for line in lines)
        assert not drawn(table, 1 + table.row_count).strip(), "no mark below the rows"

        # Scrolled to the far right: the column cut at the left edge starts with one.
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        left = int(table.scroll_x)
        assert left not in column_edges(table)
        assert drawn(table, 0).startswith("…")


async def test_a_table_that_fits_is_drawn_as_it_is() -> None:
    app = TableAlone()
    async with app.run_test(size=(200, 12)) as pilot:
        table = app.query_one(ReportTable)
        table.show(TableValues.of(daily_report(3)))
        await pilot.pause()
        assert "…" not in "".join(drawn(table, y) for y in range(1 + table.row_count))
