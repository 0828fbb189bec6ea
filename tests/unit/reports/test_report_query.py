"""The Statistics Report's query against hand-computed figures, on SQLite and PostgreSQL:
time zone edges, daylight-saving days, month ends, the one-year limit, filters, the
running period, empty states. The fixed clock is 2026-11-23 15:30 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.reports import (
    EmptyReason,
    ReportFilters,
    ReportQuery,
    ReportType,
    period_label,
    present_measures,
    statistics_report,
)
from kootui.core.workspace import update_workspace
from tests.support.report_seed import Figures, add_figures

HOURLY, DAILY, MONTHLY = ReportType.HOURLY, ReportType.DAILY, ReportType.MONTHLY


def _utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _every_hour(first: datetime, last: datetime, **figures: int) -> list[Figures]:
    hours = int((last - first) / timedelta(hours=1)) + 1
    return [Figures(first + timedelta(hours=n), **figures) for n in range(hours)]


@pytest.fixture
def berlin(any_context: Context) -> Context:
    update_workspace(any_context, time_zone="Europe/Berlin")
    return any_context


def test_the_spring_forward_day_in_berlin_has_23_hours(berlin: Context) -> None:
    # One delivered message every UTC hour around 2026-03-29 (CET -> CEST at 01:00 UTC).
    add_figures(berlin, _every_hour(_utc(2026, 3, 28, 20), _utc(2026, 3, 30, 1), delivered=1))
    report = statistics_report(berlin, ReportQuery(DAILY, date(2026, 3, 28), date(2026, 3, 30)))
    # 28 March ends at 23:00 UTC (3 hours seeded), 30 March starts at 22:00 UTC (4 hours).
    assert [row.value("sent") for row in report.rows] == [3, 23, 4]
    day = report.rows[1]
    assert day.start.isoformat() == "2026-03-29T00:00:00+01:00"
    assert day.end.isoformat() == "2026-03-30T00:00:00+02:00"
    assert day.duration == timedelta(hours=23)
    assert report.label(day) == "2026-03-29"
    assert report.time_zone == "Europe/Berlin"


def test_the_fall_back_day_in_berlin_has_25_hours_each_shown_with_its_offset(
    berlin: Context,
) -> None:
    add_figures(berlin, _every_hour(_utc(2026, 10, 24, 20), _utc(2026, 10, 26, 1), delivered=2))
    daily = statistics_report(berlin, ReportQuery(DAILY, date(2026, 10, 25), date(2026, 10, 25)))
    [day] = daily.rows
    assert day.value("sent") == 50
    assert day.duration == timedelta(hours=25)
    hourly = statistics_report(berlin, ReportQuery(HOURLY, date(2026, 10, 25), date(2026, 10, 25)))
    labels = [hourly.label(row) for row in hourly.rows]
    assert len(labels) == 25
    assert labels[:5] == [
        "2026-10-25 00:00 +02:00",
        "2026-10-25 01:00 +02:00",
        "2026-10-25 02:00 +02:00",
        "2026-10-25 02:00 +01:00",
        "2026-10-25 03:00 +01:00",
    ]
    assert all(row.value("sent") == 2 for row in hourly.rows)


def test_a_local_midnight_decides_the_day_and_the_month(berlin: Context) -> None:
    # 22:00 UTC on 31 January is 23:00 in Berlin (January); 23:00 UTC is 1 February.
    add_figures(
        berlin,
        [
            Figures(_utc(2026, 1, 31, 22), delivered=3),
            Figures(_utc(2026, 1, 31, 23), delivered=5, rejected=1),
            Figures(_utc(2026, 2, 28, 22), failed=7),  # 23:00 on the last day of February
            Figures(_utc(2026, 2, 28, 23), to_send=11),  # 1 March, 00:00
        ],
    )
    monthly = statistics_report(berlin, ReportQuery(MONTHLY, date(2026, 1, 1), date(2026, 3, 31)))
    assert [monthly.label(row) for row in monthly.rows] == ["2026-01", "2026-02", "2026-03"]
    sending = ("sent", "delivered", "failed", "to_send", "rejected")
    assert [{name: row.value(name) for name in sending} for row in monthly.rows] == [
        {"sent": 3, "delivered": 3, "failed": 0, "to_send": 0, "rejected": 0},
        {"sent": 13, "delivered": 5, "failed": 7, "to_send": 0, "rejected": 1},
        {"sent": 11, "delivered": 0, "failed": 0, "to_send": 11, "rejected": 0},
    ]
    assert monthly.rows[1].start.isoformat() == "2026-02-01T00:00:00+01:00"
    assert monthly.rows[2].end.isoformat() == "2026-04-01T00:00:00+02:00"  # after the change
    assert dict(monthly.totals.values)["sent"] == 27
    daily = statistics_report(berlin, ReportQuery(DAILY, date(2026, 1, 31), date(2026, 2, 1)))
    assert [row.value("sent") for row in daily.rows] == [3, 6]


def test_the_same_hours_in_utc_fall_on_other_days(any_context: Context) -> None:
    update_workspace(any_context, time_zone="UTC")
    add_figures(any_context, [Figures(_utc(2026, 1, 31, 22), delivered=3)])
    add_figures(any_context, [Figures(_utc(2026, 1, 31, 23), delivered=5)])
    report = statistics_report(
        any_context, ReportQuery(MONTHLY, date(2026, 1, 1), date(2026, 2, 1))
    )
    assert [row.value("sent") for row in report.rows] == [8, 0]


def test_a_half_hour_zone_counts_an_hour_in_the_day_its_start_falls_in(
    any_context: Context,
) -> None:
    update_workspace(any_context, time_zone="Asia/Kolkata")  # UTC+05:30
    # 18:00 UTC is 23:30 on 1 June; 19:00 UTC is 00:30 on 2 June.
    add_figures(
        any_context,
        [Figures(_utc(2026, 6, 1, 18), delivered=1), Figures(_utc(2026, 6, 1, 19), delivered=2)],
    )
    report = statistics_report(any_context, ReportQuery(DAILY, date(2026, 6, 1), date(2026, 6, 2)))
    assert [row.value("sent") for row in report.rows] == [1, 2]
    hourly = statistics_report(any_context, ReportQuery(HOURLY, date(2026, 6, 1), date(2026, 6, 1)))
    assert hourly.label(hourly.rows[-1]) == "2026-06-01 23:30 +05:30"


def test_a_range_starting_more_than_a_year_back_is_refused_naming_the_start(
    any_context: Context,
) -> None:
    update_workspace(any_context, time_zone="UTC")
    with pytest.raises(ValidationError) as refused:
        statistics_report(any_context, ReportQuery(DAILY, date(2025, 11, 22), date(2025, 12, 1)))
    assert refused.value.field == "start"
    assert refused.value.code == "report.range_too_old"
    assert "2025-11-23" in refused.value.message
    report = statistics_report(
        any_context, ReportQuery(DAILY, date(2025, 11, 23), date(2025, 11, 23))
    )
    assert len(report.rows) == 1


def test_a_range_ending_before_it_starts_is_refused_naming_the_end(any_context: Context) -> None:
    with pytest.raises(ValidationError) as refused:
        statistics_report(any_context, ReportQuery(DAILY, date(2026, 11, 20), date(2026, 11, 19)))
    assert refused.value.field == "end"


def test_the_current_period_is_running_and_later_ones_are_left_out(berlin: Context) -> None:
    # Now is 2026-11-23 15:30 UTC, 16:30 in Berlin.
    add_figures(berlin, [Figures(_utc(2026, 11, 23, 15), delivered=4, to_send=1)])
    hourly = statistics_report(berlin, ReportQuery(HOURLY, date(2026, 11, 23), date(2026, 11, 24)))
    assert hourly.label(hourly.rows[-1]) == "2026-11-23 16:00 +01:00"
    assert [row.running for row in hourly.rows[-2:]] == [False, True]
    assert hourly.rows[-1].value("to_send") == 1
    assert hourly.totals.running
    monthly = statistics_report(berlin, ReportQuery(MONTHLY, date(2026, 10, 1), date(2026, 11, 30)))
    assert [row.running for row in monthly.rows] == [False, True]
    earlier = statistics_report(berlin, ReportQuery(DAILY, date(2026, 11, 1), date(2026, 11, 2)))
    assert not any(row.running for row in earlier.rows) and not earlier.totals.running


def test_a_datetime_range_gives_the_hours_from_the_one_holding_its_start(berlin: Context) -> None:
    add_figures(berlin, _every_hour(_utc(2026, 11, 23, 8), _utc(2026, 11, 23, 12), delivered=1))
    report = statistics_report(
        berlin,
        ReportQuery(HOURLY, datetime(2026, 11, 23, 10, 15), datetime(2026, 11, 23, 12, 0)),
    )
    assert [period_label(HOURLY, row.start) for row in report.rows] == [
        "2026-11-23 10:00 +01:00",
        "2026-11-23 11:00 +01:00",
        "2026-11-23 12:00 +01:00",
    ]
    assert [row.value("sent") for row in report.rows] == [1, 1, 1]  # 09, 10, 11 UTC


def test_filters_pick_the_rows_of_their_dimensions(any_context: Context) -> None:
    update_workspace(any_context, time_zone="UTC")
    hour = _utc(2026, 11, 20, 9)
    add_figures(
        any_context,
        [
            Figures(hour, delivered=2, failed=1, task_id=1, domain_id=1, address_id=1),
            Figures(hour, delivered=5, task_id=2, domain_id=1, address_id=2, template_id=2),
            Figures(hour, rejected=3, task_id=3, domain_id=2, address_id=3, send_method="cli"),
            Figures(
                hour,
                delivered=1,
                task_id=0,
                domain_id=0,
                address_id=0,
                template_id=0,
                send_method="",
            ),
        ],
    )

    def sent(filters: ReportFilters) -> int:
        day = date(2026, 11, 20)
        report = statistics_report(any_context, ReportQuery(DAILY, day, day, filters))
        return report.totals.value("sent")

    assert sent(ReportFilters()) == 12  # the unknown (carried forward) row: only unfiltered
    assert sent(ReportFilters(domain_ids=(1,))) == 8
    assert sent(ReportFilters(domain_ids=(1, 2))) == 11
    assert sent(ReportFilters(address_ids=(2,))) == 5
    assert sent(ReportFilters(template_ids=(1,))) == 6
    assert sent(ReportFilters(task_ids=(3,))) == 3
    assert sent(ReportFilters(send_methods=("cli",))) == 3
    both = ReportFilters(send_methods=("console",), domain_ids=(1,), template_ids=(2,))
    assert sent(both) == 5
    assert sent(ReportFilters(task_ids=(99,))) == 0
    with pytest.raises(ValidationError) as refused:
        sent(ReportFilters(send_methods=("fax",)))
    assert refused.value.field == "send_method"


def test_the_delivery_rate_is_successful_over_sent_with_two_decimals(any_context: Context) -> None:
    update_workspace(any_context, time_zone="UTC")
    add_figures(
        any_context,
        [
            Figures(_utc(2026, 11, 20, 9), delivered=2, rejected=1),
            Figures(_utc(2026, 11, 20, 11), delivered=1, failed=6),
        ],
    )
    report = statistics_report(
        any_context, ReportQuery(HOURLY, date(2026, 11, 20), date(2026, 11, 20))
    )
    rates = {row.start.hour: row.delivery_rate for row in report.rows}
    assert rates[9] == Decimal("66.67")
    assert rates[10] is None  # nothing sent: a dash, not 0 %
    assert rates[11] == Decimal("14.29")
    assert report.totals.delivery_rate == Decimal("30.00")
    assert len(report.rows) == 24


def test_empty_reports_say_why(any_context: Context) -> None:
    query = ReportQuery(DAILY, date(2026, 11, 1), date(2026, 11, 2))
    assert statistics_report(any_context, query).empty_reason is EmptyReason.NO_SENDING
    add_figures(any_context, [Figures(_utc(2026, 11, 10, 9), delivered=1)])
    report = statistics_report(any_context, query)
    assert report.empty_reason is EmptyReason.NO_FIGURES
    assert [row.value("sent") for row in report.rows] == [0, 0]
    found = statistics_report(
        any_context, ReportQuery(DAILY, date(2026, 11, 10), date(2026, 11, 10))
    )
    assert found.empty_reason is None


def test_the_measures_come_from_the_registry_in_its_order(any_context: Context) -> None:
    names = [measure.name for measure in present_measures()]
    assert names == [
        "sent", "delivered", "failed", "to_send", "rejected",
        "bounced", "complained", "unsubscribed", "opened", "clicked",
    ]  # fmt: skip
    labels = [measure.label for measure in present_measures()]
    assert labels == [
        "Sent", "Successful", "Failed", "To send", "Rejected",
        "Bounced", "Complained", "Unsubscribed", "Opened (unique)", "Clicked (unique)",
    ]  # fmt: skip
