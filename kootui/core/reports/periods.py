"""Periods in the workspace's time zone over statistics stored by UTC hour.

Every boundary is an instant: an hour is a UTC hour (shown in local time, so the two
01:00 hours of an autumn night carry different offsets), a day runs from one local
midnight to the next (23 or 25 hours across a daylight-saving change) and a month from
its first local midnight. A UTC hour belongs to the period its start falls in; in a zone
whose offset is not whole hours (Asia/Kolkata) a day therefore starts at the first UTC
hour after its midnight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kootui.core.errors import ValidationError
from kootui.core.reports.model import ReportType

HOUR = timedelta(hours=1)


def range_bound(text: str, field: str) -> date | datetime:
    """A range's end as a person types it: a day (YYYY-MM-DD) or a workspace-local time
    (YYYY-MM-DD HH:MM, seconds dropped); ``field`` names the input when it is neither."""
    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).replace(second=0, microsecond=0)
    except ValueError:
        raise ValidationError(
            f"{value[:40]!r} is not a day (YYYY-MM-DD) or a time (YYYY-MM-DD HH:MM)",
            field=field,
            code="report.bad_range",
        ) from None


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a local day starts. A midnight skipped by a daylight-saving
    change resolves to the change itself, which is when that day begins."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def period_start(report_type: ReportType, instant: datetime, zone: ZoneInfo) -> datetime:
    """The UTC start of the period holding ``instant``."""
    instant = instant.astimezone(UTC)
    if report_type is ReportType.HOURLY:
        return instant.replace(minute=0, second=0, microsecond=0)
    local_day = instant.astimezone(zone).date()
    if report_type is ReportType.MONTHLY:
        local_day = local_day.replace(day=1)
    start = local_midnight(local_day, zone)
    if start > instant:  # only where a skipped midnight resolved later than the instant
        start = local_midnight(local_day - timedelta(days=1), zone)
    return start


def next_period(report_type: ReportType, start: datetime, zone: ZoneInfo) -> datetime:
    """The UTC start of the period after the one starting at ``start``."""
    if report_type is ReportType.HOURLY:
        return start + HOUR
    local_day = start.astimezone(zone).date()
    if report_type is ReportType.DAILY:
        return local_midnight(local_day + timedelta(days=1), zone)
    if local_day.month == 12:
        return local_midnight(date(local_day.year + 1, 1, 1), zone)
    return local_midnight(date(local_day.year, local_day.month + 1, 1), zone)


def as_instant(value: date | datetime, zone: ZoneInfo, *, end: bool) -> datetime:
    """A query bound as a UTC instant: a date is its whole local day (an end, its last
    microsecond); a naive datetime is local wall-clock time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    if end:
        return local_midnight(value + timedelta(days=1), zone) - timedelta(microseconds=1)
    return local_midnight(value, zone)


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def checked_range(
    start: date | datetime, end: date | datetime, zone: ZoneInfo, now: datetime
) -> tuple[datetime, datetime]:
    """The range as UTC instants, refused when it ends before it starts or starts more
    than one year back (the seeds' limit)."""
    first = as_instant(start, zone, end=False)
    last = as_instant(end, zone, end=True)
    if last < first:
        raise ValidationError(
            "the range ends before it starts; give an end on or after the start",
            field="end",
            code="report.range_reversed",
        )
    earliest = one_year_before(now.astimezone(zone).date())
    if first < local_midnight(earliest, zone):
        raise ValidationError(
            f"a report reaches at most one year back: the earliest start is {earliest}",
            field="start",
            code="report.range_too_old",
        )
    return first, last


def period_starts(
    report_type: ReportType, first: datetime, last: datetime, zone: ZoneInfo
) -> list[datetime]:
    """The UTC starts of the periods from the one holding ``first`` to the one holding
    ``last``, in order."""
    starts: list[datetime] = []
    current = period_start(report_type, first, zone)
    while current <= last:
        starts.append(current)
        current = next_period(report_type, current, zone)
    return starts


def standard_range(report_type: ReportType, today: date) -> tuple[date, date]:
    """The range a report opens with: today by the hour, the last 7 days by the day, the
    last 12 months (this one included) by the month."""
    if report_type is ReportType.HOURLY:
        return today, today
    if report_type is ReportType.DAILY:
        return today - timedelta(days=6), today
    month = today.month - 11
    year = today.year if month >= 1 else today.year - 1
    return date(year, month if month >= 1 else month + 12, 1), today
