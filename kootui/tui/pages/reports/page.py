"""The Statistics Report page: sent, successful, failed, to-send and rejected messages per
hour, day or month, as a chart over the seeds' table, with a totals row.

Every figure comes from ``kootui.core.reports.statistics_report`` (the query behind
``kootui report`` too), read on a thread by one worker at a time. ``t`` switches the
report type, ``[``/``]`` move the range by its own length, ``r`` picks dates, ``m``
chooses what the chart draws, ``f`` opens the filters and ``x`` exports what is shown.
While the range holds the running period, a timer reads it again (the page's refresh
interval); a tick that finds a read in flight does nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from kootui.core.context import Context
from kootui.core.errors import KootuiError
from kootui.core.reports import (
    EmptyReason,
    Report,
    ReportChoices,
    ReportFilters,
    ReportType,
    report_choices,
    statistics_report,
    workspace_today,
)
from kootui.tui.keys.registry import bindings
from kootui.tui.pages.reports.chart import ReportChart
from kootui.tui.pages.reports.export import export_report, export_target
from kootui.tui.pages.reports.filters import ReportSearch, filters_from
from kootui.tui.pages.reports.measures import RATE, MeasuresScreen
from kootui.tui.pages.reports.range_form import range_form
from kootui.tui.pages.reports.table import ReportTable, TableValues
from kootui.tui.pages.reports.view import (
    STACKED_BY_DEFAULT,
    TYPE_ORDER,
    ReportRange,
    chart_data,
    deleted_tasks_note,
    empty_text,
    latest_range,
    moved,
    retyped,
    stackable,
)
from kootui.tui.pages.reports.viewed import remember_viewed
from kootui.tui.shell.page import PageScreen, PageSpec
from kootui.tui.widgets.file_picker import FilePicker


@dataclass(frozen=True)
class Loaded:
    report: Report
    table: TableValues
    today: date
    choices: ReportChoices | None


def read_report(
    context: Context, rng: ReportRange | None, filters: ReportFilters, with_choices: bool
) -> tuple[Loaded, ReportRange]:
    """The report of ``rng`` (the latest daily range when None), and the pickers' choices."""
    today = workspace_today(context)
    chosen = rng or latest_range(ReportType.DAILY, today)
    report = statistics_report(context, chosen.query(filters))
    choices = report_choices(context) if with_choices else None
    return Loaded(report, TableValues.of(report), today, choices), chosen


class StatisticsReportScreen(PageScreen):
    KEY_SCOPES = ("reports", "search", "report-measures", "file-picker")
    BINDINGS = bindings("reports")
    DEFAULT_CSS = """
    StatisticsReportScreen #report-note { height: auto; color: $text-warning; margin: 1 0; }
    StatisticsReportScreen #report-history { height: 1; color: $text-muted; }
    StatisticsReportScreen ReportChart { height: 40%; min-height: 6; max-height: 14; }
    StatisticsReportScreen ReportSearch { padding: 0; border-top: none; }
    StatisticsReportScreen #report-table { height: 1fr; }
    StatisticsReportScreen #report-rows { height: 1; color: $text-muted; }
    StatisticsReportScreen ReportSearch .search-row > Label { width: 16; }
    StatisticsReportScreen ReportSearch .search-row > Select { width: 40; }
    StatisticsReportScreen ReportSearch SelectCurrent { background: $boost; }
    """

    def __init__(self, page: PageSpec) -> None:
        super().__init__(page)
        self.range: ReportRange | None = None  # None until the first read knows "today"
        self.today: date | None = None
        self.filters = ReportFilters()
        self.report: Report | None = None
        self.choices: ReportChoices | None = None
        self.shown_measures = frozenset(STACKED_BY_DEFAULT)
        self.show_rate = True
        self.reading = False
        self.stale = False  # another page was shown since the last read

    def compose_content(self) -> ComposeResult:
        with Horizontal(classes="page-title-row"):
            yield Static(self.page.title, classes="page-title")
            yield Static("loading…", id="report-range", classes="page-subtitle", markup=False)
        yield ReportSearch(id="report-search")
        yield Static("", id="report-history", markup=False)
        yield ReportChart(id="report-chart")
        yield Static("", id="report-note", markup=False)
        yield ReportTable(id="report-table")
        yield Static("", id="report-rows", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#report-history").display = False
        self.query_one("#report-rows").display = False
        self.read()
        interval = self.kootui.refresh_intervals.statistics_report
        self.set_interval(interval, self._refresh_running)

    def filter_widget(self) -> ReportSearch:
        return self.query_one(ReportSearch)

    def action_focus_filter(self) -> None:
        self.action_toggle_filters(open_only=True)

    # Reading -------------------------------------------------------------------------

    def reload(self) -> None:
        self.read(with_choices=True)

    def read(self, *, with_choices: bool = True) -> None:
        self.reading = True
        self._read(self.range, self.filters, with_choices)

    @work(exclusive=True, group="report-read", exit_on_error=False)
    async def _read(
        self, rng: ReportRange | None, filters: ReportFilters, with_choices: bool
    ) -> None:
        context = self.kootui.context
        try:
            loaded, chosen = await asyncio.to_thread(
                read_report, context, rng, filters, with_choices
            )
        except KootuiError as refusal:
            self.reading = False
            self.notify(str(refusal), severity="error", timeout=8)
            return
        finally:
            self.reading = False
        self.range, self.today = chosen, loaded.today
        if loaded.choices is not None and loaded.choices != self.choices:
            self.choices = loaded.choices
            self.query_one(ReportSearch).offer(loaded.choices)
        self.show(loaded.report)
        self.query_one(ReportTable).show(loaded.table)
        await asyncio.to_thread(remember_viewed, self.kootui.context)

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        # A popup of this page suspends it too; only another page makes it stale.
        if self.app.current_mode != self.page.id:
            self.stale = True

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        # Back from another page: new sending, or a new time zone, may have moved figures.
        if self.stale and self.report is not None:
            self.stale = False
            self.read()

    def _refresh_running(self) -> None:
        report = self.report
        if self.reading or not self.is_current or report is None or not report.totals.running:
            return  # not in front, a read in flight, or the range is all history
        self.read(with_choices=False)

    # Showing -------------------------------------------------------------------------

    def show(self, report: Report) -> None:
        self.report = report
        rng = self.range
        assert rng is not None
        filtered = " · filtered" if self.filters.active else ""
        running = " · ▲ running" if report.totals.running else ""
        # Only when there is some: most workspaces send within their packages.
        billable = f" · billable {report.billable:,}" if report.billable else ""
        self.query_one("#report-range", Static).update(
            f"{rng.describe()} · {report.time_zone}{filtered}{running}{billable}"
        )
        keys = {
            binding: self.kootui.key_display(binding)
            for binding in ("go-tasks", "reports-earlier", "reports-range", "reports-filters")
        }
        keys["go-tasks"] = f"{self.kootui.key_display('go')} {keys['go-tasks']}"
        note = self.query_one("#report-note", Static)
        empty = empty_text(report, self.filters.active, keys)
        note.update(empty)
        note.display = bool(empty)
        names = self.query_one(ReportSearch).deleted_task_names()
        history = self.query_one("#report-history", Static)
        history.update(deleted_tasks_note(names))
        history.display = bool(names) and report.empty_reason is not EmptyReason.NO_SENDING
        chart = self.query_one(ReportChart)
        chart.display = report.empty_reason is None
        chart.show(chart_data(report, self.shown_measures, show_rate=self.show_rate))

    # Keys ----------------------------------------------------------------------------

    def _ready(self) -> tuple[ReportRange, date] | None:
        if self.range is None or self.today is None:
            self.notify("The report is still loading.", timeout=3)
            return None
        return self.range, self.today

    def action_cycle_type(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        rng, today = ready
        following = TYPE_ORDER[(TYPE_ORDER.index(rng.type) + 1) % len(TYPE_ORDER)]
        self.range = retyped(rng, following, today)
        self.read(with_choices=False)

    def action_move_range(self, steps: int) -> None:
        ready = self._ready()
        if ready is None:
            return
        rng, today = ready
        following = moved(rng, steps, today)
        if following is None:
            self.notify("This range already ends with the running period.", timeout=3)
            return
        self.range = following
        self.read(with_choices=False)

    def action_latest_range(self) -> None:
        ready = self._ready()
        if ready is not None:
            rng, today = ready
            self.range = latest_range(rng.type, today, rng.span)
            self.read(with_choices=False)

    @work(group="report-range-form", exit_on_error=False)
    async def action_pick_range(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        rng, _today = ready
        chosen = await self.app.push_screen_wait(range_form(self.kootui.context, rng, self.filters))
        if chosen is not None:
            self.range = chosen
            self.read(with_choices=False)

    @work(group="report-measures", exit_on_error=False)
    async def action_choose_measures(self) -> None:
        if self.report is None:
            return
        choices = [(m.name, m.label) for m in stackable(self.report.measures)]
        shown = self.shown_measures | ({RATE} if self.show_rate else set())
        chosen = await self.app.push_screen_wait(MeasuresScreen(choices, frozenset(shown)))
        if chosen is None:
            return
        self.show_rate = RATE in chosen
        self.shown_measures = frozenset(chosen - {RATE})
        self.show(self.report)

    def action_toggle_filters(self, open_only: bool = False) -> None:
        search = self.query_one(ReportSearch)
        search.collapsed = False if open_only else not search.collapsed
        if not search.collapsed:
            self.call_after_refresh(search.focus_first)
        else:
            self.query_one("#report-table").focus()

    @on(ReportTable.PageShown)
    def _page_shown(self, event: ReportTable.PageShown) -> None:
        event.stop()
        text = event.table.page_text()
        rows = self.query_one("#report-rows", Static)
        rows.update(text)
        rows.display = bool(text)

    @on(ReportSearch.Submitted)
    def _filters_chosen(self, event: ReportSearch.Submitted) -> None:
        event.stop()
        self.filters = filters_from(event.values)
        self.read(with_choices=False)

    @work(group="report-export", exit_on_error=False)
    async def action_export(self) -> None:
        report = self.report
        if report is None or self.range is None:
            self.notify("The report is still loading.", timeout=3)
            return
        picker = FilePicker(
            "Export this report to… (.xlsx or .csv)",
            start=Path.home(),
            must_exist=False,
            suffixes=(".xlsx", ".csv"),
            file_name=export_target(self.range),
        )
        path = await self.app.push_screen_wait(picker)
        if path is None:
            return
        try:
            written = await asyncio.to_thread(export_report, report, path)
        except KootuiError as refusal:
            self.notify(f"Could not export: {refusal}", severity="error", timeout=10)
            return
        rows = len(report.rows)
        noun = "period" if rows == 1 else "periods"
        self.notify(f"Exported {rows:,} {noun} and the totals to {written}", timeout=10)
