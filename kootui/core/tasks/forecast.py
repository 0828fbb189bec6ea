"""Whether a task fits in what is left, and when its last message goes: the packages (and
the hard stop beyond them), the sender domain's warm-up caps day by day in the workspace's
zone, and the sending rate.

The hook for destination limits: ``destination_rate`` is the task's rate once its
recipients' destination rules have had their say (the traffic-shaping core computes it
from the recipients' domains); ``forecast_send`` takes the lower of it and the rate.
Other tasks sending at the same time share the rate and the packages: this is the time
for this task alone, from what is left now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.errors import NotFound
from kootui.core.packages import get_policy, list_packages
from kootui.core.plural import count_of
from kootui.core.recipients import RecipientSource
from kootui.core.senders import get_address
from kootui.core.shaping import read_limits
from kootui.core.store import SendType
from kootui.core.tasks.create import TaskDraft
from kootui.core.tasks.simulator import (
    Simulator,
    destination_estimate,
    duration_text,
    effective_rate,
)
from kootui.core.warmup import WarmupView, cap_on, show_plan
from kootui.core.workspace import workspace_zone

MAX_DAYS = 400  # a forecast that needs more days than this says so instead


@dataclass(frozen=True)
class Forecast:
    messages: int  # to send (suppressed recipients are not)
    from_packages: int  # units the packages valid at the start cover
    pay_per_use: int  # beyond the packages, billable
    held: int  # beyond the packages under the hard stop: they wait for a package
    start: datetime
    finish: datetime | None  # the last sendable message out; None past MAX_DAYS
    days: int  # calendar days the sending spans (warm-up caps spread it)
    rate: float  # messages per second the estimate used
    notes: tuple[str, ...]

    @property
    def fits(self) -> bool:
        """Every message can go with what is left (pay-per-use counts as fitting)."""
        return self.held == 0

    def fit_text(self) -> str:
        """Whether it fits in what is left, in a few words."""
        if self.held:
            return f"{count_of(self.held, 'message')} wait for a new package (hard stop)"
        if self.pay_per_use and self.from_packages:
            return f"fits: {self.from_packages:,} from packages, {self.pay_per_use:,} pay-per-use"
        return "fits in the packages" if self.from_packages else "pay-per-use"

    def summary(self) -> str:
        if self.messages == 0:
            return "nothing to send"
        fit = self.fit_text()
        if self.finish is None:
            return f"{fit} · more than {MAX_DAYS} days"
        eta = duration_text(self.finish - self.start)
        spread = f" over {self.days} days (warm-up)" if self.days > 1 else ""
        return f"{fit} · done in {eta}{spread}"


@requires(Act.TASK_READ)
def forecast_send(
    context: Context,
    *,
    count: int,
    domain_id: int | None,
    start: datetime | None = None,
    rate: float | None = None,
    destination_rate: float | None = None,
) -> Forecast:
    """The forecast of ``count`` messages from ``domain_id``'s sender starting at
    ``start`` (now by default) at ``rate`` (``sending.rate`` by default)."""
    now = context.clock.now()
    start = max(start or now, now)
    speed = effective_rate(context.settings.sending.rate if rate is None else rate)
    if destination_rate is not None and destination_rate > 0:
        speed = min(speed, destination_rate)
    usable = sum(p.left for p in list_packages(context) if p.valid_from <= start < p.valid_until)
    from_packages = min(count, usable)
    beyond = count - from_packages
    hard_stop = get_policy(context).hard_stop
    held = beyond if hard_stop else 0
    plan = show_plan(context, domain_id) if domain_id is not None else None
    finish, days = _finish(context, count - held, start, speed, plan)
    notes: list[str] = []
    if plan is not None and plan.today_cap is not None:
        notes.append(
            f"warm-up: {plan.domain} may send {plan.left_today:,} more today "
            f"(day {plan.day_number} of {len(plan.caps)})"
        )
    if held:
        notes.append(f"{held:,} beyond the packages wait until a package is added")
    elif beyond and usable:
        notes.append(f"{beyond:,} beyond the packages are pay-per-use")
    return Forecast(
        messages=count,
        from_packages=from_packages,
        pay_per_use=0 if hard_stop else beyond,
        held=held,
        start=start,
        finish=finish,
        days=days,
        rate=speed,
        notes=tuple(notes),
    )


def _finish(
    context: Context, count: int, start: datetime, speed: float, plan: WarmupView | None
) -> tuple[datetime | None, int]:
    """When the last of ``count`` messages goes and over how many local days: each day
    sends at ``speed`` until its warm-up cap or its midnight, whichever comes first."""
    if count <= 0:
        return start, 1
    zone = workspace_zone(context)
    at, left = start, float(count)
    for day_number in range(1, MAX_DAYS + 1):
        day = at.astimezone(zone).date()
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        room = float("inf")
        if plan is not None and (cap := cap_on(plan.caps, plan.first_day, day)) is not None:
            room = max(0, cap - (plan.used_today if day == plan.today else 0))
        by_time = speed * (midnight - at).total_seconds()
        if left <= min(room, by_time):
            return at + timedelta(seconds=left / speed), day_number
        left -= min(room, by_time)
        at = midnight
    return None, MAX_DAYS


@requires(Act.TASK_READ)
def simulator_forecast(context: Context, simulator: Simulator) -> Forecast:
    """The simulator's draft: what it will send (suppressed recipients skipped)."""
    count = simulator.count - simulator.suppressed
    return forecast_send(
        context,
        count=count,
        domain_id=simulator.domain_id,
        start=simulator.start,
        rate=read_limits(context).workspace_rate,
        destination_rate=_destination_rate(context, simulator.recipients, count),
    )


@requires(Act.TASK_READ)
def draft_forecast(context: Context, draft: TaskDraft) -> Forecast:
    """The task form's draft as it stands: its recipients, its sender's domain (when one
    is chosen) and its schedule."""
    count = draft.recipients.count if draft.recipients is not None else 0
    domain_id = None
    if draft.address_id is not None:
        try:
            domain_id = get_address(context, draft.address_id).domain_id
        except NotFound:
            domain_id = None
    start = draft.scheduled_at if draft.send_type == SendType.SCHEDULED else None
    return forecast_send(
        context,
        count=count,
        domain_id=domain_id,
        start=start,
        rate=read_limits(context).workspace_rate,
        destination_rate=(
            _destination_rate(context, draft.recipients, count) if draft.recipients else None
        ),
    )


def _destination_rate(context: Context, recipients: RecipientSource, count: int) -> float | None:
    """The overall rate the destination limits allow these recipients (the slowest limited
    destination deciding, ``destination_estimate``), None when nothing limits them."""
    shaped = destination_estimate(context, recipients)
    seconds = shaped.duration.total_seconds()
    return count / seconds if shaped.slowest and seconds > 0 and count else None


@requires(Act.TASK_READ)
def hold_reason(context: Context, domain_id: int | None) -> str:
    """Why new messages from ``domain_id``'s sender are not being claimed now, or "":
    the hard stop with no package left, or the domain's warm-up cap reached today."""
    usage_left = sum(
        p.left
        for p in list_packages(context)
        if p.valid_from <= context.clock.now() < p.valid_until
    )
    if get_policy(context).hard_stop and usage_left == 0:
        return "held: no package has emails left (hard stop); they go when one is added"
    plan = show_plan(context, domain_id) if domain_id is not None else None
    if plan is not None and plan.left_today == 0:
        return (
            f"held: {plan.domain} sent its warm-up cap of {plan.today_cap:,} today; "
            "the rest goes after midnight"
        )
    return ""
