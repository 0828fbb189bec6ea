"""The suppression list says where each address came from: message and note

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 18:40:00

A suppressed address now keeps the message that unsubscribed or bounced (nullable:
an address added by hand or imported has none, and a deleted task takes its messages
with it) and a note for addresses added by hand. The list is read newest first, so
created_at gets an index. Existing rows are carried forward: no message, an empty note.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suppression") as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("note", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.create_index("ix_suppression_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("suppression") as batch_op:
        batch_op.drop_index("ix_suppression_created_at")
        batch_op.drop_column("note")
        batch_op.drop_column("message_id")
