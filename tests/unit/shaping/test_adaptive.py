"""The adaptive rate in the store: halved on throttling (once per burst), recovering
step by step to the rule's rate, with the injected clock."""

from __future__ import annotations

import pytest

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.mail import Stage
from kootui.core.shaping import (
    DECREASE_COOLDOWN,
    MIN_RATE,
    RECOVER_EVERY,
    Throttle,
    add_rule,
    read_limits,
    recover,
    slow_down,
    slowings,
    throttling_reply,
)


@pytest.mark.parametrize(
    ("stage", "code", "enhanced", "text", "slows"),
    [
        (Stage.RCPT, 421, "4.7.0", "Try again later", True),
        (Stage.MAIL, 421, "", "Too many connections", True),
        (Stage.DOT, 451, "4.7.1", "rate limited", True),
        (Stage.DOT, 450, "4.2.1", "mailbox busy", False),
        (Stage.RCPT, 550, "5.7.1", "refused", False),
        (Stage.CONNECT, 421, "4.7.0", "relay busy", False),  # the relay's, not the destination's
        (Stage.HELO, 421, "4.7.0", "relay busy", False),
        (Stage.DOT, None, "", "dropped", False),
    ],
)
def test_what_counts_as_throttling(
    stage: Stage, code: int | None, enhanced: str, text: str, slows: bool
) -> None:
    reason = throttling_reply(stage, code, enhanced, text)
    assert (reason is not None) == slows
    if reason:
        assert reason.startswith(str(code)) and text in reason


def _throttle(rate: float = 10.0, ceiling: float = 10.0) -> Throttle:
    return Throttle("rule:7", "Google", "421 4.7.0 Try again later", rate, ceiling)


def test_a_throttle_halves_once_per_burst_then_recovers_step_by_step(
    any_context: Context, clock: FixedClock
) -> None:
    store = any_context.store
    started = clock.now()
    slow_down(store, [_throttle(), _throttle()], started)  # the same burst, seen twice
    state = slowings(store)["rule:7"]
    assert (state.rate, state.ceiling, state.since) == (5.0, 10.0, started)
    assert state.reason == "421 4.7.0 Try again later" and state.label == "Google"
    clock.advance(DECREASE_COOLDOWN)
    slow_down(store, [_throttle()], clock.now())
    assert slowings(store)["rule:7"].rate == 2.5
    assert slowings(store)["rule:7"].since == started
    assert recover(store, {"rule:7": 10.0}, clock.now()) == 0  # not due yet
    assert slowings(store)["rule:7"].rate == 2.5
    seen = []
    for _ in range(10):
        clock.advance(RECOVER_EVERY)
        recover(store, {"rule:7": 10.0}, clock.now())
        state_now = slowings(store).get("rule:7")
        seen.append(state_now.rate if state_now else None)
    assert seen[:3] == [3.5, 4.5, 5.5]
    assert None in seen  # back at the rule's rate: no longer slowed
    assert slowings(store) == {}


def test_the_rate_never_falls_below_the_floor(any_context: Context, clock: FixedClock) -> None:
    for _ in range(12):
        slow_down(any_context.store, [_throttle(rate=0.2)], clock.now())
        clock.advance(DECREASE_COOLDOWN)
    assert slowings(any_context.store)["rule:7"].rate == MIN_RATE


def test_a_lower_rule_caps_a_slowed_destination(context: Context, clock: FixedClock) -> None:
    rule = add_rule(context, "Google", ["gmail.com"], 10)
    slow_down(
        context.store,
        [Throttle(f"rule:{rule.id}", "Google", "421", 10.0, 10.0)],
        clock.now(),
    )
    limits = read_limits(context)
    gmail = limits.book.destination_of("a@gmail.com")
    assert limits.rate_of(gmail) == 5.0
    assert limits.recovery_targets() == {f"rule:{rule.id}": 10.0}
