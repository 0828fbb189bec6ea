"""Revision 0010 on a 0006 store with events: the first open and the first click of each
message get their mark, every counted event lands in its hour's statistics row (added to
a row that is there, or a new one), and the downgrade takes the columns and marks away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import column, insert, inspect, select, table

from kootui.core.context import Context
from kootui.core.dispatch import stats_from_messages
from kootui.core.store import (
    EVENT_MEASURES,
    MessageEvent,
    SenderAddress,
    Task,
    UTCDateTime,
    downgrade,
    upgrade,
)
from tests.support.dispatch_seed import messages, seed_sender, seed_task, stat_rows

H9 = datetime(2026, 11, 23, 9, tzinfo=UTC)
# hourly_stat as revisions 0004-0006 made it.
HOURS_0006 = table(
    "hourly_stat",
    column("hour", UTCDateTime()),
    *(column(name) for name in ("task_id", "domain_id", "address_id", "template_id")),
    column("send_method"),
    *(column(name) for name in ("sent", "delivered", "failed", "to_send", "rejected")),
)


def _marks(context: Context) -> list[tuple[int, str, str | None]]:
    table = MessageEvent.__table__
    with context.store.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.message_id, table.c.kind, table.c.once_kind).order_by(table.c.id)
        )
        return [(row.message_id, row.kind, row.once_kind) for row in rows]


def _dimensions(context: Context, task_id: int) -> dict[str, int | str]:
    with context.store.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        address = session.get(SenderAddress, task.address_id)
        assert address is not None
        return {
            "task_id": task_id,
            "domain_id": address.domain_id,
            "address_id": task.address_id,
            "template_id": task.template_id,
            "send_method": "console",
        }


def test_0010_counts_the_events_a_0006_store_holds(any_context: Context) -> None:
    context = any_context
    task_id = seed_task(context, seed_sender(context, with_key=False), 3)
    ana, bo, cy = (row.id or 0 for row in messages(context, task_id))
    downgrade(context.store, "0006")
    columns = {c["name"] for c in inspect(context.store.engine).get_columns("hourly_stat")}
    assert columns.isdisjoint(EVENT_MEASURES)
    late = H9 + timedelta(hours=1, minutes=5)
    events = [
        (ana, "opened", None, H9 + timedelta(minutes=1)),
        (ana, "opened", None, H9 + timedelta(minutes=2)),
        (ana, "opened", None, late),
        (bo, "clicked", None, late),
        (bo, "clicked", None, late),
        (cy, "unsubscribed", "unsubscribed", H9 + timedelta(minutes=3)),
    ]
    with context.store.engine.begin() as connection:
        connection.execute(
            insert(MessageEvent.__table__),
            [
                {"message_id": m, "kind": k, "once_kind": o, "occurred_at": t, "detail": ""}
                for m, k, o, t in events
            ],
        )
        # 09:00 already has a row for these messages' task: the events are added to it.
        connection.execute(
            insert(HOURS_0006).values(
                hour=H9,
                **_dimensions(context, task_id),
                sent=2,
                delivered=2,
                failed=0,
                to_send=0,
                rejected=0,
            )
        )
    upgrade(context.store)

    assert _marks(context) == [
        (ana, "opened", "opened"),
        (ana, "opened", None),
        (ana, "opened", None),
        (bo, "clicked", "clicked"),
        (bo, "clicked", None),
        (cy, "unsubscribed", "unsubscribed"),
    ]
    rows = {key.hour: figures for key, figures in stat_rows(context).items()}
    assert rows[H9]["sent"] == 2
    assert {name: rows[H9][name] for name in EVENT_MEASURES if rows[H9][name]} == {
        "opened": 1,
        "unsubscribed": 1,
    }
    later = rows[H9 + timedelta(hours=1)]
    assert {name: later[name] for name in EVENT_MEASURES if later[name]} == {"clicked": 1}
    with context.store.engine.connect() as connection:
        recount = stats_from_messages(connection)
    assert {
        key: {name: figures[name] for name in EVENT_MEASURES} for key, figures in recount.items()
    } == {
        key: {name: figures[name] for name in EVENT_MEASURES}
        for key, figures in stat_rows(context).items()
    }

    downgrade(context.store, "0006")
    assert [mark for mark in _marks(context) if mark[2]] == [(cy, "unsubscribed", "unsubscribed")]
    upgrade(context.store)
