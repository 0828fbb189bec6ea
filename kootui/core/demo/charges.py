"""The demo's package and the units its sent messages used, so the Overview's allowance
panel and the Packages page show a workspace that has been sending.

The charges are written the engine's way (``packages.charge_units``: a row per message
that reached a transport, the package's ``used`` moved with them), so the counters equal
a recount of the rows as they do after real sending."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from kootui.core.context import Context
from kootui.core.packages import add_package, charge_units, read_allowance
from kootui.core.store import Message, MessageStatus, SenderAddress, Task, take_write_lock
from kootui.core.workspace import workspace_zone

DEMO_PACKAGE = "Northwind 10k"
DEMO_PACKAGE_UNITS = 10_000
# Never handed to a transport: no unit used (a compose failure gave its unit back).
_UNCHARGED = (MessageStatus.PENDING, MessageStatus.CANCELLED, MessageStatus.FAILED)


def seed_demo_charges(context: Context, now: datetime) -> None:
    """A package valid from three weeks back to five weeks on, and a unit for every demo
    message that left (or is being sent), charged from it when the demo is seeded."""
    today = now.astimezone(workspace_zone(context)).date()
    add_package(
        context,
        name=DEMO_PACKAGE,
        units=DEMO_PACKAGE_UNITS,
        first_day=today - timedelta(days=21),
        last_day=today + timedelta(days=35),
        added_by="demo",
        reference="DEMO-0001",
    )
    message, task, address = Message.__table__, Task.__table__, SenderAddress.__table__
    with context.store.writing() as connection:
        take_write_lock(connection)
        sent = connection.execute(
            select(message.c.id, address.c.domain_id, message.c.attempts)
            .join(task, task.c.id == message.c.task_id)
            .join(address, address.c.id == task.c.address_id)
            .where(message.c.status.not_in([status.value for status in _UNCHARGED]))
            .order_by(message.c.id)
        ).all()
        fresh = [(row.id, row.domain_id, max(1, row.attempts)) for row in sent]
        charge_units(connection, read_allowance(connection, now), fresh, now)
