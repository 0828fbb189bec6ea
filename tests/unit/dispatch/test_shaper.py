"""The relay's per-destination lines (no network): session caps and buckets per
destination, no head-of-line blocking, the overflow handed back, throttling seen."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from kootui.core.dispatch.transports import OutgoingMessage, SendResult
from kootui.core.dispatch.transports.shaper import Gate, Shaper
from kootui.core.mail import Outcome, Stage
from kootui.core.shaping import LiveLimits, Rule, RuleBook

LIMITS = LiveLimits(
    0.0,
    RuleBook(
        [
            Rule(1, "One at a time", False, 0.0, 1, ("capped.example",)),
            Rule(2, "Slow", False, 1.0, 0, ("slow.example",)),
        ]
    ),
)


def _item(row_id: int, domain: str) -> OutgoingMessage:
    return OutgoingMessage(row_id, "news@example.com", f"u{row_id}@{domain}", b"x")


def _result(row_id: int, code: int, enhanced: str, outcome: Outcome) -> SendResult:
    return SendResult(
        row_id,
        outcome,
        Stage.RCPT,
        code,
        enhanced,
        "slow down",
        "",
        False,
        False,
        datetime.now(UTC),
    )


async def _next(shaper: Shaper) -> tuple[OutgoingMessage, Gate]:
    handed = await shaper.next()
    assert handed is not None
    return handed


def _shaper() -> Shaper:
    shaper = Shaper(capacity=8)
    shaper.apply(LIMITS, share=1)
    return shaper


async def test_a_capped_destination_waits_while_others_pass() -> None:
    shaper = _shaper()
    for row_id in (1, 2, 3):
        assert await shaper.put(_item(row_id, "capped.example")) is None
    assert await shaper.put(_item(4, "free.example")) is None
    first, capped = await _next(shaper)
    second, _ = await _next(shaper)
    assert (first.row_id, second.row_id) == (1, 4)  # 2 waits for the session, 4 passes
    waiting = asyncio.ensure_future(_next(shaper))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    shaper.done(capped, _result(1, 250, "2.0.0", Outcome.DELIVERED))
    third, _ = await asyncio.wait_for(waiting, 1)
    assert third.row_id == 2


async def test_a_full_line_hands_the_message_back_with_its_wait() -> None:
    shaper = _shaper()
    taken = [await shaper.put(_item(row_id, "slow.example")) for row_id in range(1, 7)]
    assert taken[:5] == [None] * 5  # five seconds of 1 a second
    assert taken[5] == 6.0
    shaper.set_window(8)  # a quarter of the engine's window, at most
    assert await shaper.put(_item(7, "slow.example")) == 6.0
    assert sorted(item.row_id for item in shaper.withdraw()) == [1, 2, 3, 4, 5]


async def test_a_421_halves_the_rate_once_per_burst() -> None:
    shaper = Shaper(capacity=8)
    shaper.apply(
        LiveLimits(0.0, RuleBook([Rule(3, "Fast", False, 100.0, 0, ("fast.example",))])), 1
    )
    await shaper.put(_item(1, "fast.example"))
    await shaper.put(_item(2, "fast.example"))
    handed = [await _next(shaper), await _next(shaper)]  # both in flight, as on two sessions
    first, gate = handed[0]
    shaper.done(gate, _result(first.row_id, 421, "4.7.0", Outcome.DEFERRED))
    assert gate.rate == 50.0
    seen = shaper.throttles()
    assert [(t.key, t.rate, t.ceiling) for t in seen] == [("rule:3", 100.0, 100.0)]
    assert seen[0].reason == "421 4.7.0 slow down"
    second, gate = handed[1]
    shaper.done(gate, _result(second.row_id, 421, "4.7.0", Outcome.DEFERRED))
    assert shaper.throttles() == [] and gate.rate == 50.0  # the same burst, counted once
