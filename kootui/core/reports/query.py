"""The one query behind the Statistics Report, the Overview chart and ``kootui report``.

The statistics table is summed per UTC hour over the range, with the filters as
``IN`` lists on its dimension columns (each has an index ending with the hour); the
hours are then gathered into the report's periods in the workspace's time zone. A
year of hours is at most 8,784 rows, so that step costs little whatever the filter.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import add
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Row, String, and_, func, select, type_coerce

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.packages import charge_table
from kootui.core.references import resolve_reference
from kootui.core.reports.model import (
    MEASURES,
    Choice,
    EmptyReason,
    Measure,
    Report,
    ReportChoices,
    ReportFilters,
    ReportQuery,
    ReportRow,
    ReportType,
)
from kootui.core.reports.periods import (
    checked_range,
    next_period,
    period_starts,
    standard_range,
)
from kootui.core.store import (
    HourlyStat,
    SenderAddress,
    SenderDomain,
    SendMethod,
    StatTask,
    Task,
    Template,
)
from kootui.core.workspace import get_workspace

stat_table = HourlyStat.__table__


def present_measures() -> tuple[Measure, ...]:
    """The registered measures the statistics table has a column for, in their order."""
    return tuple(sorted((m for m in MEASURES if m.name in stat_table.c), key=lambda m: m.order))


def delivery_rate(delivered: int, sent: int) -> Decimal | None:
    """Successful ÷ sent in percent, two decimals (half up); None when nothing was sent."""
    if sent <= 0:
        return None
    # Integer arithmetic: hundredths of a percent, rounded half up, as an exact Decimal.
    hundredths = (delivered * 20000 + sent) // (2 * sent)
    return Decimal(hundredths).scaleb(-2)


def _filter_clauses(filters: ReportFilters) -> list[ColumnElement[bool]]:
    unknown = sorted(set(filters.send_methods) - {method.value for method in SendMethod})
    if unknown:
        choices = ", ".join(method.value for method in SendMethod)
        raise ValidationError(
            f"unknown send method {unknown[0]!r}; choose from {choices}",
            field="send_method",
            code="report.send_method",
        )
    clauses: list[ColumnElement[bool]] = []
    for column, values in (
        ("domain_id", filters.domain_ids),
        ("address_id", filters.address_ids),
        ("template_id", filters.template_ids),
        ("task_id", filters.task_ids),
        ("send_method", filters.send_methods),
    ):
        if values:
            clauses.append(stat_table.c[column].in_(sorted(set(values))))
    return clauses


def hourly_sums(
    connection: Connection,
    first: datetime,
    stop: datetime,
    filters: ReportFilters,
    measures: Sequence[Measure],
) -> list[Row[Any]]:
    """(UTC hour as the driver gives it, the measures' sums...) for every hour in [first,
    stop) with a row: SQLite's fixed-width text or PostgreSQL's naive timestamp, both
    UTC. A year of hours is 8,784 rows, and the column type's conversion of each to an
    aware datetime cost more than the query; ``naive_utc`` is a C call."""
    c = stat_table.c
    statement = (
        select(
            type_coerce(c.hour, String()).label("hour"),
            *(func.sum(c[m.name]).label(m.name) for m in measures),
        )
        .where(and_(c.hour >= first, c.hour < stop, *_filter_clauses(filters)))
        .group_by(c.hour)
    )
    return list(connection.execute(statement).all())


def naive_utc(value: str | datetime) -> datetime:
    """A stored hour as a naive UTC datetime (SQLite stores ISO text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _rows(
    starts: list[datetime],
    stop: datetime,
    sums: list[list[int]],
    measures: Sequence[Measure],
    zone: ZoneInfo,
    now: datetime,
) -> tuple[ReportRow, ...]:
    names = [measure.name for measure in measures]
    delivered = names.index("delivered") if "delivered" in names else None
    sent = names.index("sent") if "sent" in names else None
    local = [start.astimezone(zone) for start in starts]
    local.append(stop.astimezone(zone))
    last = len(starts) - 1
    return tuple(
        ReportRow(
            start=local[index],
            end=local[index + 1],
            values=dict(zip(names, figures, strict=True)),
            delivery_rate=(
                None
                if sent is None or delivered is None
                else delivery_rate(figures[delivered], figures[sent])
            ),
            running=index == last and starts[index] <= now < stop,
        )
        for index, figures in enumerate(sums)
    )


def _anything_sent(connection: Connection) -> bool:
    c = stat_table.c
    probe = select(c.hour).where(c.sent > 0).limit(1)
    return connection.execute(probe).first() is not None


def _billable(
    connection: Connection, start: datetime, stop: datetime, filters: ReportFilters
) -> int | None:
    """Pay-per-use units charged from ``start`` to ``stop``, or None when a filter asks for
    a split the charge rows cannot give (they know the sender domain only)."""
    if filters.address_ids or filters.template_ids or filters.task_ids or filters.send_methods:
        return None
    c = charge_table.c
    statement = select(func.count()).where(
        c.package_id.is_(None),
        c.charged_at >= start.astimezone(UTC),
        c.charged_at < stop.astimezone(UTC),
    )
    if filters.domain_ids:
        statement = statement.where(c.domain_id.in_(filters.domain_ids))
    return int(connection.execute(statement).scalar_one())


@requires(Act.REPORT_READ)
def statistics_report(context: Context, query: ReportQuery) -> Report:
    """The figures of ``query``: one row per period, the totals, the measures present.

    Refused (``ValidationError`` naming ``start``, ``end`` or ``send_method``) when the
    range ends before it starts, starts more than one year back, or names an unknown
    send method. Periods after the current one are left out; the current one is
    ``running``."""
    time_zone = get_workspace(context).time_zone
    zone = ZoneInfo(time_zone)
    now = context.clock.now()
    report_type = ReportType(query.type)
    first, last = checked_range(query.start, query.end, zone, now)
    last = min(last, now)
    starts = period_starts(report_type, first, last, zone) if first <= last else []
    measures = present_measures()
    if not starts:
        stop = first
    else:
        stop = next_period(report_type, starts[-1], zone)
    width = len(measures)
    sums = [[0] * width for _ in starts]
    with context.store.engine.connect() as connection:
        hours = hourly_sums(connection, starts[0], stop, query.filters, measures) if starts else []
        anything_sent = bool(hours) or _anything_sent(connection)
        billable = _billable(connection, starts[0] if starts else first, stop, query.filters)
    keys = [start.replace(tzinfo=None) for start in starts]  # naive UTC, as naive_utc gives
    for row in hours:
        period = sums[bisect_right(keys, naive_utc(row[0])) - 1]
        period[:] = map(add, period, row[1:])
    rows = _rows(starts, stop, sums, measures, zone, now)
    grand = [sum(period[position] for period in sums) for position in range(width)]
    # The totals span the whole range: running while its last period is.
    [totals] = _rows([starts[0] if starts else first], stop, [grand], measures, zone, now)
    empty_reason = None
    if not anything_sent:
        empty_reason = EmptyReason.NO_SENDING
    elif not any(grand):
        empty_reason = EmptyReason.NO_FIGURES
    return Report(
        query=query,
        rows=rows,
        totals=totals,
        measures=measures,
        time_zone=time_zone,
        empty_reason=empty_reason,
        billable=billable,
    )


@requires(Act.REPORT_READ)
def report_choices(context: Context) -> ReportChoices:
    """What the filter pickers can offer: the sender domains, addresses and templates
    there are, every task (deleted ones by the name the statistics kept), the methods."""
    with context.store.engine.connect() as connection:
        d, a, t = SenderDomain.__table__, SenderAddress.__table__, Template.__table__
        task, kept = Task.__table__, StatTask.__table__
        domains = tuple(
            Choice(row.id, row.name)
            for row in connection.execute(select(d.c.id, d.c.name).order_by(d.c.name))
        )
        addresses = tuple(
            Choice(row.id, f"{row.local_part}@{row.name}")
            for row in connection.execute(
                select(a.c.id, a.c.local_part, d.c.name)
                .join_from(a, d, d.c.id == a.c.domain_id)
                .order_by(d.c.name, a.c.local_part)
            )
        )
        templates = tuple(
            Choice(row.id, row.title)
            for row in connection.execute(select(t.c.id, t.c.title).order_by(t.c.title, t.c.id))
        )
        live = [
            Choice(row.id, row.name) for row in connection.execute(select(task.c.id, task.c.name))
        ]
        live_ids = {choice.value for choice in live}
        deleted = [
            Choice(row.task_id, row.name, deleted=True)
            for row in connection.execute(select(kept.c.task_id, kept.c.name))
            if row.task_id not in live_ids
        ]
    tasks = tuple(
        sorted([*live, *deleted], key=lambda choice: (choice.label.lower(), str(choice.value)))
    )
    methods = tuple(Choice(method.value, method.value) for method in SendMethod)
    return ReportChoices(domains, addresses, templates, tasks, methods)


def _pick(choices: tuple[Choice, ...], reference: str, what: str, field: str) -> int | str:
    """An ID (digits, kept even when only history has it) or a choice's exact label."""

    def by_name(text: str) -> list[tuple[int, int | str]]:
        wanted = text.lower()
        return [
            (int(choice.value), choice.value)
            for choice in choices
            if choice.label.lower() == wanted
        ]

    return resolve_reference(
        reference,
        by_id=lambda number: number,
        by_name=by_name,
        what=what,
        field=field,
        listing="kootui report --choices",
    )


@requires(Act.REPORT_READ)
def resolve_filters(
    context: Context,
    *,
    domains: Sequence[str] = (),
    addresses: Sequence[str] = (),
    templates: Sequence[str] = (),
    tasks: Sequence[str] = (),
    send_methods: Sequence[str] = (),
) -> ReportFilters:
    """Filters from what a person types: each an ID or an exact name (a domain, an
    address like news@example.com, a template title, a task name, deleted tasks too)."""
    choices = report_choices(context)

    def ids(
        references: Sequence[str], among: tuple[Choice, ...], what: str, field: str
    ) -> tuple[int, ...]:
        return tuple(int(_pick(among, reference, what, field)) for reference in references)

    return ReportFilters(
        domain_ids=ids(domains, choices.domains, "sender domain", "domain"),
        address_ids=ids(addresses, choices.addresses, "sender address", "address"),
        template_ids=ids(templates, choices.templates, "template", "template"),
        task_ids=ids(tasks, choices.tasks, "task", "task"),
        send_methods=tuple(method.strip().lower() for method in send_methods),
    )


@requires(Act.REPORT_READ)
def workspace_today(context: Context) -> date:
    """Today's date in the workspace's time zone."""
    zone = ZoneInfo(get_workspace(context).time_zone)
    return context.clock.now().astimezone(zone).date()


@requires(Act.REPORT_READ)
def standard_query(
    context: Context, report_type: ReportType, filters: ReportFilters | None = None
) -> ReportQuery:
    """The query a report opens with (``standard_range``) in the workspace's today."""
    start, end = standard_range(report_type, workspace_today(context))
    return ReportQuery(report_type, start, end, filters or ReportFilters())
