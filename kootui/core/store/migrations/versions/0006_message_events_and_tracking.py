"""Message events (unsubscribed, opened, clicked, ...) and the open/click tracking switches

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 18:45:00

``message_event`` records what happened to a sent message after it left, in the same
transaction as the change it records (the unsubscription's suppression row, ...), so the
reports and the next session's webhook outbox read one history. The kind is a string
from the code's registry, never a database enum. ``once_kind`` holds the kind of events
that happen at most once per message (NULL for repeating ones), so the unique index on
(message_id, once_kind) makes a second unsubscription a no-op whatever the race.

``template.track_opens_clicks`` (off by default) and ``task.track_opens_clicks`` (NULL
follows the template) switch the open pixel and click redirects on.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("once_kind", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("link_index", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_message_event_message_kind", "message_event", ["message_id", "kind"], unique=False
    )
    op.create_index("ix_message_event_occurred_at", "message_event", ["occurred_at"], unique=False)
    op.create_index(
        "ux_message_event_once", "message_event", ["message_id", "once_kind"], unique=True
    )
    # Plain ALTER TABLE ADD COLUMN (a batch would rebuild the tables on SQLite for nothing).
    op.add_column(
        "template",
        sa.Column("track_opens_clicks", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("task", sa.Column("track_opens_clicks", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35+): a batch would rebuild template, which task's
    # foreign key refuses while foreign_keys is on.
    op.drop_column("task", "track_opens_clicks")
    op.drop_column("template", "track_opens_clicks")
    op.drop_index("ux_message_event_once", table_name="message_event")
    op.drop_index("ix_message_event_occurred_at", table_name="message_event")
    op.drop_index("ix_message_event_message_kind", table_name="message_event")
    op.drop_table("message_event")
