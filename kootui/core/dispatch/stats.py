"""Hourly statistics by sender domain, address, template, task and send method (the
Statistics Report reads them), kept in step with the message rows.

For the hour of a message's first attempt (``sent_at``) and what sent it:
``sent = delivered + failed + rejected + to_send``, where ``to_send`` holds the
messages attempted but not yet final (deferred, or being sent again). Every change
is written in the same transaction as the message rows it counts. A deleted task's
rows stay as history under an id of their own, its name in ``stat_task``.

The same rows hold the measures the message's events move (bounced, complained,
unsubscribed, unique opens and clicks), counted by ``core/events`` in the event's hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.dispatch.claim import message_table, task_table
from kootui.core.events import registered_kinds
from kootui.core.store import (
    STAT_MEASURES,
    HourlyStat,
    MessageEvent,
    MessageStatus,
    SenderAddress,
    StatTask,
)

hourly_table = HourlyStat.__table__
stat_task_table = StatTask.__table__
address_table = SenderAddress.__table__
MEASURE_COLUMNS = ("sent", "delivered", "failed", "to_send", "rejected")
SENT, TO_SEND = MEASURE_COLUMNS.index("sent"), MEASURE_COLUMNS.index("to_send")
HISTORY_ID_LOCK = 0x6B6F6F7475690001  # PostgreSQL advisory lock: handing out history ids
FINAL_STAT = {
    MessageStatus.DELIVERED.value: "delivered",
    MessageStatus.FAILED.value: "failed",
    MessageStatus.CANCELLED.value: "failed",
    MessageStatus.REJECTED.value: "rejected",
}
# Statuses a message takes after a relay accepted it (the bounce host's): it stays
# Successful in its send hour, and its event counts Bounced or Complained beside it.
AFTER_DELIVERY = ("bounced", "complained")


class TaskDimensions(NamedTuple):
    """What a task sends as: fixed when it is created."""

    domain_id: int
    address_id: int
    template_id: int


class StatKey(NamedTuple):
    """One statistics row: a UTC hour and what sent its messages."""

    hour: datetime
    task_id: int
    domain_id: int
    address_id: int
    template_id: int
    send_method: str


class Deltas:
    """Counted changes of one transaction (``tasks``: what each task sends as).

    Counted per (hour, task, send method) in plain lists, the cheapest per message; the
    task's other dimensions join the key once per row, when the rows are written."""

    def __init__(self, tasks: dict[int, TaskDimensions]) -> None:
        self.tasks = tasks
        self.counts: dict[tuple[datetime, int, str], list[int]] = {}

    def count(
        self, sent_at: datetime, task_id: int, send_method: str, first: bool, final: str
    ) -> None:
        """Count a first attempt (``first``) and/or a final status (``final``: a column)."""
        key = (sent_at.replace(minute=0, second=0, microsecond=0), task_id, send_method)
        counter = self.counts.get(key)
        if counter is None:
            counter = self.counts[key] = [0] * len(MEASURE_COLUMNS)
        if first:
            counter[SENT] += 1
            counter[TO_SEND] += 1
        if final:
            counter[TO_SEND] -= 1
            counter[MEASURE_COLUMNS.index(final)] += 1

    def move(
        self, sent_at: datetime, task_id: int, send_method: str, source: str, target: str
    ) -> None:
        """Count a message again under another measure (``target``) than it was
        (``source``), in the hour of its first attempt."""
        if source == target:
            return
        key = (sent_at.replace(minute=0, second=0, microsecond=0), task_id, send_method)
        counter = self.counts.setdefault(key, [0] * len(MEASURE_COLUMNS))
        counter[MEASURE_COLUMNS.index(source)] -= 1
        counter[MEASURE_COLUMNS.index(target)] += 1

    def rows(self) -> list[dict[str, int | str | datetime]]:
        """The changed statistics rows: their key columns and what to add to each measure."""
        rows: list[dict[str, int | str | datetime]] = []
        for (hour, task_id, send_method), counter in self.counts.items():
            if any(counter):
                task = self.tasks[task_id]
                key = StatKey(
                    hour, task_id, task.domain_id, task.address_id, task.template_id, send_method
                )
                rows.append({**key._asdict(), **dict(zip(MEASURE_COLUMNS, counter, strict=True))})
        return rows


def hour_of(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def task_dimensions(connection: Connection, task_ids: Iterable[int]) -> dict[int, TaskDimensions]:
    """The dimensions of the given tasks, in one query (a batch holds a few tasks)."""
    wanted = sorted(set(task_ids))
    if not wanted:
        return {}
    t, a = task_table, address_table
    rows = connection.execute(
        select(t.c.id, a.c.domain_id, t.c.address_id, t.c.template_id)
        .join_from(t, a, a.c.id == t.c.address_id)
        .where(t.c.id.in_(wanted))
    )
    return {row.id: TaskDimensions(row.domain_id, row.address_id, row.template_id) for row in rows}


def _dialect_insert(connection: Connection) -> type[postgresql.Insert] | type[sqlite.Insert]:
    return postgresql.Insert if connection.dialect.name == "postgresql" else sqlite.Insert


def upsert_stats(connection: Connection, deltas: Deltas) -> None:
    """Add the counted changes to their rows (INSERT ... ON CONFLICT DO UPDATE)."""
    rows = deltas.rows()
    if not rows:
        return
    insert = _dialect_insert(connection)
    statement = insert(hourly_table)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[hourly_table.c[name] for name in StatKey._fields],
        set_={name: hourly_table.c[name] + excluded[name] for name in MEASURE_COLUMNS},
    )
    connection.execute(statement, rows)


def stats_from_messages(connection: Connection) -> dict[StatKey, dict[str, int]]:
    """The statistics recomputed from the message rows and their events, with the keys of
    the statistics table (tests compare the two; a deleted task's rows exist only in the
    table). Every measure is there, 0 when nothing counted it."""
    m = message_table
    figures: dict[StatKey, dict[str, int]] = {}
    rows = connection.execute(
        select(m.c.sent_at, m.c.task_id, m.c.send_method, m.c.status, func.count())
        .where(m.c.sent_at.is_not(None))
        .group_by(m.c.sent_at, m.c.task_id, m.c.send_method, m.c.status)
    ).all()
    events = _counted_events(connection)
    tasks = task_dimensions(
        connection, [*(row.task_id for row in rows), *(event[1] for event in events)]
    )

    def entry(hour: datetime, task_id: int, send_method: str) -> dict[str, int]:
        task = tasks[task_id]
        key = StatKey(hour, task_id, task.domain_id, task.address_id, task.template_id, send_method)
        return figures.setdefault(key, dict.fromkeys(STAT_MEASURES, 0))

    for sent_at, task_id, send_method, status, count in rows:
        counted = entry(hour_of(sent_at), task_id, send_method)
        counted["sent"] += count
        final = "delivered" if status in AFTER_DELIVERY else FINAL_STAT.get(status, "to_send")
        counted[final] += count
    for hour, task_id, send_method, column in events:
        entry(hour, task_id, send_method)[column] += 1
    return figures


def _counted_events(connection: Connection) -> list[tuple[datetime, int, str, str]]:
    """(event hour, task, send method, measure) of every event that counts, found again
    from the events alone: every event of a kind with a measure, or only a message's first
    (lowest id) of a kind counted once per message."""
    measures = {kind.name: kind.measure for kind in registered_kinds() if kind.measure}
    if not measures:
        return []
    e, m = MessageEvent.__table__, message_table
    rows = connection.execute(
        select(e.c.message_id, e.c.kind, e.c.occurred_at, m.c.task_id, m.c.send_method)
        .join_from(e, m, m.c.id == e.c.message_id)
        .where(e.c.kind.in_(sorted(measures)))
        .order_by(e.c.id)
    )
    seen: set[tuple[int, str]] = set()
    counted: list[tuple[datetime, int, str, str]] = []
    for message_id, kind, occurred_at, task_id, send_method in rows:
        measure = measures[kind]
        if measure.first_only:
            if (message_id, kind) in seen:
                continue
            seen.add((message_id, kind))
        counted.append((hour_of(occurred_at), task_id, send_method, measure.column))
    return counted


def retire_task_statistics(connection: Connection, task_id: int, name: str) -> int | None:
    """Give a task's statistics a history id of their own as the task is deleted (in the
    delete's transaction); returns it, or None when the task was never counted.

    SQLite hands the id of the newest task to the next task created after it is deleted,
    so the history must not keep that id. History ids are negative, never a task's."""
    s, names = hourly_table, stat_task_table
    counted = connection.execute(select(s.c.task_id).where(s.c.task_id == task_id).limit(1))
    if counted.first() is None:
        return None
    if connection.dialect.name == "postgresql":
        # Two deletes at once would take the same next id; SQLite writes one at a time.
        connection.execute(select(func.pg_advisory_xact_lock(HISTORY_ID_LOCK)))
    lowest = connection.execute(select(func.min(names.c.task_id))).scalar()
    history = min(lowest or 0, 0) - 1
    connection.execute(names.insert().values(task_id=history, name=name))
    connection.execute(s.update().where(s.c.task_id == task_id).values(task_id=history))
    return history


def count_messages_sent_outside_the_engine(connection: Connection) -> None:
    """Add every attempted message row to the statistics, as the engine counts its own.

    For rows written with their history already in place (the demo's seed), which no engine
    counted: without this, the engine finishing one of them moves To send below zero."""
    m = message_table
    rows = connection.execute(
        select(m.c.sent_at, m.c.task_id, m.c.send_method, m.c.status).where(
            m.c.sent_at.is_not(None)
        )
    ).all()
    deltas = Deltas(task_dimensions(connection, {row.task_id for row in rows}))
    for row in rows:
        final = "delivered" if row.status in AFTER_DELIVERY else FINAL_STAT.get(row.status, "")
        deltas.count(row.sent_at, row.task_id, row.send_method, True, final)
    upsert_stats(connection, deltas)
