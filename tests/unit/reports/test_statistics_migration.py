"""Revision 0004 on a 0003 store with rows: each hour is recomputed by what sent it from
the message rows left, what the old hour counted beyond them stays under the unknown
dimensions, the tasks' names are kept; the downgrade sums the hours back. And the
statistics tables of the models match what the migrations build."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Integer, MetaData, column, table, text, update
from sqlmodel import select

from kootui.core.context import Context
from kootui.core.dispatch import StatKey
from kootui.core.store import (
    HourlyStat,
    Message,
    SenderAddress,
    StatTask,
    Task,
    UTCDateTime,
    WorkspaceSettings,
    downgrade,
    stored_id,
    upgrade,
)
from tests.support.dispatch_seed import seed_sender, seed_task, stat_rows

H1 = datetime(2026, 11, 23, 9, tzinfo=UTC)
H2 = datetime(2026, 11, 23, 10, tzinfo=UTC)
MEASURES = ("sent", "delivered", "failed", "to_send", "rejected")


def _set_messages(context: Context, task_id: int, changes: list[tuple[str, datetime]]) -> None:
    m = Message.__table__
    with context.store.engine.begin() as connection:
        ids = [row.id for row in connection.execute(m.select().where(m.c.task_id == task_id))]
        for row_id, (status, sent_at) in zip(ids, changes, strict=True):
            connection.execute(
                update(m).where(m.c.id == row_id).values(status=status, sent_at=sent_at)
            )


# hourly_stat as revisions 0001-0003 made it: one row per hour.
OLD_HOURS = table(
    "hourly_stat",
    column("hour", UTCDateTime()),
    *(column(name, Integer()) for name in MEASURES),
)


def _old_hours(context: Context) -> dict[datetime, tuple[int, ...]]:
    with context.store.engine.connect() as connection:
        rows = connection.execute(select(*OLD_HOURS.c))
        return {row[0]: tuple(row[1:]) for row in rows}


def test_0004_carries_a_0003_stores_hours_forward_by_dimension(any_context: Context) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    first = seed_task(context, address, 4)
    second = seed_task(context, address, 2)
    minute = timedelta(minutes=7)
    _set_messages(
        context,
        first,
        [("delivered", H1), ("delivered", H1 + minute), ("delivered", H1), ("deferred", H1)],
    )
    _set_messages(context, second, [("rejected", H1 + minute), ("cancelled", H2 + minute)])
    with context.store.engine.begin() as connection:
        connection.execute(
            update(Message.__table__)
            .where(Message.__table__.c.task_id == second)
            .values(send_method="cli")
        )
    downgrade(context.store, "0003")
    with context.store.engine.begin() as connection:
        connection.execute(text("DELETE FROM hourly_stat"))
        # 09:00 counted 10 (4 more than its messages left: a deleted task's), 08:00 counted
        # 5 whose messages are all gone, 10:00 counted what its one message says.
        for hour, figures in (
            (H1, (10, 7, 1, 1, 1)),
            (H1 - timedelta(hours=1), (5, 5, 0, 0, 0)),
            (H2, (1, 0, 1, 0, 0)),
        ):
            connection.execute(
                OLD_HOURS.insert().values(hour=hour, **dict(zip(MEASURES, figures, strict=True)))
            )
    upgrade(context.store)

    # Revision 0010's event measures are all 0 here: compare the sending ones.
    rows = {
        key: {name: figures[name] for name in MEASURES}
        for key, figures in stat_rows(context).items()
    }
    with context.store.session() as session:
        template_of = {
            stored_id(task): (task.template_id, task.address_id)
            for task in session.exec(select(Task))
        }
    domain = _domain_of(context, address)

    def key(hour: datetime, task: int, method: str) -> StatKey:
        template, sender = template_of[task]
        return StatKey(hour, task, domain, sender, template, method)

    unknown = StatKey(H1, 0, 0, 0, 0, "")
    assert rows == {
        key(H1, first, "console"): dict(zip(MEASURES, (4, 3, 0, 1, 0), strict=True)),
        key(H1, second, "cli"): dict(zip(MEASURES, (1, 0, 0, 0, 1), strict=True)),
        unknown: dict(zip(MEASURES, (5, 4, 1, 0, 0), strict=True)),
        unknown._replace(hour=H1 - timedelta(hours=1)): dict(
            zip(MEASURES, (5, 5, 0, 0, 0), strict=True)
        ),
        key(H2, second, "cli"): dict(zip(MEASURES, (1, 0, 1, 0, 0), strict=True)),
    }
    with context.store.session() as session:
        names = {row.task_id: row.name for row in session.exec(select(StatTask))}
        workspace = session.get(WorkspaceSettings, 1)
    assert names == {}  # only tasks deleted from now on are named there
    assert workspace is not None and workspace.time_zone == ""

    downgrade(context.store, "0003")
    assert _old_hours(context) == {
        H1: (10, 7, 1, 1, 1),
        H1 - timedelta(hours=1): (5, 5, 0, 0, 0),
        H2: (1, 0, 1, 0, 0),
    }
    upgrade(context.store)


def _domain_of(context: Context, address: int) -> int:
    with context.store.session() as session:
        row = session.get(SenderAddress, address)
        assert row is not None
        return row.domain_id


OURS = {"hourly_stat", "stat_task", "workspace_settings"}


def _ours(name: str | None, kind: str, parent: object) -> bool:
    """Reflect only the tables this revision made or changed (the others are not ours)."""
    return kind != "table" or name in OURS


def test_the_statistics_tables_match_their_models(any_context: Context) -> None:
    ours = MetaData()
    for model in (HourlyStat, StatTask, WorkspaceSettings):
        model.__table__.to_metadata(ours)
    with any_context.store.engine.connect() as connection:
        migration = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _ours}
        )
        differences = compare_metadata(migration, ours)
    assert differences == []
