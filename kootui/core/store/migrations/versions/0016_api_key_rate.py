"""API keys' token buckets shared by every server process

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-05 21:30:00

A key's rate limit was a bucket per server process, so N processes let a key through N
times its rate. ``api_key_rate`` holds one bucket per key in the store; processes take
tokens from it in grants of a tenth of a second's worth (``core/apikeys/rate.py``).
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key_rate",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_key_id"),
    )


def downgrade() -> None:
    op.drop_table("api_key_rate")
