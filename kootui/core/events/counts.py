"""Reading events: counts per hour and kind (optionally per message, so a report can join
the message's task, template, sender and domain), and one message's summary for Sending
Details."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, and_, func, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.events.kinds import CLICKED, OPENED, UNSUBSCRIBED
from kootui.core.store import MessageEvent

_HOUR_TEXT = "%Y-%m-%d %H"


@dataclass(frozen=True)
class EventCount:
    hour: datetime  # aware UTC, the start of the hour
    kind: str
    message_id: int | None  # None unless counted by message
    count: int


def _hour_of(dialect_name: str) -> ColumnElement[object]:
    occurred = MessageEvent.__table__.c.occurred_at
    if dialect_name == "postgresql":
        return func.date_trunc("hour", occurred)
    # SQLite stores UTCDateTime as "YYYY-MM-DD HH:MM:SS.ffffff": the hour is its first 13.
    return func.substr(occurred, 1, 13)


def event_counts_statement(
    dialect_name: str,
    start: datetime,
    end: datetime,
    *,
    kinds: Collection[str] = (),
    by_message: bool = False,
) -> Select[*tuple[object, ...]]:
    """SELECT hour, kind[, message_id when ``by_message``], count over
    ``start <= occurred_at < end``: a statement a report may wrap and join to ``message`` on
    ``message_id``. ``hour`` is a timestamp on PostgreSQL and "YYYY-MM-DD HH" text on SQLite;
    ``hourly_event_counts`` turns both into aware datetimes."""
    table = MessageEvent.__table__
    grouping: list[ColumnElement[object]] = [_hour_of(dialect_name).label("hour"), table.c.kind]
    if by_message:
        grouping.append(table.c.message_id)
    conditions = [table.c.occurred_at >= start, table.c.occurred_at < end]
    if kinds:
        conditions.append(table.c.kind.in_(sorted(kinds)))
    return (
        select(*grouping, func.count().label("count"))
        .where(and_(*conditions))
        .group_by(*grouping)
        .order_by(*grouping)
    )


def _as_hour(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.strptime(str(value), _HOUR_TEXT).replace(tzinfo=UTC)


def _as_int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected a count or an id, got {value!r}")
    return value


@requires(Act.REPORT_READ)
def hourly_event_counts(
    context: Context,
    start: datetime,
    end: datetime,
    *,
    kinds: Collection[str] = (),
    by_message: bool = False,
) -> list[EventCount]:
    """Events per hour and kind (and per message when asked) in ``[start, end)``."""
    engine = context.store.engine
    statement = event_counts_statement(
        engine.dialect.name, start, end, kinds=kinds, by_message=by_message
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return [
        EventCount(
            hour=_as_hour(row[0]),
            kind=str(row[1]),
            message_id=_as_int(row[2]) if by_message else None,
            count=_as_int(row[-1]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class LinkClicks:
    link_index: int
    clicks: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class MessageEngagement:
    """What happened to one message after it was sent, for its detail view."""

    unsubscribed_at: datetime | None = None
    opens: int = 0
    first_opened_at: datetime | None = None
    last_opened_at: datetime | None = None
    links: tuple[LinkClicks, ...] = ()

    @property
    def clicks(self) -> int:
        return sum(link.clicks for link in self.links)


@requires(Act.MESSAGE_READ)
def message_engagement(context: Context, message_id: int) -> MessageEngagement:
    table = MessageEvent.__table__
    statement = (
        select(
            table.c.kind,
            table.c.link_index,
            func.count(),
            func.min(table.c.occurred_at),
            func.max(table.c.occurred_at),
        )
        .where(table.c.message_id == message_id)
        .where(table.c.kind.in_([UNSUBSCRIBED.name, OPENED.name, CLICKED.name]))
        .group_by(table.c.kind, table.c.link_index)
        .order_by(table.c.kind, table.c.link_index)
    )
    with context.store.session() as session:
        rows = session.connection().execute(statement).all()
    unsubscribed_at: datetime | None = None
    opens, first_open, last_open = 0, None, None
    links: list[LinkClicks] = []
    for kind, link_index, count, first, last in rows:
        if kind == UNSUBSCRIBED.name:
            unsubscribed_at = first
        elif kind == OPENED.name:
            opens, first_open, last_open = opens + count, first, last
        elif link_index is not None:
            links.append(LinkClicks(link_index, count, first, last))
    return MessageEngagement(unsubscribed_at, opens, first_open, last_open, tuple(links))
