"""Hourly statistics (the reports page reads them), kept in step with the message rows.

For the hour of a message's first attempt (``sent_at``):
``sent = delivered + failed + rejected + to_send``, where ``to_send`` holds the
messages attempted but not yet final (deferred, or being sent again). Every change
is written in the same transaction as the message rows it counts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.dispatch.claim import message_table
from kootui.core.store import HourlyStat, MessageStatus

hourly_table = HourlyStat.__table__
FINAL_STAT = {
    MessageStatus.DELIVERED.value: "delivered",
    MessageStatus.FAILED.value: "failed",
    MessageStatus.CANCELLED.value: "failed",
    MessageStatus.REJECTED.value: "rejected",
}
Deltas = dict[datetime, Counter[str]]


def hour_of(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def count_outcome(deltas: Deltas, sent_at: datetime, first: bool, final: str) -> None:
    """Count a first attempt (``first``) and/or a final status (``final``: a column name)."""
    counter = deltas.setdefault(hour_of(sent_at), Counter())
    if first:
        counter["sent"] += 1
        counter["to_send"] += 1
    if final:
        counter["to_send"] -= 1
        counter[final] += 1


def upsert_stats(connection: Connection, deltas: Deltas) -> None:
    """Add the counted changes to their hour rows (INSERT ... ON CONFLICT DO UPDATE)."""
    rows: list[dict[str, int | datetime]] = []
    for hour, counter in deltas.items():
        if any(counter.values()):
            row: dict[str, int | datetime] = {
                key: counter.get(key, 0) for key in ("sent", "delivered", "failed", "rejected")
            }
            row["to_send"] = counter.get("to_send", 0)
            row["hour"] = hour
            rows.append(row)
    if not rows:
        return
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(hourly_table)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[hourly_table.c.hour],
        set_={
            name: hourly_table.c[name] + excluded[name]
            for name in ("sent", "delivered", "failed", "to_send", "rejected")
        },
    )
    connection.execute(statement, rows)


def stats_from_messages(connection: Connection) -> dict[datetime, dict[str, int]]:
    """The hourly figures recomputed from the message rows (tests compare the two)."""
    m = message_table
    figures: dict[datetime, dict[str, int]] = {}
    rows = connection.execute(
        select(m.c.sent_at, m.c.status, func.count())
        .where(m.c.sent_at.is_not(None))
        .group_by(m.c.sent_at, m.c.status)
    )
    for sent_at, status, count in rows:
        entry = figures.setdefault(
            hour_of(sent_at),
            {"sent": 0, "delivered": 0, "failed": 0, "to_send": 0, "rejected": 0},
        )
        entry["sent"] += count
        entry[FINAL_STAT.get(status, "to_send")] += count
    return figures
