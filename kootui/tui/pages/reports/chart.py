"""The report's chart: stacked bars per period with the delivery rate drawn across them.

Drawn by kootui itself with block characters in the theme's chart colours (``$chart-*``):
textual-plotext was tried first and left out. Its bars come out as ANSI truecolour (the
ANSI theme's ``ansi_green`` cannot be passed through), its stacked bars overlapped at 24
hourly bars in 78 columns, and its legend sat on top of the figures. Here every cell is
a Textual ``Content`` style, so the dark, light and ANSI palettes all apply and snapshot
tests see the same characters every time.

A column is one period, or a bucket of consecutive periods when the range has more
periods than the chart has columns (the x axis says how many). Within a cell the bottom
series is drawn as a lower-eighth block over the colour of the series above it, so a
stack has eight steps a row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widget import Widget

from kootui.tui.pages.reports.chart_data import ChartData

EIGHTHS = " ▁▂▃▄▅▆▇█"
RATE_STYLE = "bold $foreground"  # apart from every series colour, in every theme
RUNNING_MARK = "▲"
FALLBACK_STYLE = "$secondary"  # a measure the theme has no chart colour for yet


def colour_of(name: str, known: Mapping[str, str]) -> str:
    """The style for a measure: the theme's ``chart-<name>`` variable, else a fallback."""
    variable = f"chart-{name.replace('_', '-')}"
    return f"${variable}" if variable in known else FALLBACK_STYLE


@dataclass(frozen=True)
class Column:
    label: str
    parts: tuple[int, ...]  # one value per stacked series
    successful: int
    sent: int
    running: bool

    @property
    def rate(self) -> float | None:
        return self.successful / self.sent if self.sent else None


def bucket(data: ChartData, columns: int) -> tuple[list[Column], int]:
    """The periods grouped so they fit ``columns``; also how many periods one column holds."""
    count = len(data.labels)
    size = max(1, math.ceil(count / max(1, columns)))
    grouped: list[Column] = []
    for start in range(0, count, size):
        span = range(start, min(count, start + size))
        grouped.append(
            Column(
                label=data.labels[start],
                parts=tuple(sum(series.values[i] for i in span) for series in data.stacks),
                successful=sum(data.rate_parts[i][0] for i in span),
                sent=sum(data.rate_parts[i][1] for i in span),
                running=data.running is not None and data.running in span,
            )
        )
    return grouped, size


def _cell(
    row: int, bounds: Sequence[int], styles: Sequence[str]
) -> tuple[str, str | None, str | None]:
    """(character, foreground style, background style) of one cell of a bar.

    ``bounds`` are the stack's cumulative tops in eighths; the cell covers eighths
    ``[8*row, 8*row+8)``.
    """
    low, high = 8 * row, 8 * row + 8
    below = None  # the series filling the cell's bottom
    above = None  # the topmost series reaching into the cell above ``below``'s top
    below_top = low
    previous = 0
    for top, style in zip(bounds, styles, strict=True):
        if top > low and previous < high and top > previous:
            if below is None:
                below, below_top = style, min(top, high)
            else:
                above = style
        previous = top
    if below is None:
        return " ", None, None
    filled = below_top - low
    if filled >= 8 or (above is not None and filled <= 0):
        return "█", above if filled <= 0 else below, None
    return EIGHTHS[filled], below, above


def chart_lines(
    data: ChartData, width: int, height: int, known: Mapping[str, str]
) -> list[Content]:
    """The chart as ``height`` lines of ``width`` cells (``known``: the theme's variables)."""
    if width < 20 or height < 4:
        return [Content("(too small for the chart)")]
    styles = [colour_of(series.name, known) for series in data.stacks]
    plot_height = height - 2  # the x labels, then the legend
    right = 5 if data.show_rate else 0  # "├100%"
    # The y labels' width depends on the peak, which depends on how many periods a column
    # sums, which depends on the width left: widen the labels until they hold the peak.
    left = 1
    while True:
        plot_width = width - left - 1 - right
        columns, size = bucket(data, plot_width)
        peak = max((sum(column.parts) for column in columns), default=0)
        if len(f"{peak:,}") <= left:
            break
        left = len(f"{peak:,}")
    cell_width = max(1, min(6, plot_width // max(1, len(columns))))
    bar_width = cell_width - 1 if cell_width >= 2 else 1
    scale = peak or 1
    eighths = plot_height * 8
    stacks = []
    for column in columns:
        running_total = 0
        bounds = []
        for value in column.parts:
            running_total += value
            bounds.append(round(running_total / scale * eighths))
        stacks.append(bounds)
    rate_rows = [
        None if column.rate is None else round(column.rate * (plot_height - 1))
        for column in columns
    ]
    labelled = {plot_height - 1: f"{peak:,}", 0: "0"}
    if plot_height >= 5 and peak >= plot_height:
        middle = (plot_height - 1) // 2
        labelled[middle] = f"{round((middle + 1) / plot_height * peak):,}"  # the row's top
    rate_labels = {plot_height - 1: "100%", 0: "  0%"}
    if plot_height >= 5 and (plot_height - 1) % 2 == 0:
        rate_labels[(plot_height - 1) // 2] = " 50%"

    lines: list[Content] = []
    for row in range(plot_height - 1, -1, -1):
        text = labelled.get(row, "")
        parts: list[tuple[str, str] | str] = [
            (f"{text:>{left}}" + ("┤" if text else "│"), "$text-muted")
        ]
        for index, bounds in enumerate(stacks):
            char, fore, back = _cell(row, bounds, styles)
            on_rate = data.show_rate and rate_rows[index] == row
            for x in range(cell_width):
                in_bar = x < bar_width
                if on_rate:
                    # The line crosses the bar in the colour that fills most of the cell.
                    fill = fore if char == "█" else back
                    style = RATE_STYLE + (f" on {fill}" if fill and in_bar else "")
                    parts.append(("━", style))
                elif in_bar and fore is not None:
                    parts.append((char, fore + (f" on {back}" if back else "")))
                else:
                    parts.append(" ")
        used = left + 1 + cell_width * len(columns)
        parts.append(" " * max(0, width - right - used))
        if data.show_rate:
            rate_text = rate_labels.get(row, "")
            parts.append((("├" if rate_text else "│") + f"{rate_text:>4}", "$text-muted"))
        lines.append(Content.assemble(*parts))
    lines.append(_x_axis(columns, left, cell_width))
    lines.append(_legend(data, styles, size).truncate(width))
    return lines


def _x_axis(columns: Sequence[Column], left: int, cell_width: int) -> Content:
    """Period labels where they fit, and the running period's mark."""
    cells = [" "] * (cell_width * len(columns))
    marks: set[int] = set()
    free_from = 0
    for index, column in enumerate(columns):
        start = index * cell_width
        if column.running:
            cells[start] = RUNNING_MARK
            marks.add(start)
            free_from = max(free_from, start + 1)
            continue
        if start >= free_from and start + len(column.label) <= len(cells):
            for offset, char in enumerate(column.label):
                cells[start + offset] = char
            free_from = start + len(column.label) + 1
    parts: list[tuple[str, str] | str] = [" " * (left + 1)]
    for position, char in enumerate(cells):
        parts.append((char, "bold $accent") if position in marks else (char, "$text-muted"))
    return Content.assemble(*parts).rstrip()


def _legend(data: ChartData, styles: Sequence[str], size: int) -> Content:
    """What each colour is, top of the stack first; the bucket size when bars hold several."""
    items: list[Content] = [
        Content.assemble(("■ ", style), series.label)
        for series, style in zip(reversed(data.stacks), reversed(styles), strict=True)
    ]
    if data.show_rate:
        items.append(Content.assemble(("━ ", RATE_STYLE), "delivery rate"))
    if data.running is not None:
        items.append(Content.assemble((f"{RUNNING_MARK} ", "bold $accent"), "running"))
    if size > 1:
        items.append(Content.styled(f"one bar: {size} {data.unit}s", "$text-muted"))
    return Content("  ").join(items)


class ReportChart(Widget):
    """Draws ``ChartData`` at the widget's size; ``data = ...`` redraws it."""

    DEFAULT_CSS = """
    ReportChart { height: 10; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: ChartData | None = None

    def show(self, data: ChartData | None) -> None:
        self.data = data
        self.refresh()

    def render(self) -> Content:
        if self.data is None:
            return Content("")
        size = self.content_region.size
        lines = chart_lines(self.data, size.width, size.height, self.app.theme_variables)
        return Content("\n").join(lines)
