"""The Overview's week: the last 7 days' report, today's card and the chart's data.

Read on a thread by the Overview's worker and imported only then: this module loads the
store's reports core, which the first frame must not wait for."""

from __future__ import annotations

from textual.content import Content

from kootui.core.reports import Report, ReportType
from kootui.tui.pages.overview.figures import (
    WEEK_DAYS,
    AllowanceFigures,
    OverviewFigures,
    read_figures,
    with_report_step,
)
from kootui.tui.pages.reports.chart_data import ChartData, ChartSeries
from kootui.tui.pages.reports.view import chart_label, rate_text

__all__ = [
    "WEEK_DAYS",
    "AllowanceFigures",
    "OverviewFigures",
    "read_figures",
    "today_card",
    "week_chart",
    "with_report_step",
]


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
