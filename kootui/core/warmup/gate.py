"""Warm-up caps at the claim: what each planned domain may still send today, counted and
given back in the claim's (or the refund's) transaction with the charge rows, so a plan's
``used`` is the number of that domain's messages first handed out that day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, case, select, update

from kootui.core.store import WarmupPlan, WorkspaceSettings
from kootui.core.warmup.plans import cap_on
from kootui.core.workspace import WORKSPACE_ID, effective_time_zone

plan_table = WarmupPlan.__table__
_workspace_table = WorkspaceSettings.__table__


@dataclass(frozen=True)
class WarmupGate:
    today: str  # the workspace's date, YYYY-MM-DD
    left: dict[int, int]  # sender domain id -> emails it may still send today (capped ones)


def _zone(connection: Connection) -> ZoneInfo:
    stored = connection.execute(
        select(_workspace_table.c.time_zone).where(_workspace_table.c.id == WORKSPACE_ID)
    ).scalar()
    return ZoneInfo(effective_time_zone(stored or ""))


def read_warmup(connection: Connection, now: datetime) -> WarmupGate | None:
    """Today's room of every domain whose plan caps today; None when no plan exists.
    PostgreSQL locks the plan rows, so engines take turns at them."""
    p = plan_table
    statement = select(p.c.domain_id, p.c.caps, p.c.first_day, p.c.day, p.c.used).order_by(
        p.c.domain_id
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update()
    rows = connection.execute(statement).all()
    if not rows:
        return None
    today = now.astimezone(_zone(connection)).date()
    left: dict[int, int] = {}
    for row in rows:
        cap = cap_on(row.caps, date.fromisoformat(row.first_day), today)
        if cap is not None:
            used = row.used if row.day == today.isoformat() else 0
            left[row.domain_id] = max(0, cap - used)
    return WarmupGate(today=today.isoformat(), left=left)


def count_warmup(connection: Connection, gate: WarmupGate, sent: Counter[int]) -> None:
    """Add today's new messages per domain to the plans that cap them."""
    p = plan_table
    for domain_id, count in sorted(sent.items()):
        if domain_id in gate.left and count:
            connection.execute(
                update(p)
                .where(p.c.domain_id == domain_id)
                .values(
                    used=case((p.c.day == gate.today, p.c.used), else_=0) + count,
                    day=gate.today,
                )
            )


def refund_warmup(connection: Connection, units: Iterable[tuple[int, datetime]]) -> None:
    """Give back (domain id, charged at) units to the day they were counted in, if that
    day is still the plan's current one."""
    units = list(units)
    if not units:
        return
    p = plan_table
    planned = set(connection.execute(select(p.c.domain_id)).scalars())
    wanted = [(domain_id, at) for domain_id, at in units if domain_id in planned]
    if not wanted:
        return
    zone = _zone(connection)
    by_day = Counter(
        (domain_id, at.astimezone(zone).date().isoformat()) for domain_id, at in wanted
    )
    for (domain_id, day), count in sorted(by_day.items()):
        connection.execute(
            update(p)
            .where(p.c.domain_id == domain_id, p.c.day == day, p.c.used >= count)
            .values(used=p.c.used - count)
        )
