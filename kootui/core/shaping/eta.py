"""How destination limits stretch a send: the part of the send simulator's estimate
that belongs to traffic shaping (packages and warm-up add their own).

Destinations are sent to side by side, so a send takes as long as its slowest part:
the whole at the workspace rate, or the messages of one limited destination at its
rate, whichever is longer. A connection cap alone sets no figure (the time a session
takes is the relay's), so it does not count here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from kootui.core.shaping.live import LiveLimits
from kootui.core.shaping.names import recipient_domain


@dataclass(frozen=True)
class ShapedEstimate:
    duration: timedelta
    slowest: str  # the destination that decides it ("" when the workspace rate does)
    slowest_count: int


def shaped_estimate(
    recipients: Iterable[str], limits: LiveLimits, workspace_rate: float
) -> ShapedEstimate:
    """The send time of ``recipients`` (addresses) at ``workspace_rate`` (> 0: the rate the
    caller assumes when none is set) under the destination rules and slowings now."""
    by_domain = Counter(recipient_domain(address) for address in recipients)
    total = sum(by_domain.values())
    by_destination: Counter[str] = Counter()
    rates: dict[str, tuple[str, float]] = {}
    for domain, count in by_domain.items():
        destination = limits.book.destination_of_domain(domain)
        rate = limits.rate_of(destination)
        if rate > 0:
            by_destination[destination.key] += count
            rates[destination.key] = (destination.label, rate)
    seconds = total / workspace_rate if workspace_rate > 0 else 0.0
    slowest, slowest_count = "", 0
    for key, count in by_destination.items():
        label, rate = rates[key]
        if count / rate > seconds:
            seconds, slowest, slowest_count = count / rate, label, count
    return ShapedEstimate(timedelta(seconds=seconds), slowest, slowest_count)
