"""Units stay exact when two engine processes race and are killed with SIGKILL at random
points: every message ends delivered having used exactly one unit, the package's counter
equals the charge rows, and nothing is lost or counted twice."""

from __future__ import annotations

import random
from datetime import date

import pytest

from kootui.core.clock import SystemClock
from kootui.core.context import Context
from kootui.core.packages import add_package, list_packages
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.quota_checks import assert_counters_match_charges, charged_ids
from tests.support.smtp_server import RecordingServer
from tests.support.worker_process import (
    count_status,
    kill_group,
    start_worker,
    stop_worker,
    wait_until,
    worker_env,
)

RECIPIENTS = 600
PACKAGE = 350
KILLS = 2


@pytest.mark.slow  # two kill -9 rounds of real worker processes, a few seconds each
def test_units_are_exact_when_two_engines_race_and_are_killed(context: Context) -> None:
    context = Context(store=context.store, settings=context.settings, clock=SystemClock())
    address = seed_sender(context)
    task = seed_task(context, address, RECIPIENTS)
    today = context.clock.now().date()
    package = add_package(
        context,
        name="p",
        units=PACKAGE,
        first_day=date(today.year - 1, 1, 1),
        last_day=date(today.year + 1, 12, 31),
    ).id
    chance = random.Random()
    with RecordingServer() as server:
        env = worker_env(
            context,
            server.port,
            sending__lease_seconds="1.5",
            sending__batch_size="20",
            sending__in_flight="40",
        )
        for _ in range(KILLS):
            server.hold_replies_from(len(server.received) + chance.randint(1, 120))
            worker = start_worker(env, "--processes", "2")
            try:
                reached = server.wait_holding(timeout=120)
            finally:
                kill_group(worker)
            server.release_replies()
            assert reached, "the worker sent nothing within 120 s"
            # Between kills the counters hold, whatever the engines were doing.
            assert_counters_match_charges(context)
        worker = start_worker(env, "--processes", "2")
        try:
            finished = wait_until(
                lambda: count_status(context, "delivered") == RECIPIENTS, timeout=180
            )
        finally:
            code, stderr = stop_worker(worker)
    assert finished, stderr[-3000:]
    assert code == 0, stderr
    rows = messages(context, task)
    assert charged_ids(context) == {row.id for row in rows}
    assert assert_counters_match_charges(context) == {
        package: PACKAGE,
        None: RECIPIENTS - PACKAGE,
    }
    assert list_packages(context)[0].used == PACKAGE
