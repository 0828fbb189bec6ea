"""Giving SQLite tables AUTOINCREMENT keys, for the revisions that do (0018, 0020).

SQLite gives a new row the highest id + 1, so once the newest rows are deleted the next
rows take their ids again. With AUTOINCREMENT it keeps the highest id it ever gave in
``sqlite_sequence`` and never goes below it; PostgreSQL's sequences already never go back.

SQLite cannot add AUTOINCREMENT to a table, so each table is rebuilt by SQLite's own recipe:
the new table from the old one's stored CREATE statement with the key changed, the rows
copied, the old table dropped, the new one renamed, the indexes made again from their stored
statements in their order (expression indexes too; alembic's batch mode would lose them and
shuffle the others). ``env.py`` turns foreign keys off around the upgrade, else dropping
the old table would delete its children. Ids deleted before the revision are not known and
may be given once more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from alembic import op

_AUTO_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
_INLINE_KEY = "id INTEGER NOT NULL PRIMARY KEY, "  # as a downgrade leaves it
_PLAIN_KEY = re.compile(r"\bid INTEGER NOT NULL, ")  # as create_table made it, with:
_KEY_CONSTRAINT = re.compile(r"\bPRIMARY KEY \(id\), \s*")
_CREATE = re.compile(r'^CREATE TABLE "?(\w+)"? \(')


def add_autoincrement(revision: str, tables: Sequence[str]) -> None:
    """The upgrade: each of ``tables`` rebuilt with an AUTOINCREMENT key (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in tables:
        sql = _definition(table)
        if "AUTOINCREMENT" not in sql:
            _rebuild(revision, table, _with_autoincrement(revision, sql, table))


def drop_autoincrement(revision: str, tables: Sequence[str]) -> None:
    """The downgrade: the tables' keys plain again, their sequences forgotten."""
    if op.get_bind().dialect.name != "sqlite":
        return
    automatic = re.compile(rf"\b{re.escape(_AUTO_KEY)}")
    for table in tables:
        changed = _substitute(revision, automatic, _INLINE_KEY, _definition(table), table)
        _rebuild(revision, table, changed)
    op.get_bind().exec_driver_sql(
        "DELETE FROM sqlite_sequence WHERE name IN ({})".format(
            ", ".join(f"'{table}'" for table in tables)
        )
    )


def _substitute(
    revision: str, pattern: re.Pattern[str], replacement: str, sql: str, table: str
) -> str:
    changed, count = pattern.subn(replacement, sql)
    if count != 1:
        raise RuntimeError(
            f"revision {revision} does not recognise the table {table}: {sql[:200]!r}"
        )
    return changed


def _rebuild(revision: str, table: str, new_definition: str) -> None:
    bind = op.get_bind()
    indexes = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL ORDER BY rowid",
            (table,),
        )
    ]
    staging = f"_{revision}_{table}"
    bind.exec_driver_sql(_CREATE.sub(f"CREATE TABLE {staging} (", new_definition, count=1))
    bind.exec_driver_sql(f"INSERT INTO {staging} SELECT * FROM {table}")
    bind.exec_driver_sql(f"DROP TABLE {table}")
    bind.exec_driver_sql(f"ALTER TABLE {staging} RENAME TO {table}")
    for index in indexes:
        bind.exec_driver_sql(index)


def _definition(table: str) -> str:
    sql = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        .scalar()
    )
    return str(sql)


def _with_autoincrement(revision: str, sql: str, table: str) -> str:
    inline = re.compile(rf"\b{re.escape(_INLINE_KEY)}")
    if inline.search(sql):
        return _substitute(revision, inline, _AUTO_KEY, sql, table)
    sql = _substitute(revision, _KEY_CONSTRAINT, "", sql, table)
    return _substitute(revision, _PLAIN_KEY, _AUTO_KEY, sql, table)
