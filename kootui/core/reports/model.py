"""The Statistics Report's values: what is asked (type, range, filters) and what comes
back (one row per period, a totals row, the measures present, the time zone).

Every face (the page, the Overview chart, ``kootui report``, the exports) reads these
and nothing else, so a measure added to the registry reaches them all unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class ReportType(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    MONTHLY = "monthly"


class EmptyReason(StrEnum):
    """Why a report has no figures, so a face can say what to do next."""

    NO_SENDING = "no_sending"  # nothing was ever sent in this workspace
    NO_FIGURES = "no_figures"  # figures exist, but none in this range and filter


@dataclass(frozen=True)
class Measure:
    """One counted figure: ``name`` is its column in the statistics table."""

    name: str
    label: str
    order: int
    description: str = ""


# The registry. A measure is a column of the statistics table plus an entry here; the
# report reads the entries whose column it finds, so the query and the faces stay as they
# are. Sent and its outcomes count in the hour of a message's first attempt; the measures
# from 60 on are counted by the message's events (core/events) in the event's hour, so a
# period's Opened is not a share of its Sent. A bounce does not take back Successful (the
# relay did accept the message): Bounced is shown beside it.
MEASURES: tuple[Measure, ...] = (
    Measure("sent", "Sent", 10, "messages whose first attempt fell in the period"),
    Measure("delivered", "Successful", 20, "of those, accepted by the receiving server"),
    Measure("failed", "Failed", 30, "of those, given up or cancelled after an attempt"),
    Measure("to_send", "To send", 40, "of those, still waiting for a retry or being sent"),
    Measure("rejected", "Rejected", 50, "of those, refused by the receiving server"),
    Measure("bounced", "Bounced", 60, "messages that bounced back after being accepted"),
    Measure("complained", "Complained", 70, "messages their recipient reported as spam"),
    Measure("unsubscribed", "Unsubscribed", 80, "messages whose recipient unsubscribed"),
    Measure("opened", "Opened (unique)", 90, "messages opened for the first time"),
    Measure("clicked", "Clicked (unique)", 100, "messages with a link followed the first time"),
)
DELIVERY_RATE_LABEL = "Delivery rate"


@dataclass(frozen=True)
class ReportFilters:
    """The advanced search. An empty tuple means "any"; several values mean "any of"."""

    domain_ids: tuple[int, ...] = ()
    address_ids: tuple[int, ...] = ()
    template_ids: tuple[int, ...] = ()
    task_ids: tuple[int, ...] = ()
    send_methods: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return any(
            (
                self.domain_ids,
                self.address_ids,
                self.template_ids,
                self.task_ids,
                self.send_methods,
            )
        )


@dataclass(frozen=True)
class ReportQuery:
    """A report of ``type`` over the periods from the one holding ``start`` to the one
    holding ``end``, both in the workspace's time zone.

    A ``date`` means its whole day (``end`` included); a naive ``datetime`` is
    workspace-local wall-clock time, an aware one any instant."""

    type: ReportType
    start: date | datetime
    end: date | datetime
    filters: ReportFilters = field(default_factory=ReportFilters)


@dataclass(frozen=True)
class ReportRow:
    """One period (or the totals, where ``start``/``end`` are the whole range's).

    ``start`` and ``end`` are aware datetimes in the workspace's zone, ``end``
    exclusive: a daily row of a daylight-saving day spans 23 or 25 hours."""

    start: datetime
    end: datetime
    values: Mapping[str, int]
    delivery_rate: Decimal | None  # percent of sent that succeeded, two decimals
    running: bool = False  # the period holds the current time: its figures still move

    def value(self, name: str) -> int:
        return self.values.get(name, 0)

    @property
    def duration(self) -> timedelta:
        """The period's real length. (``end - start`` of two times in one zone is their
        wall-clock difference in Python: 24 hours for a 23-hour day.)"""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


@dataclass(frozen=True)
class Report:
    query: ReportQuery
    rows: tuple[ReportRow, ...]
    totals: ReportRow
    measures: tuple[Measure, ...]
    time_zone: str
    empty_reason: EmptyReason | None = None
    # Pay-per-use units charged in the range (beyond every package; counted when a message
    # was first handed to a transport). None when a filter other than the sender domain is
    # set: a charge knows its domain only, and a deleted task's charges stay billed.
    billable: int | None = None

    def label(self, row: ReportRow) -> str:
        return period_label(self.query.type, row.start)


def billable_text(billable: int | None) -> str:
    """The report's billable line, the same words in every face."""
    if billable is None:
        return "Billable (pay-per-use): not split by task, address, template or send method"
    return f"Billable (pay-per-use): {billable:,} emails"


def period_label(report_type: ReportType, start: datetime) -> str:
    """How a period is named: ``2026-03-29 02:00 +02:00`` (an hour's offset tells the two
    01:00 hours of an autumn night apart), ``2026-03-29``, ``2026-03``."""
    if report_type is ReportType.HOURLY:
        offset = start.strftime("%z")
        return start.strftime("%Y-%m-%d %H:%M ") + f"{offset[:3]}:{offset[3:]}"
    if report_type is ReportType.DAILY:
        return start.strftime("%Y-%m-%d")
    return start.strftime("%Y-%m")


@dataclass(frozen=True)
class Choice:
    """One value a filter picker can offer; ``deleted`` marks history-only values."""

    value: int | str
    label: str
    deleted: bool = False


@dataclass(frozen=True)
class ReportChoices:
    domains: tuple[Choice, ...]
    addresses: tuple[Choice, ...]
    templates: tuple[Choice, ...]
    tasks: tuple[Choice, ...]
    send_methods: tuple[Choice, ...]
