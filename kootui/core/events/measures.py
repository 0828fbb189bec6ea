"""An event moves the Statistics Report: the message's statistics row (its task, sender
domain, address, template and send method) in the UTC hour of the event, in the event's
transaction, so a face that records an event (the tracking host, the bounce host) moves
the report without knowing about it.

The hour is the event's, not the send's: an open on Tuesday counts on Tuesday, the way
mailbox providers and sending services report them; Sent and its outcomes stay in the
hour of the first attempt (``dispatch/stats.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from kootui.core.errors import NotFound
from kootui.core.store import HourlyStat, Message, SenderAddress, Task

_STAT_KEY = ("hour", "task_id", "domain_id", "address_id", "template_id", "send_method")


def count_event_measure(
    connection: Connection, message_id: int, column: str, when: datetime
) -> None:
    """Add one to ``column`` of the statistics row of ``message_id``'s dimensions in the
    hour of ``when`` (UTC), creating the row when the hour has none yet."""
    message, task, address = Message.__table__, Task.__table__, SenderAddress.__table__
    found = connection.execute(
        select(
            message.c.task_id,
            address.c.domain_id,
            task.c.address_id,
            task.c.template_id,
            message.c.send_method,
        )
        .join_from(message, task, task.c.id == message.c.task_id)
        .join_from(task, address, address.c.id == task.c.address_id)
        .where(message.c.id == message_id)
    ).first()
    if found is None:
        # Not while the foreign keys hold: the event's insert already refused an unknown
        # message, and a message keeps its task and its task's sender address.
        raise NotFound(f"message {message_id} does not exist", field="message_id")
    hour = when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    stats = HourlyStat.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    key = dict(zip(_STAT_KEY, (hour, *found), strict=True))
    statement = dialect.insert(stats).values({**key, column: 1})
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[stats.c[name] for name in _STAT_KEY],
            set_={column: stats.c[column] + 1},
        )
    )
