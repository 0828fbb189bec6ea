"""Deleting a finished task: its rows go, the statistics stay, and what it used is free."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from kootui.cli import main
from kootui.core.bootstrap import open_context
from kootui.core.errors import InvalidState, NotFound
from kootui.core.senders import delete_address
from kootui.core.store import Attachment, DeliveryAttempt, HourlyStat, Message, TaskStatus
from kootui.core.tasks import cancel_task, delete_task
from kootui.core.templates import delete_template
from tests.support.task_seed import add_scheduled_task, seed_sources, set_task_values


@pytest.fixture
def ids(any_context):
    return seed_sources(any_context)


def _count(context, table, **where):
    statement = select(func.count()).select_from(table)
    for name, value in where.items():
        statement = statement.where(getattr(table.c, name) == value)
    with context.store.engine.connect() as connection:
        return connection.execute(statement).scalar_one()


def _with_history(context, task_id):
    """An attempt on each message and an attachment, as a sent task has."""
    now = context.clock.now()
    with context.store.session() as session:
        connection = session.connection()
        message_ids = connection.execute(
            select(Message.__table__.c.id).where(Message.__table__.c.task_id == task_id)
        ).scalars()
        connection.execute(
            insert(DeliveryAttempt.__table__),
            [
                {"message_id": m, "started_at": now, "outcome": "delivered", "stage": "dot"}
                for m in message_ids
            ],
        )
        connection.execute(
            insert(Attachment.__table__),
            [
                {
                    "task_id": task_id,
                    "filename": "a.pdf",
                    "content_type": "application/pdf",
                    "size": 3,
                    "content": b"pdf",
                }
            ],
        )
        connection.execute(insert(HourlyStat.__table__), [{"hour": now, "sent": 3, "delivered": 3}])


def test_a_finished_task_goes_with_its_rows_and_frees_its_address_and_template(any_context, ids):
    context = any_context
    task = add_scheduled_task(context, ids, name="Old news")
    other = add_scheduled_task(context, ids, name="Kept")
    _with_history(context, task.id)
    set_task_values(context, task.id, status=TaskStatus.COMPLETED.value)
    cancel_task(context, other.id)
    deleted = delete_task(context, task.id)
    assert deleted.name == "Old news"
    assert _count(context, Message.__table__, task_id=task.id) == 0
    assert _count(context, DeliveryAttempt.__table__) == 0
    assert _count(context, Attachment.__table__) == 0
    assert _count(context, Message.__table__, task_id=other.id) == 3
    assert _count(context, HourlyStat.__table__) == 1  # history stays
    delete_task(context, other.id)  # a cancelled task may go too
    delete_template(context, ids["plain"])
    delete_address(context, ids["sender"])


@pytest.mark.parametrize("status", ["scheduled", "sending", "paused"])
def test_a_task_that_can_still_send_is_refused_and_kept(any_context, ids, status):
    task = add_scheduled_task(any_context, ids)
    set_task_values(any_context, task.id, status=status)
    with pytest.raises(InvalidState) as refused:
        delete_task(any_context, task.id)
    assert refused.value.field == "task_id"
    assert "cancel it first" in str(refused.value)
    assert _count(any_context, Message.__table__, task_id=task.id) == 3


def test_an_unknown_task(any_context, ids):
    with pytest.raises(NotFound):
        delete_task(any_context, 999)


def test_the_command_line_deletes_and_refuses_the_same_way(settings, clock, capsys):
    context = open_context(settings, clock=clock)
    try:
        ids = seed_sources(context)
        task = add_scheduled_task(context, ids, name="Scripted")
    finally:
        context.close()
    assert main(["task", "delete", str(task.id)]) == 1
    assert "only a completed, partly failed or cancelled task" in capsys.readouterr().err
    assert main(["task", "cancel", str(task.id)]) == 0
    assert main(["task", "delete", str(task.id)]) == 0
    assert "Deleted task" in capsys.readouterr().out
    assert main(["task", "delete", str(task.id)]) == 1
