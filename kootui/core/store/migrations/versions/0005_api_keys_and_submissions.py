"""API keys, submission channels and contents, idempotency records

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 18:45:00

The tables of ``kootui serve``: API keys (only the SHA-256 of the secret), the task
each kind of submitted message rides on (one per sender, template, subject and
attachments, not one per request), the template made from a submission's own content,
and the first answer to a request sent with an ``Idempotency-Key``.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("reveal_recipients", sa.Boolean(), nullable=False),
        sa.Column("rate_per_second", sa.Float(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_table(
        "submission_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_key"),
        sa.UniqueConstraint("task_id"),
    )
    op.create_table(
        "submission_content",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["template.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_hash"),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_key_id", "key"),
    )
    op.create_index(
        "ix_idempotency_record_expires_at", "idempotency_record", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_record_expires_at", table_name="idempotency_record")
    op.drop_table("idempotency_record")
    op.drop_table("submission_content")
    op.drop_table("submission_channel")
    op.drop_table("api_key")
