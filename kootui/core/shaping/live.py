"""The limits an engine follows, read in one go from the store every few seconds."""

from __future__ import annotations

from dataclasses import dataclass, field

from kootui.core.access import Act, requires
from kootui.core.context import Context
from kootui.core.shaping.adaptive import Slowing, slowings
from kootui.core.shaping.matching import Destination, RuleBook
from kootui.core.shaping.rules import list_rules, workspace_rate


@dataclass(frozen=True)
class LiveLimits:
    workspace_rate: float  # messages a second for the whole workspace; 0: none
    book: RuleBook = field(default_factory=RuleBook)
    slowings: dict[str, Slowing] = field(default_factory=dict)

    def rate_of(self, destination: Destination) -> float:
        """The destination's workspace-wide rate now: its rule's, or less while slowed."""
        slowing = self.slowings.get(destination.key)
        if slowing is None:
            return destination.rate
        if destination.rate > 0:
            return min(destination.rate, slowing.rate)
        return slowing.rate

    def recovery_targets(self) -> dict[str, float]:
        """Key -> the rate each slowed destination recovers to (its rule's, when it has one)."""
        targets: dict[str, float] = {}
        for key in self.slowings:
            if key.startswith("domain:"):
                targets[key] = self.book.destination_of_domain(key.removeprefix("domain:")).rate
            else:
                rule = next((r for r in self.book.rules if f"rule:{r.id}" == key), None)
                targets[key] = rule.rate if rule is not None else 0.0
        return targets


@requires(Act.DESTINATION_READ)
def read_limits(context: Context) -> LiveLimits:
    return LiveLimits(
        workspace_rate(context).rate, RuleBook(list_rules(context.store)), slowings(context.store)
    )
