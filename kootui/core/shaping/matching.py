"""Which limit a recipient falls under: the rule naming its domain or the nearest domain
above it, else the default rule for its own domain alone.

Matching is on the DNS form of both sides (``names``), so case, a trailing dot and
U-labels against A-labels do not matter, and ``example.com`` covers
``mail.example.com`` but not ``badexample.com``. The longest matching domain wins, so
a rule for ``eu.example.com`` takes its part out of one for ``example.com``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kootui.core.shaping.names import parent_domains, recipient_domain, shown_domain
from kootui.core.shaping.rules import DEFAULT_NAME, Rule


@dataclass(frozen=True, slots=True)
class Destination:
    """One budget: a rule's group, or one domain under the default rule."""

    key: str  # "rule:<id>" or "domain:<dns form>", the adaptive state's key too
    label: str  # for people: the rule's name, or the domain (U-labels)
    rate: float  # the rule's workspace-wide rate; 0: no limit
    max_connections: int  # 0: no limit
    rule: str  # the rule's name ("default" for the default rule)

    @property
    def limited(self) -> bool:
        return self.rate > 0 or self.max_connections > 0


class RuleBook:
    """The rules as a lookup from recipient to destination; cached per domain."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self.rules = tuple(rules)
        self._by_domain: dict[str, Rule] = {}
        self._default = Rule(0, DEFAULT_NAME, True, 0.0, 0, ())
        for rule in self.rules:
            if rule.is_default:
                self._default = rule
            for domain in rule.domains:
                self._by_domain[domain] = rule
        self._cache: dict[str, Destination] = {}

    @property
    def default(self) -> Rule:
        return self._default

    @property
    def limits_anything(self) -> bool:
        return any(rule.rate > 0 or rule.max_connections > 0 for rule in self.rules)

    def destination_of(self, recipient: str) -> Destination:
        return self.destination_of_domain(recipient_domain(recipient))

    def destination_of_domain(self, domain: str) -> Destination:
        found = self._cache.get(domain)
        if found is not None:
            return found
        rule = next(
            (self._by_domain[d] for d in parent_domains(domain) if d in self._by_domain), None
        )
        if rule is None:
            default = self._default
            found = Destination(
                f"domain:{domain}",
                shown_domain(domain),
                default.rate,
                default.max_connections,
                default.name,
            )
        else:
            found = Destination(
                f"rule:{rule.id}", rule.name, rule.rate, rule.max_connections, rule.name
            )
        if len(self._cache) > 100_000:
            self._cache.clear()  # a bound for a run over millions of distinct domains
        self._cache[domain] = found
        return found
