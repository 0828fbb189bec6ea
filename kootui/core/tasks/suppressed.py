"""How many of a task's recipients the suppression list stops, before and after creation.

Before: the import report and the simulator count the recipients on the list (they
will be created cancelled, with the reason, and never sent). After: a task's summary
counts its messages stopped by the list, at creation or by the engine when the address
was suppressed while the message waited. A list with no entries costs one query.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.recipients import RecipientSource
from kootui.core.store import Message, MessageStatus, Suppression

SUPPRESSED_REPLY = "not sent: the address is on the suppression list"
ENGINE_SUPPRESSED_CODE = "recipient.suppressed"  # the engine's reply when it stops one
CHUNK = 5000  # addresses per IN (...) query, under SQLite's variable limit


@requires(Act.TASK_READ)
def count_suppressed(context: Context, recipients: RecipientSource) -> int:
    """How many of ``recipients`` are on the suppression list (each address once)."""
    table = Suppression.__table__
    with context.store.engine.connect() as connection:
        if connection.execute(select(table.c.id).limit(1)).first() is None:
            return 0  # nothing is suppressed: no need to read the recipients
        total = 0
        for chunk in recipients.chunks(CHUNK):
            wanted = list({address.lower() for address, _params in chunk})
            total += int(
                connection.execute(
                    select(func.count()).select_from(table).where(table.c.address.in_(wanted))
                ).scalar_one()
            )
        return total


@requires(Act.TASK_READ)
def task_suppressed_count(context: Context, task_id: int) -> int:
    """The task's messages the suppression list stopped."""
    message = Message.__table__
    statement = (
        select(func.count())
        .select_from(message)
        .where(
            message.c.task_id == task_id,
            or_(
                and_(
                    message.c.status == MessageStatus.CANCELLED.value,
                    message.c.last_reply.startswith(SUPPRESSED_REPLY, autoescape=True),
                ),
                message.c.last_reply.startswith(f"{ENGINE_SUPPRESSED_CODE}:", autoescape=True),
            ),
        )
    )
    with context.store.engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())
