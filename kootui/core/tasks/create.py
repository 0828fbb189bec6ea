"""Sending tasks: check a draft, then create the task and one message row per recipient.

The fields and their rules are the seeds' table 5-4. ``create_task`` checks
everything once more inside the one transaction that writes the task, its
attachments and all its message rows, so a task is either created whole or
not at all. Message rows are written in chunks by ``tasks.message_insert`` (COPY on
PostgreSQL, a driver-level executemany on SQLite; one ORM add per row costs ~100x
more): 100,000 recipients expand in about 3.5 s. Addresses on the suppression list
get cancelled rows with the reason. The dispatch engine reads those rows; the list
query and cancel/pause/resume live in ``tasks.manage``, progress figures in
``tasks.progress``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from kootui.core.access import Act, requires
from kootui.core.apikeys import LimitDemand, limit_subjects, take_daily_room
from kootui.core.clock import as_utc
from kootui.core.context import Context
from kootui.core.dispatch import wake_engines
from kootui.core.errors import KootuiError, NotFound, StoreError, ValidationError
from kootui.core.mail import (
    NO_TRACKING_HOST,
    first_control,
    has_tracking_host,
    new_token,
    tracks_opens_clicks,
)
from kootui.core.plural import count_of
from kootui.core.recipients import MAX_MANUAL_RECIPIENTS, RecipientSource, TypedRecipients
from kootui.core.senders import require_usable_address
from kootui.core.store import (
    Attachment,
    DomainStatus,
    Message,
    MessageStatus,
    SenderAddress,
    SenderDomain,
    SendMethod,
    SendType,
    Suppression,
    Task,
    TaskStatus,
    Template,
    TemplateStatus,
    stored_id,
)
from kootui.core.tasks.attachments import AttachmentFile, check_attachments
from kootui.core.tasks.message_insert import insert_messages
from kootui.core.tasks.suppressed import SUPPRESSED_REPLY
from kootui.core.templates import require_usable_template, scan_field

MAX_NAME_CHARS = 100
MAX_SUBJECT_CHARS = 255
EXPANSION_CHUNK = 5000
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"

ExpansionProgress = Callable[[int, int], None]  # (message rows written, rows to write)
# Runs in the creating transaction after the task and its rows are written (a face records
# its answer to an Idempotency-Key there); a KootuiError it raises undoes the whole task.
InTransaction = Callable[[Connection, Task], None]


@dataclass
class TaskDraft:
    """What the create form (or the command line) has gathered so far."""

    name: str = ""
    subject: str = ""
    template_id: int | None = None
    address_id: int | None = None
    recipients: RecipientSource | None = None
    send_type: str = SendType.NOW
    scheduled_at: datetime | None = None  # aware; required when send_type is scheduled
    attachments: list[AttachmentFile] = field(default_factory=list)
    send_method: str = SendMethod.CONSOLE
    # Open and click tracking: None follows the template's switch, True/False overrides it.
    track_opens_clicks: bool | None = None


# A face's names for a task's tracking choice (TaskDraft.track_opens_clicks).
TRACKING_CHOICES: dict[str, bool | None] = {"template": None, "on": True, "off": False}

NO_TRACKING_HOST_FOR_TRACKING = (
    "open and click tracking needs sending.tracking_host (the host the pixel and the "
    "click redirects point to) set in config.toml; or turn tracking off for this task"
)


@dataclass(frozen=True)
class CheckedDraft:
    """A draft that passed every rule, with what the rules looked up."""

    name: str
    subject: str
    template: Template
    address: SenderAddress
    domain: SenderDomain
    recipients: RecipientSource
    scheduled_at: datetime
    draft: TaskDraft


def check_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise ValidationError("enter a task name", field="name", code="task.name_required")
    if len(text) > MAX_NAME_CHARS:
        raise ValidationError(
            f"the task name is longer than {MAX_NAME_CHARS} characters", field="name"
        )
    return text


def check_subject(subject: str, parameters: tuple[str, ...] | list[str]) -> str:
    """The subject, which may use the template's parameters and no others."""
    text = subject.strip()
    if not text:
        raise ValidationError(
            "enter an email subject", field="subject", code="task.subject_required"
        )
    if "\n" in text or "\r" in text:
        raise ValidationError("the subject must be one line", field="subject")
    control = first_control(text)
    if control is not None:
        raise ValidationError(
            f"column {control + 1}: the subject must not contain control or invisible "
            f"formatting characters (found U+{ord(text[control]):04X})",
            field="subject",
            code="task.subject_control",
        )
    if len(text) > MAX_SUBJECT_CHARS:
        raise ValidationError(
            f"the subject is longer than {MAX_SUBJECT_CHARS} characters", field="subject"
        )
    used, problems = scan_field(text, "subject")
    if problems:
        first = problems[0]
        raise ValidationError(f"column {first.column}: {first.message}", field="subject")
    unknown = [name for name in used if name not in parameters]
    if unknown:
        known = ", ".join(parameters) if parameters else "none"
        raise ValidationError(
            f"the parameter {unknown[0]!r} is not one of the template's parameters ({known})",
            field="subject",
            code="task.unknown_parameter",
        )
    return text


def parse_local_time(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in the user's local time, as an aware UTC datetime."""
    try:
        naive = datetime.strptime(text.strip(), LOCAL_TIME_FORMAT)
    except ValueError:
        raise ValidationError(
            "enter the time as YYYY-MM-DD HH:MM (local time)", field="scheduled_at"
        ) from None
    return as_utc(naive.astimezone())  # astimezone() on a naive time reads it as local


@requires(Act.TASK_READ)
def check_schedule(context: Context, send_type: str, scheduled_at: datetime | None) -> datetime:
    """When the first message may go: now, or a future time (stored in UTC)."""
    now = context.clock.now()
    if send_type == SendType.NOW:
        return now
    if send_type != SendType.SCHEDULED:
        raise ValidationError("choose now or scheduled", field="send_type")
    if scheduled_at is None:
        raise ValidationError("enter the time to send at", field="scheduled_at")
    if scheduled_at.tzinfo is None:
        raise ValidationError("the time has no time zone", field="scheduled_at")
    when = as_utc(scheduled_at)
    if when <= now:
        raise ValidationError("the scheduled time must be in the future", field="scheduled_at")
    return when


def load_sources(
    session: Session, template_id: int | None, address_id: int | None
) -> tuple[Template, SenderAddress, SenderDomain]:
    """The template and sender, still usable: approved, on a verified domain.

    The same rules as ``templates.require_usable_template`` and
    ``senders.require_usable_address``, read inside the caller's session so the
    check and the write are one transaction.
    """
    if template_id is None:
        raise ValidationError("choose an approved template", field="template_id")
    template = session.get(Template, template_id)
    if template is None:
        raise NotFound(f"there is no template {template_id}", field="template_id")
    if template.status != TemplateStatus.APPROVED:
        raise ValidationError(
            f"the template {template.title!r} is {template.status}, not approved",
            field="template_id",
            code="task.template_not_approved",
        )
    if address_id is None:
        raise ValidationError("choose a sender address", field="address_id")
    found = session.exec(
        select(SenderAddress, SenderDomain)
        .join(SenderDomain, col(SenderDomain.id) == SenderAddress.domain_id)
        .where(SenderAddress.id == address_id)
    ).first()
    if found is None:
        raise NotFound(f"there is no sender address {address_id}", field="address_id")
    address, domain = found
    if domain.status != DomainStatus.PASSED:
        raise ValidationError(
            f"the domain {domain.name} of this sender is not verified ({domain.status})",
            field="address_id",
            code="task.domain_not_verified",
        )
    return template, address, domain


def check_recipients(recipients: RecipientSource | None, parameters: list[str]) -> RecipientSource:
    if recipients is None or recipients.count == 0:
        raise ValidationError("add at least one recipient", field="recipients")
    if isinstance(recipients, TypedRecipients):
        if parameters:
            raise ValidationError(
                "this template has parameters, so recipients must come from an xlsx file "
                f"with the columns: email, {', '.join(parameters)}",
                field="recipients",
                code="task.recipients_need_file",
            )
        if recipients.count > MAX_MANUAL_RECIPIENTS:
            raise ValidationError(
                f"at most {MAX_MANUAL_RECIPIENTS} addresses can be typed", field="recipients"
            )
        return recipients
    provided = tuple(getattr(recipients, "parameters", ()))
    missing = [name for name in parameters if name not in provided]
    if missing:
        raise ValidationError(
            f"the recipient file has no {missing[0]!r} column; import it again for this template",
            field="recipients",
            code="xlsx.missing_column",
        )
    return recipients


def _check_in(session: Session, context: Context, draft: TaskDraft) -> CheckedDraft:
    name = check_name(draft.name)
    template, address, domain = load_sources(session, draft.template_id, draft.address_id)
    if template.support_unsubscribe and not has_tracking_host(context.settings):
        raise ValidationError(NO_TRACKING_HOST, field="template_id", code="task.no_tracking_host")
    tracking = tracks_opens_clicks(draft.track_opens_clicks, template.track_opens_clicks)
    if tracking and not has_tracking_host(context.settings):
        raise ValidationError(
            NO_TRACKING_HOST_FOR_TRACKING,
            field="track_opens_clicks",
            code="task.tracking_needs_host",
        )
    parameters = list(template.parameters)
    subject = check_subject(draft.subject, parameters)
    scheduled_at = check_schedule(context, draft.send_type, draft.scheduled_at)
    check_attachments(draft.attachments)
    recipients = check_recipients(draft.recipients, parameters)
    if draft.send_method not in set(SendMethod):
        raise ValidationError("unknown send method", field="send_method")
    return CheckedDraft(name, subject, template, address, domain, recipients, scheduled_at, draft)


@requires(Act.TASK_READ)
def check_draft(context: Context, draft: TaskDraft) -> CheckedDraft:
    """Every rule, as the form checks before submitting; the first broken one is raised."""
    check_name(draft.name)
    if draft.template_id is None:
        raise ValidationError("choose an approved template", field="template_id")
    require_usable_template(context, draft.template_id)
    if draft.address_id is None:
        raise ValidationError("choose a sender address", field="address_id")
    require_usable_address(context, draft.address_id)
    with context.store.session() as session:
        return _check_in(session, context, draft)


def _message_rows(
    chunk: list[tuple[str, dict[str, str]]],
    *,
    task_id: int,
    parameters: list[str],
    checked: CheckedDraft,
    now: datetime,
) -> list[dict[str, Any]]:
    # The token is also the key of the tracking token (mail.tracking).
    with_token = checked.template.support_unsubscribe or tracks_opens_clicks(
        checked.draft.track_opens_clicks, checked.template.track_opens_clicks
    )
    method = checked.draft.send_method
    return [
        {
            "task_id": task_id,
            "recipient": address,
            "params": {name: params[name] for name in parameters},
            "status": MessageStatus.PENDING.value,
            "send_method": method,
            "message_id_header": "",
            "unsubscribe_token": new_token() if with_token else "",
            "attempts": 0,
            "next_attempt_at": checked.scheduled_at,
            "created_at": now,
            "last_reply": "",
            # lease_*, sent_at, received_at and last_reply_code are left out: NULL, and
            # not binding them saves a third of the per-row type processing.
        }
        for address, params in chunk
    ]


def _mark_suppressed(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Rows for unsubscribed or hard-bounced addresses are created cancelled, with the reason.

    They stay in the task (the detail view shows who was skipped and why) but the
    engine never claims them. The suppression list stores addresses in lower case.
    """
    suppression = Suppression.__table__
    wanted = {row["recipient"].lower() for row in rows if isinstance(row["recipient"], str)}
    if not wanted:
        return
    found: dict[str, str] = dict(
        connection.execute(
            select(suppression.c.address, suppression.c.reason).where(
                suppression.c.address.in_(wanted)
            )
        ).all()
    )
    if not found:
        return
    for row in rows:
        reason = found.get(str(row["recipient"]).lower())
        if reason is not None:
            row["status"] = MessageStatus.CANCELLED.value
            row["last_reply"] = f"{SUPPRESSED_REPLY} ({reason})"


def _write(
    session: Session, context: Context, checked: CheckedDraft, progress: ExpansionProgress | None
) -> Task:
    now = context.clock.now()
    recipients = checked.recipients
    task = Task(
        name=checked.name,
        subject=checked.subject,
        template_id=stored_id(checked.template),
        address_id=stored_id(checked.address),
        send_type=checked.draft.send_type,
        send_method=checked.draft.send_method,
        status=TaskStatus.SCHEDULED,
        scheduled_at=checked.scheduled_at,
        recipient_source=recipients.description[:255],
        recipient_count=recipients.count,
        track_opens_clicks=checked.draft.track_opens_clicks,
        created_at=now,
    )
    session.add(task)
    session.flush()
    assert task.id is not None
    connection = session.connection()
    if checked.draft.attachments:
        connection.execute(
            insert(Attachment.__table__),
            [
                {
                    "task_id": task.id,
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "size": item.size,
                    "content": item.content,
                }
                for item in checked.draft.attachments
            ],
        )
    parameters = list(checked.template.parameters)
    written = 0
    for chunk in recipients.chunks(EXPANSION_CHUNK):
        rows = _message_rows(
            chunk, task_id=task.id, parameters=parameters, checked=checked, now=now
        )
        _mark_suppressed(connection, rows)
        insert_messages(connection, rows)
        written += len(rows)
        if progress is not None:
            progress(written, recipients.count)
    if written != recipients.count:
        raise StoreError(
            f"the recipient list changed while the task was created ({written} of "
            f"{count_of(recipients.count, 'row')}); nothing was saved"
        )
    return task


def _count_against_daily_limits(connection: Connection, context: Context, task_id: int) -> None:
    """A signed-in user's task counts its messages (not the suppressed) against the user's
    daily limit on the day it is created, with its rows; one that does not fit is refused
    whole, so a user splits a large list or asks for a higher limit."""
    subjects = limit_subjects(context.principal)
    if not subjects:
        return
    message = Message.__table__
    messages = connection.execute(
        select(func.count())
        .select_from(message)
        .where(message.c.task_id == task_id, message.c.status == MessageStatus.PENDING.value)
    ).scalar_one()
    if not messages:
        return
    demand = LimitDemand(subjects, int(messages))
    refusal = take_daily_room(connection, [demand], context.clock.now())[0]
    if refusal is not None:
        raise refusal


@requires(Act.TASK_CREATE)
def create_task(
    context: Context,
    draft: TaskDraft,
    *,
    progress: ExpansionProgress | None = None,
    in_transaction: InTransaction | None = None,
) -> Task:
    """Check the draft once more and create the task with all its message rows, or nothing.

    ``in_transaction(connection, task)`` runs before the commit, in the same transaction."""
    check_draft(context, draft)
    try:
        with context.store.session() as session:
            # The same rules again inside the writing transaction: a template or
            # domain changed since the form was checked is caught here.
            checked = _check_in(session, context, draft)
            task = _write(session, context, checked, progress)
            _count_against_daily_limits(session.connection(), context, stored_id(task))
            if in_transaction is not None:
                in_transaction(session.connection(), task)
    except KootuiError:
        raise
    except SQLAlchemyError as exc:
        raise StoreError(
            f"the task could not be saved ({type(exc).__name__}); nothing was created"
        ) from exc
    if task.scheduled_at is not None and task.scheduled_at <= context.clock.now():
        wake_engines(
            context.store, context.settings
        )  # idle engines start now rather than at their next poll
    return task


@requires(Act.TASK_READ)
def template_parameters(context: Context, template_id: int) -> tuple[str, ...]:
    """The parameter columns a recipient file for this template needs (after ``email``)."""
    with context.store.session() as session:
        template = session.get(Template, template_id)
        if template is None:
            raise NotFound(f"there is no template {template_id}", field="template_id")
        return tuple(template.parameters)


@requires(Act.TASK_READ)
def get_task(context: Context, task_id: int) -> Task:
    with context.store.session() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound(f"there is no task {task_id}", field="task_id")
        return task


@requires(Act.TASK_READ)
def task_attachments(context: Context, task_id: int) -> list[tuple[str, str, int]]:
    """(file name, content type, size) of a task's attachments, without their bytes."""
    with context.store.session() as session:
        rows = session.exec(
            select(Attachment.filename, Attachment.content_type, Attachment.size)
            .where(Attachment.task_id == task_id)
            .order_by(col(Attachment.id))
        ).all()
        return [(name, kind, size) for name, kind, size in rows]
