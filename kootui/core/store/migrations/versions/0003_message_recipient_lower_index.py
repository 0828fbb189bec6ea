"""Find a message by its recipient's whole address, in any case, through an index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:00:00

The Sending Details search by a whole address ("what happened to my mail to
Ann@Example.com?") matches lower(recipient) exactly, which this index answers over
a million rows at once. It replaces the plain index on recipient, which no query
used, so inserting a task's messages costs no more than before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_message_recipient", table_name="message")
    op.create_index("ix_message_recipient_lower", "message", [sa.text("lower(recipient)")])


def downgrade() -> None:
    op.drop_index("ix_message_recipient_lower", table_name="message")
    op.create_index("ix_message_recipient", "message", ["recipient"])
