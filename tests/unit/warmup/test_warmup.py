"""Warm-up plans: the built-in curve, the user's table, and the daily caps the claim
honours across calendar days in the workspace's zone (injected clock)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import claim_batch, release, run_until_idle
from kootui.core.errors import ValidationError
from kootui.core.warmup import clear_plan, curve_caps, parse_caps, set_plan, show_plan
from kootui.core.workspace import update_workspace
from tests.support.dispatch_seed import messages, seed_sender, seed_task
from tests.support.quota_checks import assert_counters_match_charges, plan_use

LEASE = timedelta(seconds=60)


def test_the_curve_doubles_from_50_to_its_target_on_the_last_day() -> None:
    assert curve_caps(1000, 6) == [50, 100, 200, 400, 800, 1000]
    assert curve_caps(300, 5) == [50, 100, 200, 300, 300]
    assert curve_caps(10_000, 3) == [50, 100, 10_000]
    assert parse_caps("50, 100 250") == [50, 100, 250]
    with pytest.raises(ValidationError, match="day 2: 'x' is not a whole number"):
        parse_caps("5, x")
    with pytest.raises(ValidationError) as caught:
        curve_caps(1000, 0)
    assert caught.value.field == "days"


def _domain_of(context: Context, address_id: int) -> int:
    from kootui.core.store import SenderAddress

    with context.store.session() as session:
        row = session.get(SenderAddress, address_id)
        assert row is not None
        return row.domain_id


def test_a_domain_sends_no_more_than_the_days_cap_and_the_rest_waits_for_the_next_day(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    update_workspace(context, time_zone="America/New_York")  # 10:30 local on 2026-11-23
    warm = seed_sender(context, with_key=False)
    cold = seed_sender(context, domain="new.example", with_key=False)
    cold_domain = _domain_of(context, cold)
    capped = seed_task(context, cold, 12)  # first in the queue
    free = seed_task(context, warm, 4)
    view = set_plan(context, cold_domain, caps=[3, 5])
    assert (view.day_number, view.today_cap, view.used_today) == (1, 3, 0)
    run_until_idle(context)
    statuses = [row.status for row in messages(context, capped)]
    assert statuses.count("delivered") == 3 and statuses.count("pending") == 9
    assert {row.status for row in messages(context, free)} == {"delivered"}
    assert show_plan(context, cold_domain).used_today == 3  # type: ignore[union-attr]
    # Later the same local day: still nothing.
    clock.set(datetime.fromisoformat("2026-11-24T04:59:00+00:00"))  # 23:59 in New York
    assert claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE) == []
    # Local midnight: day 2 of the plan, cap 5.
    clock.set(datetime.fromisoformat("2026-11-24T05:00:00+00:00"))
    view = show_plan(context, cold_domain)
    assert view is not None and (view.day_number, view.today_cap, view.used_today) == (2, 5, 0)
    claimed = claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)
    assert len(claimed) == 5
    # A claim given back unsent gives back its place in the day's cap.
    release(context.store, "w", [item.row_id for item in claimed[:2]], clock.now())
    assert plan_use(context, cold_domain) == ("2026-11-24", 3)
    assert len(claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)) == 2
    # Day 3: the plan is over, the domain is warm.
    clock.advance(timedelta(days=1))
    view = show_plan(context, cold_domain)
    assert view is not None and view.finished and view.today_cap is None
    assert len(claim_batch(context.store, "w", clock.now(), limit=10, lease=LEASE)) == 4
    assert sum(assert_counters_match_charges(context).values()) == 16


def test_a_plan_set_again_keeps_todays_use_and_clearing_it_lifts_the_cap(
    any_context: Context, clock: FixedClock
) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    domain_id = _domain_of(context, address)
    task = seed_task(context, address, 10)
    set_plan(context, domain_id, target=400, days=4)
    assert show_plan(context, domain_id).caps == (50, 100, 200, 400)  # type: ignore[union-attr]
    set_plan(context, domain_id, caps=[2])
    run_until_idle(context)
    set_plan(context, domain_id, caps=[4, 8])
    view = show_plan(context, domain_id)
    assert view is not None and (view.used_today, view.left_today) == (2, 2)
    assert view.first_day == date(2026, 11, 23)
    run_until_idle(context)
    assert [row.status for row in messages(context, task)].count("delivered") == 4
    assert clear_plan(context, domain_id) is True
    assert show_plan(context, domain_id) is None
    run_until_idle(context)
    assert {row.status for row in messages(context, task)} == {"delivered"}
