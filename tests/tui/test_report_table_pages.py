"""The report table shows a year of hours a page at a time (issue 17: a year of hourly rows
held the event loop about a second, and keys waited). Each page ends with the range's
totals; page down on its last row shows the next page, page up on its first the one
before, and the line under the table says which periods are shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from textual.app import App, ComposeResult
from textual.widgets import Static

from kootui.core.reports import MEASURES, Report, ReportQuery, ReportRow, ReportType
from kootui.tui.pages.reports.table import PAGE_ROWS, ReportTable, TableValues

START = datetime(2025, 11, 23, tzinfo=UTC)
YEAR_OF_HOURS = 365 * 24


def hourly_report(hours: int) -> Report:
    rows = tuple(
        ReportRow(
            START + timedelta(hours=hour),
            START + timedelta(hours=hour + 1),
            {"sent": hour % 100, "delivered": hour % 90},
            Decimal("90.00"),
        )
        for hour in range(hours)
    )
    end = START + timedelta(hours=hours)
    totals = ReportRow(START, end, {"sent": 123_456, "delivered": 111_111}, Decimal("90.00"))
    return Report(ReportQuery(ReportType.HOURLY, START, end), rows, totals, MEASURES, "UTC")


class TableAlone(App[None]):
    """The table and the line under it, wired as the report page wires them."""

    def compose(self) -> ComposeResult:
        yield ReportTable(id="report-table")
        yield Static("", id="report-rows", markup=False)

    def on_report_table_page_shown(self, event: ReportTable.PageShown) -> None:
        self.query_one("#report-rows", Static).update(event.table.page_text())


def first_cells(table: ReportTable) -> list[str]:
    return [str(table.get_row_at(index)[0]) for index in range(table.row_count)]


async def test_a_year_of_hours_is_shown_a_page_at_a_time_with_the_totals_last() -> None:
    app = TableAlone()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(ReportTable)
        table.focus()
        values = TableValues.of(hourly_report(YEAR_OF_HOURS))
        table.show(values)
        await pilot.pause()
        labels = first_cells(table)
        assert table.row_count == PAGE_ROWS + 1  # a page of periods, then the totals
        assert labels == [row[0] for row in values.shown[:PAGE_ROWS]] + ["Total"]
        line = str(app.query_one("#report-rows", Static).render())
        assert line.startswith(f"periods 1–{PAGE_ROWS} of {YEAR_OF_HOURS:,}")

        table.move_cursor(row=table.row_count - 1)  # the totals row, the page's last
        await pilot.press("pagedown")
        assert table.cursor_row == 0
        assert first_cells(table)[0] == values.shown[PAGE_ROWS][0]
        assert first_cells(table)[-1] == "Total"
        assert "page up on the first" in str(app.query_one("#report-rows", Static).render())

        await pilot.press("pageup")  # on the first row: the page before, on its last period
        assert table.page_start == 0
        assert table.cursor_row == PAGE_ROWS - 1


async def test_a_refresh_of_the_running_hour_keeps_the_page_and_the_row() -> None:
    app = TableAlone()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(ReportTable)
        table.show(TableValues.of(hourly_report(3 * PAGE_ROWS)))
        await pilot.pause()
        table.move_cursor(row=table.row_count - 1)
        table.action_page_down()
        table.move_cursor(row=5)
        wider = TableValues.of(hourly_report(3 * PAGE_ROWS))
        wider.shown[-1][1] = "12,345,678,901"  # a total that no longer fits its column
        table.show(wider)
        await pilot.pause()
        assert (table.page_start, table.cursor_row) == (PAGE_ROWS, 5)
        assert str(table.get_row_at(table.row_count - 1)[1]).strip() == "12,345,678,901"


async def test_a_range_that_fits_one_page_says_nothing_under_the_table() -> None:
    app = TableAlone()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(ReportTable)
        table.show(TableValues.of(hourly_report(24)))
        await pilot.pause()
        assert table.row_count == 25
        assert table.page_text() == ""
