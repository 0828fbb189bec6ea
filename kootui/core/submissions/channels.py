"""The tasks that carry submitted messages: one per kind of message, not one per request.

Every message row belongs to a task, and the engine sends a task's messages with the
task's template, subject, sender and attachments. A submission therefore rides the
*channel task* for its sender, template, subject and attachments (``ChannelSpec.key``,
a SHA-256), created on first use and reused by every later submission alike, so the
Sending Tasks page shows one row per kind of message (its counts grow) and the engine
sends them unchanged. A finished channel task is reopened by the next submission; a
cancelled or deleted one is replaced by a new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, case, delete, insert, select, update

from kootui.core.context import Context
from kootui.core.errors import KootuiError, ValidationError
from kootui.core.store import (
    Attachment,
    DomainStatus,
    SenderAddress,
    SenderDomain,
    SendMethod,
    SendType,
    SubmissionChannel,
    SubmissionContent,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
)
from kootui.core.tasks import AttachmentFile

TASK_NAME_CHARS = 100
_task = Task.__table__
_channel = SubmissionChannel.__table__
_content = SubmissionContent.__table__
_template = Template.__table__
_address = SenderAddress.__table__
_domain = SenderDomain.__table__
# A reopened channel goes back to "scheduled" from these; a paused one stays paused.
_REOPENED = (TaskStatus.COMPLETED.value, TaskStatus.PARTLY_FAILED.value)


@dataclass(frozen=True)
class ChannelSpec:
    """What makes messages ride the same task, and what that task is made of."""

    key: str
    address_id: int
    sender: str
    template_id: int
    template_title: str
    subject: str
    support_unsubscribe: bool
    attachments: tuple[AttachmentFile, ...]
    send_method: str = SendMethod.API


def find_content(context: Context, content_hash: str) -> int | None:
    with context.store.engine.connect() as connection:
        found = connection.execute(
            select(_content.c.template_id).where(_content.c.content_hash == content_hash)
        ).first()
    return None if found is None else int(found.template_id)


def remember_content(context: Context, content_hash: str, template_id: int) -> None:
    with context.store.session() as session:
        session.connection().execute(
            insert(_content).values(
                content_hash=content_hash, template_id=template_id, created_at=context.clock.now()
            )
        )


def recheck(connection: Connection, specs: Iterable[ChannelSpec]) -> dict[str, KootuiError]:
    """Inside the writing transaction: channels whose sender is no longer verified or whose
    template is no longer approved, with the refusal (the checker's look-ups may be a
    moment old)."""
    wanted = {spec.key: spec for spec in specs}
    address_ids = {spec.address_id for spec in wanted.values()}
    template_ids = {spec.template_id for spec in wanted.values()}
    verified = {
        row.id
        for row in connection.execute(
            select(_address.c.id)
            .join(_domain, _domain.c.id == _address.c.domain_id)
            .where(_address.c.id.in_(address_ids), _domain.c.status == DomainStatus.PASSED.value)
        )
    }
    approved = {
        row.id
        for row in connection.execute(
            select(_template.c.id).where(
                _template.c.id.in_(template_ids),
                _template.c.status == TemplateStatus.APPROVED.value,
            )
        )
    }
    refused: dict[str, KootuiError] = {}
    for key, spec in wanted.items():
        if spec.address_id not in verified:
            refused[key] = ValidationError(
                f"{spec.sender} cannot send: its domain is not verified",
                field="sender",
                code="address.domain_not_verified",
            )
        elif spec.template_id not in approved:
            refused[key] = ValidationError(
                f"the template {spec.template_title!r} is not approved",
                field="template_id",
                code="task.template_not_approved",
            )
    return refused


def open_channel(
    connection: Connection, spec: ChannelSpec, added: int, now: datetime, known: int | None
) -> int:
    """The id of the channel task for ``spec``, counting ``added`` more recipients on it;
    reopened if finished, made if missing, cancelled or deleted. ``known`` is the task id
    this process last used for the key (saves a read)."""
    task_id = known
    if task_id is None:
        found = connection.execute(
            select(_channel.c.task_id).where(_channel.c.content_key == spec.key)
        ).first()
        task_id = None if found is None else int(found.task_id)
    if task_id is not None:
        reopen: tuple[str, ...] = _REOPENED
        if connection.dialect.name == "postgresql":
            # A concurrent finish_tasks probed for unfinished rows before these were
            # visible and waits on this row; leaving "sending" makes its update miss.
            reopen = (*_REOPENED, TaskStatus.SENDING.value)
        result = connection.execute(
            update(_task)
            .where(_task.c.id == task_id, _task.c.status != TaskStatus.CANCELLED.value)
            .values(
                status=case(
                    (_task.c.status.in_(reopen), TaskStatus.SCHEDULED.value),
                    else_=_task.c.status,
                ),
                finished_at=case((_task.c.status.in_(reopen), None), else_=_task.c.finished_at),
                recipient_count=_task.c.recipient_count + added,
            )
        )
        if result.rowcount == 1:
            return task_id
        connection.execute(delete(_channel).where(_channel.c.content_key == spec.key))
    return _new_channel(connection, spec, added, now)


def _new_channel(connection: Connection, spec: ChannelSpec, added: int, now: datetime) -> int:
    face = "SMTP" if spec.send_method == SendMethod.SMTP else "API"
    name = f"{face} · {spec.sender} · {spec.template_title}"[:TASK_NAME_CHARS]
    task_id = connection.execute(
        insert(_task)
        .values(
            name=name,
            subject=spec.subject,
            template_id=spec.template_id,
            address_id=spec.address_id,
            send_type=SendType.NOW.value,
            send_method=spec.send_method,
            status=TaskStatus.SCHEDULED.value,
            scheduled_at=now,
            recipient_source=f"submitted through {face}",
            recipient_count=added,
            created_at=now,
        )
        .returning(_task.c.id)
    ).scalar_one()
    if spec.attachments:
        connection.execute(
            insert(Attachment.__table__),
            [
                {
                    "task_id": task_id,
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "size": item.size,
                    "content": item.content,
                }
                for item in spec.attachments
            ],
        )
    connection.execute(
        insert(_channel).values(content_key=spec.key, task_id=task_id, created_at=now)
    )
    return int(task_id)
