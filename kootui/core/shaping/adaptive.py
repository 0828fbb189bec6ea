"""The adaptive part: a destination that throttles is slowed by itself and recovers.

A ``421`` reply, an enhanced code ``4.7.x`` (RFC 3463: security or policy, which is
where receivers put "rate limited"), or a burst of deferrals from one destination
halves its workspace-wide rate (multiplicative decrease); after ``RECOVER_EVERY``
without a new decrease it gains a tenth of the rate it recovers to (additive
increase), and at that rate the slowing ends. The state is a ``destination_state``
row, so every engine follows it and the console shows it (rate, why, since when).

Engines write a decrease when their relay saw the signal and take recovery steps in
turn: each step is a conditional update on ``changed_at``, so two engines taking the
same step leave one step. A decrease within ``DECREASE_COOLDOWN`` of the last change
is the same burst seen again (many messages in flight get the same 421) and counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from kootui.core.mail import Stage, bounded_text
from kootui.core.store import DestinationState, Store

DECREASE_FACTOR = 0.5
RECOVER_STEP = 0.1  # of the rate a destination recovers to, per step
RECOVER_EVERY = timedelta(seconds=10)
DECREASE_COOLDOWN = timedelta(seconds=2)
MIN_RATE = 0.05  # messages a second (3 a minute): a slowed destination still gets mail
BURST_DEFERRALS = 5  # deferrals from one destination ...
BURST_SECONDS = 10.0  # ... within this long count as its throttling
_SESSION_STAGES = (Stage.CONNECT, Stage.HELO)  # the relay's own answers, not a destination's

_states = DestinationState.__table__


@dataclass(frozen=True)
class Slowing:
    """A destination being slowed: its workspace-wide rate now and the one it recovers to."""

    key: str
    label: str
    rate: float
    ceiling: float
    reason: str
    since: datetime
    changed_at: datetime


@dataclass(frozen=True)
class Throttle:
    """What an engine saw: ``rate`` is the workspace-wide rate the destination had then
    (its rule's, or what it was taking when it had none), ``ceiling`` the one to recover to."""

    key: str
    label: str
    reason: str
    rate: float
    ceiling: float


def throttling_reply(stage: Stage, code: int | None, enhanced_code: str, text: str) -> str | None:
    """Why a reply says "slow down", or None. Replies to the relay's session set-up are
    about the relay, not the destination, and do not count."""
    if code is None or stage in _SESSION_STAGES:
        return None
    if code == 421 or (400 <= code < 500 and enhanced_code.startswith("4.7.")):
        shown = f"{code} {enhanced_code} {text}" if enhanced_code else f"{code} {text}"
        return bounded_text(" ".join(shown.split()), 200)
    return None


def burst_reason(count: int) -> str:
    return f"{count} deferrals in {BURST_SECONDS:.0f} s"


def slowings(store: Store) -> dict[str, Slowing]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(_states)).all()
    return {
        row.key: Slowing(
            row.key, row.label, row.rate, row.ceiling, row.reason, row.since, row.changed_at
        )
        for row in rows
    }


def slow_down(store: Store, throttles: Iterable[Throttle], now: datetime) -> None:
    """Halve the rate of each destination that throttled (once per cooldown)."""
    for throttle in throttles:
        try:
            with store.writing() as connection:
                found = connection.execute(
                    select(_states.c.rate, _states.c.changed_at).where(
                        _states.c.key == throttle.key
                    )
                ).first()
                if found is None:
                    rate = max(MIN_RATE, throttle.rate * DECREASE_FACTOR)
                    connection.execute(
                        _states.insert().values(
                            key=throttle.key,
                            label=throttle.label[:253],
                            rate=rate,
                            ceiling=max(rate, throttle.ceiling),
                            reason=throttle.reason[:200],
                            since=now,
                            changed_at=now,
                        )
                    )
                elif found.changed_at <= now - DECREASE_COOLDOWN:
                    connection.execute(
                        update(_states)
                        .where(_states.c.key == throttle.key)
                        .values(
                            rate=max(MIN_RATE, found.rate * DECREASE_FACTOR),
                            reason=throttle.reason[:200],
                            changed_at=now,
                        )
                    )
        except IntegrityError:
            continue  # another engine slowed it first, which is the decrease we wanted


def recover(
    store: Store, targets: Mapping[str, float], now: datetime, every: timedelta = RECOVER_EVERY
) -> int:
    """One additive step for each slowed destination whose last change is ``every`` old;
    ``targets``: key -> its rule's rate (0 or absent: the stored ceiling). Returns the
    number of destinations whose slowing ended."""
    ended = 0
    due = [item for item in slowings(store).values() if item.changed_at <= now - every]
    for item in due:
        target = targets.get(item.key) or item.ceiling
        rate = min(target, item.rate + target * RECOVER_STEP)
        current = (_states.c.key == item.key) & (_states.c.changed_at == item.changed_at)
        with store.writing() as connection:
            if rate >= target * 0.999:
                ended += connection.execute(delete(_states).where(current)).rowcount
            else:
                connection.execute(update(_states).where(current).values(rate=rate, changed_at=now))
    return ended


def end_slowing(store: Store, key: str) -> None:
    """Forget a destination's slowing (its rule was removed, or by hand)."""
    with store.writing() as connection:
        connection.execute(delete(_states).where(_states.c.key == key))
