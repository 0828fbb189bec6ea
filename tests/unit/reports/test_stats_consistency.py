"""The statistics stay equal to what ``stats_from_messages`` recomputes from the message
rows and their events, by hour and by what sent them, after random sends to a real
loopback SMTP server with deferrals, rejections, drops after the final dot (retried),
cancels and deletes, and random opens, clicks and unsubscriptions through the tracking
host's core functions; a deleted task's rows stay as history (by design) and still show
by name."""

from __future__ import annotations

import random
from datetime import UTC, timedelta

import pytest
from sqlalchemy import update

from kootui.core.clock import FixedClock
from kootui.core.context import Context
from kootui.core.dispatch import run_until_idle, stats_from_messages
from kootui.core.mail import record_unsubscribe, tracking_token
from kootui.core.reports import (
    ReportFilters,
    ReportQuery,
    ReportType,
    report_choices,
    statistics_report,
)
from kootui.core.store import EVENT_MEASURES, Message, Task, TaskStatus
from kootui.core.tasks import cancel_task, delete_task, pause_task
from kootui.core.tracking import follow_click, record_open
from kootui.core.workspace import update_workspace
from tests.support.dispatch_seed import (
    messages,
    relay_settings,
    seed_sender,
    seed_task,
    stat_rows,
    task_status,
)
from tests.support.smtp_server import RecordingHandler, RecordingServer

REPLIES = (
    ("ok", 6),
    ("defer", 2),  # 450 at RCPT, then accepted on the retry
    ("reject", 2),  # 550 at RCPT: final
    ("drop", 1),  # the connection drops after the final dot: unknown, sent again
)
FINISHED = {TaskStatus.COMPLETED.value, TaskStatus.PARTLY_FAILED.value, TaskStatus.CANCELLED.value}
TRACKED_BODY = '<p>Dear {{name}}, <a href="https://shop.example.com/offer">the offer</a>.</p>'


def _script(handler: RecordingHandler, recipient: str, reply: str) -> None:
    if reply == "defer":
        handler.rcpt_script[recipient] = ["450 4.2.1 try later"]
    elif reply == "reject":
        handler.rcpt_script[recipient] = ["550 5.1.1 no such user"]
    elif reply == "drop":
        handler.drop_after_dot[recipient] = 1


def _engage(context: Context, rng: random.Random) -> int:
    """Random opens (some twice), clicks and unsubscriptions of the delivered messages
    through the tracking host's core functions; returns how many calls were made."""
    calls = 0
    for row in messages(context):
        if row.status != "delivered" or not row.unsubscribe_token or rng.random() < 0.4:
            continue
        token = tracking_token(row.id or 0, row.unsubscribe_token)
        for _ in range(rng.choice((1, 1, 2))):
            assert record_open(context, token)
            calls += 1
        if rng.random() < 0.5:
            assert follow_click(context, token, 0) == "https://shop.example.com/offer"
            calls += 1
        if rng.random() < 0.2:
            assert record_unsubscribe(context, row.unsubscribe_token) is not None
            calls += 1
    return calls


def _check(context: Context, deleted: set[str]) -> None:
    table = stat_rows(context)
    with context.store.engine.connect() as connection:
        recomputed = stats_from_messages(connection)
    # A deleted task's rows move to a history id of their own (negative): SQLite gives a
    # deleted newest task's id to the next task, which must not inherit its figures.
    history = {key: figures for key, figures in table.items() if key.task_id < 0}
    assert {key: figures for key, figures in table.items() if key not in history} == recomputed
    for figures in table.values():
        outcomes = figures["delivered"] + figures["failed"] + figures["rejected"]
        assert figures["sent"] == outcomes + figures["to_send"] and figures["to_send"] >= 0
    day = context.clock.now().date()
    report = statistics_report(context, ReportQuery(ReportType.HOURLY, day, day))
    for name in ("sent", *EVENT_MEASURES):
        assert report.totals.value(name) == sum(figures[name] for figures in table.values())
    shown = {choice.value: choice for choice in report_choices(context).tasks if choice.deleted}
    assert {choice.label for choice in shown.values()} == deleted
    assert {key.task_id for key in history} == set(shown)
    for task_id in shown:
        only = ReportFilters(task_ids=(int(task_id),))
        kept = statistics_report(context, ReportQuery(ReportType.DAILY, day, day, only))
        expected = sum(f["sent"] for key, f in history.items() if key.task_id == task_id)
        assert kept.totals.value("sent") == expected > 0


@pytest.mark.parametrize("seed", [3])
def test_statistics_equal_the_message_rows_after_random_sending(
    any_context: Context, clock: FixedClock, seed: int
) -> None:
    context = any_context
    update_workspace(context, time_zone="UTC")
    rng = random.Random(seed)
    readers = random.Random(seed + 1)  # apart, so the sending walks the same paths
    senders = [
        seed_sender(context, domain="example.com", with_key=False),
        seed_sender(context, domain="example.net", with_key=False),
    ]
    handler = RecordingHandler()
    deleted: set[str] = set()
    cancelled = 0  # deferred messages cancelled: their to_send became failed
    tasks: dict[str, int] = {}  # by name: SQLite may reuse a deleted task's id
    engaged = 0  # opens, clicks and unsubscriptions recorded
    with RecordingServer(handler) as server:
        relay = relay_settings(context, server.port, concurrency=2)
        for step in range(5):
            recipients = [f"t{step}r{index}@example.org" for index in range(rng.randint(3, 6))]
            task = seed_task(
                context,
                rng.choice(senders),
                recipients,
                body=TRACKED_BODY,
                track_opens_clicks=True,
            )
            tasks[f"Wave {step}"] = task
            with context.store.engine.begin() as connection:
                connection.execute(
                    update(Task.__table__)
                    .where(Task.__table__.c.id == task)
                    .values(name=f"Wave {step}", status=TaskStatus.SENDING.value)
                )
                if rng.random() < 0.4:
                    connection.execute(
                        update(Message.__table__)
                        .where(Message.__table__.c.task_id == task)
                        .values(send_method="cli")
                    )
            kinds, weights = zip(*REPLIES, strict=True)
            for recipient in recipients:
                _script(handler, recipient, rng.choices(kinds, weights)[0])
            run_until_idle(relay)
            _check(context, deleted)
            live = {name: t for name, t in tasks.items() if name not in deleted}
            unfinished = [t for t in live.values() if task_status(context, t) not in FINISHED]
            if unfinished and step in (1, 3):
                victim = rng.choice(unfinished)
                cancelled += sum(row.status == "deferred" for row in messages(context, victim))
                pause_task(context, victim)
                cancel_task(context, victim)
                _check(context, deleted)
            clock.advance(timedelta(minutes=rng.randint(20, 50)))  # retries are due
            run_until_idle(relay)
            _check(context, deleted)
            engaged += _engage(context, readers)  # in this hour, or the next: events' own hour
            _check(context, deleted)
            finished = [n for n, t in live.items() if task_status(context, t) in FINISHED]
            if finished and step in (2, 4):
                name = rng.choice(finished)
                delete_task(context, tasks[name])
                deleted.add(name)
                _check(context, deleted)
        resent = max(server.counts_by_message_id().values())
    # The run walks every path: delivered, rejected, a deferral cancelled, a message sent
    # again after a drop, a deleted task.
    assert {"delivered", "rejected"} <= {row.status for row in messages(context)}
    assert cancelled and resent >= 2 and deleted and engaged
    assert clock.now().astimezone(UTC).hour != 15  # the run crossed hours


def test_a_new_task_never_inherits_a_deleted_tasks_figures(any_context: Context) -> None:
    context = any_context
    address = seed_sender(context, with_key=False)
    with RecordingServer(RecordingHandler()) as server:
        relay = relay_settings(context, server.port)
        first = seed_task(context, address, ["a@example.org", "b@example.org"])
        run_until_idle(relay)
        delete_task(context, first)
        second = seed_task(context, address, ["c@example.org"])
        run_until_idle(relay)
    # Neither store gives a deleted task's id again (SQLite: AUTOINCREMENT, revision 0018).
    assert second > first
    by_task = {key.task_id: figures["sent"] for key, figures in stat_rows(context).items()}
    assert by_task == {second: 1, -1: 2}
    [history] = [choice for choice in report_choices(context).tasks if choice.deleted]
    assert (history.value, history.label) == (-1, "Welcome wave")
