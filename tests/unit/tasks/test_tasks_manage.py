"""Listing, cancelling, pausing and resuming tasks, and their progress figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from kootui.core.errors import InvalidState, NotFound, ValidationError
from kootui.core.store import Message, PageRequest
from kootui.core.tasks import (
    cancel_task,
    pause_task,
    query_tasks,
    resume_task,
    task_progress,
)
from tests.support.task_seed import add_scheduled_task, seed_sources, set_task_values


@pytest.fixture
def ids(any_context):
    return seed_sources(any_context)


def _message_statuses(context, task_id):
    with context.store.session() as session:
        rows = session.connection().execute(
            Message.__table__.select()
            .where(Message.__table__.c.task_id == task_id)
            .order_by(Message.__table__.c.id)
        )
        return [row.status for row in rows]


def test_cancel_a_scheduled_task_cancels_its_pending_messages(any_context, ids):
    task = add_scheduled_task(any_context, ids)
    with any_context.store.session() as session:
        message = Message.__table__
        first = (
            session.connection()
            .execute(message.select().where(message.c.task_id == task.id).order_by(message.c.id))
            .first()
        )
        session.connection().execute(
            update(message).where(message.c.id == first.id).values(status="delivered")
        )
    cancelled = cancel_task(any_context, task.id)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at == any_context.clock.now()
    assert _message_statuses(any_context, task.id) == ["delivered", "cancelled", "cancelled"]


@pytest.mark.parametrize("status", ["completed", "cancelled", "partly_failed", "sending"])
def test_cancel_is_refused_once_started_or_finished(any_context, ids, status):
    task = add_scheduled_task(any_context, ids)
    set_task_values(any_context, task.id, status=status)
    with pytest.raises(InvalidState) as caught:
        cancel_task(any_context, task.id)
    assert caught.value.field == "task_id"
    assert _message_statuses(any_context, task.id) == ["pending"] * 3


def test_unknown_task(any_context, ids):
    for action in (cancel_task, pause_task, resume_task, task_progress):
        with pytest.raises(NotFound):
            action(any_context, 999)


def test_pause_and_resume(any_context, ids):
    task = add_scheduled_task(any_context, ids, scheduled=False)
    set_task_values(any_context, task.id, status="sending", started_at=any_context.clock.now())
    assert pause_task(any_context, task.id).status == "paused"
    with pytest.raises(InvalidState):
        pause_task(any_context, task.id)
    assert resume_task(any_context, task.id).status == "sending"
    with pytest.raises(InvalidState):
        resume_task(any_context, task.id)
    never_started = add_scheduled_task(any_context, ids, name="Later")
    pause_task(any_context, never_started.id)
    assert resume_task(any_context, never_started.id).status == "scheduled"
    pause_task(any_context, never_started.id)
    assert cancel_task(any_context, never_started.id).status == "cancelled"


def test_query_by_name_template_status_and_created_day(any_context, ids):
    clock = any_context.clock
    first = add_scheduled_task(any_context, ids, name="Black Friday 100%")
    clock.advance(timedelta(days=2))
    second = add_scheduled_task(any_context, ids, name="Cyber Monday")
    cancel_task(any_context, second.id)
    add_scheduled_task(any_context, ids, name="Weekly digest")

    def names(**kwargs):
        return [row["name"] for row in query_tasks(any_context, PageRequest(**kwargs)).rows]

    assert names(text_filter="monday") == ["Cyber Monday"]
    assert names(text_filter="100%") == ["Black Friday 100%"]
    assert names(text_filter="%") == ["Black Friday 100%"]  # wildcards are literal
    assert names(advanced={"status": "cancelled"}) == ["Cyber Monday"]
    assert len(names(advanced={"template": "plain"})) == 3
    assert len(names(advanced={"template": str(ids["plain"])})) == 3
    assert names(advanced={"template": "welcome"}) == []
    assert names(advanced={"name": str(first.id)}) == ["Black Friday 100%"]
    assert names(advanced={"created_to": "2026-11-23"}) == ["Black Friday 100%"]
    assert len(names(advanced={"created_from": "2026-11-25"})) == 2
    newest_first = query_tasks(any_context)
    assert [row["name"] for row in newest_first.rows][-1] == "Black Friday 100%"
    assert newest_first.rows[0]["template_name"] == "Plain notice"
    with pytest.raises(ValidationError) as caught:
        query_tasks(any_context, PageRequest(advanced={"status": "lost"}))
    assert caught.value.field == "status"


def test_paging(any_context, ids):
    for i in range(7):
        add_scheduled_task(any_context, ids, name=f"T{i}", count=1)
    page = query_tasks(any_context, PageRequest(limit=3, offset=3, sort_key="name"))
    assert [row["name"] for row in page.rows] == ["T3", "T4", "T5"]
    assert page.total == 7 and page.has_next


def test_progress_counts_rate_and_eta(any_context, ids):
    task = add_scheduled_task(any_context, ids, count=10, scheduled=False)
    now = any_context.clock.now()
    start = any_context.clock.now()
    set_task_values(any_context, task.id, status="sending", started_at=start)
    message = Message.__table__
    plan = ["delivered"] * 3 + ["failed", "rejected", "deferred", "sending"]
    with any_context.store.session() as session:
        ids_ = [
            row.id
            for row in session.connection().execute(
                message.select().where(message.c.task_id == task.id).order_by(message.c.id)
            )
        ]
        for message_id, status in zip(ids_, plan, strict=False):
            sent = (
                now - timedelta(seconds=10)
                if status != "delivered"
                else now - timedelta(seconds=30)
            )
            session.connection().execute(
                update(message)
                .where(message.c.id == message_id)
                .values(status=status, sent_at=sent)
            )
        # one delivered long ago: counted as sent, not in the last minute's rate
        session.connection().execute(
            update(message).where(message.c.id == ids_[0]).values(sent_at=now - timedelta(hours=1))
        )
    progress = task_progress(any_context, task.id)
    assert progress.total == 10
    assert progress.counts == {
        "pending": 3,
        "sending": 1,
        "delivered": 3,
        "deferred": 1,
        "failed": 1,
        "rejected": 1,
        "cancelled": 0,
        "bounced": 0,
        "complained": 0,
    }
    assert progress.sent == 7
    assert progress.rate == pytest.approx(6 / 60)
    assert progress.remaining == 5 and progress.finished == 5
    assert progress.fraction == 0.5
    assert progress.eta == timedelta(seconds=50)
    pause_task(any_context, task.id)
    assert task_progress(any_context, task.id).eta is None  # nothing moves while paused
