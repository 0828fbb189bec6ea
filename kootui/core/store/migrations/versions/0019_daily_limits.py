"""Daily message limits per user and per credential

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 22:40:00

``daily_limit`` holds a limit set on a user (``user/<id>``) or a credential (its public
prefix); ``daily_limit_use`` counts what each was accepted on a workspace day, moved in
the transaction that stores the message rows (``core/apikeys/daily_limits.py``).
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_limit",
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "daily_limit_use",
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "day"),
    )


def downgrade() -> None:
    op.drop_table("daily_limit_use")
    op.drop_table("daily_limit")
