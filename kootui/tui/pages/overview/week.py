"""The Overview's week: the last 7 days' report, today's card and the chart's data.

Read on a thread by the Overview's worker and imported only then: this module loads the
store's reports core, which the first frame must not wait for."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from textual.content import Content

from kootui.core.context import Context
from kootui.core.overview import Overview, load_overview
from kootui.core.packages import quota_usage
from kootui.core.reports import (
    Report,
    ReportQuery,
    ReportType,
    statistics_report,
    workspace_today,
)
from kootui.core.warmup import list_plans
from kootui.tui.pages.overview.allowance import AllowanceFigures
from kootui.tui.pages.reports.chart import ChartData, ChartSeries
from kootui.tui.pages.reports.view import chart_label, rate_text
from kootui.tui.pages.reports.viewed import report_viewed

WEEK_DAYS = 7


@dataclass(frozen=True)
class OverviewFigures:
    overview: Overview
    week: Report  # the last 7 days, daily, today last
    report_viewed: bool  # this console has shown a Statistics Report
    allowance: AllowanceFigures  # packages, this month's use, warm-up caps


def read_figures(context: Context) -> OverviewFigures:
    """The Overview's figures, the week's report and whether a report was ever shown."""
    overview = load_overview(context)
    today = workspace_today(context)
    week_query = ReportQuery(ReportType.DAILY, today - timedelta(days=WEEK_DAYS - 1), today)
    week = statistics_report(context, week_query)
    allowance = AllowanceFigures(quota_usage(context), list_plans(context))
    return OverviewFigures(overview, week, report_viewed(context), allowance)


def with_report_step(overview: Overview, viewed: bool) -> Overview:
    """Tick "View the statistics report" once a report was shown here."""
    guide = [
        replace(step, done=step.done or viewed) if step.page == "reports" else step
        for step in overview.guide
    ]
    return replace(overview, guide=guide)


def week_chart(week: Report) -> ChartData:
    """Sent per day (its bars) and the delivery rate (the line)."""
    return ChartData(
        labels=[chart_label(ReportType.DAILY, row.start) for row in week.rows],
        stacks=[ChartSeries("sent", "sent", [row.value("sent") for row in week.rows])],
        rate_parts=[(row.value("delivered"), row.value("sent")) for row in week.rows],
        running=next((i for i, row in enumerate(week.rows) if row.running), None),
        unit="day",
    )


def today_card(week: Report) -> Content:
    """Today's figures from the same report (its last, running row)."""
    if not week.rows:
        return Content.styled("Sent today\n", "dim")
    today = week.rows[-1]
    lines = [
        Content.assemble(("Sent today\n", "dim"), (f"{today.value('sent'):,}", "bold")),
        Content.assemble((f"{today.value('delivered'):,} ", "bold"), ("successful", "$status-ok")),
        Content.assemble((f"{today.value('failed'):,} ", "bold"), ("failed", "$status-bad")),
        Content.assemble((f"{today.value('rejected'):,} ", "bold"), ("rejected", "$status-warn")),
        Content.assemble((f"{today.value('to_send'):,} ", "bold"), ("to send", "dim")),
        Content.assemble(("rate ", "dim"), (rate_text(today), "bold")),
    ]
    return Content("\n").join(lines)
