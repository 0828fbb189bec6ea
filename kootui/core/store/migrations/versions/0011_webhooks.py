"""Webhooks: endpoints, the outbox of events to deliver, the delivery log

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:20:00

``webhook_endpoint`` is where events are POSTed; its signing secret is derived from
``secret_salt`` and the deployment key in ``<keys>/webhook-key``, never stored.
``webhook_outbox`` holds one row per event and endpoint, written in the transaction of the
change it reports and claimed with a lease by the engines (the message table's design);
``webhook_delivery`` logs every attempt.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret_salt", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("failing_since", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.Column("disabled_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.Column("disabled_reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("finished_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_outbox_claim", "webhook_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_webhook_outbox_endpoint", "webhook_outbox", ["endpoint_id", "status"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoint.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["outbox_id"], ["webhook_outbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_delivery_endpoint", "webhook_delivery", ["endpoint_id", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_endpoint", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_outbox_endpoint", table_name="webhook_outbox")
    op.drop_index("ix_webhook_outbox_claim", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_table("webhook_endpoint")
