"""Warm-up plans: a sending domain's daily caps (the built-in doubling curve or the
user's table), today's cap and use, and the claim's side of them.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.warmup.gate import WarmupGate, count_warmup, read_warmup, refund_warmup
from kootui.core.warmup.plans import (
    CURVE_START,
    WarmupView,
    cap_on,
    clear_plan,
    curve_caps,
    domain_id_named,
    list_plans,
    local_day,
    parse_caps,
    set_plan,
    show_plan,
)

__all__ = [
    "CURVE_START",
    "WarmupGate",
    "WarmupView",
    "cap_on",
    "clear_plan",
    "count_warmup",
    "curve_caps",
    "domain_id_named",
    "list_plans",
    "local_day",
    "parse_caps",
    "read_warmup",
    "refund_warmup",
    "set_plan",
    "show_plan",
]
