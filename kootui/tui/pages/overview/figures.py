"""What the Overview reads from the store: its figures, the last 7 days' report, the
allowance, and whether a Statistics Report was ever shown here.

Free of Textual: the console reads it on a thread, and its read-ahead child
(``kootui.cli.read_ahead``) reads it before the console has imported Textual at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from kootui.core.context import Context
from kootui.core.overview import load_overview
from kootui.core.overview_figures import Overview
from kootui.core.packages import QuotaUsage, quota_usage
from kootui.core.reports import Report, ReportQuery, ReportType, statistics_report, workspace_today
from kootui.core.warmup import WarmupView, list_plans
from kootui.tui.pages.reports.viewed import report_viewed

WEEK_DAYS = 7


@dataclass(frozen=True)
class AllowanceFigures:
    usage: QuotaUsage
    warmups: list[WarmupView]


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
