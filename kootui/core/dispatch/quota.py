"""The claim's side of packages and warm-up plans: which new messages may go, the unit
each one uses, and the units given back when a claimed message never reached a transport.

Everything here runs inside the claim's (or the result's) write transaction, so the
charge rows, the packages' ``used`` and the plans' day counts commit with the message
rows they count. A retry (a message charged already) is never held back or charged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, case, exists, or_, select, update

from kootui.core.packages import (
    Allowance,
    charge_table,
    charge_units,
    charged_among,
    read_allowance,
    refund_units,
)
from kootui.core.store import MessageStatus, SenderAddress, Task
from kootui.core.warmup import WarmupGate, count_warmup, read_warmup, refund_warmup

_address_table = SenderAddress.__table__
_task_table = Task.__table__


@dataclass(frozen=True)
class ClaimGate:
    allowance: Allowance
    warmup: WarmupGate | None

    def held_back(self, message: Any, task: Any) -> ColumnElement[bool] | None:
        """A condition leaving out the new messages that may not go at all now (none
        left under a hard stop; a domain at today's cap), so claims do not pick them
        again and again; None when nothing is held."""
        charged = exists(
            select(charge_table.c.message_id).where(charge_table.c.message_id == message.c.id)
        )
        if self.allowance.hard_stop and self.allowance.left == 0:
            return charged
        full = sorted(
            d for d, left in (self.warmup.left if self.warmup else {}).items() if not left
        )
        if not full:
            return None
        a = _address_table
        return or_(
            charged,
            task.c.address_id.not_in(select(a.c.id).where(a.c.domain_id.in_(full))),
        )


def read_gate(connection: Connection, now: datetime) -> ClaimGate:
    return ClaimGate(read_allowance(connection, now), read_warmup(connection, now))


def settle_claim(
    connection: Connection,
    gate: ClaimGate,
    rows: Sequence[Row[Any]],
    message_table: Any,
    now: datetime,
) -> list[Row[Any]]:
    """Charge the claimed rows that are new, put back those beyond a hard stop or a
    domain's cap for today (as if never claimed), and return the rows that stay claimed."""
    charged = charged_among(connection, [row.id for row in rows])
    fresh = sorted((row for row in rows if row.id not in charged), key=lambda row: row.id)
    if not fresh:
        return list(rows)
    domains = _domains_of(connection, {row.task_id for row in fresh})
    room = dict(gate.warmup.left) if gate.warmup else {}
    total = gate.allowance.left if gate.allowance.hard_stop else None
    take: list[tuple[int, int, int]] = []
    over: set[int] = set()
    for row in fresh:
        domain_id = domains.get(row.task_id, 0)
        if (total is not None and total <= 0) or room.get(domain_id, 1) <= 0:
            over.add(row.id)
            continue
        take.append((row.id, domain_id, row.attempts))
        if total is not None:
            total -= 1
        if domain_id in room:
            room[domain_id] -= 1
    if over:
        _put_back(connection, message_table, sorted(over))
    charge_units(connection, gate.allowance, take, now)
    if gate.warmup is not None:
        count_warmup(connection, gate.warmup, Counter(domain_id for _, domain_id, _ in take))
    return [row for row in rows if row.id not in over]


def _domains_of(connection: Connection, task_ids: set[int]) -> dict[int, int]:
    t, a = _task_table, _address_table
    return {
        row.id: row.domain_id
        for row in connection.execute(
            select(t.c.id, a.c.domain_id)
            .join(a, a.c.id == t.c.address_id)
            .where(t.c.id.in_(task_ids))
        )
    }


def _put_back(connection: Connection, message_table: Any, row_ids: list[int]) -> None:
    m = message_table
    connection.execute(
        update(m)
        .where(m.c.id.in_(row_ids))
        .values(
            status=case(
                (m.c.sent_at.is_(None), MessageStatus.PENDING.value),
                else_=MessageStatus.DEFERRED.value,
            ),
            attempts=m.c.attempts - 1,
            lease_owner=None,
            lease_expires_at=None,
        )
    )


def refund_claims(connection: Connection, claims: Sequence[tuple[int, int]]) -> None:
    """Give back the units of (message id, claim attempt) that never reached a
    transport, if that claim charged them, to their package and their day's cap."""
    refund_warmup(connection, refund_units(connection, claims))
