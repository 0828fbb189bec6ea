"""Writing an event inside the caller's transaction.

An event is part of the change it records (the unsubscription's suppression row, ...),
so it is written on the caller's connection and commits or rolls back with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.events.kinds import EventKind
from kootui.core.store import MessageEvent

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
    """Write one event; False when a once-per-message kind was already recorded for it
    (the unique index decides, so two racing requests still write one row)."""
    values = {
        "message_id": message_id,
        "kind": kind.name,
        "once_kind": kind.name if kind.once_per_message else None,
        "occurred_at": when,
        "link_index": link_index,
        "detail": detail[:MAX_DETAIL_CHARS],
    }
    table = MessageEvent.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)
    # RETURNING, not rowcount: on PostgreSQL the driver's rowcount of this statement is not
    # the number of rows written. A skipped row returns nothing.
    return connection.execute(statement).first() is not None
