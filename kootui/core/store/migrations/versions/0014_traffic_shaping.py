"""Traffic shaping: destination rules and their domains, the adaptive state of destinations
that throttled, the workspace rate set live

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-05 21:30:00

``destination_rule`` limits a destination group (its domains in ``destination_domain``,
DNS form, one rule a domain) or, ``is_default``, each recipient domain no rule names:
a rate for the whole workspace (0: none) and a cap on relay sessions at once (0: none).
``destination_state`` holds a destination the engines slowed after it throttled
(``421``, ``4.7.x``, a burst of deferrals): its rate now, the rate it recovers to, why
and since when. ``sending_rate`` (one row) overrides ``sending.rate`` once a console or
``kootui destination set workspace`` sets it. New tables only: nothing to carry over.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destination_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("max_connections", sa.Integer(), nullable=False),
        sa.Column("created_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "destination_domain",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["rule_id"], ["destination_rule.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("domain"),
    )
    op.create_index(
        op.f("ix_destination_domain_rule_id"), "destination_domain", ["rule_id"], unique=False
    )
    op.create_table(
        "destination_state",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=253), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("ceiling", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("since", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("changed_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sending_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("updated_at", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("sending_rate")
    op.drop_table("destination_state")
    op.drop_index(op.f("ix_destination_domain_rule_id"), table_name="destination_domain")
    op.drop_table("destination_domain")
    op.drop_table("destination_rule")
