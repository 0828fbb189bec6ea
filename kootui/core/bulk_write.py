"""executemany straight to the driver, for the writes that scale with the messages.

SQLAlchemy's per-row parameter handling (type processing, key lookups, compiled
parameter construction) costs tens of microseconds a row; on the engine's hot path
(attempts, status updates, header blocks) and in task expansion that was a third
or more of the work. Here each value is still made by its column type's own bind
processor, so what is stored is exactly what SQLAlchemy would store, but a value
shared by many rows (a time, a status, a task id) is processed once, and the rows
go to the driver as plain tuples in the caller's transaction.

Only table columns and bound values reach the SQL text: column names come from the
table object, never from input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def placeholder(connection: Connection) -> str:
    """The driver's positional placeholder: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def stored_values(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` (one value per column, in order) as the driver should receive them."""
    dialect = connection.dialect
    by_column: list[list[Any]] = []
    for index, name in enumerate(columns):
        process = table.c[name].type._cached_bind_processor(dialect)
        values = [row[index] for row in rows]
        if process is not None:
            memo: dict[Any, Any] = {}
            values = [
                process(value)
                if value is None or isinstance(value, dict | list)
                else memo[value]
                if value in memo
                else memo.setdefault(value, process(value))
                for value in values
            ]
        by_column.append(values)
    return list(zip(*by_column, strict=True))


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    on_conflict: str = "",
) -> None:
    """INSERT the rows; ``on_conflict`` is an ``ON CONFLICT ...`` clause built by the caller
    from column names (SQLite and PostgreSQL both accept the same syntax)."""
    if not rows:
        return
    mark = placeholder(connection)
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)}) {on_conflict}"
    )
    connection.exec_driver_sql(statement, stored_values(connection, table, columns, rows))


def update_rows(
    connection: Connection,
    table: Table,
    set_columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str = "id",
) -> None:
    """UPDATE each row by ``key``: a row is the new values of ``set_columns``, then its key."""
    if not rows:
        return
    mark = placeholder(connection)
    assignments = ", ".join(f"{name} = {mark}" for name in set_columns)
    statement = f"UPDATE {table.name} SET {assignments} WHERE {key} = {mark}"
    values = stored_values(connection, table, [*set_columns, key], rows)
    connection.exec_driver_sql(statement, values)
