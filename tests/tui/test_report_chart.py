"""The report chart drawn as text: sizes, stacked bars, the rate line, buckets, colours.

Pure functions (no app): each test costs milliseconds.
"""

from __future__ import annotations

from kootui.tui.pages.reports.chart import RUNNING_MARK, bucket, chart_lines, colour_of
from kootui.tui.pages.reports.chart_data import ChartData, ChartSeries

THEME = {"chart-delivered": "#0f0", "chart-failed": "#f00", "chart-sent": "#00f"}


def day_data(delivered: list[int], failed: list[int], running: int | None = None) -> ChartData:
    return ChartData(
        labels=[f"{day:02d}" for day in range(1, len(delivered) + 1)],
        stacks=[
            ChartSeries("delivered", "successful", delivered),
            ChartSeries("failed", "failed", failed),
        ],
        rate_parts=[(d, d + f) for d, f in zip(delivered, failed, strict=True)],
        running=running,
        unit="day",
    )


def plain(lines) -> list[str]:
    return [line.plain for line in lines]


def test_the_chart_fills_its_size_and_labels_its_axes():
    lines = plain(chart_lines(day_data([8, 4, 0], [0, 4, 0]), 40, 8, THEME))
    assert len(lines) == 8
    assert all(len(line) <= 40 for line in lines)
    plot, x_axis, legend = lines[:6], lines[6], lines[7]
    assert plot[0].startswith("8┤") and plot[-1].startswith("0┤")
    assert plot[0].endswith("├100%") and plot[-1].endswith("├  0%")
    assert x_axis.split() == ["01", "02", "03"]
    assert legend == "■ failed  ■ successful  ━ delivery rate"


def test_a_full_bar_reaches_the_top_and_half_a_bar_half_way():
    lines = plain(chart_lines(day_data([8, 4], [0, 0]), 30, 10, THEME))
    plot = lines[:8]
    first_bar = [row[2] for row in plot]  # after "8┤": the first column's first cell
    assert set(first_bar[1:]) == {"█"}  # the top row holds the rate line (100%)
    second_bar = [row[2 + 6] for row in plot]  # columns of 6 cells: a bar of 5, a gap
    assert second_bar[1:4] == [" ", " ", " "] and set(second_bar[4:]) == {"█"}
    assert plot[0][2:13] == "━" * 11  # both rates are 100 %: the line crosses the top


def test_the_rate_line_sits_at_the_rate():
    lines = plain(chart_lines(day_data([0, 5], [10, 5]), 30, 7, THEME))
    plot = lines[:5]
    assert "━" in plot[-1]  # 0 % on the bottom row (all failed)
    assert "━" in plot[2]  # 50 % half way up


def test_more_periods_than_columns_are_summed_into_buckets():
    data = day_data([1] * 100, [1] * 100)
    columns, size = bucket(data, 30)
    assert size == 4 and len(columns) == 25
    assert columns[0].parts == (4, 4) and columns[0].rate == 0.5
    legend = plain(chart_lines(data, 60, 8, THEME))[7]
    assert legend.endswith("one bar: 2 days")  # 100 days over 53 columns


def test_the_running_period_is_marked_on_the_axis():
    lines = chart_lines(day_data([3, 3], [0, 0], running=1), 60, 8, THEME)
    x_axis, legend = lines[6].plain, lines[7].plain
    assert RUNNING_MARK in x_axis and "02" not in x_axis
    assert f"{RUNNING_MARK} running" in legend


def test_colours_come_from_the_theme_with_a_fallback_for_new_measures():
    assert colour_of("delivered", THEME) == "$chart-delivered"
    assert colour_of("to_send", {"chart-to-send": "#888"}) == "$chart-to-send"
    assert colour_of("bounced", THEME) == "$secondary"
    styles = {
        str(span.style)
        for line in chart_lines(day_data([2], [1]), 30, 6, THEME)
        for span in line.spans
    }
    assert any("$chart-delivered" in style for style in styles)
    assert not any("#" in style for style in styles)  # no fixed colour anywhere


def test_too_small_says_so():
    assert plain(chart_lines(day_data([1], [1]), 10, 3, THEME)) == ["(too small for the chart)"]


def test_an_empty_range_draws_axes_and_no_bars():
    lines = plain(chart_lines(day_data([0, 0], [0, 0]), 30, 6, THEME))
    assert not any("█" in line or "━" in line for line in lines[:4])
