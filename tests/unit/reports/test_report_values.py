"""The report's plain values: the ranges a report opens with, the delivery rate's
rounding, period labels, the CSV and JSON forms (no store needed)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kootui.core.errors import ValidationError
from kootui.core.reports import (
    Report,
    ReportQuery,
    ReportRow,
    ReportType,
    delivery_rate,
    export_report_csv,
    period_label,
    present_measures,
    report_data,
    standard_range,
)


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        (ReportType.HOURLY, date(2026, 3, 29), (date(2026, 3, 29), date(2026, 3, 29))),
        (ReportType.DAILY, date(2026, 3, 2), (date(2026, 2, 24), date(2026, 3, 2))),
        (ReportType.MONTHLY, date(2026, 11, 23), (date(2025, 12, 1), date(2026, 11, 23))),
        (ReportType.MONTHLY, date(2026, 1, 31), (date(2025, 2, 1), date(2026, 1, 31))),
    ],
)
def test_a_report_opens_on_today_the_last_week_or_the_last_twelve_months(
    kind: ReportType, today: date, expected: tuple[date, date]
) -> None:
    assert standard_range(kind, today) == expected


def test_the_delivery_rate_rounds_half_up_to_two_decimals() -> None:
    assert delivery_rate(1, 8) == Decimal("12.50")
    assert delivery_rate(1, 16) == Decimal("6.25")
    assert delivery_rate(1, 32) == Decimal("3.13")  # 3.125 rounds up
    assert delivery_rate(2, 3) == Decimal("66.67")
    assert delivery_rate(7, 7) == Decimal("100.00")
    assert delivery_rate(0, 5) == Decimal("0.00")
    assert delivery_rate(0, 0) is None


def test_hours_are_labelled_with_their_offset() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2026, 10, 25, 0, tzinfo=UTC).astimezone(berlin)
    second = datetime(2026, 10, 25, 1, tzinfo=UTC).astimezone(berlin)
    assert period_label(ReportType.HOURLY, first) == "2026-10-25 02:00 +02:00"
    assert period_label(ReportType.HOURLY, second) == "2026-10-25 02:00 +01:00"
    assert period_label(ReportType.DAILY, first) == "2026-10-25"
    assert period_label(ReportType.MONTHLY, first) == "2026-10"


def _report(time_zone: str) -> Report:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    end = datetime(2026, 11, 21, tzinfo=UTC)
    values = {"sent": 3, "delivered": 2, "failed": 0, "to_send": 0, "rejected": 1}
    row = ReportRow(start, end, values, delivery_rate(2, 3), running=True)
    query = ReportQuery(ReportType.DAILY, date(2026, 11, 20), date(2026, 11, 20))
    return Report(query, (row,), row, present_measures(), time_zone)


def test_the_csv_export_writes_the_table_and_wants_its_suffix(tmp_path: Path) -> None:
    target = export_report_csv(_report("Europe/Berlin"), tmp_path / "r.csv")
    with target.open(encoding="utf-8", newline="") as stream:
        header, row, total = list(csv.reader(stream))
    assert header[0] == "Time (Europe/Berlin)" and header[-2:] == ["Delivery rate", "Note"]
    # The event measures (none here) stand between the sending ones and the rate.
    assert row == ["2026-11-20", "3", "2", "0", "0", "1", *["0"] * 5, "66.67", "still running"]
    assert total[0] == "Total"
    with pytest.raises(ValidationError) as refused:
        export_report_csv(_report("UTC"), tmp_path / "r.xlsx")
    assert refused.value.field == "path"


def test_the_json_data_gives_times_with_offsets_and_the_rate_as_text() -> None:
    data = report_data(_report("UTC"))
    assert data["rows"][0]["start"] == "2026-11-20T00:00:00+00:00"
    assert data["rows"][0]["delivery_rate"] == "66.67" and data["rows"][0]["running"]
    assert data["measures"][1] == {"name": "delivered", "label": "Successful"}
