"""What the Overview, the reports and ``kootui package list`` show: what is left, this
month's use, what is billable, and whether to warn. Every figure is read from the charge
rows and the packages' counters, which the claim keeps equal (``recount_charges``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.packages.catalogue import PackageView, get_policy, list_packages
from kootui.core.packages.ledger import charge_table
from kootui.core.plural import count_of
from kootui.core.workspace import workspace_zone


@dataclass(frozen=True)
class QuotaUsage:
    packages: list[PackageView]  # valid now or later, the one used first at the top
    left: int  # units left in the packages valid now
    month_used: int  # units used this month (workspace's zone), packages and pay-per-use
    month_billable: int  # of those, pay-per-use
    month_start: datetime
    hard_stop: bool
    warn_below: int
    warning: str  # "" when nothing needs saying


@requires(Act.PACKAGE_READ)
def month_start(context: Context, now: datetime) -> datetime:
    zone = workspace_zone(context)
    local = now.astimezone(zone)
    return datetime.combine(local.date().replace(day=1), time(0), tzinfo=zone)


@requires(Act.PACKAGE_READ)
def quota_usage(context: Context) -> QuotaUsage:
    now = context.clock.now()
    policy = get_policy(context)
    packages = [p for p in list_packages(context) if p.valid_until > now]
    left = sum(p.left for p in packages if p.valid_from <= now)
    start = month_start(context, now)
    c = charge_table
    with context.store.engine.connect() as connection:
        used, billable = connection.execute(
            select(
                func.count(),
                func.count().filter(c.c.package_id.is_(None)),
            ).where(c.c.charged_at >= start)
        ).one()
    return QuotaUsage(
        packages=packages,
        left=left,
        month_used=int(used or 0),
        month_billable=int(billable or 0),
        month_start=start,
        hard_stop=policy.hard_stop,
        warn_below=policy.warn_below,
        warning=_warning(left, policy.hard_stop, policy.warn_below, bool(packages)),
    )


def _warning(left: int, hard_stop: bool, warn_below: int, any_package: bool) -> str:
    if left >= warn_below and left > 0:
        return ""
    if not any_package and not hard_stop:
        return ""  # pay-per-use only: nothing runs out
    beyond = "sending waits for a new package" if hard_stop else "further emails are pay-per-use"
    if left == 0:
        return f"No emails left in packages: {beyond}."
    return f"Only {count_of(left, 'email')} left in packages; then {beyond}."


@requires(Act.PACKAGE_READ)
def recount_charges(context: Context) -> dict[int | None, int]:
    """Units used per package (None: pay-per-use), counted from the charge rows."""
    c = charge_table
    with context.store.engine.connect() as connection:
        return {
            row[0]: int(row[1])
            for row in connection.execute(
                select(c.c.package_id, func.count()).group_by(c.c.package_id)
            )
        }
