"""What the report page computes from the core's values, without an app: ranges moved by
their own length and never past the running period, the type switched, the table's time
labels on the night the clocks go back, the chart's stacks, the empty-state texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kootui.core.reports import (
    MEASURES,
    EmptyReason,
    Report,
    ReportQuery,
    ReportRow,
    ReportType,
)
from kootui.tui.pages.reports.view import (
    ReportRange,
    chart_data,
    empty_text,
    latest_range,
    moved,
    parse_day,
    retyped,
    row_labels,
    table_rows,
)

TODAY = date(2026, 11, 23)
BERLIN = ZoneInfo("Europe/Berlin")
KEYS = {"go-tasks": "g s", "reports-earlier": "[", "reports-range": "r", "reports-filters": "f"}


def report_of(starts: list[datetime], kind: ReportType = ReportType.HOURLY, **kw) -> Report:
    rows = tuple(
        ReportRow(start, start + timedelta(hours=1), {"sent": 2, "delivered": 1}, Decimal("50"))
        for start in starts
    )
    totals = ReportRow(starts[0], starts[-1], {"sent": 2 * len(starts)}, Decimal("50"))
    query = ReportQuery(kind, starts[0].date(), starts[-1].date())
    return Report(query, rows, totals, MEASURES, "Europe/Berlin", **kw)


def test_ranges_move_by_their_length_and_stop_at_the_running_period():
    week = latest_range(ReportType.DAILY, TODAY)
    assert (week.start, week.end, week.span) == (date(2026, 11, 17), TODAY, 7)
    before = moved(week, -1, TODAY)
    assert before == ReportRange(ReportType.DAILY, date(2026, 11, 10), date(2026, 11, 16))
    assert moved(before, 1, TODAY) == week
    assert moved(week, 1, TODAY) is None
    year = latest_range(ReportType.MONTHLY, TODAY)
    assert (year.start, year.span) == (date(2025, 12, 1), 12)
    quarter = ReportRange(ReportType.MONTHLY, date(2026, 3, 1), date(2026, 5, 31))
    assert moved(quarter, 1, TODAY) == ReportRange(
        ReportType.MONTHLY, date(2026, 6, 1), date(2026, 8, 31)
    )
    assert moved(quarter, -1, TODAY) == ReportRange(
        ReportType.MONTHLY, date(2025, 12, 1), date(2026, 2, 28)
    )


def test_switching_the_type_keeps_where_the_range_ends():
    earlier = ReportRange(ReportType.DAILY, date(2026, 11, 10), date(2026, 11, 16))
    hourly = retyped(earlier, ReportType.HOURLY, TODAY)
    assert (hourly.start, hourly.end) == (date(2026, 11, 16), date(2026, 11, 16))
    latest = latest_range(ReportType.DAILY, TODAY)
    assert retyped(latest, ReportType.MONTHLY, TODAY) == latest_range(ReportType.MONTHLY, TODAY)


def test_the_repeated_hour_of_the_autumn_night_shows_its_offset():
    # 25 Oct 2026 in Berlin: 02:00 +02:00, then 02:00 +01:00.
    first = datetime(2026, 10, 25, 0, tzinfo=UTC)  # 02:00 CEST
    starts = [(first + timedelta(hours=n)).astimezone(BERLIN) for n in range(3)]
    labels = row_labels(report_of(starts))
    assert labels == ["25 Oct 02:00 +0200", "25 Oct 02:00 +0100", "25 Oct 03:00"]


def test_table_rows_and_chart_follow_the_measures_registry():
    starts = [datetime(2026, 11, 23, h, tzinfo=UTC) for h in (14, 15)]
    report = report_of(starts)
    label, figures, rate, running = table_rows(report)[0]
    assert (label, figures, rate, running) == (
        "23 Nov 14:00",
        ["2", "1", "0", "0", "0", *["0"] * 5],  # then bounced ... clicked
        "50.00%",
        False,
    )
    data = chart_data(report, frozenset({"delivered", "failed"}), show_rate=False)
    assert [series.name for series in data.stacks] == ["delivered", "failed"]
    assert data.rate_parts == [(1, 2), (1, 2)] and data.labels == ["14", "15"]


def test_empty_states_say_what_to_do():
    starts = [datetime(2026, 11, 23, 14, tzinfo=UTC)]
    never = report_of(starts, empty_reason=EmptyReason.NO_SENDING)
    assert "Sending Tasks (g s)" in empty_text(never, False, KEYS)
    quiet = report_of(starts, empty_reason=EmptyReason.NO_FIGURES)
    assert empty_text(quiet, True, KEYS).startswith("No figures in this range with these filters")
    assert empty_text(report_of(starts), False, KEYS) == ""


def test_typed_dates():
    assert parse_day(" 2026-11-05 ") == date(2026, 11, 5)
    assert parse_day("2026-11") == date(2026, 11, 1)
    with pytest.raises(ValueError, match="a date such as 2026-11-23"):
        parse_day("5.11.2026")
