"""message_header table and the Sending Details indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00

The header block of each message as last sent, and the indexes the details page
filters walk over a million rows: (status, created_at), (task_id, created_at),
received_at for the sort, and unsubscribe_token for the unsubscribe lookup.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_header",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("composed_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id"),
    )
    # Plain CREATE INDEX on both stores: batch mode would copy the million-row table on
    # SQLite for nothing, since adding an index needs no table rebuild.
    op.create_index("ix_message_status_created", "message", ["status", "created_at"])
    op.create_index("ix_message_task_created", "message", ["task_id", "created_at"])
    op.create_index("ix_message_received_at", "message", ["received_at"])
    op.create_index("ix_message_unsubscribe_token", "message", ["unsubscribe_token"])


def downgrade() -> None:
    op.drop_index("ix_message_unsubscribe_token", table_name="message")
    op.drop_index("ix_message_received_at", table_name="message")
    op.drop_index("ix_message_task_created", table_name="message")
    op.drop_index("ix_message_status_created", table_name="message")
    op.drop_table("message_header")
