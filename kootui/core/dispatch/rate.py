"""The workspace-wide sending rate, shared by every engine that is sending right now.

``sending.rate`` is one limit for the whole workspace, however many TUI and
``kootui worker`` processes (on however many hosts) share the store. No process
knows the others directly, but the store does: an engine that is sending holds
leases on the messages in its window. So each engine counts the distinct lease
owners with live leases, itself included, and takes an equal share of the rate.

An engine that starts or stops changes the others' shares within one
``SHARE_EVERY`` period; until then the workspace may run above the limit by at
most that period's worth of the departed or arriving share. Idle engines hold no
leases and so take no share: a lone busy engine gets the whole rate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from kootui.core.store import Message, MessageStatus, Store

SHARE_EVERY = 2.0  # seconds between two recounts of the engines that are sending


def sending_engines(store: Store, now: datetime) -> set[str]:
    """The workers holding a live lease on a message being sent."""
    table = Message.__table__
    query = (
        select(table.c.lease_owner)
        .distinct()
        .where(
            table.c.status == MessageStatus.SENDING,
            table.c.lease_expires_at > now,
            table.c.lease_owner.is_not(None),
        )
    )
    with store.engine.connect() as connection:
        return {str(owner) for owner in connection.execute(query).scalars()}


def rate_share(store: Store, worker_id: str, now: datetime) -> int:
    """How many engines split the rate: those sending, counting this one."""
    return len(sending_engines(store, now) | {worker_id})
