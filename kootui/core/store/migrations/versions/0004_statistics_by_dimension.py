"""Statistics by hour and by sender domain, address, template, task and send method;
the workspace's time zone

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 18:40:00

The Statistics Report filters its figures by what sent them, so the hourly counters
gain those keys. The existing rows are carried forward: each hour is recomputed from
its message rows where they still exist, and what an old hour counted beyond them
(the messages of deleted tasks) stays under the "unknown" dimensions (id 0, method
""), so no hour's totals change. ``stat_task`` will keep the name of each task deleted
from now on, whose rows then move to a history id of their own.
"""

import sqlalchemy as sa
from alembic import op

import kootui.core.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MEASURES = ("sent", "delivered", "failed", "to_send", "rejected")
DIMENSIONS = ("task_id", "domain_id", "address_id", "template_id", "send_method")


def _hour_of(column: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"date_trunc('hour', {column})"
    # UTCDateTime's SQLite text: 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return f"substr({column}, 1, 13) || ':00:00.000000'"


def _create_statistics() -> None:
    op.create_table(
        "hourly_stat",
        sa.Column("hour", kootui.core.store.types.UTCDateTime(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("send_method", sa.String(length=16), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.PrimaryKeyConstraint("hour", *DIMENSIONS, name="pk_hourly_stat"),
    )
    # Covering indexes: the report reads a year of hours from the index alone.
    op.create_index("ix_hourly_stat_hour", "hourly_stat", ["hour", *MEASURES])
    for name, column in (
        ("domain", "domain_id"),
        ("address", "address_id"),
        ("template", "template_id"),
        ("task", "task_id"),
        ("method", "send_method"),
    ):
        op.create_index(f"ix_hourly_stat_{name}_hour", "hourly_stat", [column, "hour", *MEASURES])
    op.create_table(
        "stat_task",
        sa.Column("task_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )


def upgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="")
        )
    connection = op.get_bind()
    old = {
        row.hour: row
        for row in connection.execute(
            sa.text("SELECT hour, sent, delivered, failed, to_send, rejected FROM hourly_stat")
        )
    }
    op.drop_table("hourly_stat")
    _create_statistics()
    hour = _hour_of("m.sent_at")
    connection.execute(
        sa.text(
            "INSERT INTO hourly_stat (hour, task_id, domain_id, address_id, template_id, "
            "send_method, sent, delivered, failed, to_send, rejected) "
            f"SELECT {hour}, m.task_id, a.domain_id, t.address_id, t.template_id, "
            "m.send_method, COUNT(*), "
            "SUM(CASE WHEN m.status = 'delivered' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN m.status IN ('failed', 'cancelled') THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN m.status IN ('delivered', 'failed', 'cancelled', 'rejected') "
            "THEN 0 ELSE 1 END), "
            "SUM(CASE WHEN m.status = 'rejected' THEN 1 ELSE 0 END) "
            "FROM message m JOIN task t ON t.id = m.task_id "
            "JOIN sender_address a ON a.id = t.address_id "
            "WHERE m.sent_at IS NOT NULL "
            f"GROUP BY {hour}, m.task_id, a.domain_id, t.address_id, t.template_id, "
            "m.send_method"
        )
    )
    recomputed = {
        row.hour: row
        for row in connection.execute(
            sa.text(
                "SELECT hour, SUM(sent) AS sent, SUM(delivered) AS delivered, "
                "SUM(failed) AS failed, SUM(to_send) AS to_send, SUM(rejected) AS rejected "
                "FROM hourly_stat GROUP BY hour"
            )
        )
    }
    table = sa.table(
        "hourly_stat",
        sa.column("hour", kootui.core.store.types.UTCDateTime()),
        *(sa.column(name, sa.Integer()) for name in (*DIMENSIONS[:-1], *MEASURES)),
        sa.column("send_method", sa.String()),
    )
    unknown = []
    for hour_value, row in old.items():
        again = recomputed.get(hour_value)
        # A figure can only have shrunk by deleted messages; one counted again higher
        # (cancelled rows of an old version) keeps its recomputed value.
        rest = {
            name: max(getattr(row, name) - (getattr(again, name) if again else 0), 0)
            for name in MEASURES
        }
        if any(rest.values()):
            unknown.append(
                {
                    "hour": _aware(hour_value),
                    **dict.fromkeys(DIMENSIONS[:-1], 0),
                    "send_method": "",
                    **rest,
                }
            )
    if unknown:
        op.bulk_insert(table, unknown)


def _aware(value: object) -> object:
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def downgrade() -> None:
    connection = op.get_bind()
    totals = connection.execute(
        sa.text(
            "SELECT hour, SUM(sent) AS sent, SUM(delivered) AS delivered, "
            "SUM(failed) AS failed, SUM(to_send) AS to_send, SUM(rejected) AS rejected "
            "FROM hourly_stat GROUP BY hour"
        )
    ).all()
    op.drop_table("stat_task")
    op.drop_table("hourly_stat")
    table = op.create_table(
        "hourly_stat",
        sa.Column("hour", kootui.core.store.types.UTCDateTime(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.PrimaryKeyConstraint("hour"),
    )
    if totals:
        op.bulk_insert(
            table,
            [
                {"hour": _aware(row.hour), **{name: getattr(row, name) for name in MEASURES}}
                for row in totals
            ],
        )
    with op.batch_alter_table("workspace_settings") as batch_op:
        batch_op.drop_column("time_zone")
