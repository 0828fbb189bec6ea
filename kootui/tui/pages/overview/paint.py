"""The Overview's figures made ready to paint: the cards' text and the chart's data.

Made off the event loop (on the reading thread, or in the read-ahead process, which
pickles it: ``kootui.cli.read_ahead``), so the page only puts each part in its place. Its
types load nothing of the store: the console that takes it from the read-ahead has not
loaded the store yet, and loads it only after the paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.content import Content

from kootui.core.overview_figures import Overview
from kootui.tui.pages.reports.chart_data import ChartData

if TYPE_CHECKING:
    from kootui.core.context import Context
    from kootui.tui.pages.overview.figures import OverviewFigures


@dataclass(frozen=True)
class OverviewPaint:
    overview: Overview  # the guide's report step ticked once a report was shown here
    allowance: Content
    today: Content
    chart: ChartData


def paint_of(figures: OverviewFigures) -> OverviewPaint:
    from kootui.tui.pages.overview.allowance import allowance_text
    from kootui.tui.pages.overview.week import today_card, week_chart, with_report_step

    return OverviewPaint(
        overview=with_report_step(figures.overview, figures.report_viewed),
        allowance=allowance_text(figures.allowance),
        today=today_card(figures.week),
        chart=week_chart(figures.week),
    )


def read_paint(context: Context) -> OverviewPaint:
    """The Overview's figures read from the store, ready to paint."""
    from kootui.tui.pages.overview.figures import read_figures

    return paint_of(read_figures(context))
