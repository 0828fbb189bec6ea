"""Giving back claimed messages whose destination is saturated, until it has room.

The relay's line for a limited destination holds a few seconds of its rate (see
``transports.shaper``); a message beyond that goes back to the queue as it was before
the claim (status, attempts) with ``next_attempt_at`` moved to when its destination
will have room, so it neither counts an attempt nor fills the engine's window while
messages to other destinations are due. Only this worker's live lease is given back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import and_, bindparam, case, update

from kootui.core.dispatch.claim import message_table
from kootui.core.store import MessageStatus, Store


def postpone(store: Store, worker: str, due: Mapping[int, datetime]) -> None:
    """Release each message of ``due`` (row id -> when it is due again)."""
    if not due:
        return
    m = message_table
    statement = (
        update(m)
        .where(
            and_(
                m.c.id == bindparam("row_id"),
                m.c.lease_owner == worker,
                m.c.status == MessageStatus.SENDING.value,
            )
        )
        .values(
            status=case(
                (m.c.sent_at.is_(None), MessageStatus.PENDING.value),
                else_=MessageStatus.DEFERRED.value,
            ),
            attempts=m.c.attempts - 1,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=bindparam("due_at"),
        )
    )
    with store.writing() as connection:
        connection.execute(
            statement, [{"row_id": row_id, "due_at": when} for row_id, when in due.items()]
        )
