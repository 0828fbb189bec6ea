"""Events move the Statistics Report: each kind's measure in the event's UTC hour and the
message's dimensions, unique opens and clicks counted once per message, repeats and
rollbacks counting nothing, the figures by hand and through the report's filters, and a
deleted task's figures kept as history. The fixed clock is 2026-11-23 15:30 UTC."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text, update

from kootui.core.context import Context
from kootui.core.dispatch import StatKey, stats_from_messages
from kootui.core.events import (
    CLICKED,
    KIND_MEASURES,
    OPENED,
    UNSUBSCRIBED,
    KindMeasure,
    message_engagement,
    record_event,
    register_kind,
)
from kootui.core.reports import ReportFilters, ReportQuery, ReportType, statistics_report
from kootui.core.store import EVENT_MEASURES, SenderAddress, Task, TaskStatus
from kootui.core.tasks import delete_task
from kootui.core.workspace import update_workspace
from tests.support.dispatch_seed import messages, seed_sender, seed_task, stat_rows

H13 = datetime(2026, 11, 23, 13, tzinfo=UTC)
H14 = H13 + timedelta(hours=1)
# The bounce host's kind, registered with the terms it uses: the measure comes by name.
COMPLAINED = register_kind("complained", "Complained", once_per_message=True)


def _at(hour: datetime, minutes: int) -> datetime:
    return hour + timedelta(minutes=minutes, seconds=30)


def _events_only(context: Context) -> dict[StatKey, dict[str, int]]:
    return {
        key: {name: figures[name] for name in EVENT_MEASURES if figures[name]}
        for key, figures in stat_rows(context).items()
    }


@pytest.fixture
def two_tasks(any_context: Context) -> tuple[list[int], int, int]:
    """Ana, Bo and Cy on a task sent from example.com; Dee on one from example.net.
    Returns the first task's message ids, then Dee's, then the example.net domain id."""
    update_workspace(any_context, time_zone="UTC")
    first = seed_task(
        any_context,
        seed_sender(any_context, with_key=False),
        ["ana@example.org", "bo@example.org", "cy@example.org"],
    )
    other_address = seed_sender(any_context, domain="example.net", with_key=False)
    second = seed_task(any_context, other_address, ["dee@example.org"])
    with any_context.store.session() as session:
        address = session.get(SenderAddress, other_address)
        assert address is not None
        other_domain = address.domain_id
    ids = [row.id or 0 for row in messages(any_context, first)]
    [dee] = [row.id or 0 for row in messages(any_context, second)]
    return ids, dee, other_domain


def test_the_kinds_name_their_measure() -> None:
    assert OPENED.measure == KindMeasure("opened", first_only=True)
    assert CLICKED.measure == KindMeasure("clicked", first_only=True)
    assert UNSUBSCRIBED.measure == KindMeasure("unsubscribed")
    assert COMPLAINED.measure == KIND_MEASURES["complained"] == KindMeasure("complained")
    assert {measure.column for measure in KIND_MEASURES.values()} == set(EVENT_MEASURES)
    quiet = register_kind("test_read_receipt", "Read receipt", once_per_message=False)
    assert quiet.measure is None


def test_events_count_in_their_hour_and_unique_ones_once_per_message(
    any_context: Context, two_tasks: tuple[list[int], int, int]
) -> None:
    (ana, bo, cy), dee, _ = two_tasks
    written = []
    with any_context.store.session() as session:
        connection = session.connection()
        for message_id, kind, when, link in [
            (ana, OPENED, _at(H13, 1), None),
            (ana, OPENED, _at(H13, 59), None),  # a second open of Ana's: not unique
            (bo, OPENED, _at(H14, 0), None),
            (ana, OPENED, _at(H14, 5), None),  # a later hour: still Ana's second and third
            (ana, CLICKED, _at(H13, 2), 0),
            (ana, CLICKED, _at(H13, 3), 2),  # another link of the same message
            (bo, CLICKED, _at(H14, 1), 1),
            (cy, UNSUBSCRIBED, _at(H13, 10), None),
            (cy, UNSUBSCRIBED, _at(H14, 10), None),  # a repeat writes and counts nothing
            (bo, COMPLAINED, _at(H14, 20), None),
            (dee, OPENED, _at(H13, 30), None),
        ]:
            written.append(record_event(connection, message_id, kind, when, link_index=link))
    assert written == [True] * 8 + [False] + [True] * 2
    rows = _events_only(any_context)
    by_hour_and_task: dict[tuple[datetime, int], dict[str, int]] = {
        (key.hour, key.task_id): figures for key, figures in rows.items()
    }
    [first_task, second_task] = sorted({key.task_id for key in rows})
    assert by_hour_and_task == {
        (H13, first_task): {"unsubscribed": 1, "opened": 1, "clicked": 1},
        (H14, first_task): {"complained": 1, "opened": 1, "clicked": 1},
        (H13, second_task): {"opened": 1},
    }
    # Each row carries its message's sender, template and method.
    assert {(key.send_method, key.task_id) for key in rows} == {
        ("console", first_task),
        ("console", second_task),
    }
    assert len({(key.domain_id, key.address_id, key.template_id) for key in rows}) == 2
    # Every event is kept for the message's detail; only the first counted.
    assert message_engagement(any_context, ana).opens == 3
    with any_context.store.engine.connect() as connection:
        assert stats_from_messages(connection) == stat_rows(any_context)


def test_the_report_shows_the_measures_by_hour_and_filters_them(
    any_context: Context, two_tasks: tuple[list[int], int, int]
) -> None:
    (ana, bo, _), dee, other_domain = two_tasks
    with any_context.store.session() as session:
        connection = session.connection()
        for message_id, kind, when in [
            (ana, OPENED, _at(H13, 0)),
            (bo, OPENED, _at(H13, 40)),
            (bo, OPENED, _at(H14, 40)),
            (ana, CLICKED, _at(H14, 0)),
            (dee, OPENED, _at(H14, 15)),
            (dee, CLICKED, _at(H14, 16)),
        ]:
            record_event(connection, message_id, kind, when)
    day = date(2026, 11, 23)

    def report(
        filters: ReportFilters, kind: ReportType = ReportType.HOURLY
    ) -> list[tuple[int, int]]:
        found = statistics_report(any_context, ReportQuery(kind, day, day, filters))
        return [(row.value("opened"), row.value("clicked")) for row in found.rows]

    everything = report(ReportFilters())
    assert everything[13:] == [(2, 0), (1, 2), (0, 0)]  # 15:00 is the running hour
    assert report(ReportFilters(), ReportType.DAILY) == [(3, 2)]
    assert report(ReportFilters(domain_ids=(other_domain,)), ReportType.DAILY) == [(1, 1)]
    first_task = messages(any_context)[0].task_id
    assert report(ReportFilters(task_ids=(first_task,)), ReportType.DAILY) == [(2, 1)]
    whole = statistics_report(any_context, ReportQuery(ReportType.DAILY, day, day))
    assert whole.totals.value("sent") == 0 and whole.totals.delivery_rate is None


def test_an_event_and_its_measure_roll_back_together(
    any_context: Context, two_tasks: tuple[list[int], int, int]
) -> None:
    (ana, _, _), _, _ = two_tasks
    with pytest.raises(RuntimeError), any_context.store.session() as session:
        record_event(session.connection(), ana, OPENED, _at(H13, 5))
        raise RuntimeError("the change failed")
    assert _events_only(any_context) == {}
    with any_context.store.session() as session:
        # The first open is still to come: the rolled-back one took no mark with it.
        record_event(session.connection(), ana, OPENED, _at(H13, 6))
    assert [figures for figures in _events_only(any_context).values()] == [{"opened": 1}]


def test_a_deleted_tasks_event_measures_stay_as_its_history(
    any_context: Context, two_tasks: tuple[list[int], int, int]
) -> None:
    (ana, bo, _), _, _ = two_tasks
    with any_context.store.session() as session:
        connection = session.connection()
        record_event(connection, ana, OPENED, _at(H13, 1))
        record_event(connection, bo, CLICKED, _at(H14, 1), link_index=0)
    task_id = messages(any_context)[0].task_id
    with any_context.store.engine.begin() as connection:
        connection.execute(
            update(Task.__table__)
            .where(Task.__table__.c.id == task_id)
            .values(status=TaskStatus.COMPLETED.value)
        )
    delete_task(any_context, task_id)
    history = {key.task_id for key in _events_only(any_context)}
    assert history == {-1}
    day = date(2026, 11, 23)
    kept = statistics_report(
        any_context, ReportQuery(ReportType.DAILY, day, day, ReportFilters(task_ids=(-1,)))
    )
    assert (kept.totals.value("opened"), kept.totals.value("clicked")) == (1, 1)


def test_two_first_opens_racing_count_one(
    any_context: Context, two_tasks: tuple[list[int], int, int]
) -> None:
    """The second open waits on the first one's uncommitted mark (PostgreSQL: its unique
    index entry), then is written unmarked and counts nothing."""
    if any_context.store.dialect != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: no race to lose")
    (ana, _, _), _, _ = two_tasks
    engine = any_context.store.engine
    later: list[bool] = []

    def second_open() -> None:
        with engine.begin() as connection:
            later.append(record_event(connection, ana, OPENED, _at(H13, 2)))

    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.begin() as connection:
        assert record_event(connection, ana, OPENED, _at(H13, 1))
        racer = threading.Thread(target=second_open)
        racer.start()
        deadline = time.monotonic() + 20
        with engine.connect() as observer:
            while not observer.execute(waiting).scalar():
                observer.rollback()  # a transaction keeps one snapshot of pg_stat_activity
                assert time.monotonic() < deadline, "the second open never waited"
    racer.join(timeout=20)
    assert later == [True]
    assert message_engagement(any_context, ana).opens == 2
    assert list(_events_only(any_context).values()) == [{"opened": 1}]
