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

from kootui.core.store.migrations.autoincrement import add_autoincrement, drop_autoincrement

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None

# Every table whose ids are named outside the store: a message (VERP return path, tracking
# token, API), its events (a webhook's delivery id), a task and a template (API clients).
_REBUILT = ("template", "task", "message", "message_event")


def upgrade() -> None:
    add_autoincrement(revision, _REBUILT)


def downgrade() -> None:
    drop_autoincrement(revision, _REBUILT)
