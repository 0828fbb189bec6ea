"""Packages of emails, the unit each message used, and warm-up plans

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-05 21:10:00

``package`` is an allowance of emails for a period; ``message_charge`` holds the one unit
a message used when it was first handed to a transport (a package's, or pay-per-use when
``package_id`` is NULL), written in the claim's transaction with the package's ``used``.
``quota_settings`` (one row) says whether sending stops when every package is used up
and when the Overview warns. ``warmup_plan`` holds a sending domain's daily caps and the
use of the current day.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("valid_from", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("valid_until", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_package_valid_until", "package", ["valid_until"])
    op.create_table(
        "message_charge",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("charged_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_index("ix_message_charge_package", "message_charge", ["package_id", "charged_at"])
    op.create_index("ix_message_charge_at", "message_charge", ["charged_at"])
    op.create_table(
        "quota_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hard_stop", sa.Boolean(), nullable=False),
        sa.Column("warn_below", sa.Integer(), nullable=False),
        sa.Column("updated_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "warmup_plan",
        sa.Column("domain_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("caps", sa.JSON(), nullable=False),
        sa.Column("curve", sa.String(length=100), nullable=False),
        sa.Column("first_day", sa.String(length=10), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["sender_domain.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("domain_id"),
    )


def downgrade() -> None:
    op.drop_table("warmup_plan")
    op.drop_table("quota_settings")
    op.drop_index("ix_message_charge_at", table_name="message_charge")
    op.drop_index("ix_message_charge_package", table_name="message_charge")
    op.drop_table("message_charge")
    op.drop_index("ix_package_valid_until", table_name="package")
    op.drop_table("package")
