"""Per-destination limits in the relay, against loopback SMTP servers: a throttling
receiver slows its destination by itself, a slow destination never holds the others
up, and a limit changed while an engine sends is followed within seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from kootui.core.clock import SystemClock
from kootui.core.context import Context
from kootui.core.dispatch import Dispatcher, EngineOptions, run_until_idle
from kootui.core.shaping import add_rule, set_rule, slowings
from tests.support.dispatch_seed import messages, relay_settings, seed_sender, seed_task
from tests.support.smtp_server import RecordingHandler, RecordingServer

FAST = EngineOptions(batch_size=10, in_flight=20, poll_interval=0.05, share_every=0.1)


def _sending(context: Context) -> Context:
    """The same store on the wall clock: given-back messages come due again."""
    return Context(store=context.store, settings=context.settings, clock=SystemClock())


async def _until(check: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError("the condition did not come in time")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def test_a_421_after_n_messages_halves_the_destinations_rate(context: Context) -> None:
    rule = add_rule(context, "Example", ["example.org"], 40)
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 30)  # user<i>@example.org
    handler = RecordingHandler(throttle_from=10)
    sending = _sending(context)
    with RecordingServer(handler) as server:
        engine = Dispatcher(relay_settings(sending, server.port), options=FAST)

        def statuses() -> list[str]:
            return [row.status for row in messages(context, task)]

        async def scenario() -> None:
            stop = asyncio.Event()
            running = asyncio.create_task(engine.run(stop))
            await _until(lambda: not {"pending", "sending"} & set(statuses()), 20)
            stop.set()
            await running

        started = sending.clock.now()
        asyncio.run(scenario())
    delivered = statuses().count("delivered")
    # Two sessions: one may pass RCPT while the tenth message's DATA is under way.
    assert 10 <= delivered <= 11 and statuses().count("deferred") == 30 - delivered
    state = slowings(context.store)[f"rule:{rule.id}"]
    assert state.rate == 20.0 and state.ceiling == 40.0  # halved once for the one burst
    assert state.reason.startswith("421 4.7.0") and state.label == "Example"
    assert started <= state.since <= sending.clock.now()


def test_a_burst_of_deferrals_slows_an_unlimited_destination(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    recipients = [f"r{i}@busy.example" for i in range(8)]
    seed_task(context, address, recipients)
    handler = RecordingHandler(rcpt_script={r: ["451 4.3.0 busy"] for r in recipients})
    with RecordingServer(handler) as server:
        run_until_idle(relay_settings(context, server.port), options=FAST)
    state = slowings(context.store)["domain:busy.example"]
    assert state.reason == "5 deferrals in 10 s"
    assert 0 < state.rate <= state.ceiling


def test_a_slow_destination_does_not_hold_up_the_others(context: Context) -> None:
    add_rule(context, "Slow", ["slow.example"], 2)
    address = seed_sender(context, with_key=False)
    slow = [f"s{i}@slow.example" for i in range(60)]  # first in the queue
    fast = [f"f{i}@fast.example" for i in range(40)]
    task = seed_task(context, address, slow + fast)
    with RecordingServer() as server:
        engine = Dispatcher(relay_settings(context, server.port), options=FAST)

        def delivered(domain: str) -> int:
            return sum(domain in item.recipients[0] for item in server.received)

        async def scenario() -> tuple[float, int]:
            stop = asyncio.Event()
            running = asyncio.create_task(engine.run(stop))
            took = await _until(lambda: delivered("fast.example") == 40, 20)
            slow_by_then = delivered("slow.example")
            stop.set()
            await running
            return took, slow_by_then

        took, slow_by_then = asyncio.run(scenario())
    assert took < 10  # the slow line's 60 messages would take 30 s ahead of them
    assert slow_by_then <= 2 * took + 2  # its rate, and a first token
    rows = {row.recipient: row for row in messages(context, task)}
    given_back = [rows[r] for r in slow if rows[r].status == "pending"]
    assert given_back, "the slow destination's overflow went back to the queue"
    assert all(row.attempts == 0 and row.lease_owner is None for row in given_back)


@pytest.mark.slow  # about 5 s: it watches the rate before and after
def test_a_rate_changed_while_sending_is_followed_within_seconds(context: Context) -> None:
    rule = add_rule(context, "Live", ["live.example"], 4)
    address = seed_sender(context, with_key=False)
    seed_task(context, address, [f"l{i}@live.example" for i in range(400)])
    sending = _sending(context)
    with RecordingServer() as server:
        engine = Dispatcher(relay_settings(sending, server.port), options=FAST)

        async def rate_over(seconds: float) -> float:
            before = len(server.received)
            await asyncio.sleep(seconds)
            return (len(server.received) - before) / seconds

        async def scenario() -> tuple[float, float, float]:
            stop = asyncio.Event()
            running = asyncio.create_task(engine.run(stop))
            await _until(lambda: len(server.received) >= 6, 10)  # past the first burst
            slow = await rate_over(1.5)
            await asyncio.to_thread(set_rule, context, rule.name, rate=60)
            changed = time.monotonic()
            await _until(lambda: len(server.received) >= 60, 10)
            followed = time.monotonic() - changed
            fast = await rate_over(1.0)
            stop.set()
            await running
            return slow, followed, fast

        slow, followed, fast = asyncio.run(scenario())
    assert slow <= 6  # 4 a second
    assert followed < 3 and fast > 20


def test_the_default_rule_limits_each_domain_on_its_own(context: Context) -> None:
    set_rule(context, "default", rate=3)
    address = seed_sender(context, with_key=False)
    recipients = [f"a{i}@one.example" for i in range(20)] + [f"b{i}@two.example" for i in range(20)]
    seed_task(context, address, recipients)
    with RecordingServer() as server:
        engine = Dispatcher(relay_settings(_sending(context), server.port), options=FAST)

        async def scenario() -> list[str]:
            stop = asyncio.Event()
            running = asyncio.create_task(engine.run(stop))
            await asyncio.sleep(1.0)
            stop.set()
            await running  # at once: what waits for its turn goes back to the queue
            return [item.recipients[0].partition("@")[2] for item in server.received]

        domains = asyncio.run(scenario())
    assert 2 <= domains.count("one.example") <= 8 and 2 <= domains.count("two.example") <= 8
    assert all(row.lease_owner is None for row in messages(context))  # all given back
