"""Bulk insert of a task's message rows, the one write that grows with the recipients.

100,000 recipients must expand in a few seconds. SQLite takes a multi-row executemany
well; PostgreSQL takes COPY several times faster than INSERT. Either way the rows go
in the caller's transaction, so a failure leaves no task and no rows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.exc import DBAPIError, ResourceClosedError

from kootui.core.clock import as_utc
from kootui.core.store import Message, insert_rows


def insert_messages(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert message rows in the caller's transaction: COPY on PostgreSQL (several
    times faster than a multi-row INSERT there), a driver-level executemany on SQLite."""
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        _sqlite_executemany(connection, rows)
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(Message.__table__), rows)
        return
    columns = list(rows[0])
    to_store = {name: _COPY_CONVERT.get(name, _as_is) for name in columns}
    driver = connection.connection.driver_connection
    if driver is None:  # only a closed or invalidated connection has no driver connection
        raise ResourceClosedError("the store connection closed before the messages were copied")
    statement = f"COPY message ({', '.join(columns)}) FROM STDIN"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([to_store[name](row[name]) for name in columns])
    except Exception as exc:  # the driver's own error: report it as SQLAlchemy would
        if isinstance(exc, DBAPIError) or not type(exc).__module__.startswith("psycopg"):
            raise
        raise DBAPIError(statement, None, exc) from exc


def _sqlite_executemany(connection: Connection, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    table = Message.__table__
    insert_rows(connection, table, columns, [[row[name] for name in columns] for row in rows])


def _as_is(value: Any) -> Any:
    return value


def _naive_utc(value: datetime) -> datetime:
    # The store keeps UTC without a zone (kootui.core.store.types.UTCDateTime); COPY bypasses it.
    return as_utc(value).replace(tzinfo=None)


_COPY_CONVERT: dict[str, Any] = {
    "params": lambda value: json.dumps(value, ensure_ascii=False),
    "next_attempt_at": _naive_utc,
    "created_at": _naive_utc,
}
