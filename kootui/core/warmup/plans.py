"""Warm-up plans: per sending domain, a cap on the emails it sends each day, day 1 first.

The built-in curve starts at 50 and doubles each day up to a target, reached on the last
day; or the user gives the whole table. Days are calendar days in the workspace's zone,
and day 1 is the day the plan is set. After its last day a plan caps nothing: the domain
is warm. What a day's cap leaves waits (pending, never failed) for the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType

from sqlalchemy import select
from sqlmodel import col

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.store import WarmupPlan
from kootui.core.workspace import workspace_zone

CURVE_START = 50
MAX_CAP = 10_000_000
MAX_DAYS = 366


@dataclass(frozen=True)
class WarmupView:
    domain_id: int
    domain: str
    caps: tuple[int, ...]
    curve: str  # how the caps were made ("" for the user's own table)
    first_day: date
    today: date
    day_number: int  # today's day of the plan, 1 first (beyond len(caps): finished)
    today_cap: int | None  # None: the plan is finished (or not begun), nothing is capped
    used_today: int

    @property
    def finished(self) -> bool:
        return self.day_number > len(self.caps)

    @property
    def left_today(self) -> int | None:
        return None if self.today_cap is None else max(0, self.today_cap - self.used_today)


def curve_caps(target: int, days: int, start: int = CURVE_START) -> list[int]:
    """``start``, doubling each day, never above ``target``; the last day is ``target``."""
    _check_cap(target, "target")
    _check_cap(start, "start")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"must be between 1 and {MAX_DAYS}", field="days", code="warmup.days")
    caps: list[int] = []
    cap = min(start, target)
    for _ in range(days):
        caps.append(cap)
        cap = min(cap * 2, target)
    caps[-1] = target
    return caps


def _check_cap(value: int, field: str) -> None:
    if not 1 <= value <= MAX_CAP:
        raise ValidationError(f"must be between 1 and {MAX_CAP:,}", field=field, code="warmup.cap")


def parse_caps(text: str) -> list[int]:
    """The user's own table: daily caps separated by commas or spaces ("50, 100, 250")."""
    parts = text.replace(",", " ").split()
    if not parts:
        raise ValidationError("give at least one daily cap", field="caps", code="warmup.caps")
    caps: list[int] = []
    for number, part in enumerate(parts, start=1):
        if not part.isdigit():
            raise ValidationError(
                f"day {number}: {part!r} is not a whole number", field="caps", code="warmup.caps"
            )
        caps.append(int(part))
    if len(caps) > MAX_DAYS:
        raise ValidationError(
            f"at most {MAX_DAYS} days, not {len(caps)}", field="caps", code="warmup.caps"
        )
    for number, cap in enumerate(caps, start=1):
        if not 1 <= cap <= MAX_CAP:
            raise ValidationError(
                f"day {number}: must be between 1 and {MAX_CAP:,}",
                field="caps",
                code="warmup.caps",
            )
    return caps


def cap_on(caps: tuple[int, ...] | list[int], first_day: date, day: date) -> int | None:
    """The cap of ``day``; None once the plan is over."""
    index = max(0, (day - first_day).days)
    return caps[index] if index < len(caps) else None


@requires(Act.WARMUP_READ)
def local_day(context: Context, at: datetime) -> date:
    return at.astimezone(workspace_zone(context)).date()


@requires(Act.WARMUP_UPDATE)
def set_plan(
    context: Context,
    domain_id: int,
    *,
    target: int | None = None,
    days: int | None = None,
    start: int = CURVE_START,
    caps: list[int] | None = None,
) -> WarmupView:
    """Give ``domain_id`` a plan: the curve to ``target`` over ``days``, or ``caps``.
    Day 1 is today; what the domain sent today still counts against today's cap."""
    if caps is None:
        if target is None or days is None:
            raise ValidationError(
                "give a target and a number of days, or your own daily caps",
                field="target",
                code="warmup.plan",
            )
        caps = curve_caps(target, days, start)
        curve = f"{min(start, target):,} doubling to {target:,} over {days} days"
    else:
        for number, cap in enumerate(caps, start=1):
            if not 1 <= cap <= MAX_CAP:
                raise ValidationError(
                    f"day {number}: must be between 1 and {MAX_CAP:,}",
                    field="caps",
                    code="warmup.caps",
                )
        if not 1 <= len(caps) <= MAX_DAYS:
            raise ValidationError(
                f"give 1 to {MAX_DAYS} daily caps", field="caps", code="warmup.caps"
            )
        curve = ""
    _domains().get_domain(context, domain_id)  # a NotFound naming the domain
    now = context.clock.now()
    today = local_day(context, now).isoformat()
    with context.store.session() as session:
        row = session.get(WarmupPlan, domain_id)
        if row is None:
            row = WarmupPlan(domain_id=domain_id, first_day=today, created_at=now, updated_at=now)
        row.caps = list(caps)
        row.curve = curve
        row.first_day = today
        if row.day != today:
            row.day, row.used = today, 0
        row.updated_at = now
        session.add(row)
    view = show_plan(context, domain_id)
    assert view is not None
    return view


@requires(Act.WARMUP_READ)
def show_plan(context: Context, domain_id: int) -> WarmupView | None:
    """The domain's plan with today's cap and use, or None when it has none."""
    with context.store.session() as session:
        row = session.get(WarmupPlan, domain_id)
        if row is None:
            return None
        caps = tuple(row.caps)
        first_day, counted_day, used = date.fromisoformat(row.first_day), row.day, row.used
    name = _domains().get_domain(context, domain_id).display_name
    today = local_day(context, context.clock.now())
    return WarmupView(
        domain_id=domain_id,
        domain=name,
        caps=caps,
        curve=_curve_text(caps) if not row.curve else row.curve,
        first_day=first_day,
        today=today,
        day_number=(today - first_day).days + 1,
        today_cap=cap_on(caps, first_day, today),
        used_today=used if counted_day == today.isoformat() else 0,
    )


def _curve_text(caps: tuple[int, ...]) -> str:
    shown = ", ".join(f"{cap:,}" for cap in caps[:6])
    return f"own table: {shown}{', …' if len(caps) > 6 else ''} ({len(caps)} days)"


@requires(Act.WARMUP_READ)
def list_plans(context: Context) -> list[WarmupView]:
    with context.store.session() as session:
        ids = list(session.scalars(select(col(WarmupPlan.domain_id))).all())
    return [view for domain_id in sorted(ids) if (view := show_plan(context, domain_id))]


@requires(Act.WARMUP_UPDATE)
def clear_plan(context: Context, domain_id: int) -> bool:
    """Remove the domain's plan; False when it had none."""
    with context.store.session() as session:
        row = session.get(WarmupPlan, domain_id)
        if row is None:
            return False
        session.delete(row)
        return True


@requires(Act.WARMUP_READ)
def domain_id_named(context: Context, name: str) -> int:
    """A sending domain's id from its ID (digits) or name (NotFound naming it)."""
    text = name.strip()
    if text.isdigit():
        found = _domains().get_domain(context, int(text))
    else:
        found = _domains().find_domain(context, text)
    return int(found.id)


def _domains() -> ModuleType:
    """The domains core, imported when first needed: it loads the DNS library, which the
    Overview's figures (they list the plans) must not wait for
    (tests/unit/architecture/test_startup_imports.py)."""
    import kootui.core.domains

    return kootui.core.domains
