"""The Destinations list as every face shows it: the default rule, the groups, and the
domains the default rule covers that are being slowed, each with its state now."""

from __future__ import annotations

from kootui.core.access import Act, requires
from kootui.core.clock import local_text
from kootui.core.context import Context
from kootui.core.shaping.adaptive import Slowing, slowings
from kootui.core.shaping.names import shown_domain
from kootui.core.shaping.rules import default_rule, list_rules
from kootui.core.store import PageRequest, PageResult, Row

SLOWED = "slowed"
FULL = "full_rate"


def limit_text(value: float, unit: str = "/s") -> str:
    return "no limit" if value <= 0 else f"{value:g}{unit}"


def slowing_text(state: Slowing) -> str:
    """'2.5/s of 5/s since 21:03:10: 421 4.7.0 Try later' (local time)."""
    return (
        f"{state.rate:.3g}/s of {state.ceiling:.3g}/s since "
        f"{local_text(state.since, '%H:%M:%S')}: {state.reason}"
    )


@requires(Act.DESTINATION_READ)
def destination_rows(context: Context, request: PageRequest) -> PageResult:
    """Every rule (the default first) and every slowed domain of the default rule."""
    store = context.store
    rules = list_rules(store)
    if not any(rule.is_default for rule in rules):
        rules.insert(0, default_rule(store))
    states = slowings(store)
    rows: list[Row] = []
    for rule in rules:
        state = states.pop(f"rule:{rule.id}", None)
        domains = ", ".join(shown_domain(d) for d in rule.domains)
        rows.append(
            Row(
                key=rule.name,
                values={
                    "name": rule.name,
                    "domains": domains or "every other domain, each on its own",
                    "rate": limit_text(rule.rate),
                    "connections": limit_text(rule.max_connections, ""),
                    "state": SLOWED if state else FULL,
                    "detail": slowing_text(state) if state else "",
                    "is_default": rule.is_default,
                    "rule_rate": rule.rate,
                    "rule_connections": rule.max_connections,
                    "domain_list": " ".join(rule.domains),
                },
            )
        )
    for key, state in sorted(states.items()):
        rows.append(
            Row(
                key=key,
                values={
                    "name": state.label,
                    "domains": f"{state.label} (default rule)",
                    "rate": f"{state.rate:.3g}/s",
                    "connections": "",
                    "state": SLOWED,
                    "detail": slowing_text(state),
                    "is_default": False,
                    "rule_rate": 0.0,
                    "rule_connections": 0,
                    "domain_list": "",
                },
            )
        )
    wanted = request.text_filter.strip().lower()
    if wanted:
        rows = [
            row
            for row in rows
            if wanted in str(row["name"]).lower() or wanted in str(row["domains"]).lower()
        ]
    page = rows[request.offset : request.offset + request.limit]
    return PageResult(rows=page, total=len(rows), offset=request.offset)
