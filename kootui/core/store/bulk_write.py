"""executemany straight to the driver, for the writes that scale with the messages.

SQLAlchemy's per-row parameter handling (type processing, key lookups, compiled
parameter construction) costs tens of microseconds a row; on the engine's hot path
(attempts, status updates, header blocks) and in task expansion that was a third
or more of the work. Here each value is still made by its column type's own bind
processor, so what is stored is exactly what SQLAlchemy would store, but a value
shared by many rows (a time, a status, a task id) is processed once, and the rows
go to the driver as plain tuples in the caller's transaction.

On SQLite the rows go as multi-row statements (``VALUES (...), (...)``), a few
hundred rows each, instead of executemany: the driver lets go of the GIL around every
statement step, and an engine thread writing row by row waited for the GIL hundreds
of times per transaction while holding the database's write lock, which the other
engine processes then waited for.

Only table columns and bound values reach the SQL text: column names come from the
table object, never from input.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

_MAX_ROWS_PER_STATEMENT = 500
_SQLITE_MAX_VARIABLES = 32766  # SQLite 3.32 and newer; the driver is asked when it can tell


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
    one_row = f"({', '.join(mark for _ in columns)})"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    values = stored_values(connection, table, columns, rows)
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(f"{head}{one_row} {on_conflict}", values)
        return
    for chunk in _chunks(connection, values, len(columns)):
        statement = f"{head}{', '.join(one_row for _ in chunk)} {on_conflict}"
        connection.exec_driver_sql(statement, tuple(value for row in chunk for value in row))


def update_rows(
    connection: Connection,
    table: Table,
    set_columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str = "id",
) -> None:
    """UPDATE each row by ``key``: a row is the new values of ``set_columns``, then its key.
    Keys must be unique within ``rows``."""
    if not rows:
        return
    mark = placeholder(connection)
    values = stored_values(connection, table, [*set_columns, key], rows)
    if connection.dialect.name != "sqlite" or sqlite3.sqlite_version_info < (3, 33, 0):
        assignments = ", ".join(f"{name} = {mark}" for name in set_columns)
        statement = f"UPDATE {table.name} SET {assignments} WHERE {key} = {mark}"
        connection.exec_driver_sql(statement, values)
        return
    # UPDATE ... FROM (VALUES ...) (SQLite 3.33 and newer; older ones take the executemany
    # above): SQLite names the columns column1, column2, ...
    assignments = ", ".join(f"{name} = v.column{i}" for i, name in enumerate(set_columns, 1))
    width = len(set_columns) + 1
    one_row = f"({', '.join(mark for _ in range(width))})"
    for chunk in _chunks(connection, values, width):
        statement = (
            f"UPDATE {table.name} SET {assignments} "
            f"FROM (VALUES {', '.join(one_row for _ in chunk)}) AS v "
            f"WHERE {table.name}.{key} = v.column{width}"
        )
        connection.exec_driver_sql(statement, tuple(value for row in chunk for value in row))


def _chunks(
    connection: Connection, rows: list[tuple[Any, ...]], width: int
) -> list[list[tuple[Any, ...]]]:
    """``rows`` cut so that no statement has more variables than SQLite allows."""
    driver = connection.connection.dbapi_connection
    limit = _SQLITE_MAX_VARIABLES
    getlimit = getattr(driver, "getlimit", None)
    if getlimit is not None:
        limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(_MAX_ROWS_PER_STATEMENT, limit // width))
    return [rows[i : i + per_statement] for i in range(0, len(rows), per_statement)]
