"""Managing sending tasks: the list query, cancel, pause and resume.

State changes are compare-and-set updates (``WHERE status IN (...)``), so a
worker moving a task from scheduled to sending at the same moment cannot be
overwritten: exactly one of the two wins and the loser is told why. Paused
tasks keep their pending rows; the engine does not claim rows of a task that
is not scheduled or sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlmodel import col

from kootui.core.access import Act, requires
from kootui.core.clock import as_utc
from kootui.core.context import Context
from kootui.core.dispatch import cancel_unsent, retire_task_statistics
from kootui.core.errors import InvalidState, NotFound, ValidationError
from kootui.core.references import resolve_reference
from kootui.core.store import (
    FilterBuilder,
    ListQuery,
    Message,
    MessageStatus,
    PageRequest,
    PageResult,
    Task,
    TaskStatus,
    Template,
    contains,
    date_from_filter,
    date_to_filter,
    equals_filter,
    fetch_page,
    stored_id,
)

STATUS_LABELS = {
    TaskStatus.SCHEDULED: "Scheduled",
    TaskStatus.SENDING: "Sending",
    TaskStatus.PAUSED: "Paused",
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.PARTLY_FAILED: "Partly failed",
    TaskStatus.CANCELLED: "Cancelled",
}
CANCELLABLE = (TaskStatus.SCHEDULED, TaskStatus.PAUSED)
PAUSABLE = (TaskStatus.SCHEDULED, TaskStatus.SENDING)
FINISHED = (TaskStatus.COMPLETED, TaskStatus.PARTLY_FAILED, TaskStatus.CANCELLED)
# What each change of a task's life asks of its status (the one table the faces read too,
# so a console offers only what the core would do).
ALLOWED_FOR = {
    "cancel": CANCELLABLE,
    "pause": PAUSABLE,
    "resume": (TaskStatus.PAUSED,),
    "delete": FINISHED,
}
# Rows not yet handed to a transport; cancelling turns them to cancelled.
UNSENT = (MessageStatus.PENDING, MessageStatus.DEFERRED)

_task = Task.__table__
_template = Template.__table__


def _template_filter(_name: str, value: str) -> ColumnElement[bool]:
    """Template name contains the text, or (for a number) the template ID is it."""
    by_name = contains(_template.c.title, value)
    if value.isdigit():
        return or_(by_name, _task.c.template_id == int(value))
    return by_name


def _task_name_or_id(_name: str, value: str) -> ColumnElement[bool]:
    by_name = contains(_task.c.name, value)
    if value.isdigit():
        return or_(by_name, _task.c.id == int(value))
    return by_name


TASK_FILTERS: dict[str, FilterBuilder] = {
    "name": _task_name_or_id,
    "template": _template_filter,
    "status": equals_filter(_task.c.status, [status.value for status in TaskStatus]),
    "created_from": date_from_filter(_task.c.created_at),
    "created_to": date_to_filter(_task.c.created_at),
}

TASK_LIST = ListQuery(
    statement=select(
        _task.c.id.label("id"),
        _task.c.name.label("name"),
        _task.c.status.label("status"),
        _task.c.send_type.label("send_type"),
        _task.c.send_method.label("send_method"),
        _task.c.subject.label("subject"),
        _task.c.template_id.label("template_id"),
        _template.c.title.label("template_name"),
        _task.c.address_id.label("address_id"),
        _task.c.recipient_count.label("recipient_count"),
        _task.c.recipient_source.label("recipient_source"),
        _task.c.scheduled_at.label("scheduled_at"),
        _task.c.created_at.label("created_at"),
    ).join(_template, _template.c.id == _task.c.template_id),
    sort_columns={
        "id": _task.c.id,
        "name": _task.c.name,
        "status": _task.c.status,
        "template_name": _template.c.title,
        "recipient_count": _task.c.recipient_count,
        "scheduled_at": _task.c.scheduled_at,
        "created_at": _task.c.created_at,
    },
    default_sort="created_at",
    tiebreak=_task.c.id,
    search_columns=(_task.c.name,),
    filters=TASK_FILTERS,
)


@requires(Act.TASK_READ)
def query_tasks(context: Context, request: PageRequest | None = None) -> PageResult:
    """One page of tasks, newest first unless the request sorts otherwise.

    The quick filter matches the task name; advanced fields are ``name`` (name or
    ID), ``template`` (template name or ID), ``status``, ``created_from`` and
    ``created_to`` (local dates, both ends included).
    """
    request = request or PageRequest(sort_key="created_at", descending=True)
    with context.store.session() as session:
        return fetch_page(session, TASK_LIST, request)


@dataclass(frozen=True)
class QueuedWork:
    """Messages still to go out of tasks that will send them (scheduled or sending)."""

    messages: int
    tasks: int


@requires(Act.TASK_READ)
def queued_work(context: Context) -> QueuedWork:
    """What a console leaving now leaves behind: the next start or a worker sends it."""
    message = Message.__table__
    waiting = and_(
        message.c.status.in_([status.value for status in UNSENT]),
        _task.c.status.in_([TaskStatus.SCHEDULED.value, TaskStatus.SENDING.value]),
    )
    with context.store.engine.connect() as connection:
        row = connection.execute(
            select(func.count(), func.count(func.distinct(message.c.task_id)))
            .select_from(message.join(_task, message.c.task_id == _task.c.id))
            .where(waiting)
        ).one()
    return QueuedWork(messages=int(row[0]), tasks=int(row[1]))


def task_action_refusal(action: str, status: str) -> str | None:
    """Why a task in ``status`` cannot take ``action`` (cancel, pause, resume, delete), in
    words for a user; None when it can."""
    allowed = ALLOWED_FOR[action]
    if status in allowed:
        return None
    label = STATUS_LABELS.get(TaskStatus(status), status).lower()
    allowed_text = " or ".join(STATUS_LABELS[s].lower() for s in allowed)
    return f"it is {label}; only a {allowed_text} task can be {_PAST[action]}"


_PAST = {"cancel": "cancelled", "pause": "paused", "resume": "resumed", "delete": "deleted"}


def _set_status(
    context: Context,
    task_id: int,
    *,
    allowed: tuple[TaskStatus, ...],
    values: dict[str, Any],
    action: str,
    cancel_messages: bool = False,
) -> Task:
    with context.store.session() as session:
        connection = session.connection()
        changed = connection.execute(
            update(_task)
            .where(and_(_task.c.id == task_id, _task.c.status.in_([s.value for s in allowed])))
            .values(**values)
        )
        if changed.rowcount != 1:
            current = session.get(Task, task_id)
            if current is None:
                raise NotFound(f"there is no task {task_id}", field="task_id")
            label = STATUS_LABELS.get(TaskStatus(current.status), current.status)
            allowed_text = " or ".join(STATUS_LABELS[s].lower() for s in allowed)
            raise InvalidState(
                f"task {task_id} is {label.lower()}; only a {allowed_text} task can be {action}",
                field="task_id",
                code=f"task.cannot_{action.split()[0]}",
            )
        if cancel_messages:
            # Through the engine's own function, so attempted-but-unsent messages leave the
            # hourly "to send" figure in the same transaction.
            cancel_unsent(connection, [task_id])
        task = session.get(Task, task_id)
        assert task is not None
        session.refresh(task)
        return task


@requires(Act.TASK_UPDATE)
def cancel_task(context: Context, task_id: int) -> Task:
    """Cancel a task that has not started (or is paused): its unsent messages are cancelled."""
    now = context.clock.now()
    return _set_status(
        context,
        task_id,
        allowed=CANCELLABLE,
        values={"status": TaskStatus.CANCELLED.value, "cancelled_at": now, "finished_at": now},
        action="cancelled",
        cancel_messages=True,
    )


@requires(Act.TASK_UPDATE)
def pause_task(context: Context, task_id: int) -> Task:
    """Stop a scheduled or sending task from handing out more messages until resumed."""
    return _set_status(
        context,
        task_id,
        allowed=PAUSABLE,
        values={"status": TaskStatus.PAUSED.value},
        action="paused",
    )


@requires(Act.TASK_UPDATE)
def resume_task(context: Context, task_id: int) -> Task:
    """A paused task goes back to sending (or scheduled, if it never started)."""
    task = _get(context, task_id)
    target = TaskStatus.SENDING if task.started_at is not None else TaskStatus.SCHEDULED
    return _set_status(
        context,
        task_id,
        allowed=(TaskStatus.PAUSED,),
        values={"status": target.value},
        action="resumed",
    )


@requires(Act.TASK_DELETE)
def delete_task(context: Context, task_id: int) -> Task:
    """Delete a finished task with its messages, attempts, headers and attachments.

    Only a completed, partly failed or cancelled task: one that can still send must be
    cancelled first, so no engine holds its messages. The hourly statistics are history
    and keep the task's counts and name, under a history id of their own. Deleting the
    last task that used a sender address or a template lets that address or template be
    deleted."""
    with context.store.session() as session:
        connection = session.connection()
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound(f"there is no task {task_id}", field="task_id")
        if task.status not in FINISHED:
            label = STATUS_LABELS.get(TaskStatus(task.status), task.status).lower()
            raise InvalidState(
                f"task {task_id} is {label}; only a completed, partly failed or cancelled "
                "task can be deleted (cancel it first)",
                field="task_id",
                code="task.cannot_delete",
            )
        session.expunge(task)
        # One statement; the store's ON DELETE CASCADE takes the rows that hang off it.
        deleted = connection.execute(
            delete(_task).where(and_(_task.c.id == task_id, _task.c.status.in_(FINISHED)))
        )
        if deleted.rowcount != 1:  # it changed status between the read and the delete
            raise InvalidState(f"task {task_id} changed meanwhile; try again", field="task_id")
        retire_task_statistics(connection, task_id, task.name)
        return task


def _get(context: Context, task_id: int) -> Task:
    with context.store.session() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound(f"there is no task {task_id}", field="task_id")
        return task


@requires(Act.TASK_READ)
def find_task_id(context: Context, reference: str) -> int:
    """The ID of the task named by its ID or its exact name (any case)."""

    def by_name(name: str) -> list[tuple[int, int]]:
        with context.store.session() as session:
            rows = session.scalars(
                select(Task)
                .where(func.lower(col(Task.name)) == name.lower())
                .order_by(col(Task.id))
            ).all()
            return [(stored_id(row), stored_id(row)) for row in rows]

    return resolve_reference(
        reference,
        by_id=lambda task_id: stored_id(_get(context, task_id)),
        by_name=by_name,
        what="task",
        field="task",
        listing="kootui task list",
    )


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[TaskStatus(status)]
    except ValueError:
        raise ValidationError(f"unknown task status {status!r}", field="status") from None


def local_input_time(value: datetime) -> str:
    """A stored time as the create form shows it (the format ``parse_local_time`` reads)."""
    return as_utc(value).astimezone().strftime("%Y-%m-%d %H:%M")
