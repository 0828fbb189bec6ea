"""Writing an event inside the caller's transaction.

An event is part of the change it records (the unsubscription's suppression row, ...),
so it is written on the caller's connection and commits or rolls back with it, and so is
the statistic it moves (``measures.count_event_measure``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.events.kinds import EventKind
from kootui.core.events.measures import count_event_measure
from kootui.core.store import MessageEvent
from kootui.core.webhooks import (
    EVENT_OF_KIND,
    MessageNews,
    subscribers,
    write_message_events,
)

MAX_DETAIL_CHARS = 500


def record_event(
    connection: Connection,
    message_id: int,
    kind: EventKind,
    when: datetime,
    *,
    link_index: int | None = None,
    detail: str = "",
) -> bool:
    """Write one event and add it to its measure; False when a once-per-message kind was
    already recorded for it (the unique index decides, so two racing requests still write
    one row and count one).

    A repeating kind counted once per message (``first_only``: unique opens, clicks) holds
    its name in ``once_kind`` on the message's first event only: the same unique index
    decides which event is the first, whatever the race, and the later ones are written
    with NULL and counted nowhere."""
    values = {
        "message_id": message_id,
        "kind": kind.name,
        "once_kind": None,
        "occurred_at": when,
        "link_index": link_index,
        "detail": detail[:MAX_DETAIL_CHARS],
    }
    measure = kind.measure
    first_only = kind.once_per_message or (measure is not None and measure.first_only)
    if first_only:
        first = _insert(connection, {**values, "once_kind": kind.name})
        if not first:
            if kind.once_per_message:
                return False
            _insert(connection, values)
    else:
        first = _insert(connection, values)
    if first and measure is not None:
        count_event_measure(connection, message_id, measure.column, when)
    _queue_webhooks(connection, message_id, kind, when, link_index, detail, first=first)
    return True


def _queue_webhooks(
    connection: Connection,
    message_id: int,
    kind: EventKind,
    when: datetime,
    link_index: int | None,
    detail: str,
    *,
    first: bool,
) -> None:
    """The event's webhook, in the same transaction (nothing when no endpoint wants it)."""
    event = EVENT_OF_KIND.get(kind.name)
    if event is None or not subscribers(connection, event):
        return
    data: dict[str, object] = {"event": kind.name, "occurred_at": when.isoformat()}
    if kind.name == "soft_bounced":
        data["source"] = "bounce"
    if link_index is not None:
        data["link_index"] = link_index
    if not kind.once_per_message:
        data["first"] = first
    if detail:
        data["detail"] = detail[:MAX_DETAIL_CHARS]
    write_message_events(connection, event, [MessageNews(message_id, data)], when)


def _insert(connection: Connection, values: dict[str, object]) -> bool:
    table = MessageEvent.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)
    # RETURNING, not rowcount: on PostgreSQL the driver's rowcount of this statement is not
    # the number of rows written. A skipped row returns nothing.
    return connection.execute(statement).first() is not None
