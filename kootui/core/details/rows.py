"""What a Sending Details row is made of: labels, masking, and the facts a task's rows share.

Shared by the list (``details.query``), a message's detail view (``details.message``)
and the export (``details.export``). A page's rows are presented with one query for
their tasks (name, template, sender, subject) and each subject rendered with the
recipient's own parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, RowMapping

from kootui.core.clock import as_utc
from kootui.core.domains import display_domain_name
from kootui.core.errors import KootuiError
from kootui.core.senders import preview_address
from kootui.core.store import (
    Message,
    MessageStatus,
    Row,
    SenderAddress,
    SenderDomain,
    SendMethod,
    Task,
    Template,
)
from kootui.core.templates import CompiledTemplate

message_table = Message.__table__
task_table = Task.__table__
template_table = Template.__table__
address_table = SenderAddress.__table__
domain_table = SenderDomain.__table__

STATUS_LABELS: dict[str, str] = {
    MessageStatus.PENDING.value: "Pending",
    MessageStatus.SENDING.value: "Sending",
    MessageStatus.DELIVERED.value: "Delivered",
    MessageStatus.DEFERRED.value: "Deferred",
    MessageStatus.REJECTED.value: "Rejected",
    MessageStatus.FAILED.value: "Failed",
    MessageStatus.CANCELLED.value: "Cancelled",
    MessageStatus.BOUNCED.value: "Bounced",
    MessageStatus.COMPLAINED.value: "Complained",
}
SEND_METHOD_LABELS: dict[str, str] = {
    SendMethod.CONSOLE.value: "Console",
    SendMethod.CLI.value: "CLI",
    SendMethod.API.value: "API",
    SendMethod.SMTP.value: "SMTP",
}
MASK = "***"


@dataclass(frozen=True)
class AttemptView:
    """One delivery attempt as the detail view shows it (texts ready to print)."""

    started: str  # local time
    stage: str
    outcome: str
    reply_code: str
    enhanced_code: str
    reply_text: str
    remote_host: str
    tls: str  # "yes" / "no"
    duration_ms: int | None


@dataclass(frozen=True)
class MessageDetail:
    """One message: its fields in display order, its attempts, its raw headers."""

    message_id: int
    fields: list[tuple[str, str]]
    attempts: list[AttemptView]
    headers: str  # the header block as last sent ("" when never composed)
    headers_reason: str = ""  # why ``headers`` is empty, one line
    revealed: bool = False


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


# -- labels and masking ---------------------------------------------------------------


def mask_address(address: str) -> str:
    """``***@domain``: enough to see where a message went, not whom it went to."""
    _local, at, domain = address.rpartition("@")
    return f"{MASK}@{domain}" if at else MASK


def mask_in_text(text: str, recipient: str) -> str:
    """Every spelling of the recipient's address in ``text`` (a header block, a server's
    reply, which often echoes it: "550 5.1.1 <ann@example.com>: User unknown"), as
    ``***@domain``."""
    if not recipient or recipient.lower() not in text.lower():
        return text  # the common case, without building a pattern
    return re.sub(re.escape(recipient), mask_address(recipient), text, flags=re.IGNORECASE)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def send_method_label(method: str) -> str:
    return SEND_METHOD_LABELS.get(method, method.upper())


# -- rows -----------------------------------------------------------------------------


@dataclass
class TaskFacts:
    """What the rows of one task share: names, the sender and the compiled subject."""

    task_label: str
    template_label: str
    sender: str
    subject_source: str
    template_id: int
    _compiled: CompiledTemplate | bool | None = field(default=False, repr=False)

    def subject_for(self, params: Mapping[str, Any]) -> str:
        """The subject as this recipient got it; the template text when it cannot render."""
        if self._compiled is False:
            try:
                self._compiled = CompiledTemplate.build(
                    subject=self.subject_source,
                    body_type="text",
                    body="",
                    text_body="",
                    support_unsubscribe=False,
                )
            except KootuiError:
                self._compiled = None
        if not isinstance(self._compiled, CompiledTemplate):
            return self.subject_source
        try:
            return self._compiled.render({k: str(v) for k, v in params.items()}).subject
        except KootuiError:
            return self.subject_source


def load_task_facts(connection: Connection, task_ids: Iterable[int]) -> dict[int, TaskFacts]:
    wanted = sorted(set(task_ids))
    if not wanted:
        return {}
    t, tpl, a, d = task_table, template_table, address_table, domain_table
    statement = (
        select(
            t.c.id,
            t.c.name,
            t.c.subject,
            t.c.template_id,
            tpl.c.title,
            tpl.c.subject.label("template_subject"),
            a.c.local_part,
            a.c.alias,
            d.c.name.label("domain"),
        )
        .select_from(
            t.join(tpl, tpl.c.id == t.c.template_id)
            .join(a, a.c.id == t.c.address_id)
            .join(d, d.c.id == a.c.domain_id)
        )
        .where(t.c.id.in_(wanted))
    )
    return {
        row.id: TaskFacts(
            task_label=f"{row.name} #{row.id}",
            template_label=f"{row.title} #{row.template_id}",
            sender=preview_address(row.local_part, display_domain_name(row.domain), row.alias),
            subject_source=row.subject or row.template_subject,
            template_id=row.template_id,
        )
        for row in connection.execute(statement)
    }


_MISSING = TaskFacts("—", "—", "—", "", 0, None)


def present_row(
    values: Mapping[str, Any] | RowMapping,
    facts: Mapping[int, TaskFacts],
    *,
    reveal: bool = False,
) -> Row:
    """A stored message row as the page shows it (recipient masked unless ``reveal``)."""
    task = facts.get(values["task_id"], _MISSING)
    recipient = str(values["recipient"])
    received = values["received_at"]
    subject = task.subject_for(values["params"] or {})
    return Row(
        key=str(values["id"]),
        values={
            "message_id": values["id"],
            "task": task.task_label,
            "send_method": send_method_label(values["send_method"]),
            "status": status_label(values["status"]),
            "template": task.template_label,
            # A template may put the address itself in the subject ("Hello {{email}}").
            "subject": subject if reveal else mask_in_text(subject, recipient),
            "sender": task.sender,
            "recipient": recipient if reveal else mask_address(recipient),
            "created": as_utc(values["created_at"]),
            "received": as_utc(received) if received is not None else None,
            "task_id": values["task_id"],
            "template_id": task.template_id,
            "status_value": values["status"],
        },
    )
