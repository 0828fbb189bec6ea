"""Traffic shaping: per-destination rules (a rate and a cap on relay sessions, by domain
or destination group, a default for the rest), the adaptive slowing of destinations that
throttle, the workspace rate set live, and what they do to a send's estimate.

The dispatch engine reads them from the store every few seconds (``read_limits``) and
its relay enforces them; every face changes them through ``rules``.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.shaping.adaptive import (
    BURST_DEFERRALS,
    BURST_SECONDS,
    DECREASE_COOLDOWN,
    MIN_RATE,
    RECOVER_EVERY,
    Slowing,
    Throttle,
    burst_reason,
    end_slowing,
    recover,
    slow_down,
    slowings,
    throttling_reply,
)
from kootui.core.shaping.eta import ShapedEstimate, shaped_estimate
from kootui.core.shaping.listing import destination_rows, limit_text, slowing_text
from kootui.core.shaping.live import LiveLimits, read_limits
from kootui.core.shaping.matching import Destination, RuleBook
from kootui.core.shaping.names import recipient_domain, rule_domain, shown_domain
from kootui.core.shaping.rules import (
    DEFAULT_NAME,
    MAX_CONNECTIONS,
    MAX_RATE,
    WORKSPACE_NAME,
    Rule,
    WorkspaceRate,
    add_rule,
    check_connections,
    check_rate,
    default_rule,
    find_rule,
    list_rules,
    remove_rule,
    set_rule,
    set_workspace_rate,
    workspace_rate,
)

__all__ = [
    "BURST_DEFERRALS",
    "BURST_SECONDS",
    "DECREASE_COOLDOWN",
    "DEFAULT_NAME",
    "MAX_CONNECTIONS",
    "MAX_RATE",
    "MIN_RATE",
    "RECOVER_EVERY",
    "WORKSPACE_NAME",
    "Destination",
    "LiveLimits",
    "Rule",
    "RuleBook",
    "ShapedEstimate",
    "Slowing",
    "Throttle",
    "WorkspaceRate",
    "add_rule",
    "burst_reason",
    "check_connections",
    "check_rate",
    "default_rule",
    "destination_rows",
    "end_slowing",
    "find_rule",
    "limit_text",
    "list_rules",
    "read_limits",
    "recipient_domain",
    "recover",
    "remove_rule",
    "rule_domain",
    "set_rule",
    "set_workspace_rate",
    "shaped_estimate",
    "shown_domain",
    "slow_down",
    "slowing_text",
    "slowings",
    "throttling_reply",
    "workspace_rate",
]
