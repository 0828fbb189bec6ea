"""The send forecast (simulator and task form) against what the engine then does: the
packages and the hard stop, the warm-up caps day by day, and the rate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import run_until_idle
from kootui.core.packages import add_package, set_policy
from kootui.core.store import SenderAddress
from kootui.core.tasks import forecast_send
from kootui.core.warmup import set_plan
from kootui.core.workspace import update_workspace
from tests.support.dispatch_seed import messages, seed_sender, seed_task


def _domain_of(context: Context, address_id: int) -> int:
    with context.store.session() as session:
        row = session.get(SenderAddress, address_id)
        assert row is not None
        return row.domain_id


def test_the_forecast_matches_a_run_under_warm_up_caps_and_a_hard_stop(
    context: Context, clock: FixedClock
) -> None:
    update_workspace(context, time_zone="Europe/Berlin")  # 16:30 local on 2026-11-23
    address = seed_sender(context, with_key=False)
    domain_id = _domain_of(context, address)
    set_plan(context, domain_id, caps=[3, 4])
    set_policy(context, hard_stop=True)
    add_package(
        context, name="p", units=9, first_day=date(2026, 11, 1), last_day=date(2026, 12, 31)
    )
    forecast = forecast_send(context, count=12, domain_id=domain_id, rate=10)
    assert (forecast.from_packages, forecast.held, forecast.pay_per_use) == (9, 3, 0)
    assert not forecast.fits
    # 3 today, 4 tomorrow, the last 2 right after the midnight that ends the plan.
    assert forecast.days == 3
    midnight = datetime.fromisoformat("2026-11-24T23:00:00+00:00")  # 25 Nov, Berlin
    assert forecast.finish == midnight + timedelta(seconds=0.2)
    assert "3 messages wait for a new package (hard stop)" in forecast.summary()
    assert "over 3 days (warm-up)" in forecast.summary()

    task = seed_task(context, address, 12)
    sent_per_day = []
    # Today, then each Berlin midnight after it.
    for at in ("2026-11-23T15:30:00", "2026-11-23T23:00:00", "2026-11-24T23:00:00"):
        clock.set(datetime.fromisoformat(at + "+00:00"))
        run_until_idle(context)
        sent_per_day.append(sum(row.status == "delivered" for row in messages(context, task)))
    assert sent_per_day == [3, 7, 9]
    assert sum(row.status == "pending" for row in messages(context, task)) == forecast.held


def test_without_caps_the_eta_is_the_rate_and_pay_per_use_fits(context: Context) -> None:
    address = seed_sender(context, with_key=False)
    add_package(
        context, name="p", units=200, first_day=date(2026, 11, 1), last_day=date(2026, 11, 30)
    )
    forecast = forecast_send(context, count=500, domain_id=_domain_of(context, address), rate=50)
    assert forecast.fits and (forecast.from_packages, forecast.pay_per_use) == (200, 300)
    assert forecast.finish == context.clock.now() + timedelta(seconds=10)
    assert forecast.summary() == "fits: 200 from packages, 300 pay-per-use · done in about 10 s"
    # The destination limits' hook: a slower destination rate wins.
    slower = forecast_send(context, count=500, domain_id=None, rate=50, destination_rate=5)
    assert slower.finish == context.clock.now() + timedelta(seconds=100)


def test_the_hold_reason_names_the_hard_stop_or_the_days_cap(context: Context) -> None:
    from kootui.core.tasks import hold_reason

    address = seed_sender(context, with_key=False)
    domain_id = _domain_of(context, address)
    assert hold_reason(context, domain_id) == ""
    set_plan(context, domain_id, caps=[2])
    seed_task(context, address, 3)
    run_until_idle(context)
    assert hold_reason(context, domain_id) == (
        "held: example.com sent its warm-up cap of 2 today; the rest goes after midnight"
    )
    set_policy(context, hard_stop=True)
    assert hold_reason(context, domain_id).startswith("held: no package has emails left")
