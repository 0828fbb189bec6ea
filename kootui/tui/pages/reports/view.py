"""What the Statistics Report page shows, computed from the core's values (no widgets here).

The range the page asks for is whole days (hourly and daily reports) or whole months,
held as dates in the workspace's time zone; the core turns them into periods. Moving
the range keeps its length; the range never ends after the running period.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kootui.core.reports import (
    EmptyReason,
    Measure,
    Report,
    ReportFilters,
    ReportQuery,
    ReportRow,
    ReportType,
    standard_range,
)
from kootui.tui.pages.reports.chart_data import ChartData, ChartSeries

TYPE_ORDER = (ReportType.HOURLY, ReportType.DAILY, ReportType.MONTHLY)
TYPE_UNIT = {ReportType.HOURLY: "hour", ReportType.DAILY: "day", ReportType.MONTHLY: "month"}
# The parts of "sent" the chart stacks by default (sent itself is the bar's height).
STACKED_BY_DEFAULT = ("delivered", "failed", "rejected", "to_send")
NOT_STACKED = frozenset({"sent"})  # the total of the parts: stacking it would count twice


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: date, end: date) -> int:
    """How many calendar months the range touches (March to May: 3)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass(frozen=True)
class ReportRange:
    """The dates the page asks for: ``start`` to ``end``, both included."""

    type: ReportType
    start: date
    end: date

    @property
    def span(self) -> int:
        """The range's length in days (hourly, daily) or months (monthly)."""
        if self.type is ReportType.MONTHLY:
            return months_between(self.start, self.end)
        return (self.end - self.start).days + 1

    def query(self, filters: ReportFilters) -> ReportQuery:
        return ReportQuery(self.type, self.start, self.end, filters)

    def describe(self) -> str:
        """ "Daily · Tue 17 – Mon 23 Nov 2026 (7 days)": the year once when both ends share it."""
        if self.type is ReportType.MONTHLY:
            first_format, last_format, noun = "%b %Y", "%b %Y", "month"
            if self.start.year == self.end.year:
                first_format = "%b"
        else:
            first_format, last_format, noun = "%a %d %b %Y", "%a %d %b %Y", "day"
            if self.start.year == self.end.year:
                first_format = "%a %d %b"
        first, last = self.start.strftime(first_format), self.end.strftime(last_format)
        dates = last if self.start == self.end else f"{first} – {last}"
        count = self.span
        return (
            f"{self.type.value.capitalize()} · {dates} ({count} {noun}{'' if count == 1 else 's'})"
        )


def latest_range(report_type: ReportType, today: date, span: int | None = None) -> ReportRange:
    """The range of ``span`` days or months that ends with the running period; without a
    span, the one every face opens with (``standard_range``: today, 7 days, 12 months)."""
    if span is None:
        start, end = standard_range(report_type, today)
        return ReportRange(report_type, start, end)
    if report_type is ReportType.MONTHLY:
        return ReportRange(report_type, add_months(today.replace(day=1), 1 - span), today)
    return ReportRange(report_type, today - timedelta(days=span - 1), today)


def moved(current: ReportRange, steps: int, today: date) -> ReportRange | None:
    """The range ``steps`` lengths earlier (negative) or later; None past the running period."""
    span = current.span
    if current.type is ReportType.MONTHLY:
        start = add_months(current.start.replace(day=1), steps * span)
        if start > today:
            return None
        last_day = add_months(start, span - 1)
        end = last_day.replace(day=calendar.monthrange(last_day.year, last_day.month)[1])
    else:
        start = current.start + timedelta(days=steps * span)
        if start > today:
            return None
        end = start + timedelta(days=span - 1)
    if end >= today:
        return latest_range(current.type, today, span)
    return ReportRange(current.type, start, end)


def retyped(current: ReportRange, report_type: ReportType, today: date) -> ReportRange:
    """The next type's default range, ending where the current range ends."""
    fresh = latest_range(report_type, today)
    if current.end >= today:
        return fresh
    shift = (today - current.end).days
    start = fresh.start - timedelta(days=shift)
    if report_type is ReportType.MONTHLY:
        start = start.replace(day=1)
    return ReportRange(report_type, start, current.end)


def parse_day(text: str) -> date:
    """A typed date: YYYY-MM-DD, or YYYY-MM (the month's first day)."""
    value = text.strip()
    try:
        if len(value) == 7:
            return datetime.strptime(value, "%Y-%m").date()
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date such as 2026-11-23") from None


def chart_label(report_type: ReportType, start: datetime) -> str:
    if report_type is ReportType.HOURLY:
        return start.strftime("%H")
    if report_type is ReportType.DAILY:
        return start.strftime("%d")
    return start.strftime("%b")


def row_labels(report: Report) -> list[str]:
    """The table's Time column, short enough for 80 columns (the title line gives the
    year); an hour that repeats (the night clocks go back) shows its UTC offset."""
    kind = report.query.type
    if kind is ReportType.MONTHLY:
        return [row.start.strftime("%b %Y") for row in report.rows]
    if kind is ReportType.DAILY:
        return [row.start.strftime("%a %d %b") for row in report.rows]
    plain = [row.start.strftime("%d %b %H:%M") for row in report.rows]
    repeated = {label for label, n in Counter(plain).items() if n > 1}
    return [
        f"{label} {row.start.strftime('%z')}" if label in repeated else label
        for label, row in zip(plain, report.rows, strict=True)
    ]


def stackable(measures: Iterable[Measure]) -> list[Measure]:
    return [measure for measure in measures if measure.name not in NOT_STACKED]


def chart_data(report: Report, shown: frozenset[str], *, show_rate: bool) -> ChartData:
    """The chart of a report: the shown measures stacked, the rate line, the running mark."""
    stacks = [
        ChartSeries(
            measure.name,
            measure.label.lower(),
            [row.value(measure.name) for row in report.rows],
        )
        for measure in stackable(report.measures)
        if measure.name in shown
    ]
    return ChartData(
        labels=[chart_label(report.query.type, row.start) for row in report.rows],
        stacks=stacks,
        rate_parts=[(row.value("delivered"), row.value("sent")) for row in report.rows],
        show_rate=show_rate,
        running=next((i for i, row in enumerate(report.rows) if row.running), None),
        unit=TYPE_UNIT[report.query.type],
    )


def rate_text(row: ReportRow) -> str:
    """Two decimals and a percent sign; a dash where nothing was sent."""
    return "–" if row.delivery_rate is None else f"{row.delivery_rate:.2f}%"


def table_rows(report: Report) -> list[tuple[str, list[str], str, bool]]:
    """(time, figures in the measures' order, rate, running) per period."""
    labels = row_labels(report)
    return [
        (label, [f"{row.value(m.name):,}" for m in report.measures], rate_text(row), row.running)
        for label, row in zip(labels, report.rows, strict=True)
    ]


def totals_row(report: Report) -> tuple[list[str], str]:
    totals = report.totals
    return [f"{totals.value(m.name):,}" for m in report.measures], rate_text(totals)


def empty_text(report: Report, filtered: bool, keys: Mapping[str, str]) -> str:
    """What to say when the report has no figures ("" when it has some)."""
    if report.empty_reason is EmptyReason.NO_SENDING:
        return (
            "Nothing has been sent from this workspace yet. Create a sending task in Sending "
            f"Tasks ({keys['go-tasks']}); its figures appear here hour by hour as messages go out."
        )
    if report.empty_reason is EmptyReason.NO_FIGURES:
        where = " with these filters" if filtered else ""
        return (
            f"No figures in this range{where}. {keys['reports-earlier']} goes to the range "
            f"before, {keys['reports-range']} picks another range"
            + (f", {keys['reports-filters']} changes the filters." if filtered else ".")
        )
    return ""


def deleted_tasks_note(names: Sequence[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
    noun = "task" if len(names) == 1 else "tasks"
    return f"Deleted {noun} {shown}: figures kept as history, shown by name."
