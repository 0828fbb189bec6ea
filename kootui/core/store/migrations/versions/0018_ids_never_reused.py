"""Message, event, task and template ids are never reused (SQLite AUTOINCREMENT)

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-05 21:55:00

SQLite gives a new row the highest id + 1, so once a task and its messages are deleted the
next task and messages take their ids again. A message is named by its row id from outside
(the VERP return path, tracking tokens, the API's message ids a client stored): a late
bounce for a deleted message would then bounce and suppress another recipient. With
AUTOINCREMENT SQLite keeps the highest id it ever gave in ``sqlite_sequence`` and never goes
below it; PostgreSQL's sequences already never go back.

SQLite cannot add AUTOINCREMENT to a table, so each table is rebuilt by SQLite's own recipe:
the new table from the old one's stored CREATE statement with the key changed, the rows
copied, the old table dropped, the new one renamed, the indexes made again from their stored
statements in their order (the expression index of 0003 too; alembic's batch mode would
lose it and shuffle the others). ``env.py`` turns foreign keys off around the upgrade, else
dropping the old table would delete its children. Ids deleted before this revision are not
known and may be given once more.
"""

import re

from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None

# Every table whose ids are named outside the store: a message (VERP return path, tracking
# token, API), its events (a webhook's delivery id), a task and a template (API clients).
_REBUILT = ("template", "task", "message", "message_event")

_AUTO_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
_INLINE_KEY = "id INTEGER NOT NULL PRIMARY KEY, "  # as this revision's downgrade leaves it
_PLAIN_KEY = re.compile(r"\bid INTEGER NOT NULL, ")  # as create_table made it, with:
_KEY_CONSTRAINT = re.compile(r"\bPRIMARY KEY \(id\), \s*")
_CREATE = re.compile(r'^CREATE TABLE "?(\w+)"? \(')


def _substitute(pattern: re.Pattern[str], replacement: str, sql: str, table: str) -> str:
    changed, count = pattern.subn(replacement, sql)
    if count != 1:
        raise RuntimeError(f"revision 0018 does not recognise the table {table}: {sql[:200]!r}")
    return changed


def _rebuild(table: str, new_definition: str) -> None:
    bind = op.get_bind()
    indexes = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL ORDER BY rowid",
            (table,),
        )
    ]
    staging = f"_0018_{table}"
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


def _with_autoincrement(sql: str, table: str) -> str:
    if re.search(rf"\b{re.escape(_INLINE_KEY)}", sql):
        return _substitute(re.compile(rf"\b{re.escape(_INLINE_KEY)}"), _AUTO_KEY, sql, table)
    sql = _substitute(_KEY_CONSTRAINT, "", sql, table)
    return _substitute(_PLAIN_KEY, _AUTO_KEY, sql, table)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in _REBUILT:
        sql = _definition(table)
        if "AUTOINCREMENT" not in sql:
            _rebuild(table, _with_autoincrement(sql, table))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in _REBUILT:
        automatic = re.compile(rf"\b{re.escape(_AUTO_KEY)}")
        _rebuild(table, _substitute(automatic, _INLINE_KEY, _definition(table), table))
    op.get_bind().exec_driver_sql(
        "DELETE FROM sqlite_sequence WHERE name IN ({})".format(
            ", ".join(f"'{table}'" for table in _REBUILT)
        )
    )
