"""Units used by messages: charged once at the first claim, from the package that expires
first, pay-per-use beyond; given back only when the claim never reached a transport; held
under a hard stop until a package is added. SQLite and PostgreSQL (any_context)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import (
    Recorded,
    RetryPolicy,
    SendResult,
    claim_batch,
    reclaim_expired,
    record_results,
    release,
    run_until_idle,
)
from kootui.core.mail import Outcome, Stage
from kootui.core.packages import add_package, list_packages, quota_usage, set_policy
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.quota_checks import assert_counters_match_charges, charged_ids

LEASE = timedelta(seconds=60)
TODAY = date(2026, 11, 23)  # the fixed clock's day


def _result(
    context: Context, row_id: int, outcome: Outcome, stage: Stage = Stage.DOT
) -> SendResult:
    return SendResult(
        row_id=row_id,
        outcome=outcome,
        stage=stage,
        reply_code=250 if outcome is Outcome.DELIVERED else 451,
        enhanced_code="",
        reply_text="test",
        remote_host="test",
        tls=False,
        hard=False,
        finished_at=context.clock.now(),
    )


def _package(context: Context, name: str, units: int, last_day: date) -> int:
    return add_package(
        context, name=name, units=units, first_day=TODAY, last_day=last_day, added_by="test"
    ).id


def test_units_come_from_the_package_expiring_first_then_pay_per_use(
    any_context: Context,
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 12)
    later = _package(context, "later", 5, date(2026, 12, 31))
    sooner = _package(context, "sooner", 4, date(2026, 11, 30))
    run_until_idle(context)
    used = {p.name: p.used for p in list_packages(context)}
    assert used == {"sooner": 4, "later": 5}
    recount = assert_counters_match_charges(context)
    assert recount == {sooner: 4, later: 5, None: 3}
    usage = quota_usage(context)
    assert (usage.left, usage.month_used, usage.month_billable) == (0, 12, 3)
    assert usage.warning == "No emails left in packages: further emails are pay-per-use."


def test_a_retry_uses_no_unit_and_a_release_or_local_failure_gives_it_back(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 6)
    package = _package(context, "p", 100, date(2026, 11, 30))
    policy = RetryPolicy.from_settings(context.settings)
    first = claim_batch(context.store, "w", clock.now(), limit=6, lease=LEASE)
    assert len(first) == 6 and assert_counters_match_charges(context) == {package: 6}
    # Two were deferred by the relay (they reached it), two never got past compose.
    record_results(
        context.store,
        "w",
        [
            Recorded(_result(context, first[0].row_id, Outcome.DEFERRED), 1, first[0].claimed_at),
            Recorded(_result(context, first[1].row_id, Outcome.DEFERRED), 1, first[1].claimed_at),
            Recorded(
                _result(context, first[2].row_id, Outcome.DEFERRED, Stage.COMPOSE),
                1,
                first[2].claimed_at,
            ),
            Recorded(
                _result(context, first[3].row_id, Outcome.FAILED, Stage.COMPOSE),
                1,
                first[3].claimed_at,
            ),
        ],
        policy,
        clock.now(),
    )
    # The other two are given back unsent, as by a stopping engine.
    release(context.store, "w", [first[4].row_id, first[5].row_id], clock.now())
    assert assert_counters_match_charges(context) == {package: 2}
    assert charged_ids(context) == {first[0].row_id, first[1].row_id}
    clock.advance(timedelta(hours=1))
    again = claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)
    # The two retries, the compose-deferred one and the two released: 5, of which the two
    # retries were charged already.
    assert len(again) == 5
    assert assert_counters_match_charges(context) == {package: 5}
    # A worker that dies keeps its units: the message may have left.
    clock.advance(LEASE * 2)
    assert reclaim_expired(context.store, clock.now()) == 5
    assert assert_counters_match_charges(context) == {package: 5}
    third = claim_batch(context.store, "w2", clock.now(), limit=10, lease=LEASE)
    assert len(third) == 5
    assert assert_counters_match_charges(context) == {package: 5}


def test_the_hard_stop_holds_new_messages_and_a_new_package_lets_them_go(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    task = seed_task(context, address, 10)
    set_policy(context, hard_stop=True, warn_below=5)
    _package(context, "small", 4, date(2026, 11, 30))
    run_until_idle(context)
    rows = messages(context, task)
    assert sorted(row.status for row in rows) == ["delivered"] * 4 + ["pending"] * 6
    assert all(row.attempts == 0 for row in rows if row.status == "pending")
    usage = quota_usage(context)
    assert usage.warning == "No emails left in packages: sending waits for a new package."
    assert claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE) == []
    _package(context, "top-up", 3, date(2026, 12, 31))
    run_until_idle(context)
    assert sorted(row.status for row in messages(context, task)).count("delivered") == 7
    assert quota_usage(context).month_billable == 0
    set_policy(context, hard_stop=False)
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"delivered"}
    assert assert_counters_match_charges(context)[None] == 3


def test_two_engines_claiming_at_once_never_overspend_a_package(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 120)
    set_policy(context, hard_stop=True)
    _package(context, "a", 37, date(2026, 11, 30))
    _package(context, "b", 41, date(2026, 12, 31))
    now = clock.now()

    def claim_all(worker: str) -> list[int]:
        got: list[int] = []
        while batch := claim_batch(context.store, worker, now, limit=7, lease=LEASE):
            got.extend(item.row_id for item in batch)
        return got

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(claim_all, ["w1", "w2"]))
    every = [row_id for result in results for row_id in result]
    assert len(every) == len(set(every)) == 78
    assert set(every) == charged_ids(context)
    assert sorted(assert_counters_match_charges(context).values()) == [37, 41]


def test_a_package_ends_at_midnight_in_the_workspace_zone(
    any_context: Context, clock: FixedClock
) -> None:
    from kootui.core.workspace import update_workspace

    context = any_context
    update_workspace(context, time_zone="Pacific/Auckland")  # UTC+13 in November
    address = seed_sender(context, with_key=False)
    seed_task(context, address, 3)
    set_policy(context, hard_stop=True)
    # The clock says 2026-11-23 15:30 UTC: 2026-11-24 04:30 in Auckland.
    view = add_package(
        context, name="one day", units=10, first_day=date(2026, 11, 24), last_day=date(2026, 11, 24)
    )
    assert view.valid_until == datetime.fromisoformat("2026-11-24T11:00:00+00:00")
    assert (view.first_day, view.last_day) == (date(2026, 11, 24), date(2026, 11, 24))
    clock.set(datetime.fromisoformat("2026-11-24T10:59:59.999999+00:00"))
    assert len(claim_batch(context.store, "w", clock.now(), limit=1, lease=LEASE)) == 1
    clock.set(datetime.fromisoformat("2026-11-24T11:00:00+00:00"))  # midnight in Auckland
    assert claim_batch(context.store, "w", clock.now(), limit=5, lease=LEASE) == []
    assert list_packages(context)[0].state(clock.now()) == "expired"
    assert quota_usage(context).left == 0
