"""Statistics measures counted by message events: bounced, complained, unsubscribed,
opened (unique), clicked (unique)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 19:45:00

``hourly_stat`` gains one column per measure an event kind moves (``core/events``), each
counted in the UTC hour of the event with the message's task, sender and send method.
The report's covering indexes are rebuilt with the new columns, so a year of hours is
still read from an index alone.

Opens and clicks count a message once: its first event of the kind holds the kind in
``once_kind`` (the unique index then decides which event is first). Events recorded
before this revision get that mark on their first (lowest id) open and click, and every
counted event is added to the statistics, so the report's figures start complete.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

import kootui.core.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SENT_MEASURES = ("sent", "delivered", "failed", "to_send", "rejected")
EVENT_MEASURES = ("bounced", "complained", "unsubscribed", "opened", "clicked")
FIRST_ONLY_KINDS = ("opened", "clicked")  # repeating kinds counted once per message
INDEXES = (
    ("ix_hourly_stat_hour", ()),
    ("ix_hourly_stat_domain_hour", ("domain_id",)),
    ("ix_hourly_stat_address_hour", ("address_id",)),
    ("ix_hourly_stat_template_hour", ("template_id",)),
    ("ix_hourly_stat_task_hour", ("task_id",)),
    ("ix_hourly_stat_method_hour", ("send_method",)),
)
STAT_KEY = ("hour", "task_id", "domain_id", "address_id", "template_id", "send_method")


def _rebuild_indexes(measures: tuple[str, ...]) -> None:
    for name, leading in INDEXES:
        op.drop_index(name, table_name="hourly_stat")
        op.create_index(name, "hourly_stat", [*leading, "hour", *measures])


def _hour_of(column: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"date_trunc('hour', {column})"
    # UTCDateTime's SQLite text: 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return f"substr({column}, 1, 13) || ':00:00.000000'"


def _aware(value: object) -> object:
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _count_existing_events() -> None:
    connection = op.get_bind()
    first_only = ", ".join(f"'{kind}'" for kind in FIRST_ONLY_KINDS)
    connection.execute(
        sa.text(
            "UPDATE message_event SET once_kind = kind "
            f"WHERE kind IN ({first_only}) AND once_kind IS NULL AND id = ("
            "SELECT MIN(e2.id) FROM message_event e2 "
            "WHERE e2.message_id = message_event.message_id AND e2.kind = message_event.kind)"
        )
    )
    # Every event that counts now holds its kind in once_kind.
    counted = ", ".join(f"'{kind}'" for kind in EVENT_MEASURES)
    hour = _hour_of("e.occurred_at")
    rows = connection.execute(
        sa.text(
            f"SELECT {hour} AS hour, m.task_id, a.domain_id, t.address_id, t.template_id, "
            "m.send_method, e.once_kind AS kind, COUNT(*) AS n "
            "FROM message_event e JOIN message m ON m.id = e.message_id "
            "JOIN task t ON t.id = m.task_id JOIN sender_address a ON a.id = t.address_id "
            f"WHERE e.once_kind IN ({counted}) "
            f"GROUP BY {hour}, m.task_id, a.domain_id, t.address_id, t.template_id, "
            "m.send_method, e.once_kind"
        )
    ).all()
    if not rows:
        return
    table = sa.table(
        "hourly_stat",
        sa.column("hour", kootui.core.store.types.UTCDateTime()),
        *(sa.column(name, sa.Integer()) for name in STAT_KEY[1:5]),
        sa.column("send_method", sa.String()),
        *(sa.column(name, sa.Integer()) for name in (*SENT_MEASURES, *EVENT_MEASURES)),
    )
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for row in rows:
        key = dict(zip(STAT_KEY, (_aware(row.hour), *row[1:6]), strict=True))
        figures = dict.fromkeys((*SENT_MEASURES, *EVENT_MEASURES), 0) | {row.kind: row.n}
        statement = dialect.insert(table).values({**key, **figures})
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=list(STAT_KEY),
                set_={row.kind: table.c[row.kind] + row.n},
            )
        )


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch would copy the table on SQLite for nothing.
    for name in EVENT_MEASURES:
        op.add_column(
            "hourly_stat", sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        )
    _rebuild_indexes((*SENT_MEASURES, *EVENT_MEASURES))
    _count_existing_events()


def downgrade() -> None:
    _rebuild_indexes(SENT_MEASURES)
    for name in EVENT_MEASURES:
        op.drop_column("hourly_stat", name)
    first_only = ", ".join(f"'{kind}'" for kind in FIRST_ONLY_KINDS)
    op.execute(f"UPDATE message_event SET once_kind = NULL WHERE kind IN ({first_only})")
