"""Checks shared by the packages and warm-up tests: every counter equals a recount."""

from __future__ import annotations

from sqlalchemy import func, select

from kootui.core.context import Context
from kootui.core.packages import charge_table, list_packages, recount_charges
from kootui.core.store import MessageCharge, WarmupPlan


def assert_counters_match_charges(context: Context) -> dict[int | None, int]:
    """Each package's ``used`` is the number of charge rows naming it; returns the recount."""
    recount = recount_charges(context)
    for package in list_packages(context):
        assert package.used == recount.get(package.id, 0), (package, recount)
        assert 0 <= package.used <= package.units
    return recount


def charged_ids(context: Context) -> set[int]:
    with context.store.engine.connect() as connection:
        return set(connection.execute(select(charge_table.c.message_id)).scalars())


def charges_of_domain(context: Context, domain_id: int) -> int:
    with context.store.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(MessageCharge.domain_id == domain_id)  # type: ignore[arg-type]
            )
            or 0
        )


def plan_use(context: Context, domain_id: int) -> tuple[str, int]:
    with context.store.session() as session:
        row = session.get(WarmupPlan, domain_id)
        assert row is not None
        return row.day, row.used
