"""Access control: users, groups, policies, attachments, the sign-in switch, the audit log;
API keys and SMTP credentials get an owner user and a narrowing policy

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05 21:30:00

Existing keys and credentials keep ``owner_user_id`` NULL: they stay the owner's, with the
access they had. The four system policies are rows so they can be attached; their
statements are read from the code (``core.access``), the row's document is informative.
Sign-in starts off (``iam_state`` row 1), so nothing changes until ``kootui iam enable``.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

_SYSTEM_POLICIES = {
    "FullAccess": "Every action of kootui.",
    "ReadOnly": "Every read action: lists, details, reports; no change.",
    "Sender": "Sending tasks and API/SMTP sending, reading what a send needs.",
    "TemplateApprover": "Read templates, approve or reject them.",
}


def upgrade() -> None:
    op.create_table(
        "iam_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_sign_in_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "iam_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "iam_group_member",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["iam_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["iam_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )
    policy = op.create_table(
        "iam_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("system", sa.Boolean(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "iam_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["policy_id"], ["iam_policy.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["iam_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["iam_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_id", "user_id", "group_id"),
    )
    state = op.create_table(
        "iam_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("idle_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled_at", kootui.core.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("resource", sa.String(length=300), nullable=False),
        sa.Column("face", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_user_name_at", "audit_entry", ["user_name", "at"])
    for table in ("api_key", "smtp_credential"):
        # No foreign key to iam_user: users are never deleted, and one would rebuild the
        # table on SQLite.
        op.add_column(table, sa.Column("owner_user_id", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("narrowing_policy", sa.Text(), nullable=True))
    now = datetime(2026, 12, 5, 21, 30, tzinfo=UTC)
    op.bulk_insert(
        policy,
        [
            {
                "name": name,
                "description": description,
                "system": True,
                "document": "{}",
                "created_at": now,
                "updated_at": now,
            }
            for name, description in _SYSTEM_POLICIES.items()
        ],
    )
    op.bulk_insert(state, [{"id": 1, "enabled": False, "idle_minutes": 15, "enabled_at": None}])


def downgrade() -> None:
    for table in ("smtp_credential", "api_key"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("narrowing_policy")
            batch_op.drop_column("owner_user_id")
    op.drop_index("ix_audit_entry_user_name_at", table_name="audit_entry")
    op.drop_index("ix_audit_entry_at", table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("iam_state")
    op.drop_table("iam_attachment")
    op.drop_table("iam_policy")
    op.drop_table("iam_group_member")
    op.drop_table("iam_group")
    op.drop_table("iam_user")
