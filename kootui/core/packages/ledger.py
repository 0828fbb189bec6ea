"""The units messages use, charged and given back inside the engine's transactions.

The invariant (ARCHITECTURE.md, "Packages and warm-up"): a message holds at most one
``message_charge`` row, written by the claim that first hands it out, in the claim's
transaction, together with the ``used`` of the package it came from. Only that same
claim (``attempt``) gives it back, and only when it knows the message never reached a
transport: a release of unsent messages, or a result made before the transport (a
compose failure, a suppressed recipient). So every ``used`` equals a count of charge
rows at every commit, a retry finds the row and pays nothing, and a crash keeps the unit
(the message may have left; its retry is free).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from kootui.core.store import MessageCharge, Package, QuotaSettings, insert_rows

charge_table = MessageCharge.__table__
package_table = Package.__table__
settings_table = QuotaSettings.__table__
CHARGE_COLUMNS = ("message_id", "package_id", "domain_id", "attempt", "charged_at")


@dataclass
class Allowance:
    """What the packages valid now still hold, in the order they are used (the one that
    expires first first), and what happens beyond them."""

    hard_stop: bool
    packages: list[tuple[int, int]] = field(default_factory=list)  # (package id, units left)

    @property
    def left(self) -> int:
        return sum(left for _, left in self.packages)

    @property
    def limits_fresh(self) -> bool:
        """Whether new (uncharged) messages are limited at all."""
        return self.hard_stop

    def sources(self, count: int) -> list[int | None]:
        """The package of each of ``count`` new units in turn (None: pay-per-use)."""
        out: list[int | None] = []
        for package_id, left in self.packages:
            take = min(left, count - len(out))
            out.extend([package_id] * take)
            if len(out) == count:
                return out
        return out + [None] * (count - len(out))


def read_allowance(connection: Connection, now: datetime) -> Allowance:
    """The allowance at ``now``, read in the claim's transaction. On PostgreSQL the
    package rows are locked, so two engines claiming at once take turns at them (SQLite's
    write lock, taken before this, does the same there)."""
    hard_stop = connection.execute(
        select(settings_table.c.hard_stop).where(settings_table.c.id == 1)
    ).scalar()
    p = package_table
    statement = (
        select(p.c.id, p.c.units - p.c.used)
        .where(p.c.valid_from <= now, p.c.valid_until > now, p.c.used < p.c.units)
        .order_by(p.c.valid_until, p.c.id)
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(of=p)
    return Allowance(
        hard_stop=bool(hard_stop),
        packages=[(row[0], row[1]) for row in connection.execute(statement)],
    )


def charged_among(connection: Connection, message_ids: Sequence[int]) -> set[int]:
    """The messages of ``message_ids`` that used their unit already."""
    if not message_ids:
        return set()
    c = charge_table
    return set(
        connection.execute(
            select(c.c.message_id).where(c.c.message_id.in_(list(message_ids)))
        ).scalars()
    )


def charge_units(
    connection: Connection,
    allowance: Allowance,
    fresh: Sequence[tuple[int, int, int]],
    now: datetime,
) -> None:
    """Charge one unit to each (message id, sender domain id, attempt) of ``fresh``, from
    the packages in turn and then pay-per-use. The caller has cut ``fresh`` to what a hard
    stop allows."""
    if not fresh:
        return
    sources = allowance.sources(len(fresh))
    insert_rows(
        connection,
        charge_table,
        CHARGE_COLUMNS,
        [
            (message_id, source, domain_id, attempt, now)
            for (message_id, domain_id, attempt), source in zip(fresh, sources, strict=True)
        ],
    )
    _move_used(connection, Counter(source for source in sources if source is not None))


def refund_units(
    connection: Connection, claims: Sequence[tuple[int, int]]
) -> list[tuple[int, datetime]]:
    """Give back the units of (message id, attempt) pairs whose charge that very claim
    made; returns (sender domain id, charged at) of each unit given back."""
    if not claims:
        return []
    c = charge_table
    wanted = dict(claims)
    rows = [
        row
        for row in connection.execute(
            select(
                c.c.message_id, c.c.attempt, c.c.package_id, c.c.domain_id, c.c.charged_at
            ).where(c.c.message_id.in_(list(wanted)))
        )
        if wanted.get(row.message_id) == row.attempt
    ]
    if not rows:
        return []
    connection.execute(delete(c).where(c.c.message_id.in_([row.message_id for row in rows])))
    _move_used(
        connection,
        Counter({k: -n for k, n in Counter(r.package_id for r in rows if r.package_id).items()}),
    )
    return [(row.domain_id, row.charged_at) for row in rows]


def _move_used(connection: Connection, by_package: Counter[int]) -> None:
    p = package_table
    for package_id, change in sorted(by_package.items()):
        if change:
            connection.execute(update(p).where(p.c.id == package_id).values(used=p.c.used + change))
