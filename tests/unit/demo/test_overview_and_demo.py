from __future__ import annotations

from sqlalchemy import select

from kootui.core.context import Context
from kootui.core.demo import seed_demo
from kootui.core.dispatch import StatKey, stats_from_messages
from kootui.core.overview import load_overview
from kootui.core.store import DomainStatus, HourlyStat, SenderDomain


def test_empty_workspace_has_nothing_ticked(context: Context) -> None:
    overview = load_overview(context)
    assert overview.domains == 0
    assert overview.tasks == 0
    assert [step.done for step in overview.guide] == [False] * 6
    assert [step.page for step in overview.guide] == [
        "domains",
        "addresses",
        "templates",
        "tasks",
        "details",
        "reports",
    ]


def test_guide_ticks_the_domain_step_only_when_one_is_verified(context: Context) -> None:
    now = context.clock.now()
    with context.store.session() as session:
        session.add(SenderDomain(name="a.example", created_at=now, updated_at=now))
    overview = load_overview(context)
    assert overview.domains == 1
    assert not overview.guide[0].done
    with context.store.session() as session:
        domain = session.get(SenderDomain, 1)
        assert domain is not None
        domain.status = DomainStatus.PASSED
    overview = load_overview(context)
    assert overview.verified_domains == 1
    assert overview.guide[0].done


def test_demo_seed_fills_every_page_and_every_status(any_context: Context) -> None:
    seed_demo(any_context)
    overview = load_overview(any_context)
    assert overview.domains == 4
    assert overview.verified_domains == 2
    assert overview.addresses == 3
    assert all(count >= 1 for count in overview.tasks_by_status.values())
    assert overview.messages_today > 0
    assert all(step.done for step in overview.guide[:5])
    # The core never ticks the report step: the console does, once it has shown a report.
    assert not overview.guide[5].done
    from kootui.core.suppression import list_suppressions

    # The Suppression List has every kind of automatic entry, with its message.
    entries = list_suppressions(any_context).rows
    reasons = {row["reason"] for row in entries}
    assert reasons == {"hard_bounce", "complaint", "unsubscribed", "manual"}
    assert all(row["message_id"] for row in entries if row["reason"] != "manual")


def test_the_demo_statistics_count_its_messages_as_the_engine_would(any_context: Context) -> None:
    """The seeded rows' figures are in the statistics (beside the fabricated history, whose
    To send is 0), so the engine finishing a seeded in-flight message never drives To send
    below zero."""
    seed_demo(any_context)
    table = HourlyStat.__table__
    with any_context.store.engine.connect() as connection:
        recomputed = stats_from_messages(connection)
        stored = {
            StatKey(
                row.hour,
                row.task_id,
                row.domain_id,
                row.address_id,
                row.template_id,
                row.send_method,
            ): row
            for row in connection.execute(select(table))
        }
    assert recomputed
    for key, figures in recomputed.items():
        assert stored[key].to_send == figures["to_send"] >= 0
        assert stored[key].sent >= figures["sent"]


def test_the_demo_package_shows_use_equal_to_a_recount_of_its_charges(
    any_context: Context,
) -> None:
    from kootui.core.packages import quota_usage
    from kootui.core.store import Message
    from tests.support.quota_checks import assert_counters_match_charges, charged_ids

    seed_demo(any_context)
    recount = assert_counters_match_charges(any_context)
    with any_context.store.engine.connect() as connection:
        left = {
            row.id
            for row in connection.execute(
                select(Message.__table__.c.id).where(
                    Message.__table__.c.status.not_in(["pending", "cancelled", "failed"])
                )
            )
        }
    assert charged_ids(any_context) == left and len(left) > 50
    usage = quota_usage(any_context)
    [package] = usage.packages
    assert package.used == recount[package.id] == len(left) == usage.month_used
    assert usage.month_billable == 0 and None not in recount
