"""How far a task has got: counts per message status, the current rate and an ETA.

Two aggregate queries per call (counts by status through the task/status
index, and the rows sent in the last minute), so a detail view can poll every
second or two on a million-row task without loading any row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import NotFound
from kootui.core.store import Message, MessageStatus, Task, TaskStatus
from kootui.core.tasks.suppressed import task_suppressed_count

RATE_WINDOW = timedelta(minutes=1)
FINISHED = (
    MessageStatus.DELIVERED,
    MessageStatus.FAILED,
    MessageStatus.REJECTED,
    MessageStatus.CANCELLED,
    MessageStatus.BOUNCED,
    MessageStatus.COMPLAINED,
)
WAITING = (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.DEFERRED)


@dataclass(frozen=True)
class TaskProgress:
    task_id: int
    status: str
    total: int
    counts: dict[str, int]  # every MessageStatus value, zero when none
    sent: int  # rows handed to a transport at least once (sent_at set)
    rate: float  # messages per second over the last minute
    eta: timedelta | None  # None when nothing is moving or nothing is left
    measured_at: datetime
    suppressed: int = 0  # rows the suppression list stopped (cancelled or failed)

    @property
    def finished(self) -> int:
        return sum(self.counts[status] for status in FINISHED)

    @property
    def remaining(self) -> int:
        return sum(self.counts[status] for status in WAITING)

    @property
    def fraction(self) -> float:
        """Share of the rows that reached a final status, 0.0 to 1.0 (for the progress bar)."""
        return self.finished / self.total if self.total else 1.0


@requires(Act.TASK_READ)
def task_progress(context: Context, task_id: int) -> TaskProgress:
    message = Message.__table__
    now = context.clock.now()
    with context.store.session() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound(f"there is no task {task_id}", field="task_id")
        connection = session.connection()
        counts = {status.value: 0 for status in MessageStatus}
        grouped = connection.execute(
            select(message.c.status, func.count())
            .where(message.c.task_id == task_id)
            .group_by(message.c.status)
        )
        for status, count in grouped:
            counts[status] = int(count)
        sent, recent = connection.execute(
            select(
                func.count(message.c.sent_at),
                func.count(message.c.sent_at).filter(message.c.sent_at >= now - RATE_WINDOW),
            ).where(and_(message.c.task_id == task_id, message.c.sent_at.is_not(None)))
        ).one()
    # Only cancelled or failed rows can have been stopped: a task with neither (most, while
    # sending) pays no third query.
    stopped = counts[MessageStatus.CANCELLED] + counts[MessageStatus.FAILED]
    suppressed = task_suppressed_count(context, task_id) if stopped else 0
    rate = int(recent) / RATE_WINDOW.total_seconds()
    remaining = sum(counts[status] for status in WAITING)
    moving = task.status == TaskStatus.SENDING and rate > 0
    eta = timedelta(seconds=remaining / rate) if moving and remaining else None
    return TaskProgress(
        task_id=task_id,
        status=task.status,
        total=sum(counts.values()),
        counts=counts,
        sent=int(sent or 0),
        rate=rate,
        eta=eta,
        measured_at=now,
        suppressed=suppressed,
    )
