"""SMTP submission: the submitted bytes of each message, and SMTP credentials

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:40:00

``submitted_mime`` holds a message submitted over SMTP as the client sent it (less its Bcc
header), one row per message row, written in the intake's transaction with that row; the
engine sends these bytes (plus Message-ID and Date when missing, DKIM-signed) instead of
rendering the task's template. ``smtp_credential`` is a login for SMTP AUTH: only the
SHA-256 of its generated password is kept, like an API key.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submitted_mime",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_table(
        "smtp_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
        sa.UniqueConstraint("secret_hash"),
    )


def downgrade() -> None:
    op.drop_table("smtp_credential")
    op.drop_table("submitted_mime")
